using System.Net;
using Reputation.Client;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

/// <summary>
/// An account asked about again is answered from the silo's copy of its last decision
/// (docs/decisions/0023-decision-cache.md); what a caller sees must be what the account grain would
/// answer: every change shows in the very next decision.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class DecisionCacheTests(ApiFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<RequestDecisionResponse> DecideAsync(ReputationClient client, string account, string ip) =>
        ApiAssert.Answered(await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = account, Ip = ip }, Ct));

    [Fact]
    public async Task A_decision_asked_again_changes_with_the_next_event_list_entry_or_label()
    {
        var client = factory.CreateReputationClient();
        var operatorClient = factory.CreateReputationClient(ApiFactory.OperatorKey);
        using var http = factory.CreateDefaultClient();
        var account = Unique.Id("cached");
        var ip = Unique.Ipv4Range().Host(9);
        var now = factory.Time.GetUtcNow();
        await client.IngestAsync(Events.Batch(Events.Signup(Unique.Id("evt"), account, now.AddDays(-60), ip)), Ct);
        var before = await ScrapeHitsAsync();

        var first = await DecideAsync(client, account, ip);
        var again = await DecideAsync(client, account, ip);
        Assert.Equal(RequestDecision.Allow, first.Decision);
        Assert.Equal((first.Decision, first.Score, first.PolicyVersion), (again.Decision, again.Score, again.PolicyVersion));
        Assert.InRange(again.CacheTtlSeconds, 0, first.CacheTtlSeconds);
        // The scrape is cached briefly: read until it shows the hit.
        await Eventually.ValueAsync(ScrapeHitsAsync, hits => hits >= before + 1, "the second decision answered from the silo's copy");

        // An event: its requests count in the next decision.
        await client.IngestAsync(Events.Batch(Events.Usage(Unique.Id("evt"), account, factory.Time.GetUtcNow().AddSeconds(-10), 5_000, ip)), Ct);
        var busy = await DecideAsync(client, account, ip);
        Assert.True(busy.Score > again.Score, $"{busy.Score} after 5,000 requests, {again.Score} before");
        Assert.Contains(busy.Reasons, r => r.Code == "ACCOUNT_REQUEST_VELOCITY");

        // A deny-list entry, and its removal.
        using (var put = await http.SendAsync(Raw.Request(HttpMethod.Put, $"/v1/lists/deny/account/{account}", """{"reason":"test entry"}""", ApiFactory.OperatorKey), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var denied = await DecideAsync(client, account, ip);
        Assert.Equal(RequestDecision.Block, denied.Decision);
        Assert.Contains(denied.Reasons, r => r.Code == "LIST_DENY");
        using (var delete = await http.SendAsync(Raw.Request(HttpMethod.Delete, $"/v1/lists/deny/account/{account}", null, ApiFactory.OperatorKey), Ct))
        {
            Assert.True(delete.IsSuccessStatusCode, $"DELETE answered {(int)delete.StatusCode}");
        }

        Assert.DoesNotContain((await DecideAsync(client, account, ip)).Reasons, r => r.Code == "LIST_DENY");

        // A fraud label.
        await operatorClient.SetLabelAsync(new LabelRequest { EntityType = EntityType.Account, EntityId = account, Label = LabelKind.Fraud, Reason = "confirmed" }, Ct);
        var labelled = await DecideAsync(client, account, ip);
        Assert.Equal(RequestDecision.Block, labelled.Decision);
        Assert.Contains(labelled.Reasons, r => r.Code == "LABEL_FRAUD");
    }

    private async Task<double> ScrapeHitsAsync() =>
        (await MetricsTests.ScrapeAsync(factory)).Sum("reputation_decision_cache_total", ("result", "hit"));
}
