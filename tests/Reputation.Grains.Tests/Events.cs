namespace Reputation.Grains.Tests;

/// <summary>Builders for grain events with unique ids.</summary>
internal static class Events
{
    private static long s_next;

    public static string NewId(string prefix = "evt") => $"{prefix}-{Interlocked.Increment(ref s_next)}";

    public static SignupEvent Signup(DateTimeOffset at, string range, string? fingerprint = null) => new()
    {
        EventId = NewId("signup"),
        OccurredAt = at,
        IpRange = range,
        PaymentFingerprint = fingerprint,
    };

    public static UsageEvent Usage(DateTimeOffset at, string? range, long requests, string? id = null) => new()
    {
        EventId = id ?? NewId("usage"),
        OccurredAt = at,
        IpRange = range,
        Requests = requests,
        InputTokens = requests * 100,
        OutputTokens = requests * 300,
    };

    /// <summary>Usage with one prompt fingerprint, as a gateway sends it (500 input and 900 output tokens a request).</summary>
    public static UsageEvent Prompted(DateTimeOffset at, string? range, long requests, ulong fingerprint) => new()
    {
        EventId = NewId("usage"),
        OccurredAt = at,
        IpRange = range,
        Requests = requests,
        InputTokens = requests * 500,
        OutputTokens = requests * 900,
        PromptFingerprints = [fingerprint],
    };

    public static PaymentEvent Payment(DateTimeOffset at, string fingerprint, PaymentKind outcome) => new()
    {
        EventId = NewId("payment"),
        OccurredAt = at,
        PaymentFingerprint = fingerprint,
        Outcome = outcome,
    };
}
