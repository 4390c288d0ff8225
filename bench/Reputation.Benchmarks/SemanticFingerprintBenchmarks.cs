using BenchmarkDotNet.Attributes;
using Reputation.Client.Semantic;
using Reputation.Core.Prompts;

namespace Reputation.Benchmarks;

/// <summary>
/// Cost per prompt of the two client-side fingerprints: SimHash (what <c>PromptFingerprint</c>
/// computes) against the MiniLM semantic fingerprint, one prompt at a time and in a batch.
/// </summary>
[MemoryDiagnoser]
public class SemanticFingerprintBenchmarks : IDisposable
{
    private const int Batch = SemanticFingerprint.BatchSize;

    // 25 words: a typical harvest prompt.
    private const string Short = "Solve the following algebra problem. Think step by step and show your reasoning before giving the final answer: 7x - 4 = 2x + 11";

    // About 190 words: instructions, a passage and a question.
    private static readonly string s_long = string.Join(' ', Enumerable.Repeat(
        "Read the passage and answer the question, quoting the evidence and explaining your reasoning step by step. " +
        "The village stored grain every autumn, but the rats came in spring and the stores ran low before the harvest. " +
        "Question: what problem did the village face, and what could it have done differently?", 4));

    private SemanticFingerprint _semantic = null!;
    private string[] _batch = [];

    [Params("short", "long")]
    public string Prompt { get; set; } = "short";

    private string Text => Prompt == "short" ? Short : s_long;

    [GlobalSetup]
    public void LoadModel()
    {
        _semantic = new SemanticFingerprint();
        _batch = [.. Enumerable.Range(0, Batch).Select(i => Text.Replace("7x", $"{i + 2}x", StringComparison.Ordinal).Replace("village", i % 2 == 0 ? "village" : "town", StringComparison.Ordinal))];
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _semantic.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, Description = "SimHash, one prompt")]
    public ulong SimHashOne() => SimHash.Compute(Text);

    [Benchmark(Description = "semantic, one prompt")]
    public ulong SemanticOne() => _semantic.ComputeValue(Text);

    [Benchmark(Description = "semantic, per prompt of a batch of 16", OperationsPerInvoke = Batch)]
    public ulong[] SemanticBatch() => _semantic.ComputeValues(_batch);
}
