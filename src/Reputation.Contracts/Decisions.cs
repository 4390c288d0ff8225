using System.Text.Json.Serialization;

namespace Reputation.Contracts;

/// <summary>One contribution to a score, with a stable reason code (see docs/reason-codes.md).</summary>
/// <param name="Code">Stable reason code, for example <c>PAYMENT_INSTRUMENT_SHARED</c>.</param>
/// <param name="Contribution">Share of the score this signal accounts for; contributions add up to the score.</param>
/// <param name="Detail">Human-readable explanation of the signal's value.</param>
public sealed record Reason(string Code, double Contribution, string Detail);

/// <summary>Body of <c>POST /v1/decisions/signup</c>.</summary>
public sealed record SignupDecisionRequest
{
    /// <summary>The new account's id.</summary>
    public required string AccountId { get; init; }
    /// <summary>IPv4 or IPv6 address the signup came from.</summary>
    public required string Ip { get; init; }
    /// <summary>Email address; normalised and keyed-hashed on arrival, never stored or logged.</summary>
    public string? Email { get; init; }
    /// <summary>Payment fingerprint token from the payment processor (never a card number).</summary>
    public string? PaymentFingerprint { get; init; }
    /// <summary>Device identifier from the signup page, if any.</summary>
    public string? DeviceId { get; init; }
    /// <summary>ISO 3166-1 alpha-2 country code, if known.</summary>
    public string? Country { get; init; }
    /// <summary>The platform's organisation or workspace the account joins, if any.</summary>
    public string? OrganizationId { get; init; }
    /// <summary>True when the platform verified that organisation (a verified business, a known domain).</summary>
    public bool? OrganizationVerified { get; init; }
}

/// <summary>Answer of <c>POST /v1/decisions/signup</c>.</summary>
public sealed record SignupDecisionResponse
{
    /// <summary>The account the decision is about.</summary>
    public required string AccountId { get; init; }
    /// <summary>What to do with the signup.</summary>
    public required SignupDecision Decision { get; init; }
    /// <summary>Risk score in [0,1].</summary>
    public required double Score { get; init; }
    /// <summary>Top contributions to the score, largest first.</summary>
    public required IReadOnlyList<Reason> Reasons { get; init; }
    /// <summary>Version of the policy that produced the decision.</summary>
    public required int PolicyVersion { get; init; }
}

/// <summary>Body of <c>POST /v1/decisions/request</c>.</summary>
public sealed record RequestDecisionRequest
{
    /// <summary>The calling account's id.</summary>
    public required string AccountId { get; init; }
    /// <summary>IPv4 or IPv6 address of the request.</summary>
    public required string Ip { get; init; }
    /// <summary>Model the request is for, if the gateway knows it.</summary>
    public string? Model { get; init; }
}

/// <summary>Answer of <c>POST /v1/decisions/request</c>.</summary>
public sealed record RequestDecisionResponse
{
    /// <summary>The account the decision is about.</summary>
    public required string AccountId { get; init; }
    /// <summary>What to do with the account's requests.</summary>
    public required RequestDecision Decision { get; init; }
    /// <summary>Risk score in [0,1].</summary>
    public required double Score { get; init; }
    /// <summary>Top contributions to the score, largest first.</summary>
    public required IReadOnlyList<Reason> Reasons { get; init; }
    /// <summary>Rate the account may be served at until the answer expires.</summary>
    public required int RequestsPerMinute { get; init; }
    /// <summary>How long the gateway may cache this answer.</summary>
    public required int CacheTtlSeconds { get; init; }
    /// <summary>Version of the policy that produced the decision.</summary>
    public required int PolicyVersion { get; init; }
    /// <summary>
    /// On every decision other than allow: when the account's hold ends unless it is renewed (a
    /// decision other than allow after that time begins a new one) or an operator releases it
    /// earlier (<c>POST /v1/accounts/{accountId}/release</c>). Set by the policy per outcome; absent on allow.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? HoldUntil { get; init; }
    /// <summary>
    /// What to do to the account's answers: on every degrade, and on a throttle where the policy has
    /// a rule for it; absent otherwise (docs/gateway-contract.md).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public GatewayResponse? Response { get; init; }
    /// <summary>
    /// On degrade: the id of the key the gateway watermarks the account's answers with, the same for
    /// every member of a campaign (per account before one forms). An id, not a secret:
    /// <c>GET /v1/watermarks/{keyId}</c> says whom it was issued to.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? WatermarkKeyId { get; init; }
    /// <summary>
    /// True when the account could not be decided now (the cluster member holding it stopped
    /// answering, or did not answer in time) and this is the last decision this service instance
    /// answered for the same account and IP range, given again; <see cref="CacheTtlSeconds"/> is then
    /// at most 1 so the gateway asks again soon. Absent (false) on every fresh decision.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Stale { get; init; }
}

/// <summary>What a gateway does to the answers of a degraded (or throttled) account.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ResponseMode>))]
public enum ResponseMode
{
    /// <summary>Answer, with reasoning traces replaced by a short summary.</summary>
    [JsonStringEnumMemberName("summarizeReasoning")] SummarizeReasoning,
    /// <summary>Answer without reasoning traces.</summary>
    [JsonStringEnumMemberName("withholdReasoning")] WithholdReasoning,
    /// <summary>Answer with the model in <c>model</c> instead of the one asked for.</summary>
    [JsonStringEnumMemberName("fallbackModel")] FallbackModel,
    /// <summary>Answer with output perturbed at <c>level</c> (0 none, 1 the most the gateway does).</summary>
    [JsonStringEnumMemberName("perturb")] Perturb,
}

/// <summary>The response mode of a request decision.</summary>
public sealed record GatewayResponse
{
    /// <summary>summarizeReasoning, withholdReasoning, fallbackModel or perturb.</summary>
    public required ResponseMode Mode { get; init; }
    /// <summary>For fallbackModel: the model to answer with.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Model { get; init; }
    /// <summary>For perturb: how much, 0 to 1.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Level { get; init; }
}

/// <summary>Body of <c>POST /v1/accounts/{accountId}/release</c>.</summary>
public sealed record ReleaseRequest
{
    /// <summary>Why the account is released: kept with its cleared label and in the audit log (no personal data).</summary>
    public required string Reason { get; init; }
}

/// <summary>Answer of <c>POST /v1/accounts/{accountId}/release</c>.</summary>
public sealed record ReleaseResult
{
    /// <summary>The released account.</summary>
    public required string AccountId { get; init; }
    /// <summary>When the hold it ended would have ended; null if none was in force.</summary>
    public DateTimeOffset? HoldUntil { get; init; }
    /// <summary>The account's request score when released: it is allowed while its score stays within the policy's release margin of this.</summary>
    public required double Score { get; init; }
    /// <summary>Until when the release protects the account (the policy's <c>countermeasures.releaseHours</c>).</summary>
    public required DateTimeOffset ReleasedUntil { get; init; }
    /// <summary>The cleared label recorded with the release.</summary>
    public required LabelView Label { get; init; }
}

/// <summary>Answer of <c>GET /v1/watermarks/{keyId}</c>: whom a watermark key was issued to, and when.</summary>
public sealed record WatermarkView
{
    /// <summary>The key id, <c>wm-</c> and 16 hex digits.</summary>
    public required string KeyId { get; init; }
    /// <summary>The campaign the key belongs to; null for a key of one account.</summary>
    public string? CampaignId { get; init; }
    /// <summary>The account a per-account key belongs to; null for a campaign's key.</summary>
    public string? AccountId { get; init; }
    /// <summary>When the key was first issued with a decision.</summary>
    public required DateTimeOffset IssuedAt { get; init; }
    /// <summary>When it was last issued to an account it had not been issued to before.</summary>
    public required DateTimeOffset LastIssuedAt { get; init; }
    /// <summary>Accounts it was issued to (each counted once).</summary>
    public required long AccountsIssued { get; init; }
    /// <summary>The most recent of those accounts (up to 256).</summary>
    public required IReadOnlyList<string> Accounts { get; init; }
}

/// <summary>Body of <c>POST /v1/decisions/billing</c>.</summary>
public sealed record BillingDecisionRequest
{
    /// <summary>The paying account's id.</summary>
    public required string AccountId { get; init; }
    /// <summary>Payment fingerprint token of the instrument being charged.</summary>
    public required string PaymentFingerprint { get; init; }
    /// <summary>Amount in the currency's minor unit (cents).</summary>
    public required long AmountMinor { get; init; }
    /// <summary>ISO 4217 currency code, for example <c>USD</c>.</summary>
    public required string Currency { get; init; }
}

/// <summary>Answer of <c>POST /v1/decisions/billing</c>.</summary>
public sealed record BillingDecisionResponse
{
    /// <summary>The account the decision is about.</summary>
    public required string AccountId { get; init; }
    /// <summary>What to do with the charge.</summary>
    public required BillingDecision Decision { get; init; }
    /// <summary>Risk score in [0,1].</summary>
    public required double Score { get; init; }
    /// <summary>Top contributions to the score, largest first.</summary>
    public required IReadOnlyList<Reason> Reasons { get; init; }
    /// <summary>Version of the policy that produced the decision.</summary>
    public required int PolicyVersion { get; init; }
}
