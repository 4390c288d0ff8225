using Reputation.Simulator.Generation;
using Reputation.Simulator.Scenarios;

namespace Reputation.Simulator.Tests;

public sealed class OrdinaryPromptsTests
{
    [Fact]
    public void Ordinary_prompts_come_from_many_frames()
    {
        var (ordinary, reasoning) = OrdinaryPrompts.FrameCounts;

        Assert.True(ordinary >= 40, $"{ordinary} frames");
        Assert.True(reasoning >= 5, $"{reasoning} reasoning frames");
    }

    [Fact]
    public void Ordinary_prompts_rarely_repeat()
    {
        var r = new SimRandom(5);
        var prompts = Enumerable.Range(0, 2000).Select(_ => OrdinaryPrompts.Next(r, reasoning: false)).ToList();

        Assert.True(prompts.Distinct(StringComparer.Ordinal).Count() > 1900, $"{prompts.Distinct(StringComparer.Ordinal).Count()} distinct of 2000");
    }

    [Fact]
    public void Two_ordinary_prompts_share_few_words_while_a_campaign_template_shares_most()
    {
        var r = new SimRandom(5);
        var ordinary = Enumerable.Range(0, 400).Select(_ => OrdinaryPrompts.Next(r, reasoning: false)).ToList();
        var slots = new Dictionary<string, IReadOnlyList<string>> { ["lang"] = ["Python", "Go", "Rust"], ["algo"] = ["a trie", "a heap", "an LRU cache"] };
        var templated = Enumerable.Range(0, 400)
            .Select(_ => PromptTemplate.Fill("You are an expert {lang} engineer. Implement {algo} and show your full working before the final code block.", slots, r))
            .ToList();

        var ordinaryOverlap = MeanJaccard(ordinary);
        var templatedOverlap = MeanJaccard(templated);

        Assert.True(ordinaryOverlap < 0.15, $"ordinary prompts overlap {ordinaryOverlap:0.00}");
        Assert.True(templatedOverlap > 0.7, $"templated prompts overlap {templatedOverlap:0.00}");
    }

    [Fact]
    public void Under_the_clients_fingerprint_ordinary_prompts_spread_out_while_campaign_templates_cluster()
    {
        var r = new SimRandom(8);
        var ordinary = Enumerable.Range(0, 10_000).Select(_ => OrdinaryPrompts.Next(r, r.Chance(0.04))).ToList();
        var scenario = ScenarioLoader.LoadFile(Path.Combine(TestScenarios.RepositoryRoot(), "scenarios", "shared-cards.json"));
        var prompts = scenario.Campaigns[0].Prompts;
        var campaign = Enumerable.Range(0, 1000).Select(i => PromptTemplate.Fill(r.Pick(i % 2 == 0 ? prompts.Templates : prompts.ReasoningTemplates).Variants[0], prompts.Slots, r)).ToList();

        // The share of the prompts in the fullest LSH bucket (a 16-bit band of the fingerprint, as the service buckets them).
        var ordinaryTop = LargestBucketShare(ordinary);
        var campaignTop = LargestBucketShare(campaign);

        Assert.True(ordinaryTop < 0.01, $"{ordinaryTop:P2} of ordinary prompts share one bucket");
        Assert.True(campaignTop > 0.05, $"{campaignTop:P2} of campaign prompts share one bucket");
    }

    [Fact]
    public void Template_slots_are_filled_and_unknown_ones_left_alone()
    {
        var slots = new Dictionary<string, IReadOnlyList<string>> { ["a"] = ["x"] };

        Assert.Equal("x and {b}", PromptTemplate.Fill("{a} and {b}", slots, new SimRandom(1)));
        Assert.Equal(["a", "b"], PromptTemplate.SlotsOf("{a} and {b}"));
        Assert.True(PromptTemplate.IsWellFormed("{a} and {b}"));
        Assert.False(PromptTemplate.IsWellFormed("{a and b}}"));
        Assert.False(PromptTemplate.IsWellFormed("{a"));
    }

    private static double LargestBucketShare(List<string> prompts)
    {
        var buckets = new Dictionary<(int Band, ulong Value), HashSet<string>>();
        foreach (var prompt in prompts.Distinct(StringComparer.Ordinal))
        {
            var fingerprint = Reputation.Client.PromptFingerprint.ComputeValue(prompt);
            for (var band = 0; band < 4; band++)
            {
                var key = (band, (fingerprint >> (16 * (3 - band))) & 0xFFFF);
                if (!buckets.TryGetValue(key, out var set))
                {
                    buckets[key] = set = [];
                }

                set.Add(prompt);
            }
        }

        // Weighted by requests: how many of all the prompts sent fall in the fullest bucket.
        var counts = prompts.GroupBy(p => p, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return buckets.Values.Max(set => set.Sum(p => counts[p])) / (double)prompts.Count;
    }

    private static double MeanJaccard(List<string> prompts)
    {
        var sets = prompts.Select(p => p.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet()).ToList();
        double sum = 0;
        var pairs = 0;
        for (var i = 0; i + 1 < sets.Count; i += 2)
        {
            var inter = sets[i].Intersect(sets[i + 1]).Count();
            var union = sets[i].Union(sets[i + 1]).Count();
            sum += (double)inter / union;
            pairs++;
        }

        return sum / pairs;
    }
}
