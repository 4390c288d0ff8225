using System.Net;
using System.Text.Json;
using Reputation.Contracts;
using static Reputation.Api.Tests.GatewayKeysFactory;

namespace Reputation.Api.Tests;

/// <summary>
/// A stolen key links a victim to a deny-listed card; voiding the key's events allows the victim
/// again (docs/decisions/0021-event-provenance.md).
/// </summary>
[Collection(GatewayKeysCollection.Name)]
public sealed class KeyVoidTests(GatewayKeysFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Voiding_a_stolen_keys_events_allows_its_victim_again_and_is_audited()
    {
        var acme = factory.CreateReputationClient(AcmeKey);
        var rogue = factory.CreateReputationClient(RogueKey);
        var operatorClient = factory.CreateReputationClient(ApiFactory.OperatorKey);
        var http = factory.CreateDefaultClient();
        var now = factory.Time.GetUtcNow();
        var victim = Unique.Id(AcmePrefix + "victim");
        var net = Unique.Ipv4Range();
        var card = Unique.Id("card-denied");
        Assert.Empty((await acme.IngestAsync(Events.Batch(
            Events.Signup(Unique.Id("evt"), victim, now.AddMinutes(-30), net.Host(9)),
            Events.Usage(Unique.Id("evt"), victim, now.AddMinutes(-20), 3, net.Host(9))), Ct)).Rejected);
        Assert.Equal(RequestDecision.Allow, await DecisionAsync());
        using (var put = await http.SendAsync(Raw.Request(HttpMethod.Put, $"/v1/lists/deny/payment-instrument/{card}", """{"reason":"stolen card ring"}""", ApiFactory.OperatorKey), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var from = factory.Time.GetUtcNow();
        var attack = await rogue.IngestAsync(Events.Batch(Events.Payment(Unique.Id("evt"), victim, now, card, PaymentOutcome.Chargeback)), Ct);
        Assert.Equal(1, attack.Accepted);
        await Eventually.ValueAsync(DecisionAsync, d => d == RequestDecision.Block, "the victim blocked through the deny-listed card");
        var attacked = (await operatorClient.GetAccountAsync(victim, Ct))!;
        Assert.Contains(card, attacked.PaymentInstruments);
        Assert.Equal([AcmeKeyName, RogueKeyName], attacked.Senders.Select(s => s.Key).Order(StringComparer.Ordinal));

        var voided = await operatorClient.VoidKeyEventsAsync(RogueKeyName, new VoidKeyRequest { From = from, Reason = "key leaked in a public repository" }, Ct);

        Assert.Equal((1, 0, 1), (voided.Voided, voided.AlreadyVoided, voided.Accounts));
        Assert.Equal([victim], voided.AccountSample);
        Assert.Equal(1, voided.LinksRemoved);
        Assert.Equal(RequestDecision.Allow, await DecisionAsync());
        var after = (await operatorClient.GetAccountAsync(victim, Ct))!;
        Assert.DoesNotContain(card, after.PaymentInstruments);
        Assert.Equal(0, after.Payments.Chargebacks);
        Assert.Equal((1, 1), (after.Senders.Single(s => s.Key == RogueKeyName).Events, after.Senders.Single(s => s.Key == RogueKeyName).Voided));
        Assert.Equal((2, 0), (after.Senders.Single(s => s.Key == AcmeKeyName).Events, after.Senders.Single(s => s.Key == AcmeKeyName).Voided));
        var instrument = (await operatorClient.GetPaymentInstrumentAsync(card, Ct))!;
        Assert.DoesNotContain(victim, instrument.RecentAccounts);
        Assert.Equal((0, 0), (instrument.Payments.Chargebacks, instrument.DistinctAccounts));

        var again = await operatorClient.VoidKeyEventsAsync(RogueKeyName, new VoidKeyRequest { From = from, Reason = "again" }, Ct);
        Assert.Equal((0, 1), (again.Voided, again.AlreadyVoided));

        using var audit = await http.SendAsync(Raw.Get($"/v1/audit?action=key.void&target=key:{RogueKeyName}", ApiFactory.OperatorKey), Ct);
        var page = JsonSerializer.Deserialize<AuditPage>(await audit.Content.ReadAsStringAsync(Ct), JsonSerializerOptions.Web)!;
        var record = Assert.Single(page.Records, r => r.Before?.ToString().Contains("key leaked in a public repository", StringComparison.Ordinal) == true);
        Assert.Equal(("dev-operator", 200), (record.KeyName, record.Status));
        Assert.Contains(victim, record.After?.ToString(), StringComparison.Ordinal);

        async Task<RequestDecision> DecisionAsync() =>
            ApiAssert.Answered(await acme.DecideRequestAsync(new RequestDecisionRequest { AccountId = victim, Ip = net.Host(9) }, Ct)).Decision;
    }

    [Fact]
    public async Task Voiding_a_stolen_keys_usage_takes_its_victim_out_of_the_harvest_template_it_was_put_in()
    {
        var acme = factory.CreateReputationClient(AcmeKey);
        var rogue = factory.CreateReputationClient(RogueKey);
        var operatorClient = factory.CreateReputationClient(ApiFactory.OperatorKey);
        // A window of this test's own: the other tests void the same key from their own start.
        factory.Time.Advance(TimeSpan.FromSeconds(1));
        var from = factory.Time.GetUtcNow();
        var now = from;
        var net = Unique.Ipv4Range();
        var harvest = (ulong)Random.Shared.NextInt64() | 1UL << 63;
        var bucket = $"b0:{harvest >> 48:x4}";
        foreach (var campaign in new[] { Unique.Id(AcmePrefix + "campaign"), Unique.Id(AcmePrefix + "campaign") })
        {
            Assert.Empty((await acme.IngestAsync(Events.Batch(Prompted(campaign, now.AddMinutes(-10), 30, harvest)), Ct)).Rejected);
        }

        var victim = Unique.Id(AcmePrefix + "victim");
        Assert.Empty((await acme.IngestAsync(Events.Batch(Events.Signup(Unique.Id("evt"), victim, now.AddMinutes(-30), net.Host(9))), Ct)).Rejected);
        Assert.Equal(1, (await rogue.IngestAsync(Events.Batch(Prompted(victim, now.AddMinutes(-2), 40, harvest ^ 1)), Ct)).Accepted);
        var attacked = (await operatorClient.GetPromptTemplateAsync(bucket, Ct))!;
        Assert.Contains(victim, attacked.RecentAccounts);
        Assert.Equal(3, attacked.SharingAccounts);

        try
        {
            var voided = await operatorClient.VoidKeyEventsAsync(RogueKeyName, new VoidKeyRequest { From = from, To = factory.Time.GetUtcNow(), Reason = "key leaked" }, Ct);

            Assert.Equal((1, 0), (voided.Voided, voided.TemplateUsageKept));
            var after = (await operatorClient.GetPromptTemplateAsync(bucket, Ct))!;
            Assert.DoesNotContain(victim, after.RecentAccounts);
            Assert.Equal(2, after.SharingAccounts);
            Assert.Equal(attacked.Usage.RequestsTotal - 40, after.Usage.RequestsTotal);
            Assert.DoesNotContain(bucket, (await operatorClient.GetAccountAsync(victim, Ct))!.PromptBuckets);
        }
        finally
        {
            factory.Time.Advance(TimeSpan.FromSeconds(1));
        }

        IngestEvent Prompted(string account, DateTimeOffset at, long requests, ulong fingerprint) => new()
        {
            Id = Unique.Id("evt"),
            Type = EventType.Usage,
            AccountId = account,
            OccurredAt = at,
            Ip = net.Host(9),
            Requests = requests,
            PromptFingerprints = [fingerprint.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)],
        };
    }

    [Fact]
    public async Task Voiding_further_back_than_the_journal_keeps_is_refused_naming_from()
    {
        var operatorClient = factory.CreateReputationClient(ApiFactory.OperatorKey);

        var ex = await ApiAssert.FailsValidationAsync("from", () => operatorClient.VoidKeyEventsAsync(RogueKeyName,
            new VoidKeyRequest { From = factory.Time.GetUtcNow().AddDays(-8), Reason = "too far back" }, Ct));

        Assert.Contains("7 days", ex.Problem!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Voiding_needs_the_operate_scope()
    {
        var acme = factory.CreateReputationClient(AcmeKey);

        await ApiAssert.FailsWithAsync(HttpStatusCode.Forbidden,
            () => acme.VoidKeyEventsAsync(RogueKeyName, new VoidKeyRequest { Reason = "not mine to void" }, Ct));
    }
}
