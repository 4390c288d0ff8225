using System.Net;
using Reputation.Core.Webhooks;

namespace Reputation.Core.Tests;

/// <summary>Webhook signatures, targets and retry waits (docs/decisions/0024-webhook-outbox.md).</summary>
public sealed class WebhookRulesTests
{
    [Fact]
    public void The_signature_is_hex_hmac_sha256_of_timestamp_dot_body_and_verifies_only_unchanged()
    {
        // HMAC-SHA256("key", "1700000000.{}") computed independently.
        var expected = "sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData("key"u8.ToArray(), "1700000000.{}"u8.ToArray()));
        Assert.Equal(expected, WebhookSignature.Sign("key", 1_700_000_000, "{}"));
        Assert.Matches("^sha256=[0-9a-f]{64}$", expected);

        Assert.True(WebhookSignature.Verify("key", "1700000000", "{}", expected));
        Assert.False(WebhookSignature.Verify("key", "1700000001", "{}", expected));
        Assert.False(WebhookSignature.Verify("key", "1700000000", "{ }", expected));
        Assert.False(WebhookSignature.Verify("other", "1700000000", "{}", expected));
        Assert.False(WebhookSignature.Verify("key", null, "{}", expected));
        Assert.False(WebhookSignature.Verify("key", "1700000000", "{}", null));
    }

    [Theory]
    [InlineData("https://hooks.example.com/reputation", false, true)]
    [InlineData("http://hooks.example.com/reputation", false, false)]
    [InlineData("http://hooks.example.com/reputation", true, true)]
    [InlineData("https://127.0.0.1/hook", false, false)]
    [InlineData("https://localhost/hook", false, false)]
    [InlineData("https://localhost./hook", false, false)]
    [InlineData("https://hooks.localhost/hook", false, false)]
    [InlineData("https://LOCALHOST/hook", false, false)]
    [InlineData("https://169.254.169.254./latest/meta-data", false, false)]
    [InlineData("https://127.1/hook", false, false)]
    [InlineData("https://2130706433/hook", false, false)]
    [InlineData("https://[::ffff:127.0.0.1]/hook", false, false)]
    [InlineData("https://[::ffff:169.254.169.254]/hook", false, false)]
    [InlineData("https://localhost.example.com/hook", false, true)]
    [InlineData("https://[::1]/hook", false, false)]
    [InlineData("https://169.254.169.254/latest/meta-data", false, false)]
    [InlineData("https://[fe80::1]/hook", false, false)]
    [InlineData("https://0.0.0.0/hook", false, false)]
    [InlineData("http://127.0.0.1:5099/hook", true, true)]
    [InlineData("https://10.1.2.3/hook", false, true)]
    [InlineData("ftp://hooks.example.com/", true, false)]
    [InlineData("hooks.example.com/reputation", true, false)]
    [InlineData("https://user:secret@hooks.example.com/", true, false)]
    [InlineData("", true, false)]
    public void Targets_are_absolute_http_urls_https_and_never_loopback_or_link_local_outside_development(string url, bool development, bool allowed) =>
        Assert.Equal(allowed, WebhookRules.TargetProblem(url, development) is null);

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.255.0.9", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("169.254.0.1", true)]
    [InlineData("fe80::abcd", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("::", true)]
    [InlineData("192.0.2.1", false)]
    [InlineData("2001:db8::1", false)]
    public void Loopback_link_local_and_unspecified_addresses_are_refused_when_connecting(string address, bool forbidden) =>
        Assert.Equal(forbidden, WebhookRules.IsForbidden(IPAddress.Parse(address)));

    [Fact]
    public void Waits_double_from_the_base_up_to_the_cap()
    {
        var b = TimeSpan.FromSeconds(10);
        var cap = TimeSpan.FromMinutes(5);
        Assert.Equal([10, 20, 40, 80, 160, 300, 300], Enumerable.Range(1, 7).Select(a => WebhookRules.Backoff(a, b, cap).TotalSeconds));
        Assert.Equal(cap, WebhookRules.Backoff(1000, b, cap));
    }

    [Theory]
    [InlineData("gateway", true)]
    [InlineData("siem-1", true)]
    [InlineData("Gateway", false)]
    [InlineData("-x", false)]
    [InlineData("", false)]
    [InlineData("a_b", false)]
    public void Names_are_lower_case_letters_digits_and_dashes(string name, bool valid) => Assert.Equal(valid, WebhookRules.IsName(name));
}
