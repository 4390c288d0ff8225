using System.Globalization;
using Reputation.Core.Campaigns;
using Reputation.Core.Sketches;
using Reputation.Grains.Campaigns;

namespace Reputation.Grains.Tests;

/// <summary>The registry's rules without a silo: formation, merging, ids and bounds.</summary>
public sealed class CampaignBookTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static List<string> Accounts(string prefix, int from, int count) =>
        [.. Enumerable.Range(from, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{prefix}-{i}"))];

    private static HubReport Report(string type, string id, List<string> flagged, string? campaignId = null, IReadOnlyDictionary<string, long>? models = null)
    {
        var sketch = new HyperLogLog(CampaignRules.SketchPrecision);
        foreach (var account in flagged)
        {
            sketch.Add(account);
        }

        return new HubReport
        {
            Type = type,
            Id = id,
            CampaignId = campaignId,
            Flagged = flagged.Count,
            Accounts = flagged.Count + 2,
            Sample = CampaignRules.BottomK(flagged, CampaignRules.ReportSample),
            FlaggedSketch = sketch.Registers,
            RequestsByModel = models ?? new Dictionary<string, long>(),
        };
    }

    [Fact]
    public void A_hub_that_overlaps_nothing_founds_a_campaign_named_after_itself()
    {
        var book = new CampaignBook(new CampaignRegistryState());

        var outcome = book.Apply(Report("prompt-template", "b0:1234", Accounts("a", 0, 10)), Start);

        Assert.True(outcome.Formed);
        Assert.Equal(CampaignRules.IdOf("prompt-template", "b0:1234"), outcome.CampaignId);
        var snapshot = CampaignBook.Snapshot(book.Find(outcome.CampaignId)!);
        Assert.Equal(10, snapshot.Size);
        Assert.Equal(Start, snapshot.FirstSeenAt);
    }

    [Fact]
    public void Hubs_of_one_templates_four_buckets_are_one_campaign()
    {
        var book = new CampaignBook(new CampaignRegistryState());
        var flagged = Accounts("a", 0, 12);

        var ids = Enumerable.Range(0, 4).Select(band => book.Apply(Report("prompt-template", $"b{band}:abcd", flagged), Start.AddSeconds(band)).CampaignId).ToList();

        Assert.Single(ids.Distinct());
        var campaign = book.Find(ids[0])!;
        Assert.Equal(4, campaign.Hubs.Count);
        Assert.Equal(12, CampaignBook.Size(campaign));
    }

    [Fact]
    public void A_hub_overlapping_two_campaigns_merges_them_into_the_older_whose_id_the_younger_resolves_to()
    {
        var book = new CampaignBook(new CampaignRegistryState());
        var a = Accounts("a", 0, 10);
        var b = Accounts("b", 0, 10);
        var older = book.Apply(Report("prompt-template", "b0:aaaa", a), Start).CampaignId;
        var younger = book.Apply(Report("prompt-template", "b0:bbbb", b), Start.AddMinutes(1)).CampaignId;
        Assert.NotEqual(older, younger);

        var bridge = book.Apply(Report("payment-instrument", "pf-bridge", [.. a.Take(5), .. b.Take(5)]), Start.AddMinutes(2));

        Assert.Equal(older, bridge.CampaignId);
        Assert.Equal([younger], bridge.Merged);
        Assert.Equal([("prompt-template", "b0:bbbb")], bridge.Retell);
        Assert.Same(book.Find(older), book.Find(younger));
        var merged = CampaignBook.Snapshot(book.Find(older)!);
        Assert.Equal(3, merged.Hubs.Count);
        Assert.Equal(20, merged.Size);
        Assert.Equal(Start, merged.FirstSeenAt);
        Assert.Single(book.Ordered());
    }

    [Fact]
    public void Of_two_campaigns_first_seen_at_the_same_instant_the_one_formed_first_is_the_older_whatever_their_ids()
    {
        // The second hub's campaign id sorts before the first's: ids must not decide which is older.
        const string first = "b0:f000";
        var second = Enumerable.Range(0, 1000).Select(i => string.Create(CultureInfo.InvariantCulture, $"b1:{i:x4}"))
            .First(k => string.CompareOrdinal(CampaignRules.IdOf("prompt-template", k), CampaignRules.IdOf("prompt-template", first)) < 0);
        var book = new CampaignBook(new CampaignRegistryState());
        var a = Accounts("a", 0, 10);
        var b = Accounts("b", 0, 10);
        var older = book.Apply(Report("prompt-template", first, a), Start).CampaignId;
        var younger = book.Apply(Report("prompt-template", second, b), Start).CampaignId;

        var bridge = book.Apply(Report("payment-instrument", "pf-bridge", [.. a.Take(5), .. b.Take(5)]), Start);

        Assert.Equal(older, bridge.CampaignId);
        Assert.Equal([younger], bridge.Merged);
    }

    [Fact]
    public void One_shared_account_is_not_enough_to_merge()
    {
        var book = new CampaignBook(new CampaignRegistryState());
        var a = Accounts("a", 0, 10);
        var first = book.Apply(Report("prompt-template", "b0:aaaa", a), Start).CampaignId;

        var second = book.Apply(Report("ip-range", "198.51.100.0/24", [a[0], .. Accounts("x", 0, 9)]), Start).CampaignId;

        Assert.NotEqual(first, second);
    }

    [Fact]
    public void The_registry_keeps_at_most_64_campaigns_dropping_the_least_recently_reported()
    {
        var state = new CampaignRegistryState();
        var book = new CampaignBook(state);
        var ids = new List<string>();
        for (var i = 0; i < CampaignBook.MaxCampaigns + 10; i++)
        {
            ids.Add(book.Apply(Report("ip-range", string.Create(CultureInfo.InvariantCulture, $"10.0.{i}.0/24"), Accounts($"r{i}", 0, 6)), Start.AddMinutes(i)).CampaignId);
        }

        Assert.Equal(CampaignBook.MaxCampaigns, state.Campaigns.Count);
        Assert.All(ids.Take(10), id => Assert.Null(book.Find(id)));
        Assert.All(ids.Skip(10), id => Assert.NotNull(book.Find(id)));
    }

    [Fact]
    public void A_campaign_keeps_16_hubs_64_sampled_members_and_counts_every_member_in_its_sketch()
    {
        var state = new CampaignRegistryState();
        var book = new CampaignBook(state);
        var pool = Accounts("member", 0, 1000);
        var random = new Random(7);
        string? id = null;
        for (var hub = 0; hub < 40; hub++)
        {
            // Each hub (a proxy range) holds a different half of one campaign's thousand accounts.
            var half = pool.Where(_ => random.Next(2) == 0).ToList();
            id = book.Apply(Report("ip-range", string.Create(CultureInfo.InvariantCulture, $"10.1.{hub}.0/24"), half), Start.AddSeconds(hub)).CampaignId;
        }

        var campaign = Assert.Single(state.Campaigns);
        Assert.Equal(CampaignBook.MaxHubs, campaign.Hubs.Count);
        Assert.Equal(40, campaign.HubsJoined);
        Assert.Equal(CampaignBook.MemberSample, campaign.Members.Count);
        Assert.Equal(1 << CampaignRules.SketchPrecision, campaign.Sketch.Length);
        // A thousand accounts, within four standard errors (6.5 % each) of a 256-byte sketch.
        Assert.InRange(CampaignBook.Size(campaign), 740, 1260);
        Assert.Equal(CampaignRules.IdOf("ip-range", "10.1.0.0/24"), id);
    }

    [Fact]
    public void Aliases_are_capped()
    {
        var state = new CampaignRegistryState();
        var book = new CampaignBook(state);
        var first = book.Apply(Report("prompt-template", "b1:ffff", Accounts("first", 0, 6)), Start).CampaignId;
        for (var i = 0; i < CampaignBook.MaxAliases + 20; i++)
        {
            // A new campaign, then a hub of the first campaign that shares two of its accounts: they merge.
            var own = Accounts($"c{i}", 0, 6);
            book.Apply(Report("prompt-template", string.Create(CultureInfo.InvariantCulture, $"b1:{i:x4}"), own), Start.AddSeconds(i + 1));
            book.Apply(Report("ip-range", "10.2.0.0/24", [.. Accounts("first", 0, 4), .. own.Take(2)], campaignId: first), Start.AddSeconds(i + 1));
        }

        Assert.Single(state.Campaigns);
        Assert.Equal(CampaignBook.MaxAliases, state.Aliases.Count);
    }

    [Fact]
    public void Evidence_reads_per_kind_of_hub_with_the_strongest_first_and_traffic_sums_over_template_hubs()
    {
        var book = new CampaignBook(new CampaignRegistryState());
        var flagged = Accounts("a", 0, 10);
        book.Apply(Report("prompt-template", "b0:aaaa", flagged, models: new Dictionary<string, long> { ["m-new"] = 300, ["m-old"] = 100 }), Start);
        book.Apply(Report("prompt-template", "b1:aaaa", flagged, models: new Dictionary<string, long> { ["m-new"] = 300, ["m-old"] = 100 }), Start);
        var id = book.Apply(Report("ip-range", "198.51.100.0/24", flagged) with { Accounts = 30 }, Start).CampaignId;

        var snapshot = CampaignBook.Snapshot(book.Find(id)!);

        Assert.Equal(["PROMPT_TEMPLATE_SHARED", "IP_RANGE_SHARED"], snapshot.Evidence.Select(e => e.Code));
        Assert.Contains("2 prompt-template buckets", snapshot.Evidence[0].Detail, StringComparison.Ordinal);
        Assert.Equal(Math.Round(10 / 31.0, 4), snapshot.Evidence[1].Value);
        Assert.Equal(600, snapshot.RequestsByModel["m-new"]);
        Assert.Equal(200, snapshot.RequestsByModel["m-old"]);
    }
}
