using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Reputation.Grains.Webhooks;
using Reputation.Testing;

namespace Reputation.Grains.Tests;

/// <summary>
/// One attempt as it goes over the wire to a real receiver on this machine: the headers of the
/// contract (v1.1), and the refusal of loopback targets outside Development on the address connected
/// to (docs/decisions/0024-webhook-outbox.md, "Targets").
/// </summary>
public sealed class WebhookSenderTests
{
    private const string Secret = "sender-test-secret-0123";

    private static readonly DateTimeOffset Now = new(2026, 12, 7, 9, 30, 0, TimeSpan.Zero);

    private static WebhookSender Sender(bool allowLocalTargets) =>
        new(WebhookSettings.Default with { AllowLocalTargets = allowLocalTargets, Timeout = TimeSpan.FromSeconds(5) }, new ReputationClock(new FakeTimeProvider(Now)));

    private static WebhookDelivery Delivery() => new()
    {
        Id = "dlv-0123456789abcdef",
        EventId = "label.applied:test",
        Type = "label.applied",
        CreatedAt = Now,
        Body = """{"id":"dlv-0123456789abcdef","type":"label.applied","occurredAt":"2026-12-07T09:30:00+00:00","data":{"entityId":"acct-1","note":"naïve"}}""",
    };

    [Fact]
    public async Task An_attempt_carries_the_contract_s_headers_and_a_signature_over_timestamp_dot_body()
    {
        await using var receiver = new WebhookReceiver().Start();
        using var sender = Sender(allowLocalTargets: true);
        var delivery = Delivery();

        var result = await sender.SendAsync(new WebhookConfig { Url = receiver.Url, Secret = Secret, Events = ["label.applied"] }, delivery);

        Assert.Equal(new SendResult(true, 204, null), result);
        var received = Assert.Single(receiver.Received);
        Assert.Equal(delivery.Body, received.Body);
        Assert.Equal(delivery.Id, received.DeliveryId);
        var timestamp = Now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        Assert.Equal(timestamp, received.Timestamp);
        // Computed here from the contract's words, not by the service's own code.
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(timestamp + "." + delivery.Body)));
        Assert.Equal(expected, received.Signature);
        Assert.StartsWith("application/json", received.ContentType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_Development_a_loopback_target_is_not_connected_to_and_the_attempt_says_why()
    {
        await using var receiver = new WebhookReceiver().Start();
        using var sender = Sender(allowLocalTargets: false);

        // The address as a name would resolve to it: the check is on the address connected to, not on the URL's text.
        var result = await sender.SendAsync(new WebhookConfig { Url = receiver.Url, Secret = Secret, Events = ["label.applied"] }, Delivery());

        Assert.False(result.Delivered);
        Assert.Null(result.StatusCode);
        Assert.Contains("loopback", result.Error, StringComparison.Ordinal);
        Assert.Empty(receiver.Received);
    }
}
