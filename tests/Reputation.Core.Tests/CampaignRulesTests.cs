using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Reputation.Core.Campaigns;

namespace Reputation.Core.Tests;

public sealed class CampaignRulesTests
{
    [Theory]
    // A campaign's template or card: most of its accounts flagged.
    [InlineData(12, 12, true)]
    [InlineData(5, 8, true)]
    [InlineData(300, 500, true)]
    // Too few flagged accounts to call it a campaign, whatever their share.
    [InlineData(4, 4, false)]
    // Crowded honest entities: a carrier NAT range with a few flagged users, a popular tool's template.
    [InlineData(5, 40, false)]
    [InlineData(30, 5000, false)]
    [InlineData(60, 1000, false)]
    public void An_entity_is_a_hub_by_its_flagged_count_and_share(long flagged, long accounts, bool hub)
    {
        Assert.Equal(hub, CampaignRules.IsHub(flagged, accounts, trusted: false));
    }

    [Fact]
    public void An_entity_labelled_trusted_is_never_a_hub()
    {
        Assert.False(CampaignRules.IsHub(50, 50, trusted: true));
    }

    [Fact]
    public void The_share_never_takes_fewer_accounts_than_are_flagged()
    {
        // A distinct-account estimate below the flagged count (HyperLogLog error) counts as the flagged count.
        Assert.Equal(CampaignRules.FlaggedShare(10, 10), CampaignRules.FlaggedShare(10, 7));
    }

    [Theory]
    [InlineData(5, 0, true)]
    [InlineData(6, 5, false)]
    [InlineData(7, 5, true)]
    [InlineData(9, 7, false)]
    [InlineData(10, 7, true)]
    [InlineData(256, 200, false)]
    [InlineData(300, 200, true)]
    public void A_hub_reports_when_it_first_is_one_and_when_its_flagged_accounts_grew_by_half_rounded_down(long flagged, long reported, bool report)
    {
        Assert.Equal(report, CampaignRules.ShouldReport(flagged, reported));
    }

    [Fact]
    public void A_campaign_id_is_stable_well_formed_and_differs_by_hub()
    {
        var id = CampaignRules.IdOf("prompt-template", "b0:3fa2");

        Assert.Equal(id, CampaignRules.IdOf("prompt-template", "b0:3fa2"));
        Assert.NotEqual(id, CampaignRules.IdOf("prompt-template", "b1:3fa2"));
        Assert.NotEqual(id, CampaignRules.IdOf("ip-range", "b0:3fa2"));
        Assert.True(CampaignRules.IsId(id), id);
        Assert.StartsWith("cmp-", id, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("cmp-")]
    [InlineData("cmp-0123456789abcde")]
    [InlineData("cmp-0123456789abcdef0")]
    [InlineData("cmp-0123456789ABCDEF")]
    [InlineData("cmx-0123456789abcdef")]
    [InlineData("cmp-0123456789abcdeg")]
    public void Malformed_campaign_ids_are_refused(string? value)
    {
        Assert.False(CampaignRules.IsId(value));
    }

    [Fact]
    public void A_bottom_k_sample_is_distinct_ordered_by_hash_and_capped()
    {
        var accounts = Enumerable.Range(0, 100).Select(i => string.Create(CultureInfo.InvariantCulture, $"acct-{i}")).ToList();

        var sample = CampaignRules.BottomK(accounts.Concat(accounts), 10);

        Assert.Equal(10, sample.Count);
        Assert.Equal(10, sample.Distinct().Count());
        Assert.Equal(sample.OrderBy(CampaignRules.SampleHash), sample);
        var threshold = CampaignRules.SampleHash(sample[^1]);
        Assert.All(accounts.Except(sample), a => Assert.True(CampaignRules.SampleHash(a) > threshold));
    }

    [Fact]
    public void The_bottom_k_of_a_union_is_drawn_from_the_bottom_k_of_its_parts()
    {
        // What lets a campaign keep only its sample: merging samples gives the sample of the merged set.
        var gen =
            from a in Gen.ListOf(Gen.Choose(0, 400))
            from b in Gen.ListOf(Gen.Choose(0, 400))
            from k in Gen.Choose(1, 40)
            select (A: a.Select(Name).ToList(), B: b.Select(Name).ToList(), K: k);
        Properties.Check(Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var whole = CampaignRules.BottomK(t.A.Concat(t.B), t.K);
            var fromParts = CampaignRules.BottomK(CampaignRules.BottomK(t.A, t.K).Concat(CampaignRules.BottomK(t.B, t.K)), t.K);
            return whole.SequenceEqual(fromParts);
        }));
    }

    [Fact]
    public void Two_bottom_k_samples_of_one_large_campaign_overlap()
    {
        // Two hubs of a 2,000-account campaign, each holding a different 60 % of it: their 32-account
        // samples and the campaign's 64-account sample share several accounts, random samples would share about one.
        var campaign = Enumerable.Range(0, 2000).Select(i => string.Create(CultureInfo.InvariantCulture, $"c-{i}")).ToList();
        var hubA = campaign.Take(1200).ToList();
        var hubB = campaign.Skip(800).ToList();

        var sampleA = CampaignRules.BottomK(hubA, CampaignRules.ReportSample);
        var sampleB = CampaignRules.BottomK(hubB, CampaignRules.ReportSample);

        Assert.True(sampleA.Intersect(sampleB).Count() >= CampaignRules.MinOverlap,
            $"samples share {sampleA.Intersect(sampleB).Count()} accounts");
    }

    private static string Name(int i) => string.Create(CultureInfo.InvariantCulture, $"acct-{i}");
}
