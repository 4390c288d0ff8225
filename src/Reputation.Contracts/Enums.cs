using System.Text.Json.Serialization;

namespace Reputation.Contracts;

/// <summary>Outcome of a signup decision.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SignupDecision>))]
public enum SignupDecision
{
    /// <summary>Let the signup through.</summary>
    [JsonStringEnumMemberName("allow")] Allow,
    /// <summary>Let it through but queue it for an investigator.</summary>
    [JsonStringEnumMemberName("review")] Review,
    /// <summary>Ask for more proof (verification, CAPTCHA, payment check) before continuing.</summary>
    [JsonStringEnumMemberName("challenge")] Challenge,
    /// <summary>Refuse the signup.</summary>
    [JsonStringEnumMemberName("deny")] Deny,
}

/// <summary>Outcome of a request (rate-limiter) decision.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RequestDecision>))]
public enum RequestDecision
{
    /// <summary>Serve normally at the allowed rate.</summary>
    [JsonStringEnumMemberName("allow")] Allow,
    /// <summary>Serve at the reduced rate in <c>requestsPerMinute</c>.</summary>
    [JsonStringEnumMemberName("throttle")] Throttle,
    /// <summary>Serve degraded or watermarked answers that are worthless for training.</summary>
    [JsonStringEnumMemberName("degrade")] Degrade,
    /// <summary>Refuse the request.</summary>
    [JsonStringEnumMemberName("block")] Block,
}

/// <summary>Outcome of a billing decision.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BillingDecision>))]
public enum BillingDecision
{
    /// <summary>Charge normally.</summary>
    [JsonStringEnumMemberName("allow")] Allow,
    /// <summary>Hold the charge for review.</summary>
    [JsonStringEnumMemberName("hold")] Hold,
    /// <summary>Refuse the charge.</summary>
    [JsonStringEnumMemberName("deny")] Deny,
}

/// <summary>Kind of an ingested event.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EventType>))]
public enum EventType
{
    /// <summary>An account was created.</summary>
    [JsonStringEnumMemberName("signup")] Signup,
    /// <summary>A per-account usage summary (typically one per account per second).</summary>
    [JsonStringEnumMemberName("usage")] Usage,
    /// <summary>A payment outcome reported by billing.</summary>
    [JsonStringEnumMemberName("payment")] Payment,
}

/// <summary>Outcome of a payment attempt.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PaymentOutcome>))]
public enum PaymentOutcome
{
    /// <summary>The charge went through.</summary>
    [JsonStringEnumMemberName("succeeded")] Succeeded,
    /// <summary>The issuer declined the charge.</summary>
    [JsonStringEnumMemberName("declined")] Declined,
    /// <summary>The cardholder disputed a charge.</summary>
    [JsonStringEnumMemberName("chargeback")] Chargeback,
    /// <summary>The charge was refunded.</summary>
    [JsonStringEnumMemberName("refunded")] Refunded,
}
