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

    public static PaymentEvent Payment(DateTimeOffset at, string fingerprint, PaymentKind outcome) => new()
    {
        EventId = NewId("payment"),
        OccurredAt = at,
        PaymentFingerprint = fingerprint,
        Outcome = outcome,
    };
}
