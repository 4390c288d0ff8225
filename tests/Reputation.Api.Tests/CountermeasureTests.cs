using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reputation.Client;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

/// <summary>A host of its own: these tests save policies and move the clock by days.</summary>
public sealed class CountermeasureFactory : ApiFactory;

[CollectionDefinition(Name)]
public sealed class CountermeasureCollection : ICollectionFixture<CountermeasureFactory>
{
    public const string Name = "api-countermeasures";
}

/// <summary>Response modes, watermark keys, holds and releases through the typed client (docs/gateway-contract.md).</summary>
[Collection(CountermeasureCollection.Name)]
public sealed class CountermeasureTests(CountermeasureFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ReputationClient Service => factory.CreateReputationClient();

    private ReputationClient Operator => factory.CreateReputationClient(ApiFactory.OperatorKey);

    private DateTimeOffset Now => factory.Time.GetUtcNow();

    /// <summary>Saves the current default policy with an edit; the answer is the PUT's.</summary>
    private async Task<HttpResponseMessage> PutPolicyAsync(Action<JsonObject> edit)
    {
        using var http = factory.CreateDefaultClient();
        using var current = await http.SendAsync(Raw.Get("/v1/policies/default"), Ct);
        var policy = JsonNode.Parse(await current.Content.ReadAsStringAsync(Ct))!.AsObject();
        edit(policy);
        var put = Raw.Request(HttpMethod.Put, "/v1/policies/default", policy.ToJsonString(), ApiFactory.OperatorKey);
        put.Headers.TryAddWithoutValidation("If-Match", current.Headers.ETag!.ToString());
        return await http.SendAsync(put, Ct);
    }

    /// <summary>
    /// Blocks only at a score of 1, so that harvesters are degraded; a campaign's degrade on
    /// frontier-large falls back to frontier-small, else is perturbed at 0.6.
    /// </summary>
    private async Task UsePolicyAsync()
    {
        using var saved = await PutPolicyAsync(policy =>
        {
            policy["request"]!["block"] = 1.0;
            policy["countermeasures"]!["responses"] = JsonNode.Parse("""
                [
                  {"campaign":"*","forModel":"frontier-large","mode":"fallbackModel","model":"frontier-small"},
                  {"campaign":"*","mode":"perturb","level":0.6},
                  {"mode":"summarizeReasoning"}
                ]
                """);
        });
        Assert.True(saved.StatusCode == HttpStatusCode.OK, await saved.Content.ReadAsStringAsync(Ct));
    }

    private async Task<RequestDecisionResponse> DecideAsync(string account, string? model = null) =>
        ApiAssert.Answered(await Service.DecideRequestAsync(new RequestDecisionRequest { AccountId = account, Ip = "192.0.2.1", Model = model }, Ct));

    /// <summary>Harvesters on one card: the card is their campaign's only hub, so every member names the same campaign.</summary>
    private async Task<(List<string> Accounts, string CampaignId)> CardCampaignAsync(int accounts)
    {
        var ids = await Harvesters.CreateAsync(Service, Now, accounts, card: Unique.Id("card"));
        var named = await Eventually.ValueAsync(() => DecideAsync(ids[^1]), d => d.Reasons.Any(r => r.Code == "CAMPAIGN"), "a member's decision naming its campaign");
        var campaignId = named.Reasons.Single(r => r.Code == "CAMPAIGN").Detail.Split(' ').Single(w => w.StartsWith("cmp-", StringComparison.Ordinal)).TrimEnd('.', ',', ')');
        return (ids, campaignId);
    }

    [Fact]
    public async Task A_campaign_s_members_are_degraded_with_the_policy_s_response_mode_and_one_watermark_key_that_resolves_to_the_campaign()
    {
        await UsePolicyAsync();
        var (accounts, campaignId) = await CardCampaignAsync(7);

        var decisions = new List<RequestDecisionResponse>();
        foreach (var account in accounts.Skip(1))
        {
            decisions.Add(await Eventually.ValueAsync(() => DecideAsync(account), d => d.Reasons.Any(r => r.Code == "CAMPAIGN"), $"{account} named in the campaign"));
        }

        Assert.All(decisions, d =>
        {
            Assert.Equal(RequestDecision.Degrade, d.Decision);
            Assert.Equal(new GatewayResponse { Mode = ResponseMode.Perturb, Level = 0.6 }, d.Response);
            Assert.NotNull(d.HoldUntil);
            Assert.Equal(Now.AddDays(1), d.HoldUntil);
        });
        var key = Assert.Single(decisions.Select(d => d.WatermarkKeyId).Distinct());
        Assert.Matches("^wm-[0-9a-f]{16}$", key);

        // Per model: the same member asking for frontier-large falls back to frontier-small.
        var onLarge = await DecideAsync(accounts[^1], "frontier-large");
        Assert.Equal(new GatewayResponse { Mode = ResponseMode.FallbackModel, Model = "frontier-small" }, onLarge.Response);
        Assert.Equal(key, onLarge.WatermarkKeyId);

        // Asked again (answered from the silo's copy of the decision): the same reasons, and each
        // request's model still chooses the response.
        var again = await DecideAsync(accounts[^1]);
        Assert.Equal(new GatewayResponse { Mode = ResponseMode.Perturb, Level = 0.6 }, again.Response);
        Assert.Equal(onLarge.Reasons, again.Reasons);
        var largeAgain = await DecideAsync(accounts[^1], "frontier-large");
        Assert.Equal(onLarge.Response, largeAgain.Response);
        Assert.Equal(onLarge.Reasons, largeAgain.Reasons);

        var watermark = await Eventually.ValueAsync(() => Operator.GetWatermarkAsync(key!, Ct),
            w => w is not null && accounts.Skip(1).All(w.Accounts.Contains), "the key issued to every member decided");
        Assert.Equal(campaignId, watermark!.CampaignId);
        Assert.Null(watermark.AccountId);
        Assert.Equal(Now, watermark.IssuedAt);
        Assert.True(watermark.AccountsIssued >= accounts.Count - 1);

        // The wire names of the contract (v1.1).
        using var raw = await factory.CreateDefaultClient().SendAsync(
            Raw.Post("/v1/decisions/request", $$"""{"accountId":"{{accounts[^1]}}","ip":"192.0.2.1"}"""), Ct);
        using var json = JsonDocument.Parse(await raw.Content.ReadAsStringAsync(Ct));
        var root = json.RootElement;
        Assert.Equal("degrade", root.GetProperty("decision").GetString());
        Assert.Equal(Now, root.GetProperty("holdUntil").GetDateTimeOffset().AddDays(-1));
        Assert.Equal("""{"mode":"perturb","level":0.6}""", root.GetProperty("response").GetRawText());
        Assert.Equal(key, root.GetProperty("watermarkKeyId").GetString());
    }

    [Fact]
    public async Task An_allowed_account_s_answer_has_no_hold_response_or_key_and_unknown_or_malformed_keys_are_404_and_400()
    {
        using var raw = await factory.CreateDefaultClient().SendAsync(
            Raw.Post("/v1/decisions/request", $$"""{"accountId":"{{Unique.Id("calm")}}","ip":"192.0.2.1"}"""), Ct);
        using var json = JsonDocument.Parse(await raw.Content.ReadAsStringAsync(Ct));
        Assert.Equal("allow", json.RootElement.GetProperty("decision").GetString());
        Assert.False(json.RootElement.TryGetProperty("holdUntil", out _));
        Assert.False(json.RootElement.TryGetProperty("response", out _));
        Assert.False(json.RootElement.TryGetProperty("watermarkKeyId", out _));

        Assert.Null(await Operator.GetWatermarkAsync("wm-0000000000000000", Ct));
        await ApiAssert.FailsValidationAsync("keyId", () => Operator.GetWatermarkAsync("wm-not-a-key", Ct));
        await ApiAssert.FailsWithAsync(HttpStatusCode.Forbidden, () => Service.GetWatermarkAsync("wm-0000000000000000", Ct));
    }

    [Fact]
    public async Task A_release_ends_the_hold_is_audited_records_a_cleared_label_and_the_same_evidence_does_not_hold_again()
    {
        await UsePolicyAsync();
        var account = (await Harvesters.CreateAsync(Service, Now, 1))[0];
        var held = await DecideAsync(account);
        Assert.NotEqual(RequestDecision.Allow, held.Decision);
        Assert.NotNull(held.HoldUntil);

        var released = await Operator.ReleaseAccountAsync(account, "reviewed: our own load test (case 77)", Ct);

        Assert.NotNull(released);
        Assert.Equal(account, released.AccountId);
        Assert.Equal(held.HoldUntil, released.HoldUntil);
        Assert.Equal(LabelKind.Cleared, released.Label.Label);
        Assert.Equal("dev-operator", released.Label.LabelledBy);
        var after = await DecideAsync(account);
        Assert.Equal(RequestDecision.Allow, after.Decision);
        Assert.Equal("RELEASED", after.Reasons[0].Code);
        Assert.Null(after.HoldUntil);
        Assert.Null(after.Response);

        var view = (await Service.GetAccountAsync(account, Ct))!;
        Assert.Empty(view.Labels);
        Assert.Equal(LabelKind.Cleared, view.LabelDetail!.Label);
        Assert.Equal("reviewed: our own load test (case 77)", view.LabelDetail!.Reason);
        Assert.Null(view.HoldUntil);
        Assert.Equal(released.ReleasedUntil, view.ReleasedUntil);

        using var audit = await factory.CreateDefaultClient().SendAsync(Raw.Get($"/v1/audit?target=account:{account}", ApiFactory.OperatorKey), Ct);
        var page = JsonSerializer.Deserialize<AuditPage>(await audit.Content.ReadAsStringAsync(Ct), JsonSerializerOptions.Web)!;
        var record = Assert.Single(page.Records);
        Assert.Equal("account.release", record.Action);
        Assert.Equal(200, record.Status);
        Assert.Equal("dev-operator", record.KeyName);
    }

    [Fact]
    public async Task A_hold_expires_at_holdUntil_and_evidence_that_persists_begins_a_new_one()
    {
        await UsePolicyAsync();
        var account = (await Harvesters.CreateAsync(Service, Now, 1, card: Unique.Id("card")))[0];
        var first = await DecideAsync(account);
        Assert.Equal(RequestDecision.Degrade, first.Decision);
        var until = first.HoldUntil!.Value;
        await Eventually.ValueAsync(() => Service.GetAccountAsync(account, Ct), v => v!.HoldUntil == until, "the hold in the account view");

        factory.Time.Advance(until - Now);
        Assert.Null((await Service.GetAccountAsync(account, Ct))!.HoldUntil);
        // The card's sharing and the label-free evidence still stand after a day: a new hold from now.
        await Service.IngestAsync(Events.Batch(new IngestEvent
        {
            Id = Unique.Id("u"), Type = EventType.Usage, AccountId = account, OccurredAt = Now, Ip = "192.0.2.1",
            Requests = 4000, OutputTokens = 4000 * 400, ReasoningElicitation = 1,
        }), Ct);
        var second = await DecideAsync(account);
        Assert.NotEqual(RequestDecision.Allow, second.Decision);
        Assert.True(second.HoldUntil > until, $"a new hold after {until}: {second.HoldUntil}");
    }

    [Fact]
    public async Task Bad_release_and_countermeasure_policy_input_is_a_400_naming_the_field_and_unknown_accounts_a_404()
    {
        await ApiAssert.FailsValidationAsync("reason", () => Operator.ReleaseAccountAsync(Unique.Id("x"), " ", Ct));
        await ApiAssert.FailsValidationAsync("reason", () => Operator.ReleaseAccountAsync(Unique.Id("x"), new string('r', 501), Ct));
        Assert.Null(await Operator.ReleaseAccountAsync(Unique.Id("never-seen"), "reviewed", Ct));
        await ApiAssert.FailsWithAsync(HttpStatusCode.Forbidden, () => Service.ReleaseAccountAsync(Unique.Id("x"), "reviewed", Ct));

        using var rejected = await PutPolicyAsync(policy => policy["countermeasures"]!["responses"] = JsonNode.Parse("""[{"mode":"perturb","level":2}]"""));
        var problem = await Raw.AssertProblemAsync(rejected, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("countermeasures.responses[0].level", out _), problem.ToString());
    }

    /// <summary>A ten-day-old account that sends <paramref name="requests"/> reasoning-eliciting requests now, from a range of its own.</summary>
    private async Task<string> ElicitingAsync(int requests)
    {
        var account = Unique.Id("review");
        var ip = Unique.Ipv4Range().Host(10);
        var result = await Service.IngestAsync(Events.Batch(
            Events.Signup(Unique.Id("s"), account, Now.AddDays(-10), ip, null),
            new IngestEvent
            {
                Id = Unique.Id("u"), Type = EventType.Usage, AccountId = account, OccurredAt = Now, Ip = ip,
                Requests = requests, OutputTokens = requests * 400L, ReasoningElicitation = 1,
            }), Ct);
        Assert.Equal(2, result.Accepted);
        return account;
    }

    private async Task<List<ReviewItem>> ReviewAsync(int pageSize)
    {
        var all = new List<ReviewItem>();
        string? after = null;
        do
        {
            var page = await Operator.ListReviewAsync(pageSize, after, Ct);
            Assert.InRange(page.Items.Count, 0, pageSize);
            all.AddRange(page.Items);
            after = page.Next;
        }
        while (after is not null);

        return all;
    }

    [Fact]
    public async Task A_campaign_s_held_members_are_one_review_item_that_leaves_once_they_are_all_released()
    {
        await UsePolicyAsync();
        var members = await Harvesters.CreateAsync(Service, Now, 6, card: Unique.Id("card"));
        // Each member's view (which holds nothing) names the campaign first, so that each hold begins as the campaign's.
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            var view = await Eventually.ValueAsync(() => Service.GetAccountAsync(member, Ct), v => v!.Reasons.Any(r => r.Code == "CAMPAIGN"), $"{member}'s view naming its campaign");
            named.Add(view!.Reasons.Single(r => r.Code == "CAMPAIGN").Detail.Split(' ').Single(w => w.StartsWith("cmp-", StringComparison.Ordinal)).TrimEnd('.', ',', ')'));
        }

        var campaignId = Assert.Single(named);
        foreach (var member in members)
        {
            Assert.Equal(RequestDecision.Degrade, (await DecideAsync(member)).Decision);
        }

        var item = await Eventually.ValueAsync(async () => (await ReviewAsync(pageSize: 100)).SingleOrDefault(i => i.Id == campaignId),
            i => i?.AccountsHeld == members.Count, "the campaign in the queue with every member held");
        Assert.Equal(EntityType.Campaign, item!.Kind);
        Assert.Equal(members.Order(), item.Accounts!.Order());
        Assert.DoesNotContain(await ReviewAsync(pageSize: 100), i => i.Kind == EntityType.Account && members.Contains(i.Id));

        foreach (var member in members.SkipLast(1))
        {
            await Operator.ReleaseAccountAsync(member, "reviewed: a partner's evaluation harness", Ct);
        }

        var one = (await ReviewAsync(pageSize: 100)).Single(i => i.Id == campaignId);
        Assert.Equal(1, one.AccountsHeld);
        Assert.Equal([members[^1]], one.Accounts!);

        await Operator.ReleaseAccountAsync(members[^1], "reviewed: a partner's evaluation harness", Ct);
        Assert.DoesNotContain(await ReviewAsync(pageSize: 100), i => i.Id == campaignId || members.Contains(i.Id));
    }

    [Fact]
    public async Task The_review_queue_orders_by_score_then_newest_pages_and_released_or_confirmed_accounts_leave()
    {
        var older = await ElicitingAsync(4000);
        var olderHeld = await DecideAsync(older);
        var olderSince = Now;
        factory.Time.Advance(TimeSpan.FromMinutes(1));
        var newer = await ElicitingAsync(4000);
        var newerHeld = await DecideAsync(newer);
        var weaker = await ElicitingAsync(2000);
        var weakerHeld = await DecideAsync(weaker);
        Assert.All(new[] { olderHeld, newerHeld, weakerHeld }, d => Assert.NotEqual(RequestDecision.Allow, d.Decision));
        Assert.Equal(olderHeld.Score, newerHeld.Score);
        Assert.True(weakerHeld.Score < newerHeld.Score, $"{weakerHeld.Score} with half the requests, {newerHeld.Score}");

        string[] mine = [older, newer, weaker];
        var all = await Eventually.ValueAsync(() => ReviewAsync(pageSize: 1), q => mine.All(a => q.Any(i => i.Id == a)), "the three holds in the review queue");

        Assert.Equal(all.Count, all.Select(i => (i.Kind, i.Id)).Distinct().Count());
        Assert.Equal([newer, older, weaker], all.Where(i => mine.Contains(i.Id)).Select(i => i.Id));
        for (var i = 1; i < all.Count; i++)
        {
            Assert.True(all[i - 1].Score > all[i].Score || (all[i - 1].Score == all[i].Score && all[i - 1].HeldSince >= all[i].HeldSince),
                $"{all[i - 1].Id} ({all[i - 1].Score}, {all[i - 1].HeldSince}) before {all[i].Id} ({all[i].Score}, {all[i].HeldSince})");
        }

        var item = all.Single(i => i.Id == older);
        Assert.Equal(EntityType.Account, item.Kind);
        Assert.Equal(olderHeld.Decision, item.Decision);
        Assert.Equal(olderHeld.Score, item.Score);
        Assert.Equal(olderSince, item.HeldSince);
        Assert.Equal(olderHeld.HoldUntil, item.HoldUntil);
        Assert.Equal(60, item.AgeSeconds);
        Assert.Equal(olderHeld.Reasons.Where(r => r.Contribution > 0).Select(r => r.Code), item.Reasons.Select(r => r.Code));

        // Released and confirmed accounts leave the queue.
        await Operator.ReleaseAccountAsync(older, "reviewed: a partner's benchmark run", Ct);
        await Operator.SetLabelAsync(new LabelRequest { EntityType = EntityType.Account, EntityId = weaker, Label = LabelKind.Fraud, Reason = "confirmed harvesting" }, Ct);
        var left = await ReviewAsync(pageSize: 100);
        Assert.Equal([newer], left.Where(i => mine.Contains(i.Id)).Select(i => i.Id));

        await ApiAssert.FailsValidationAsync("limit", () => Operator.ListReviewAsync(0, null, Ct));
        await ApiAssert.FailsValidationAsync("after", () => Operator.ListReviewAsync(10, "not a cursor", Ct));
        await ApiAssert.FailsWithAsync(HttpStatusCode.Forbidden, () => Service.ListReviewAsync(10, null, Ct));
    }
}
