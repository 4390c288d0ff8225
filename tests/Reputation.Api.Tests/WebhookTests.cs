using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Reputation.Client;
using Reputation.Contracts;
using Reputation.Core.Webhooks;
using Reputation.Testing;

namespace Reputation.Api.Tests;

/// <summary>
/// A host of its own whose webhooks look at their outbox every 20 ms and retry after a minute of
/// its clock, doubling, giving up ten minutes after the event: the tests move the clock.
/// </summary>
public sealed class WebhookFactory : ApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Reputation:Webhooks:PollMilliseconds", "20");
        builder.UseSetting("Reputation:Webhooks:RetryBaseSeconds", "60");
        builder.UseSetting("Reputation:Webhooks:GiveUpAfterMinutes", "10");
    }
}

[CollectionDefinition(Name)]
public sealed class WebhookCollection : ICollectionFixture<WebhookFactory>
{
    public const string Name = "api-webhooks";
}

/// <summary>Webhooks through the typed client, delivered to a receiver on this machine (docs/operations.md, "Webhooks").</summary>
[Collection(WebhookCollection.Name)]
public sealed class WebhookTests(WebhookFactory factory)
{
    private const string Secret = "a-test-secret-of-some-length";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ReputationClient Service => factory.CreateReputationClient();

    private ReputationClient Operator => factory.CreateReputationClient(ApiFactory.OperatorKey);

    private DateTimeOffset Now => factory.Time.GetUtcNow();

    private Task<LabelResponse> LabelAsync(string account, LabelKind label = LabelKind.Fraud) =>
        Operator.SetLabelAsync(new LabelRequest { EntityType = EntityType.Account, EntityId = account, Label = label, Reason = "webhook test" }, Ct);

    [Fact]
    public async Task A_receiver_gets_every_event_once_signed_with_its_secret_and_the_log_shows_them_delivered()
    {
        await using var receiver = new WebhookReceiver().Start();
        var name = "all-" + Guid.NewGuid().ToString("N")[..8];
        var view = await Operator.PutWebhookAsync(name, new WebhookRequest { Url = receiver.Url, Secret = Secret, Events = WebhookEvents.All }, Ct);
        Assert.Equal(name, view.Name);
        Assert.Equal(WebhookEvents.All, view.Events);

        // policy.promoted
        using (var http = factory.CreateDefaultClient())
        {
            using var current = await http.SendAsync(Raw.Get("/v1/policies/default"), Ct);
            var put = Raw.Request(HttpMethod.Put, "/v1/policies/default", await current.Content.ReadAsStringAsync(Ct), ApiFactory.OperatorKey);
            put.Headers.TryAddWithoutValidation("If-Match", current.Headers.ETag!.ToString());
            using var saved = await http.SendAsync(put, Ct);
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        }

        // campaign.formed and campaign.grew: harvesters on one card; account.held: a member's decision; account.released; label.applied.
        var members = await Harvesters.CreateAsync(Service, Now, 12, card: Unique.Id("card"));
        var held = ApiAssert.Answered(await Service.DecideRequestAsync(new RequestDecisionRequest { AccountId = members[0], Ip = "192.0.2.1" }, Ct));
        Assert.NotNull(held.HoldUntil);
        await Operator.ReleaseAccountAsync(members[0], "reviewed", Ct);
        await LabelAsync(members[1]);

        var received = await Eventually.ValueAsync(() => Task.FromResult(receiver.Received),
            r => WebhookEvents.All.All(t => r.Any(d => Type(d) == t)), "a delivery of each event type");

        Assert.All(received, d =>
        {
            Assert.True(WebhookSignature.Verify(Secret, d.Timestamp, d.Body, d.Signature), $"signature of {d.Body}");
            Assert.Equal(Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), d.Timestamp);
            Assert.StartsWith("application/json", d.ContentType, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(d.Body);
            Assert.Equal(d.DeliveryId, json.RootElement.GetProperty("id").GetString());
            Assert.Equal(["id", "type", "occurredAt", "data"], json.RootElement.EnumerateObject().Select(p => p.Name));
            // Ids and reasons only: no address of anyone.
            Assert.DoesNotContain("192.0.2.1", d.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("10.", json.RootElement.GetProperty("data").GetRawText(), StringComparison.Ordinal);
        });
        Assert.Equal(received.Count, received.Select(d => d.DeliveryId).Distinct().Count());
        // Once each: no event came twice under another delivery id either.
        Assert.Equal(received.Count, received.Select(d => Type(d) + " " + Data(d).ToJsonString()).Distinct().Count());

        var heldEvent = Data(received.Single(d => Type(d) == "account.held" && Data(d)["accountId"]!.GetValue<string>() == members[0]));
        Assert.Equal(held.HoldUntil, heldEvent["holdUntil"]!.GetValue<DateTimeOffset>());
        Assert.Equal(Data(received.Single(d => Type(d) == "account.released"))["accountId"]!.GetValue<string>(), members[0]);
        Assert.Contains(received, d => Type(d) == "label.applied" && Data(d)["entityId"]!.GetValue<string>() == members[1] && Data(d)["label"]!.GetValue<string>() == "fraud");

        var log = await Eventually.ValueAsync(() => Operator.GetWebhookDeliveriesAsync(name, Ct),
            l => l!.Deliveries.Count >= received.Count && l.Deliveries.All(x => x.Status == "delivered"), "every delivery logged delivered");
        Assert.All(log!.Deliveries, x => Assert.Equal(1, x.Attempts));
        Assert.Equal(received.Select(d => d.DeliveryId).Order(), log.Deliveries.Select(x => x.Id).Order());
    }

    private static string Type(ReceivedDelivery d) => JsonNode.Parse(d.Body)!["type"]!.GetValue<string>();

    private static JsonNode Data(ReceivedDelivery d) => JsonNode.Parse(d.Body)!["data"]!;

    [Fact]
    public async Task A_receiver_that_is_down_sees_the_delivery_retried_with_doubling_waits_and_finally_failed_then_one_that_comes_back_gets_it()
    {
        var receiver = new WebhookReceiver();
        var name = "down-" + Guid.NewGuid().ToString("N")[..8];
        await Operator.PutWebhookAsync(name, new WebhookRequest { Url = receiver.Url, Secret = Secret, Events = [WebhookEvents.LabelApplied] }, Ct);

        await LabelAsync(Unique.Id("down"));
        var started = Now;
        async Task<WebhookDeliveryView> AttemptedAsync(int attempts) =>
            (await Eventually.ValueAsync(() => Operator.GetWebhookDeliveriesAsync(name, Ct), l => l!.Deliveries.Single().Attempts == attempts, $"attempt {attempts}"))!.Deliveries.Single();

        var first = await AttemptedAsync(1);
        Assert.Equal("pending", first.Status);
        Assert.Equal(started.AddMinutes(1), first.NextAttemptAt);
        Assert.NotNull(first.LastError);
        Assert.Null(first.LastStatusCode);

        // Attempts at 0, 1, 3 and 7 minutes; the next would be at 15, past the 10 minutes it is given: failed.
        factory.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(started.AddMinutes(3), (await AttemptedAsync(2)).NextAttemptAt);
        factory.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(started.AddMinutes(7), (await AttemptedAsync(3)).NextAttemptAt);
        factory.Time.Advance(TimeSpan.FromMinutes(4));
        var failed = await AttemptedAsync(4);
        Assert.Equal("failed", failed.Status);
        Assert.Equal(Now, failed.DoneAt);
        Assert.Null(failed.NextAttemptAt);

        // Nothing more is attempted for it; a later event reaches the receiver once it is back.
        await using var back = new WebhookReceiver(receiver.Port).Start();
        factory.Time.Advance(TimeSpan.FromMinutes(30));
        await LabelAsync(Unique.Id("back"));
        var delivered = await Eventually.ValueAsync(() => Task.FromResult(back.Received), r => r.Count == 1, "the later event delivered");
        Assert.Equal(4, (await Operator.GetWebhookDeliveriesAsync(name, Ct))!.Deliveries.Single(x => x.Id == failed.Id).Attempts);
        Assert.NotEqual(failed.Id, delivered[0].DeliveryId);
    }

    [Fact]
    public async Task A_webhook_deleted_while_an_attempt_is_in_flight_and_made_again_under_its_name_logs_only_its_own_deliveries()
    {
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var receiver = new WebhookReceiver { HoldAnswers = answer.Task }.Start();
        var name = "again-" + Guid.NewGuid().ToString("N")[..8];
        var request = new WebhookRequest { Url = receiver.Url, Secret = Secret, Events = [WebhookEvents.LabelApplied] };
        await Operator.PutWebhookAsync(name, request, Ct);
        var first = Unique.Id("in-flight");
        await LabelAsync(first);
        await Eventually.ValueAsync(() => Task.FromResult(receiver.Received), r => r.Count == 1, "the first attempt in flight");

        Assert.True(await Operator.DeleteWebhookAsync(name, Ct));
        Assert.Null(await Operator.GetWebhookDeliveriesAsync(name, Ct));
        Assert.Equal(0, (await Operator.PutWebhookAsync(name, request, Ct)).Pending);
        var second = Unique.Id("made-again");
        await LabelAsync(second);
        answer.SetResult();

        // Attempts are made one at a time, so the second is delivered only after the first attempt came back.
        var delivered = await Eventually.ValueAsync(() => Operator.GetWebhookDeliveriesAsync(name, Ct),
            l => l!.Deliveries.Any(d => d.Status == "delivered"), "the made-again webhook's delivery");
        var only = Assert.Single(delivered!.Deliveries);
        var received = Assert.Single(receiver.Received, d => d.DeliveryId == only.Id);
        Assert.Equal(second, Data(received)["entityId"]!.GetValue<string>());
        Assert.Contains(receiver.Received, d => Data(d)["entityId"]!.GetValue<string>() == first);
    }

    [Fact]
    public async Task Erasing_an_account_redacts_it_in_the_pending_deliveries_so_the_receiver_never_gets_its_id()
    {
        var receiver = new WebhookReceiver();
        var name = "erase-" + Guid.NewGuid().ToString("N")[..8];
        await Operator.PutWebhookAsync(name, new WebhookRequest { Url = receiver.Url, Secret = Secret, Events = [WebhookEvents.LabelApplied] }, Ct);
        var account = Unique.Id("hook-erased");
        ApiAssert.Answered(await Service.DecideSignupAsync(new SignupDecisionRequest { AccountId = account, Ip = "192.0.2.44" }, Ct));
        await LabelAsync(account);
        await Eventually.ValueAsync(() => Operator.GetWebhookDeliveriesAsync(name, Ct), l => l!.Deliveries.Single().Attempts == 1, "the first attempt failed");

        var erased = await Operator.EraseAccountAsync(account, Ct);

        // This webhook's delivery, and those of other tests' webhooks on this host that take every event.
        Assert.True(erased!.WebhookDeliveries >= 1, $"{erased.WebhookDeliveries} deliveries redacted");
        await using var back = new WebhookReceiver(receiver.Port).Start();
        factory.Time.Advance(TimeSpan.FromMinutes(1));
        var delivered = (await Eventually.ValueAsync(() => Task.FromResult(back.Received), r => r.Count == 1, "the redacted delivery sent"))[0];
        Assert.DoesNotContain(account, delivered.Body, StringComparison.Ordinal);
        Assert.Equal(erased.AuditRef, Data(delivered)["entityId"]!.GetValue<string>());
        Assert.True(WebhookSignature.Verify(Secret, delivered.Timestamp, delivered.Body, delivered.Signature), "signed as sent");
    }

    [Fact]
    public async Task Bad_webhooks_are_a_400_naming_the_field_unknown_ones_404_and_only_operators_may_configure_them()
    {
        WebhookRequest Good() => new() { Url = "https://hooks.example.com/reputation", Secret = Secret, Events = [WebhookEvents.AccountHeld] };

        await ApiAssert.FailsValidationAsync("name", () => Operator.PutWebhookAsync("Not_A_Name", Good(), Ct));
        await ApiAssert.FailsValidationAsync("url", () => Operator.PutWebhookAsync("bad-url", Good() with { Url = "ftp://hooks.example.com/" }, Ct));
        await ApiAssert.FailsValidationAsync("url", () => Operator.PutWebhookAsync("bad-url", Good() with { Url = "https://user:pw@hooks.example.com/" }, Ct));
        await ApiAssert.FailsValidationAsync("secret", () => Operator.PutWebhookAsync("bad-secret", Good() with { Secret = "short" }, Ct));
        await ApiAssert.FailsValidationAsync("events", () => Operator.PutWebhookAsync("bad-events", Good() with { Events = [] }, Ct));
        await ApiAssert.FailsValidationAsync("events[1]", () => Operator.PutWebhookAsync("bad-events", Good() with { Events = ["account.held", "account.deleted"] }, Ct));
        await ApiAssert.FailsValidationAsync("events[1]", () => Operator.PutWebhookAsync("bad-events", Good() with { Events = ["account.held", "account.held"] }, Ct));
        await ApiAssert.FailsWithAsync(HttpStatusCode.Forbidden, () => Service.PutWebhookAsync("by-service", Good(), Ct));

        Assert.False(await Operator.DeleteWebhookAsync("never-configured", Ct));
        Assert.Null(await Operator.GetWebhookDeliveriesAsync("never-configured", Ct));

        var view = await Operator.PutWebhookAsync("removed", Good(), Ct);
        Assert.Equal(0, view.Pending);
        Assert.True(await Operator.DeleteWebhookAsync("removed", Ct));
        Assert.Null(await Operator.GetWebhookDeliveriesAsync("removed", Ct));

        // The secret is never shown, not even in the audit log.
        using var audit = await factory.CreateDefaultClient().SendAsync(Raw.Get("/v1/audit?target=webhook:removed", ApiFactory.OperatorKey), Ct);
        var text = await audit.Content.ReadAsStringAsync(Ct);
        Assert.Contains("webhook.put", text, StringComparison.Ordinal);
        Assert.Contains("webhook.delete", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
    }
}
