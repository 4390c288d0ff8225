using System.Net;
using System.Text.Json;
using Reputation.Client;
using Reputation.Contracts;
using Reputation.Core.Prompts;

namespace Reputation.Api.Tests;

/// <summary>Campaign endpoints and labelling a campaign, through the typed client (docs/architecture.md, "Campaigns").</summary>
[Collection(ApiCollection.Name)]
public sealed class CampaignTests(ApiFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Unheld = "cmp-0000000000000000";

    private ReputationClient Reader => factory.CreateReputationClient();

    /// <summary>A template of this test's own: the tests share one host, and their campaigns must not meet in a bucket.</summary>
    private static string NewTemplate() => SimHash.ToHex((ulong)Random.Shared.NextInt64());

    private static List<string> Buckets(string fingerprint) =>
        SimHash.TryParseHex(fingerprint, out var f) ? [.. PromptBands.BucketKeys(f)] : throw new ArgumentException(fingerprint);

    /// <summary>
    /// Flagged accounts sharing one template, and the campaign they form once every bucket joined it.
    /// All but the first count in the buckets (it was flagged before it knew it shared the template),
    /// and a hub reports again only when its flagged accounts grew by half: the campaign's size is at
    /// least the largest n with n + n / 2 above the flagged accounts.
    /// </summary>
    private async Task<(List<string> Accounts, CampaignView Campaign)> TemplateCampaignAsync(int accounts, string? model = null)
    {
        var template = NewTemplate();
        var ids = await Harvesters.CreateAsync(Reader, factory.Time.GetUtcNow(), accounts, fingerprint: template, model: model);
        var buckets = Buckets(template);
        var flagged = accounts - 1;
        var campaign = await Eventually.ValueAsync(
            async () => (await AllCampaignsAsync()).SingleOrDefault(c => c.SharedEntities.Any(e => buckets.Contains(e.Id))),
            c => c is not null && c.SharedEntities.Count(e => buckets.Contains(e.Id)) == buckets.Count && c.Size + (c.Size / 2) > flagged,
            "the template's campaign");
        return (ids, campaign!);
    }

    private async Task<List<CampaignView>> AllCampaignsAsync()
    {
        var all = new List<CampaignView>();
        string? after = null;
        do
        {
            var page = await Reader.ListCampaignsAsync(100, after, Ct);
            all.AddRange(page.Campaigns);
            after = page.Next;
        }
        while (after is not null);

        return all;
    }

    [Fact]
    public async Task A_template_campaign_reads_with_its_size_members_shared_entities_evidence_first_seen_and_traffic_by_model()
    {
        var started = factory.Time.GetUtcNow();
        var (accounts, listed) = await TemplateCampaignAsync(8, model: "model-2026-03");

        var campaign = await Reader.GetCampaignAsync(listed.CampaignId, Ct);

        Assert.NotNull(campaign);
        Assert.Equal(listed.CampaignId, campaign.CampaignId);
        Assert.StartsWith("cmp-", campaign.CampaignId, StringComparison.Ordinal);
        Assert.InRange(campaign.Size, 5, 8);
        Assert.NotEmpty(campaign.Members);
        Assert.All(campaign.Members, m => Assert.Contains(m, accounts));
        Assert.All(campaign.SharedEntities, e => Assert.Equal(EntityType.PromptTemplate, e.Type));
        Assert.Contains(campaign.Evidence, e => e.Code == "PROMPT_TEMPLATE_SHARED" && e.Value >= 0.3 && e.Detail.Length > 0);
        Assert.True(campaign.FirstSeenAt >= started, $"first seen {campaign.FirstSeenAt}, before {started}");
        Assert.Equal(1.0, Assert.Single(campaign.TrafficByModel, p => p.Key == "model-2026-03").Value);

        // The wire names of the contract (v1.1).
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get($"/v1/campaigns/{campaign.CampaignId}"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var root = json.RootElement;
        Assert.Equal(
            ["campaignId", "size", "members", "sharedEntities", "evidence", "firstSeenAt", "trafficByModel"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("prompt-template", root.GetProperty("sharedEntities")[0].GetProperty("type").GetString());
        Assert.Equal(["code", "value", "detail"], root.GetProperty("evidence")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(1.0, root.GetProperty("trafficByModel").GetProperty("model-2026-03").GetDouble());
    }

    [Fact]
    public async Task A_members_decision_names_its_campaign_after_the_top_reasons()
    {
        var (accounts, campaign) = await TemplateCampaignAsync(7);

        var decision = await Eventually.ValueAsync(
            async () => ApiAssert.Answered(await Reader.DecideRequestAsync(new RequestDecisionRequest { AccountId = accounts[^1], Ip = "192.0.2.1" }, Ct)),
            d => d.Reasons.Any(r => r.Code == "CAMPAIGN"),
            "the decision naming the campaign");

        Assert.NotEqual(RequestDecision.Allow, decision.Decision);
        var named = decision.Reasons[^1];
        Assert.Equal("CAMPAIGN", named.Code);
        Assert.Equal(0, named.Contribution);
        Assert.Contains(campaign.CampaignId, named.Detail, StringComparison.Ordinal);
        Assert.InRange(decision.Reasons.Count, 2, 4);
        Assert.All(decision.Reasons.SkipLast(1), r => Assert.True(r.Contribution > 0));
    }

    [Fact]
    public async Task Pages_follow_next_to_the_end_without_repeats_and_list_the_largest_campaigns_first()
    {
        var (_, small) = await TemplateCampaignAsync(6);
        var (_, large) = await TemplateCampaignAsync(16);

        var seen = new List<string>();
        string? after = null;
        for (var pages = 0; pages < 200; pages++)
        {
            var page = await Reader.ListCampaignsAsync(1, after, Ct);
            Assert.True(page.Campaigns.Count <= 1);
            seen.AddRange(page.Campaigns.Select(c => c.CampaignId));
            after = page.Next;
            if (after is null)
            {
                break;
            }
        }

        Assert.Null(after);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Contains(small.CampaignId, seen);
        Assert.Contains(large.CampaignId, seen);
        var one = await Reader.ListCampaignsAsync(100, null, Ct);
        Assert.Equal(one.Campaigns.OrderByDescending(c => c.Size).ThenByDescending(c => c.FirstSeenAt).Select(c => c.CampaignId), one.Campaigns.Select(c => c.CampaignId));
        Assert.True(one.Campaigns.ToList().FindIndex(c => c.CampaignId == large.CampaignId) < one.Campaigns.ToList().FindIndex(c => c.CampaignId == small.CampaignId));
        Assert.True((await Reader.ListCampaignsAsync(null, null, Ct)).Campaigns.Count <= 20);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("after=bogus", "after")]
    [InlineData("after=" + Unheld, "after")]
    public async Task Bad_paging_values_are_a_400_naming_the_field(string query, string field)
    {
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get($"/v1/campaigns?{query}"), Ct);

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task The_client_reports_a_bad_limit_as_a_validation_problem_naming_it()
    {
        await ApiAssert.FailsValidationAsync("limit", () => Reader.ListCampaignsAsync(500, null, Ct));
    }

    [Theory]
    [InlineData(Unheld)]
    [InlineData("not-a-campaign")]
    public async Task An_unknown_campaign_is_a_404_problem(string id)
    {
        Assert.Null(await Reader.GetCampaignAsync(id, Ct));

        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get($"/v1/campaigns/{id}"), Ct);
        await Raw.AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Labelling_a_campaign_labels_every_member_the_service_holds_and_is_audited()
    {
        var (accounts, campaign) = await TemplateCampaignAsync(8);
        var operatorClient = factory.CreateReputationClient(ApiFactory.OperatorKey);

        var label = await operatorClient.SetLabelAsync(new LabelRequest
        {
            EntityType = EntityType.Campaign, EntityId = campaign.CampaignId, Label = LabelKind.Fraud, Reason = "confirmed distillation campaign",
        }, Ct);

        Assert.Equal(EntityType.Campaign, label.EntityType);
        Assert.Equal(campaign.CampaignId, label.EntityId);
        var labelled = new List<string>();
        foreach (var account in accounts)
        {
            var view = await Reader.GetAccountAsync(account, Ct);
            if (view!.Labels.Contains(LabelKind.Fraud))
            {
                labelled.Add(account);
                Assert.Equal("confirmed distillation campaign", view.LabelDetail!.Reason);
            }
        }

        // Every member a shared entity holds as flagged: all of them but perhaps the first, which was
        // flagged before it knew it shared the template (docs/architecture.md, "Campaigns").
        Assert.Equal(labelled.Count, label.AccountsLabelled);
        Assert.InRange(labelled.Count, accounts.Count - 1, accounts.Count);
        Assert.All(campaign.Members, m => Assert.Contains(m, labelled));

        using var audit = await factory.CreateDefaultClient().SendAsync(
            Raw.Get($"/v1/audit?target=campaign:{campaign.CampaignId}&action=label.set", ApiFactory.OperatorKey), Ct);
        var page = JsonSerializer.Deserialize<AuditPage>(await audit.Content.ReadAsStringAsync(Ct), JsonSerializerOptions.Web)!;
        var record = Assert.Single(page.Records);
        Assert.Equal(200, record.Status);
        Assert.Equal(labelled.Count, record.After!.Value.GetProperty("accountsLabelled").GetInt32());
    }

    [Fact]
    public async Task Labelling_a_campaign_the_service_does_not_hold_is_a_404_and_a_malformed_id_a_400_naming_entityId()
    {
        var operatorClient = factory.CreateReputationClient(ApiFactory.OperatorKey);
        LabelRequest Label(string id) => new() { EntityType = EntityType.Campaign, EntityId = id, Label = LabelKind.Fraud, Reason = "r" };

        var missing = await ApiAssert.FailsWithAsync(HttpStatusCode.NotFound, () => operatorClient.SetLabelAsync(Label(Unheld), Ct));
        await ApiAssert.FailsValidationAsync("entityId", () => operatorClient.SetLabelAsync(Label("campaign-7"), Ct));

        Assert.Contains(Unheld, missing.Problem!.Detail, StringComparison.Ordinal);
        using var audit = await factory.CreateDefaultClient().SendAsync(
            Raw.Get($"/v1/audit?target=campaign:{Unheld}&action=label.set", ApiFactory.OperatorKey), Ct);
        var page = JsonSerializer.Deserialize<AuditPage>(await audit.Content.ReadAsStringAsync(Ct), JsonSerializerOptions.Web)!;
        Assert.Contains(page.Records, r => r.Status == 404);
    }

    [Fact]
    public async Task Reading_campaigns_needs_the_read_scope_and_labelling_one_the_operate_scope()
    {
        var http = factory.CreateDefaultClient();
        using var anonymous = await http.SendAsync(Raw.Get("/v1/campaigns", apiKey: null), Ct);
        using var anonymousOne = await http.SendAsync(Raw.Get($"/v1/campaigns/{Unheld}", apiKey: null), Ct);
        await Raw.AssertProblemAsync(anonymous, HttpStatusCode.Unauthorized);
        await Raw.AssertProblemAsync(anonymousOne, HttpStatusCode.Unauthorized);

        // The service key has read (and decide, ingest), not operate.
        await Reader.ListCampaignsAsync(cancellationToken: Ct);
        await ApiAssert.FailsWithAsync(HttpStatusCode.Forbidden, () => Reader.SetLabelAsync(
            new LabelRequest { EntityType = EntityType.Campaign, EntityId = Unheld, Label = LabelKind.Fraud, Reason = "r" }, Ct));
    }

    [Fact]
    public async Task A_usage_events_model_is_bounded_like_an_id()
    {
        var now = factory.Time.GetUtcNow();
        var result = await Reader.IngestAsync(Events.Batch(new IngestEvent
        {
            Id = Unique.Id("u"), Type = EventType.Usage, AccountId = Unique.Id("acct"), OccurredAt = now, Requests = 1, Model = new string('m', 129),
        }), Ct);

        var rejected = Assert.Single(result.Rejected);
        Assert.Contains("model", rejected.Error, StringComparison.Ordinal);
    }
}
