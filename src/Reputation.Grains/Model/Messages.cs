namespace Reputation.Grains;

public enum PaymentKind
{
    Succeeded,
    Declined,
    Chargeback,
    Refunded,
}

public enum EventStatus
{
    Accepted,
    Duplicate,
}

/// <summary>An event for one account, already validated and canonicalised at the edge.</summary>
[GenerateSerializer, Alias("reputation.AccountEvent")]
public abstract class AccountEvent
{
    [Id(0)] public required string EventId { get; init; }
    [Id(1)] public required DateTimeOffset OccurredAt { get; init; }
    /// <summary>Canonical IP range key (<c>198.51.100.0/24</c>), if the event carried an address.</summary>
    [Id(2)] public string? IpRange { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.SignupEvent")]
public sealed class SignupEvent : AccountEvent
{
    [Id(0)] public string? EmailHash { get; init; }
    [Id(1)] public string? PaymentFingerprint { get; init; }
    [Id(2)] public string? DeviceId { get; init; }
    [Id(3)] public string? Country { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.UsageEvent")]
public sealed class UsageEvent : AccountEvent
{
    [Id(0)] public long Requests { get; init; }
    [Id(1)] public long InputTokens { get; init; }
    [Id(2)] public long OutputTokens { get; init; }
    [Id(3)] public ulong[] PromptFingerprints { get; init; } = [];
    [Id(4)] public double? ReasoningElicitation { get; init; }
    [Id(5)] public string? Model { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.PaymentEvent")]
public sealed class PaymentEvent : AccountEvent
{
    [Id(0)] public required string PaymentFingerprint { get; init; }
    [Id(1)] public required PaymentKind Outcome { get; init; }
    [Id(2)] public long? AmountMinor { get; init; }
    [Id(3)] public string? Currency { get; init; }
}

/// <summary>What an account tells an IP range about one of its events.</summary>
[GenerateSerializer, Immutable, Alias("reputation.RangeEntry")]
public sealed record RangeEntry
{
    [Id(0)] public required string EventId { get; init; }
    [Id(1)] public required DateTimeOffset OccurredAt { get; init; }
    [Id(2)] public bool IsSignup { get; init; }
    [Id(3)] public long Requests { get; init; }
    [Id(4)] public long Tokens { get; init; }
}

/// <summary>What an account tells a payment instrument about one of its events.</summary>
[GenerateSerializer, Immutable, Alias("reputation.InstrumentEntry")]
public sealed record InstrumentEntry
{
    [Id(0)] public required string EventId { get; init; }
    [Id(1)] public required DateTimeOffset OccurredAt { get; init; }
    /// <summary>Null for a link without a payment (a signup naming the instrument).</summary>
    [Id(2)] public PaymentKind? Outcome { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.ReasonEntry")]
public sealed record ReasonEntry
{
    [Id(0)] public required string Code { get; init; }
    [Id(1)] public required double Contribution { get; init; }
    [Id(2)] public required string Detail { get; init; }
}

/// <summary>A decision of any kind; <see cref="Outcome"/> is the kind's own outcome enum as an int.</summary>
[GenerateSerializer, Immutable, Alias("reputation.DecisionResult")]
public sealed record DecisionResult
{
    [Id(0)] public required int Outcome { get; init; }
    [Id(1)] public required double Score { get; init; }
    /// <summary>Every contribution, largest first.</summary>
    [Id(2)] public required ReasonEntry[] Reasons { get; init; }
    [Id(3)] public required int PolicyVersion { get; init; }
    [Id(4)] public int RequestsPerMinute { get; init; }
    [Id(5)] public int CacheTtlSeconds { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.UsageSnapshot")]
public sealed record UsageSnapshot
{
    [Id(0)] public long RequestsLastMinute { get; init; }
    [Id(1)] public long RequestsLastHour { get; init; }
    [Id(2)] public long RequestsLastDay { get; init; }
    [Id(3)] public long TokensLastHour { get; init; }
    [Id(4)] public long RequestsTotal { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.PaymentSnapshot")]
public sealed record PaymentSnapshot
{
    [Id(0)] public long Succeeded { get; init; }
    [Id(1)] public long Declined { get; init; }
    [Id(2)] public long Chargebacks { get; init; }
    [Id(3)] public long Refunded { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.AccountSnapshot")]
public sealed record AccountSnapshot
{
    [Id(0)] public required string AccountId { get; init; }
    [Id(1)] public DateTimeOffset? CreatedAt { get; init; }
    [Id(2)] public DateTimeOffset? LastSeenAt { get; init; }
    [Id(3)] public required DecisionResult RequestDecision { get; init; }
    [Id(4)] public required string[] PaymentInstruments { get; init; }
    [Id(5)] public required string[] IpRanges { get; init; }
    [Id(6)] public required UsageSnapshot Usage { get; init; }
    [Id(7)] public required PaymentSnapshot Payments { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.RangeSnapshot")]
public sealed record RangeSnapshot
{
    [Id(0)] public required string Range { get; init; }
    [Id(1)] public long DistinctAccounts { get; init; }
    [Id(2)] public long SignupsLastHour { get; init; }
    [Id(3)] public long SignupsLastDay { get; init; }
    [Id(4)] public required UsageSnapshot Usage { get; init; }
    [Id(5)] public required string[] RecentAccounts { get; init; }
    [Id(6)] public DateTimeOffset? FirstSeenAt { get; init; }
    [Id(7)] public DateTimeOffset? LastSeenAt { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.InstrumentSnapshot")]
public sealed record InstrumentSnapshot
{
    [Id(0)] public required string Fingerprint { get; init; }
    [Id(1)] public long DistinctAccounts { get; init; }
    [Id(2)] public required PaymentSnapshot Payments { get; init; }
    [Id(3)] public required string[] RecentAccounts { get; init; }
    [Id(4)] public DateTimeOffset? FirstSeenAt { get; init; }
    [Id(5)] public DateTimeOffset? LastSeenAt { get; init; }
}

/// <summary>What a range reports to its accounts for scoring.</summary>
[GenerateSerializer, Immutable, Alias("reputation.RangeSignals")]
public sealed record RangeSignals
{
    [Id(0)] public required string Range { get; init; }
    [Id(1)] public long SignupsLastHour { get; init; }
    [Id(2)] public long DistinctAccounts { get; init; }
}

/// <summary>What a payment instrument reports to its accounts for scoring.</summary>
[GenerateSerializer, Immutable, Alias("reputation.InstrumentSignals")]
public sealed record InstrumentSignals
{
    [Id(0)] public required string Fingerprint { get; init; }
    [Id(1)] public long DistinctAccounts { get; init; }
    [Id(2)] public long Chargebacks { get; init; }
    [Id(3)] public long Declines { get; init; }
}
