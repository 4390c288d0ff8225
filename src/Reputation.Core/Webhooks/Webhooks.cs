using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Reputation.Core.Webhooks;

/// <summary>The events a webhook can ask for (contract v1.1).</summary>
public static class WebhookEvents
{
    public const string AccountHeld = "account.held";
    public const string AccountReleased = "account.released";
    public const string CampaignFormed = "campaign.formed";
    public const string CampaignGrew = "campaign.grew";
    public const string LabelApplied = "label.applied";
    public const string PolicyPromoted = "policy.promoted";

    public static IReadOnlyList<string> All { get; } = [AccountHeld, AccountReleased, CampaignFormed, CampaignGrew, LabelApplied, PolicyPromoted];
}

/// <summary>
/// How deliveries are signed (contract v1.1): <c>X-Reputation-Signature: sha256=&lt;hex HMAC-SHA256(secret,
/// timestamp + "." + body)&gt;</c> with <c>X-Reputation-Timestamp</c> the unix seconds of the attempt.
/// </summary>
public static class WebhookSignature
{
    public const string TimestampHeader = "X-Reputation-Timestamp";
    public const string SignatureHeader = "X-Reputation-Signature";
    public const string DeliveryHeader = "X-Reputation-Delivery";

    public static string Sign(string secret, long timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(body);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret),
            Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + body));
        return "sha256=" + Convert.ToHexStringLower(mac);
    }

    /// <summary>What a receiver does: the signature matches, compared in constant time.</summary>
    public static bool Verify(string secret, string? timestamp, string body, string? signature) =>
        long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var ts) && signature is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, ts, body)), Encoding.ASCII.GetBytes(signature));
}

/// <summary>Which URLs a webhook may deliver to, and when to try again.</summary>
public static partial class WebhookRules
{
    public const int MinSecretLength = 16;
    public const int MaxSecretLength = 256;
    public const int MaxUrlLength = 2048;

    /// <summary>A webhook name: lower-case letters, digits and dashes, 1-64, starting with a letter or digit.</summary>
    public static bool IsName(string? name) => name is not null && NamePattern().IsMatch(name);

    /// <summary>
    /// Null when the URL may be a target, else why not: an absolute http(s) URL without user
    /// information; outside Development https only, and no loopback, link-local or unspecified
    /// address (a host name that resolves to one is refused when a delivery connects).
    /// </summary>
    public static string? TargetProblem(string? url, bool development)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return $"must be an absolute http or https URL of at most {MaxUrlLength} characters";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !(development && uri.Scheme == Uri.UriSchemeHttp))
        {
            return development ? "must be an http or https URL" : "must be an https URL";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "must not carry a user name or password: sign with the secret instead";
        }

        if (!development && (uri.IsLoopback || IsLocalhostName(uri.IdnHost)
            || (IPAddress.TryParse(uri.IdnHost.TrimEnd('.'), out var address) && IsForbidden(address))))
        {
            return "must not be a loopback, link-local or unspecified address outside Development";
        }

        return null;
    }

    /// <summary>
    /// <c>localhost</c> and every name under it (RFC 6761 reserves them for loopback), with or
    /// without the root's trailing dot, which names the same host.
    /// </summary>
    private static bool IsLocalhostName(string host)
    {
        var name = host.TrimEnd('.');
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Loopback (127/8, ::1), link-local (169.254/16, fe80::/10, cloud metadata endpoints) and unspecified addresses.</summary>
    public static bool IsForbidden(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return true;
        }

        return address.AddressFamily == AddressFamily.InterNetwork
            ? address.GetAddressBytes() is [169, 254, ..]
            : address.IsIPv6LinkLocal;
    }

    /// <summary>The wait before attempt <paramref name="attempt"/> + 1: the base doubled per failed attempt, at most <paramref name="cap"/>.</summary>
    public static TimeSpan Backoff(int attempt, TimeSpan baseDelay, TimeSpan cap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(baseDelay.Ticks * factor, cap.Ticks));
        return delay < cap ? delay : cap;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
