namespace Reputation.Client.Semantic;

/// <summary>
/// The 64 random hyperplanes that turn a sentence embedding into 64 bits, generated so that any
/// language can reproduce them exactly with integer arithmetic alone.
/// </summary>
/// <remarks>
/// Generator: SplitMix64 (state += 0x9E3779B97F4A7C15; z = state; z = (z ^ (z &gt;&gt; 30)) *
/// 0xBF58476D1CE4E5B9; z = (z ^ (z &gt;&gt; 27)) * 0x94D049BB133111EB; output z ^ (z &gt;&gt; 31), all
/// modulo 2^64), seeded with <see cref="Seed"/>. Plane <c>k</c> (0-63) takes outputs
/// <c>6k</c> to <c>6k+5</c> (counting from 0, in order); component <c>i</c> (0-383) of the plane is
/// -1 when bit <c>i % 64</c> (0 = least significant) of output <c>6k + i / 64</c> is set, else +1.
/// Signs rather than Gaussian components: a projection on 384 random signs is close to Gaussian,
/// so two vectors at angle θ still disagree on a plane with probability about θ/π, and no port
/// depends on a platform's logarithm or cosine to build the same planes.
/// </remarks>
internal static class Hyperplanes
{
    /// <summary>The SplitMix64 seed: the ASCII bytes of "semantic", read as a big-endian number.</summary>
    public const ulong Seed = 0x73656D616E746963;

    /// <summary>The embedding width of all-MiniLM-L6-v2.</summary>
    public const int Dimensions = 384;

    public const int Count = 64;

    private const int WordsPerPlane = Dimensions / 64;

    /// <summary>Plane <c>k</c>'s sign bits, <see cref="WordsPerPlane"/> words per plane; a set bit is a -1 component.</summary>
    private static readonly ulong[] s_negative = Generate();

    /// <summary>Plane <c>k</c> sets bit <c>63 - k</c> when the embedding lies on its positive side, so plane 0 is the first hex digit's top bit.</summary>
    public static ulong Hash(ReadOnlySpan<float> embedding)
    {
        if (embedding.Length != Dimensions)
        {
            throw new ArgumentException($"An embedding has {Dimensions} components, not {embedding.Length}.", nameof(embedding));
        }

        ulong fingerprint = 0;
        for (var k = 0; k < Count; k++)
        {
            // Double, summed in component order: every port adds the same numbers in the same order.
            var dot = 0d;
            for (var i = 0; i < Dimensions; i++)
            {
                dot += Sign(k, i) * (double)embedding[i];
            }

            if (dot > 0)
            {
                fingerprint |= 1UL << (63 - k);
            }
        }

        return fingerprint;
    }

    /// <summary>Component <paramref name="component"/> of plane <paramref name="plane"/>: +1 or -1.</summary>
    public static int Sign(int plane, int component) =>
        (s_negative[(plane * WordsPerPlane) + (component >> 6)] >> (component & 63) & 1) != 0 ? -1 : 1;

    private static ulong[] Generate()
    {
        var words = new ulong[Count * WordsPerPlane];
        var state = Seed;
        for (var n = 0; n < words.Length; n++)
        {
            words[n] = SplitMix64(ref state);
        }

        return words;
    }

    internal static ulong SplitMix64(ref ulong state)
    {
        unchecked
        {
            state += 0x9E3779B97F4A7C15;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            return z ^ (z >> 31);
        }
    }
}
