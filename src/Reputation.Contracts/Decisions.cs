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
