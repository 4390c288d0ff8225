using System.Globalization;
using Reputation.Core.Campaigns;
using Reputation.Core.Prompts;
using Reputation.Core.Scoring;

namespace Reputation.Grains.Tests;

/// <summary>Campaigns form around hubs and merge where hubs share flagged accounts (docs/decisions/0018-campaigns.md).</summary>
[Collection(ClusterCollection.Name)]
public sealed class CampaignTests(ClusterFixture fixture)
{
    private static int s_next;

    private IGrainFactory Grains => fixture.Grains;

    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    private ICampaignRegistryGrain Registry => Grains.GetGrain<ICampaignRegistryGrain>(CampaignRegistryGrain.Key);

    /// <summary>An id no other test of the shared cluster uses: one counter for the whole assembly, so two classes cannot make the same card or account.</summary>
    private static string Unique(string prefix) => Events.NewId(prefix);

    /// <summary>A /24 of 172.16.0.0/14, which no other test class of the shared cluster uses.</summary>
    private static string UniqueRange()
    {
        var n = Interlocked.Increment(ref s_next);
        return string.Create(CultureInfo.InvariantCulture, $"172.{16 + ((n >> 8) & 3)}.{n & 255}.0/24");
    }

    private static ulong Flip(ulong fingerprint, Random random, int bits)
    {
        for (var i = 0; i < bits; i++)
        {
            fingerprint ^= 1UL << random.Next(64);
        }

        return fingerprint;
    }

    /// <summary>
    /// Accounts of ten days that each send thousands of reasoning-eliciting requests a minute (flagged
    /// on their own evidence) with near-identical prompts of one template.
    /// </summary>
    private async Task<List<string>> FlaggedTemplateClusterAsync(string prefix, int accounts, ulong template, string model = "model-a", string? card = null, string? range = null)
    {
        var random = new Random(accounts + (int)(template & 0xffff));
        var ids = new List<string>();
        for (var i = 0; i < accounts; i++)
        {
            var id = Unique(prefix);
            ids.Add(id);
            var account = Grains.GetGrain<IAccountGrain>(id);
            await account.SignupAsync(Events.Signup(Now.AddDays(-10), range ?? UniqueRange(), card));
            await account.RecordAsync([Harvest(Now, range, Flip(template, random, i % 3), model)]);
        }

        return ids;
    }

    private static UsageEvent Harvest(DateTimeOffset at, string? range, ulong? fingerprint = null, string? model = null) => new()
    {
        EventId = Events.NewId("harvest"),
        OccurredAt = at,
        IpRange = range,
        Requests = 4000,
        OutputTokens = 4000 * 400,
        ReasoningElicitation = 1,
        PromptFingerprints = fingerprint is { } f ? [f] : [],
        Model = model,
    };

    /// <summary>Every campaign the registry holds (at most 64, one page).</summary>
    private async Task<IReadOnlyList<CampaignSnapshot>> CampaignsAsync() =>
        (await Registry.GetPageAsync(null, CampaignRegistryGrain.MaxPageSize)).Campaigns;

    private async Task<List<CampaignSnapshot>> CampaignsWithHubAsync(string type, IEnumerable<string> ids)
    {
        var keys = ids.ToHashSet(StringComparer.Ordinal);
        return [.. (await CampaignsAsync()).Where(c => c.Hubs.Any(h => h.Type == type && keys.Contains(h.Id)))];
    }

    [Fact]
    public async Task A_template_cluster_of_flagged_accounts_forms_one_campaign_that_its_members_decisions_name()
    {
        const ulong template = 0x5a3c_9e17_42b8_d06f;
        var ids = await FlaggedTemplateClusterAsync("cmp-tpl", 8, template, model: "model-x");
        var buckets = PromptBands.BucketKeys(template).ToList();

        await Eventually.HoldsAsync(async () => (await CampaignsWithHubAsync(EntityGrains.PromptTemplate, buckets)).Count == 1
            && (await CampaignsWithHubAsync(EntityGrains.PromptTemplate, buckets))[0].Hubs.Count(h => buckets.Contains(h.Id)) >= 3,
            "one campaign holding the template's buckets");

        var campaign = Assert.Single(await CampaignsWithHubAsync(EntityGrains.PromptTemplate, buckets));
        Assert.True(CampaignRules.IsId(campaign.Id), campaign.Id);
        Assert.All(campaign.Members, m => Assert.Contains(m, ids));
        Assert.InRange(campaign.Size, 6, 9);
        Assert.InRange(campaign.Members.Count, 6, 8);
        var shared = Assert.Single(campaign.Evidence, e => e.Code == ReasonCodes.PromptTemplateShared);
        Assert.True(shared.Value >= CampaignRules.MinFlaggedShare, $"evidence {shared.Value}");
        Assert.Equal(campaign.Evidence.OrderByDescending(e => e.Value), campaign.Evidence);
        Assert.Equal(["model-x"], campaign.RequestsByModel.Keys);

        // The hubs told their accounts: a member's decision names the campaign, after its scored reasons.
        var member = Grains.GetGrain<IAccountGrain>(ids[^1]);
        await Eventually.HoldsAsync(async () => (await member.DecideRequestAsync(null)).Reasons.Any(r => r.Code == CampaignCodes.Campaign), "a member's decision names the campaign");
        var decision = await member.DecideRequestAsync(null);
        Assert.NotEqual((int)RequestOutcome.Allow, decision.Outcome);
        var named = decision.Reasons[^1];
        Assert.Equal(CampaignCodes.Campaign, named.Code);
        Assert.Equal(0, named.Contribution);
        Assert.Contains(campaign.Id, named.Detail, StringComparison.Ordinal);
        Assert.True(decision.Reasons[0].Contribution > 0);
    }

    [Fact]
    public async Task Two_campaigns_whose_accounts_come_to_share_a_card_and_both_templates_merge_into_the_older_one()
    {
        const ulong first = 0x13f0_77a2_c95e_0b4d;
        const ulong second = 0xe862_0c5d_3a19_f7b2;
        var firstBuckets = PromptBands.BucketKeys(first).ToList();
        var secondBuckets = PromptBands.BucketKeys(second).ToList();
        var a = await FlaggedTemplateClusterAsync("cmp-a", 7, first);
        await Eventually.HoldsAsync(async () => (await CampaignsWithHubAsync(EntityGrains.PromptTemplate, firstBuckets)).Count == 1, "the first template's campaign");
        var b = await FlaggedTemplateClusterAsync("cmp-b", 7, second);
        await Eventually.HoldsAsync(async () => (await CampaignsWithHubAsync(EntityGrains.PromptTemplate, secondBuckets)).Count == 1, "the second template's campaign");
        var older = (await CampaignsWithHubAsync(EntityGrains.PromptTemplate, firstBuckets))[0].Id;
        var younger = (await CampaignsWithHubAsync(EntityGrains.PromptTemplate, secondBuckets))[0].Id;
        Assert.NotEqual(older, younger);

        // Six more accounts pay with one card and send both templates' prompts: each hub's flagged
        // accounts now overlap the other campaign's.
        var card = Unique("pf-bridge");
        var bridge = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var id = Unique("cmp-bridge");
            bridge.Add(id);
            // One call: the account tells all its entities at once when it becomes flagged.
            await Grains.GetGrain<IAccountGrain>(id).RecordAsync([Events.Signup(Now.AddDays(-10), UniqueRange(), card), Harvest(Now, null, first), Harvest(Now, null, second)]);
        }

        await Eventually.HoldsAsync(async () => (await CampaignsWithHubAsync(EntityGrains.PaymentInstrument, [card])).Count == 1
            && (await CampaignsWithHubAsync(EntityGrains.PromptTemplate, firstBuckets.Concat(secondBuckets))).Count == 1, "one campaign");

        var merged = Assert.Single(await CampaignsWithHubAsync(EntityGrains.PaymentInstrument, [card]));
        Assert.Equal(older, merged.Id);
        Assert.Contains(merged.Hubs, h => firstBuckets.Contains(h.Id));
        Assert.Contains(merged.Hubs, h => secondBuckets.Contains(h.Id));
        Assert.Contains(merged.Members, a.Contains);
        Assert.Contains(merged.Members, b.Contains);
        Assert.Contains(merged.Members, bridge.Contains);
        // The merged campaign's id still answers, with the campaign it is part of now.
        Assert.Equal(older, (await Registry.GetAsync(younger))!.Id);
        // The younger campaign's hubs were told their new campaign.
        await Eventually.HoldsAsync(async () =>
            (await Task.WhenAll(secondBuckets.Select(k => Grains.GetGrain<IPromptTemplateGrain>(k).GetSignalsAsync().AsTask())))
                .Where(signals => signals.CampaignId is not null).All(signals => signals.CampaignId == older),
            "the younger campaign's hubs carry the merged id");
    }

    [Fact]
    public async Task A_crowded_honest_range_with_a_few_flagged_accounts_is_no_hub_while_a_range_of_mostly_flagged_accounts_is()
    {
        var crowded = UniqueRange();
        var proxy = UniqueRange();
        for (var i = 0; i < 40; i++)
        {
            // Customers of weeks, a few requests each: a carrier NAT range.
            await Grains.GetGrain<IAccountGrain>(Unique("nat-user")).RecordAsync(
                [Events.Signup(Now.AddDays(-30).AddMinutes(i), crowded), Events.Usage(Now.AddMinutes(-i), crowded, requests: 3)]);
        }

        var flaggedInCrowd = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var id = Unique("nat-harvester");
            flaggedInCrowd.Add(id);
            await Grains.GetGrain<IAccountGrain>(id).RecordAsync([Events.Signup(Now.AddDays(-10), crowded), Harvest(Now, crowded)]);
        }

        for (var i = 0; i < 6; i++)
        {
            await Grains.GetGrain<IAccountGrain>(Unique("proxy-harvester")).RecordAsync([Events.Signup(Now.AddDays(-10), proxy), Harvest(Now, proxy)]);
        }

        // The range heard of all five flagged accounts; the proxy range became a hub in the same time.
        await Eventually.HoldsAsync(async () => (await Grains.GetGrain<IIpRangeGrain>(crowded).GetFlaggedAccountsAsync()).Length == 5, "five flagged in the crowded range");
        await Eventually.HoldsAsync(async () => (await CampaignsWithHubAsync(EntityGrains.IpRange, [proxy])).Count == 1, "the proxy range is a hub");

        Assert.Empty(await CampaignsWithHubAsync(EntityGrains.IpRange, [crowded]));
        Assert.Null((await Grains.GetGrain<IIpRangeGrain>(crowded).GetSignalsAsync()).CampaignId);
        var user = await Grains.GetGrain<IAccountGrain>(flaggedInCrowd[0]).DecideRequestAsync(crowded);
        Assert.DoesNotContain(user.Reasons, r => r.Code == CampaignCodes.Campaign);
    }

    [Fact]
    public async Task A_hub_of_an_evicted_campaign_reports_under_the_id_it_was_given()
    {
        // The registry's own rule, through the grain: an unknown id a hub brings is kept, not replaced.
        var id = CampaignRules.IdOf(EntityGrains.PromptTemplate, Unique("b9"));
        var answer = await Registry.ReportHubAsync(new HubReport
        {
            Type = EntityGrains.PaymentInstrument,
            Id = Unique("pf-returning"),
            CampaignId = id,
            Flagged = 6,
            Accounts = 6,
            Sample = [.. Enumerable.Range(0, 6).Select(_ => Unique("returning"))],
        });

        Assert.Equal(id, answer);
        Assert.Equal(id, (await Registry.GetAsync(id))!.Id);
    }
}
