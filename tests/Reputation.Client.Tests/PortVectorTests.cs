using System.Text.Json.Nodes;
using Reputation.Core.Prompts;

namespace Reputation.Client.Tests;

/// <summary>
/// The ports (clients/typescript, clients/python) are checked against files this implementation
/// writes: the committed vectors must be what it computes now, and each run adds random prompts.
/// Regenerate the committed files after a deliberate algorithm change with
/// <c>REPUTATION_WRITE_VECTORS=1 dotnet run --project tests/Reputation.Client.Tests -c Release -- -class Reputation.Client.Tests.PortVectorTests</c>.
/// </summary>
public sealed class PortVectorTests
{
    [Fact]
    public void The_committed_vectors_and_port_data_are_what_this_implementation_computes()
    {
        var root = PortVectors.RepositoryRoot();
        var write = Environment.GetEnvironmentVariable("REPUTATION_WRITE_VECTORS") == "1";
        foreach (var (path, text) in PortVectors.Files)
        {
            var full = Path.Combine(root, path);
            var expected = text();
            if (write)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, expected);
            }

            Assert.True(File.Exists(full), $"{path} is missing; write it with REPUTATION_WRITE_VECTORS=1 (see this class's summary)");
            // A difference means fingerprints, scores or events changed: a new algorithm version, to be
            // rolled out to every client and the service together, and the ports changed to match.
            Assert.True(expected == File.ReadAllText(full), $"{path} differs from what the C# implementation computes now");
        }
    }

    [Fact]
    public void The_corpus_covers_at_least_500_prompts_every_elicitation_rule_and_text_outside_the_basic_plane()
    {
        var prompts = PortVectors.CorpusPrompts();

        Assert.True(prompts.Count >= 500, $"{prompts.Count} prompts");
        var matched = prompts.SelectMany(ReasoningElicitation.Matches).ToHashSet();
        Assert.All(ReasoningElicitation.Rules, rule => Assert.Contains(rule.Name, matched));
        Assert.Contains(prompts, p => p.Any(char.IsSurrogate) && SimHash.Compute(p) != 0);
        Assert.Contains(prompts, p => p.Length > 20_000);
    }

    /// <summary>
    /// Random prompts (a new seed each run) with this implementation's answers. When
    /// REPUTATION_PORT_VECTORS names a file, they are written there, and ./test.sh then runs the
    /// ports' tests against it: prompts no committed vector holds.
    /// </summary>
    [Fact]
    public void Random_prompts_normalise_idempotently_and_are_written_for_the_ports()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("REPUTATION_PORT_SEED"), out var s) ? s : Random.Shared.Next();
        var prompts = PortVectors.RandomPrompts(new Random(seed), 300).ToList();

        foreach (var prompt in prompts)
        {
            var normalized = PromptNormalizer.Normalize(prompt);
            Assert.Equal(normalized, PromptNormalizer.Normalize(normalized));
            Assert.Equal(SimHash.Compute(prompt), SimHash.ComputeNormalized(normalized));
        }

        var path = Environment.GetEnvironmentVariable("REPUTATION_PORT_VECTORS");
        if (!string.IsNullOrEmpty(path))
        {
            var text = PortVectors.PromptsJson(prompts, $"Random prompts, seed {seed}; written by a test run, not committed.");
            File.WriteAllText(path, text);
            Assert.Equal(prompts.Count, JsonNode.Parse(File.ReadAllText(path))!["prompts"]!.AsArray().Count);
        }
    }
}
