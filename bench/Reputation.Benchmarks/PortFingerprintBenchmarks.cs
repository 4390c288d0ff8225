using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Reputation.Core.Prompts;

namespace Reputation.Benchmarks;

/// <summary>
/// The prompt fingerprint as a gateway computes it (16 hex digits), on the two workloads the client
/// ports time with their own timers (clients/typescript/bench, clients/python/bench), so
/// docs/performance.md can give their cost as ratios to this one: one templated prompt, and every
/// prompt of the test-vector corpus (clients/vectors/prompts.v1.json) once. On a shared machine the
/// minimum is the figure to compare (the ports' timers report the fastest of several rounds too).
/// </summary>
[MemoryDiagnoser]
[MinColumn]
public class PortFingerprintBenchmarks
{
    /// <summary>19 words, a harvest template's fill.</summary>
    public const string Templated = "You are an expert tutor. Solve 12x+7=43 step by step and give the final answer on its own line.";

    private string[] _corpus = [];

    [GlobalSetup]
    public void LoadCorpus()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Reputation.sln")))
        {
            dir = dir.Parent;
        }

        var path = Path.Combine(dir?.FullName ?? throw new InvalidOperationException("Reputation.sln not found"), "clients", "vectors", "prompts.v1.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        _corpus = [.. document.RootElement.GetProperty("prompts").EnumerateArray().Select(p => p.GetProperty("prompt").GetString()!)];
    }

    [Benchmark(Baseline = true, Description = "fingerprint, templated prompt")]
    public string TemplatedPrompt() => SimHash.ToHex(SimHash.Compute(Templated));

    [Benchmark(Description = "fingerprint, every corpus prompt once")]
    public int Corpus()
    {
        var length = 0;
        foreach (var prompt in _corpus)
        {
            length += SimHash.ToHex(SimHash.Compute(prompt)).Length;
        }

        return length;
    }
}
