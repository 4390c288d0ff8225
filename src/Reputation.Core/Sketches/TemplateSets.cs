using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace Reputation.Core.Sketches;

/// <summary>
/// Co-occurrence of templates (docs/decisions/0035-template-sets.md): a MinHash sketch of an
/// account's set of shared prompt buckets, cut into LSH bands. Two accounts whose sets have Jaccard
/// similarity J share at least one band key with probability 1 − (1 − J^<see cref="Rows"/>)^<see cref="Bands"/>:
/// about 0.997 at J = 0.8, 0.66 at J = 0.5, 0.2 at J = 0.3 and under 0.01 at J = 0.1. A band key
/// is the name of a cluster: the accounts that report it use nearly the same set of templates.
/// </summary>
public static class TemplateSets
{
    /// <summary>Minima kept: <see cref="Bands"/> × <see cref="Rows"/>.</summary>
    public const int Hashes = Bands * Rows;

    /// <summary>Band keys per set: a pair must agree on every row of one band to meet.</summary>
    public const int Bands = 8;

    /// <summary>Minima per band: more rows make a band key stricter (fewer chance meetings, fewer true ones).</summary>
    public const int Rows = 3;

    /// <summary>
    /// Fewest elements a set needs to have band keys: two prompts' four 16-bit bands each. One prompt
    /// falls in at most four buckets, and a popular tool's system prompt in its three versions
    /// (near each other) plus one bucket met by chance made sets of five, whose clusters were tool
    /// users (decision 0035, "Measured"); eight need at least two prompts shared in full.
    /// </summary>
    public const int MinElements = 8;

    /// <summary>
    /// A bucket shared by more accounts than this is common (a popular tool's system prompt, a
    /// widely pasted snippet): it names no cluster and stays out of the set.
    /// </summary>
    public const long MaxSharingAccounts = 1000;

    /// <summary>Length of a band key: "s" + band digit + ":" + 16 hex digits.</summary>
    public const int KeyLength = 2 + 1 + 16;

    // Fixed, arbitrary odd constants: the i-th hash function is the element's hash mixed with seed i.
    private const ulong SeedStep = 0x9E3779B97F4A7C15UL;

    /// <summary>The <see cref="Hashes"/> minima of the elements' hashes under as many hash functions; null for fewer than <see cref="MinElements"/> distinct elements.</summary>
    public static ulong[]? Sketch(IEnumerable<string> elements)
    {
        ArgumentNullException.ThrowIfNull(elements);
        var minima = new ulong[Hashes];
        Array.Fill(minima, ulong.MaxValue);
        var seen = new HashSet<ulong>();
        foreach (var element in elements)
        {
            var h = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(element));
            if (!seen.Add(h))
            {
                continue;
            }

            for (var i = 0; i < Hashes; i++)
            {
                var v = Mix(h ^ (SeedStep * (ulong)(i + 1)));
                if (v < minima[i])
                {
                    minima[i] = v;
                }
            }
        }

        return seen.Count < MinElements ? null : minima;
    }

    /// <summary>The set's <see cref="Bands"/> band keys ("s0:…" to "s7:…"); empty for a set too small to have any.</summary>
    public static string[] BandKeys(IEnumerable<string> elements) => Sketch(elements) is { } minima ? BandKeys(minima) : [];

    /// <summary>The band keys of a sketch: each band's <see cref="Rows"/> minima hashed together, prefixed by the band.</summary>
    public static string[] BandKeys(ulong[] minima)
    {
        ArgumentNullException.ThrowIfNull(minima);
        if (minima.Length != Hashes)
        {
            throw new ArgumentException($"A sketch has {Hashes} minima.", nameof(minima));
        }

        var keys = new string[Bands];
        Span<byte> bytes = stackalloc byte[Rows * sizeof(ulong)];
        for (var band = 0; band < Bands; band++)
        {
            for (var r = 0; r < Rows; r++)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(bytes[(r * sizeof(ulong))..], minima[(band * Rows) + r]);
            }

            keys[band] = string.Create(CultureInfo.InvariantCulture, $"s{band}:{XxHash64.HashToUInt64(bytes):x16}");
        }

        return keys;
    }

    /// <summary>The share of minima two sketches agree on: an unbiased estimate of their sets' Jaccard similarity.</summary>
    public static double Similarity(ulong[] a, ulong[] b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var same = 0;
        for (var i = 0; i < Hashes; i++)
        {
            same += a[i] == b[i] ? 1 : 0;
        }

        return same / (double)Hashes;
    }

    /// <summary>The chance that two sets of Jaccard similarity <paramref name="jaccard"/> share at least one band key.</summary>
    public static double MeetProbability(double jaccard) => 1 - Math.Pow(1 - Math.Pow(Math.Clamp(jaccard, 0, 1), Rows), Bands);

    // SplitMix64's finaliser: a bijection that spreads every input bit over the output.
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
