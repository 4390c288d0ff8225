using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Reputation.Core.Scoring;
using Reputation.Core.Sketches;

namespace Reputation.Core.Tests;

public sealed class TemplateSetsTests
{
    private static string Bucket(int pair, string side, int i) => string.Create(CultureInfo.InvariantCulture, $"{i % 4}:{pair:x4}{side}{i:x4}");

    /// <summary>Two sets of <paramref name="shared"/> common and <paramref name="own"/> own elements each: Jaccard shared / (shared + 2·own).</summary>
    private static (string[] A, string[] B) Pair(int pair, int shared, int own)
    {
        var common = Enumerable.Range(0, shared).Select(i => Bucket(pair, "c", i));
        return ([.. common, .. Enumerable.Range(0, own).Select(i => Bucket(pair, "a", i))],
                [.. common, .. Enumerable.Range(0, own).Select(i => Bucket(pair, "b", i))]);
    }

    private static double MeetRate(int shared, int own, int pairs = 1000) =>
        Enumerable.Range(0, pairs).Count(p =>
        {
            var (a, b) = Pair(p, shared, own);
            return TemplateSets.BandKeys(a).Intersect(TemplateSets.BandKeys(b)).Any();
        }) / (double)pairs;

    [Theory]
    // Jaccard 0.8, 0.5, 0.3 and 0.1 (shared / (shared + 2 × own)); expected 0.997, 0.66, 0.20, 0.008.
    [InlineData(16, 2, 0.97, 1.0)]
    [InlineData(10, 5, 0.55, 0.75)]
    [InlineData(6, 7, 0.12, 0.30)]
    [InlineData(2, 9, 0.0, 0.03)]
    public void Pairs_meet_in_a_band_about_as_often_as_their_jaccard_similarity_predicts(int shared, int own, double atLeast, double atMost)
    {
        var jaccard = shared / (double)(shared + (2 * own));
        var expected = TemplateSets.MeetProbability(jaccard);
        Assert.InRange(expected, atLeast, atMost);
        // A thousand pairs of made-up sets: the observed rate is within a few standard errors of the model.
        var rate = MeetRate(shared, own);
        Assert.InRange(rate, atLeast, atMost);
        Assert.InRange(rate, expected - 0.05, expected + 0.05);
    }

    [Fact]
    public void Sets_of_high_similarity_meet_far_more_often_than_unrelated_ones()
    {
        var similar = MeetRate(shared: 16, own: 2);
        var unrelated = MeetRate(shared: 0, own: 10);
        Assert.True(similar >= 0.97, $"Jaccard 0.8 pairs met {similar:P1} of the time");
        Assert.True(unrelated <= 0.01, $"disjoint pairs met {unrelated:P1} of the time");
    }

    [Fact]
    public void The_sketches_agreement_estimates_jaccard_similarity()
    {
        foreach (var (shared, own) in new[] { (16, 2), (10, 5), (2, 9) })
        {
            var jaccard = shared / (double)(shared + (2 * own));
            var mean = Enumerable.Range(0, 300).Average(p =>
            {
                var (a, b) = Pair(p, shared, own);
                return TemplateSets.Similarity(TemplateSets.Sketch(a)!, TemplateSets.Sketch(b)!);
            });
            Assert.InRange(mean, jaccard - 0.03, jaccard + 0.03);
        }
    }

    [Fact]
    public void A_set_of_fewer_than_two_prompts_buckets_has_no_band_keys()
    {
        // One prompt's four bands, and a tool's versions with a bucket met by chance: not a set.
        Assert.Empty(TemplateSets.BandKeys(["0:aaaa", "1:bbbb", "2:cccc", "3:dddd"]));
        Assert.Empty(TemplateSets.BandKeys(["0:aaaa", "0:aaaa", "1:bbbb", "2:cccc", "3:dddd", "3:dddd", "0:eeee", "2:ffff", "1:9999"]));
        // Two prompts' bands in full are.
        Assert.Equal(TemplateSets.Bands, TemplateSets.BandKeys(["0:aaaa", "1:bbbb", "2:cccc", "3:dddd", "0:eeee", "1:ffff", "2:1111", "3:2222"]).Length);
    }

    [Fact]
    public void Band_keys_name_their_band_and_have_a_fixed_length()
    {
        var keys = TemplateSets.BandKeys(Pair(1, 8, 0).A);
        Assert.Equal(TemplateSets.Bands, keys.Distinct().Count());
        for (var band = 0; band < TemplateSets.Bands; band++)
        {
            Assert.StartsWith(string.Create(CultureInfo.InvariantCulture, $"s{band}:"), keys[band], StringComparison.Ordinal);
            Assert.Equal(TemplateSets.KeyLength, keys[band].Length);
        }
    }

    [Fact]
    public void The_same_set_in_any_order_with_repeats_has_the_same_band_keys() =>
        Properties.Check(Prop.ForAll(Gen.ListOf(Gen.Choose(0, 40)).Select(l => l.ToArray()).ToArbitrary(), elements =>
        {
            var set = elements.Select(e => Bucket(0, "x", e)).ToArray();
            var shuffled = set.Reverse().Concat(set.Take(3)).ToArray();
            return TemplateSets.BandKeys(set).SequenceEqual(TemplateSets.BandKeys(shuffled))
                && (TemplateSets.BandKeys(set).Length == 0) == (set.Distinct().Count() < TemplateSets.MinElements);
        }));

    [Fact]
    public void A_band_key_changes_only_with_the_minima_of_its_own_band() =>
        Properties.Check(Prop.ForAll(Gen.Choose(0, 1000).ToArbitrary(), seed =>
        {
            var (a, _) = Pair(seed, 12, 0);
            var sketch = TemplateSets.Sketch(a)!;
            var changed = (ulong[])sketch.Clone();
            var band = seed % TemplateSets.Bands;
            changed[band * TemplateSets.Rows] ^= 1;
            var before = TemplateSets.BandKeys(sketch);
            var after = TemplateSets.BandKeys(changed);
            return Enumerable.Range(0, TemplateSets.Bands).All(b => (before[b] == after[b]) == (b != band));
        }));

    private static readonly ScoringPolicy Weighted = ScoringPolicy.Default with
    {
        Weights = ScoringPolicy.Default.Weights with { TemplateSetShared = 0.5 },
    };

    private static ScoreResult Score(ScoringPolicy policy, TemplateSetFacts? set) =>
        Scorer.Score(policy, DateTimeOffset.UnixEpoch.AddDays(100), new ScoreInputs
        {
            Account = new AccountFacts(DateTimeOffset.UnixEpoch.AddDays(50), 0) { Standing = Standing.Dormant, TemplateSet = set },
        });

    [Fact]
    public void A_suspect_cluster_of_a_template_set_is_a_reason_in_proportion_to_its_size()
    {
        var small = Score(Weighted, new TemplateSetFacts(4, 1, 12)).Contributions.Single(c => c.Code == ReasonCodes.TemplateSetShared);
        var large = Score(Weighted, new TemplateSetFacts(40, 1, 12)).Contributions.Single(c => c.Code == ReasonCodes.TemplateSetShared);
        Assert.True(small.Value < large.Value);
        Assert.Equal(1, large.Value, 6);
        Assert.Contains("about 40 other accounts", large.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cluster_of_established_or_one_cohort_is_no_reason_and_the_default_policy_does_not_weigh_it()
    {
        Assert.DoesNotContain(Score(Weighted, new TemplateSetFacts(40, 0, 12)).Contributions, c => c.Code == ReasonCodes.TemplateSetShared);
        Assert.DoesNotContain(Score(Weighted, null).Contributions, c => c.Code == ReasonCodes.TemplateSetShared);
        // Off by default (decision 0035): the reason is computed, its weight is 0.
        Assert.Equal(Score(ScoringPolicy.Default, null).Score, Score(ScoringPolicy.Default, new TemplateSetFacts(40, 1, 12)).Score);
    }
}
