namespace Reputation.Core.Scoring;

/// <summary>What an account knows of itself.</summary>
public readonly record struct AccountFacts(DateTimeOffset? CreatedAt, long RequestsLastMinute);

/// <summary>What an IP range grain reports about itself.</summary>
public readonly record struct RangeFacts(string Range, long SignupsLastHour, long DistinctAccounts);

/// <summary>What a payment instrument grain reports about itself.</summary>
public readonly record struct InstrumentFacts(long DistinctAccounts, long Chargebacks, long Declines);
