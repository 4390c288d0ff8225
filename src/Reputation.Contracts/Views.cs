namespace Reputation.Contracts;

/// <summary>Request and token counts over the recent windows.</summary>
public sealed record UsageCounters
{
    /// <summary>Requests in the last minute (event time).</summary>
    public required long RequestsLastMinute { get; init; }
    /// <summary>Requests in the last hour.</summary>
    public required long RequestsLastHour { get; init; }
    /// <summary>Requests in the last 24 hours.</summary>
    public required long RequestsLastDay { get; init; }
    /// <summary>Input plus output tokens in the last hour.</summary>
    public required long TokensLastHour { get; init; }
    /// <summary>Requests since the account was first seen.</summary>
    public required long RequestsTotal { get; init; }
}

/// <summary>Answer of <c>GET /v1/accounts/{accountId}</c>.</summary>
public sealed record AccountView
{
    /// <summary>The account id.</summary>
    public required string AccountId { get; init; }
    /// <summary>When the account was created (its signup), if a signup was seen.</summary>
    public DateTimeOffset? CreatedAt { get; init; }
    /// <summary>When any event for the account was last seen.</summary>
    public DateTimeOffset? LastSeenAt { get; init; }
    /// <summary>Risk score in [0,1] of the current request decision.</summary>
    public required double Score { get; init; }
    /// <summary>What a request from this account gets now.</summary>
    public required RequestDecision RequestDecision { get; init; }
    /// <summary>Every contribution to the score, largest first.</summary>
    public required IReadOnlyList<Reason> Reasons { get; init; }
    /// <summary>Operator labels in force on the account (fraud or trusted).</summary>
    public required IReadOnlyList<LabelKind> Labels { get; init; }
    /// <summary>The latest label decision, with who set it, when and why; null if never labelled.</summary>
    public LabelView? LabelDetail { get; init; }
    /// <summary>Most recently linked payment fingerprints (capped sample).</summary>
    public required IReadOnlyList<string> PaymentInstruments { get; init; }
    /// <summary>Most recently linked IP ranges, as <c>network/prefixLength</c> (capped sample).</summary>
    public required IReadOnlyList<string> IpRanges { get; init; }
    /// <summary>Most recently linked prompt buckets (capped sample).</summary>
    public required IReadOnlyList<string> PromptBuckets { get; init; }
    /// <summary>Usage counters.</summary>
    public required UsageCounters Usage { get; init; }
    /// <summary>Payments seen, by outcome.</summary>
    public required PaymentCounters Payments { get; init; }
    /// <summary>Version of the policy used for the score.</summary>
    public required int PolicyVersion { get; init; }
    /// <summary>Which API keys sent its events (their configured names), most recent first; at most four.</summary>
    public IReadOnlyList<EventSenderView> Senders { get; init; } = [];
    /// <summary>When the account's hold ends, if one is in force (docs/gateway-contract.md); null otherwise.</summary>
    public DateTimeOffset? HoldUntil { get; init; }
    /// <summary>Until when an operator's release keeps the same evidence from holding it again; null if no release is in force.</summary>
    public DateTimeOffset? ReleasedUntil { get; init; }
}

/// <summary>One API key's events for an account.</summary>
public sealed record EventSenderView
{
    /// <summary>The key's configured name (never the key).</summary>
    public required string Key { get; init; }
    /// <summary>Events of this key the account accepted.</summary>
    public required long Events { get; init; }
    /// <summary>Of those, the events an operator voided.</summary>
    public required long Voided { get; init; }
    /// <summary>When the first of them arrived.</summary>
    public required DateTimeOffset FirstAt { get; init; }
    /// <summary>When the latest of them arrived.</summary>
    public required DateTimeOffset LastAt { get; init; }
}

/// <summary>Payment outcomes counted for an entity.</summary>
public sealed record PaymentCounters
{
    /// <summary>Successful charges.</summary>
    public required long Succeeded { get; init; }
    /// <summary>Declined charges.</summary>
    public required long Declined { get; init; }
    /// <summary>Chargebacks.</summary>
    public required long Chargebacks { get; init; }
    /// <summary>Refunds.</summary>
    public required long Refunded { get; init; }
}

/// <summary>Answer of <c>GET /v1/ip-ranges/{network}/{prefixLength}</c>.</summary>
public sealed record IpRangeView
{
    /// <summary>Canonical range, <c>network/prefixLength</c>.</summary>
    public required string Range { get; init; }
    /// <summary>Estimated distinct accounts seen in the range (HyperLogLog, about 3 % error).</summary>
    public required long DistinctAccounts { get; init; }
    /// <summary>Signups from the range in the last hour.</summary>
    public required long SignupsLastHour { get; init; }
    /// <summary>Signups from the range in the last 24 hours.</summary>
    public required long SignupsLastDay { get; init; }
    /// <summary>Usage of all accounts in the range.</summary>
    public required UsageCounters Usage { get; init; }
    /// <summary>Most recently seen accounts (capped sample).</summary>
    public required IReadOnlyList<string> RecentAccounts { get; init; }
    /// <summary>Risk propagated to it from its accounts (damped when it has very many), 0..1.</summary>
    public double Risk { get; init; }
    /// <summary>Operator labels in force (fraud or trusted).</summary>
    public IReadOnlyList<LabelKind> Labels { get; init; } = [];
    /// <summary>The latest label decision, with who set it, when and why; null if never labelled.</summary>
    public LabelView? LabelDetail { get; init; }
    /// <summary>When the range was first seen.</summary>
    public DateTimeOffset? FirstSeenAt { get; init; }
    /// <summary>When the range was last seen.</summary>
    public DateTimeOffset? LastSeenAt { get; init; }
    /// <summary>Imported threat-intel indicators in force that name it, with their source (docs/intel-sharing.md).</summary>
    public IReadOnlyList<ThreatIntelView> ThreatIntel { get; init; } = [];
}

/// <summary>Answer of <c>GET /v1/payment-instruments/{fingerprint}</c>.</summary>
public sealed record PaymentInstrumentView
{
    /// <summary>The payment fingerprint token.</summary>
    public required string Fingerprint { get; init; }
    /// <summary>Estimated distinct accounts using the instrument (HyperLogLog).</summary>
    public required long DistinctAccounts { get; init; }
    /// <summary>Payment outcomes on the instrument.</summary>
    public required PaymentCounters Payments { get; init; }
    /// <summary>Requests of every account on the instrument (its cluster usage).</summary>
    public UsageCounters? Usage { get; init; }
    /// <summary>Most recently linked accounts (capped sample).</summary>
    public required IReadOnlyList<string> RecentAccounts { get; init; }
    /// <summary>Risk propagated to it from its accounts (damped when it has very many), 0..1.</summary>
    public double Risk { get; init; }
    /// <summary>Operator labels in force (fraud or trusted).</summary>
    public IReadOnlyList<LabelKind> Labels { get; init; } = [];
    /// <summary>The latest label decision, with who set it, when and why; null if never labelled.</summary>
    public LabelView? LabelDetail { get; init; }
    /// <summary>When the instrument was first seen.</summary>
    public DateTimeOffset? FirstSeenAt { get; init; }
    /// <summary>When the instrument was last seen.</summary>
    public DateTimeOffset? LastSeenAt { get; init; }
    /// <summary>Imported threat-intel indicators in force that name it, with their source (docs/intel-sharing.md).</summary>
    public IReadOnlyList<ThreatIntelView> ThreatIntel { get; init; } = [];
}
