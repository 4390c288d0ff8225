using Reputation.Client;
using Reputation.Contracts;
using Reputation.Core.Webhooks;
using Reputation.Testing;

namespace Reputation.Integration.Tests;

/// <summary>The webhook outbox in Azure Table storage (Azurite) across a kill -9 of the service (docs/decisions/0024-webhook-outbox.md).</summary>
public sealed class WebhookRestartTests
{
    private const string Secret = "restart-test-secret-0123";

    private static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> holds, string what, ServiceProcess service)
    {
        var limit = TimeSpan.FromSeconds(60);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (holds(value))
            {
                return value;
            }

            Assert.True(clock.Elapsed < limit, $"{what} did not hold within {limit.TotalSeconds:0} s; the service said:\n{service.Output}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task A_delivery_that_failed_before_a_kill_9_is_retried_after_the_restart_and_received_once_with_a_valid_signature()
    {
        var ct = TestContext.Current.CancellationToken;
        var ports = ServiceProcess.Ports.Free();
        var table = Azurite.UniqueTable("Webhook");
        // Nothing listens on the receiver's port until the service has been killed.
        var receiverPort = WebhookReceiver.FreePort();
        var settings = new Dictionary<string, string>
        {
            ["Reputation__Webhooks__RetryBaseSeconds"] = "1",
            ["Reputation__Webhooks__PollMilliseconds"] = "100",
        };

        string deliveryId;
        await using (var service = ServiceProcess.Start(ports, Azurite.ConnectionString, table, settings: settings))
        {
            await service.WaitUntilReadyAsync(ct);
            var ops = service.CreateClient("dev-operator-key");
            await ops.PutWebhookAsync("siem", new WebhookRequest
            {
                Url = $"http://127.0.0.1:{receiverPort}/hooks/", Secret = Secret, Events = [WebhookEvents.LabelApplied],
            }, ct);
            await ops.SetLabelAsync(new LabelRequest { EntityType = EntityType.Account, EntityId = "restart-1", Label = LabelKind.Fraud, Reason = "restart test" }, ct);

            var failed = await UntilAsync(() => ops.GetWebhookDeliveriesAsync("siem", ct),
                l => l!.Deliveries is [{ Status: "pending", Attempts: >= 1 }], "a failed attempt in the outbox", service);
            deliveryId = failed!.Deliveries[0].Id;
            await service.KillAsync();
        }

        await using var receiver = new WebhookReceiver(receiverPort).Start();
        await using var restarted = ServiceProcess.Start(ports, Azurite.ConnectionString, table, settings: settings);
        await restarted.WaitUntilReadyAsync(ct);
        var again = restarted.CreateClient("dev-operator-key");

        var log = await UntilAsync(() => again.GetWebhookDeliveriesAsync("siem", ct),
            l => l!.Deliveries is [{ Status: "delivered" }], "the delivery made after the restart", restarted);

        var delivered = log!.Deliveries[0];
        Assert.Equal(deliveryId, delivered.Id);
        Assert.True(delivered.Attempts >= 2, $"{delivered.Attempts} attempts");
        var received = Assert.Single(receiver.Received);
        Assert.Equal(deliveryId, received.DeliveryId);
        Assert.True(WebhookSignature.Verify(Secret, received.Timestamp, received.Body, received.Signature), received.Body);
        Assert.Contains("\"restart-1\"", received.Body, StringComparison.Ordinal);
    }
}
