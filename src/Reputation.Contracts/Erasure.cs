namespace Reputation.Contracts;

/// <summary>
/// What <c>DELETE /v1/accounts/{accountId}</c> erased: the account's state and storage record, and its
/// id in every holder below. Counters it contributed to stay, as anonymous counts.
/// </summary>
public sealed record ErasureResult
{
    /// <summary>
    /// What the audit log says instead of the id, in this erasure's record and in older records that
    /// named the account: <c>erased-</c> and a keyed hash of the id.
    /// </summary>
    public required string AuditRef { get; init; }
    /// <summary>IP ranges whose recent accounts or flagged lists named the account.</summary>
    public int IpRanges { get; init; }
    /// <summary>Payment instruments whose recent accounts or flagged lists named the account.</summary>
    public int PaymentInstruments { get; init; }
    /// <summary>Prompt-template buckets whose samples, sharers, recent accounts or flagged lists named the account.</summary>
    public int PromptTemplates { get; init; }
    /// <summary>Campaigns whose member sample named the account.</summary>
    public int Campaigns { get; init; }
    /// <summary>Allow or deny list entries for the account, removed.</summary>
    public int ListEntries { get; init; }
    /// <summary>Shadow reports (the current candidate's) that listed the account among changed decisions.</summary>
    public int ShadowReports { get; init; }
    /// <summary>Older audit records whose target, before or after named the account, now redacted.</summary>
    public int AuditRecords { get; init; }
    /// <summary>The account's events taken out of the key journal's slots (counted there as erased, no longer voidable).</summary>
    public int JournalEntries { get; init; }
    /// <summary>Watermark key records (<c>GET /v1/watermarks/{keyId}</c>) that named the account and no longer do.</summary>
    public int Watermarks { get; init; }
    /// <summary>Webhook deliveries whose pending body, event id or last error named the account, now redacted (<c>GET /v1/webhooks/{name}/deliveries</c>).</summary>
    public int WebhookDeliveries { get; init; }
    /// <summary>Sampled decisions of the account, kept by the silos for policy backtests, dropped.</summary>
    public int BacktestSamples { get; init; }
}
