namespace Reputation.Contracts;

/// <summary>One ingested event. Which optional fields apply depends on <see cref="Type"/>.</summary>
public sealed record IngestEvent
{
    /// <summary>Idempotency key: an event re-sent with the same id is counted once.</summary>
    public required string Id { get; init; }
    /// <summary>signup, usage or payment.</summary>
    public required EventType Type { get; init; }
    /// <summary>The account the event belongs to.</summary>
    public required string AccountId { get; init; }
    /// <summary>When it happened (event time; velocity windows use it). At most 5 minutes in the future.</summary>
    public required DateTimeOffset OccurredAt { get; init; }
    /// <summary>IP address of the account at that time. Required for signup.</summary>
    public string? Ip { get; init; }

    /// <summary>Signup: email address, keyed-hashed on arrival.</summary>
    public string? Email { get; init; }
    /// <summary>Signup: device identifier.</summary>
    public string? DeviceId { get; init; }
    /// <summary>Signup: country code.</summary>
    public string? Country { get; init; }
    /// <summary>Signup: the platform's organisation or workspace the account belongs to, if any.</summary>
    public string? OrganizationId { get; init; }
    /// <summary>Signup: true when the platform verified that organisation (a verified business, a known domain).</summary>
    public bool? OrganizationVerified { get; init; }
    /// <summary>Signup or payment: payment fingerprint token. Required for payment.</summary>
    public string? PaymentFingerprint { get; init; }

    /// <summary>Usage: number of requests in the summary. Required for usage, at least 1.</summary>
    public long? Requests { get; init; }
    /// <summary>Usage: input tokens.</summary>
    public long? InputTokens { get; init; }
    /// <summary>Usage: output tokens.</summary>
    public long? OutputTokens { get; init; }
    /// <summary>Usage: 64-bit SimHash prompt fingerprints, each 16 lowercase hex chars.</summary>
    public IReadOnlyList<string>? PromptFingerprints { get; init; }
    /// <summary>Usage: share of the requests that try to elicit reasoning traces, 0..1.</summary>
    public double? ReasoningElicitation { get; init; }
    /// <summary>Usage: model the requests were for.</summary>
    public string? Model { get; init; }

    /// <summary>Payment: outcome. Required for payment.</summary>
    public PaymentOutcome? Outcome { get; init; }
    /// <summary>Payment: amount in the currency's minor unit.</summary>
    public long? AmountMinor { get; init; }
    /// <summary>Payment: ISO 4217 currency code.</summary>
    public string? Currency { get; init; }
}

/// <summary>Body of <c>POST /v1/events</c>: 1 to 1000 events.</summary>
public sealed record EventBatch
{
    /// <summary>The events, applied independently; a malformed one is rejected alone.</summary>
    public required IReadOnlyList<IngestEvent> Events { get; init; }
}

/// <summary>Why one event of a batch was rejected.</summary>
/// <param name="Index">Position of the event in the batch, from 0.</param>
/// <param name="Id">The event's id, when it had one.</param>
/// <param name="Error">What is wrong with it.</param>
public sealed record RejectedEvent(int Index, string? Id, string Error);

/// <summary>Answer of <c>POST /v1/events</c> (202).</summary>
public sealed record EventBatchResult
{
    /// <summary>Events newly accepted; accepted events are persisted and will not be lost.</summary>
    public required int Accepted { get; init; }
    /// <summary>Events whose id was seen before; counted once.</summary>
    public required int Duplicates { get; init; }
    /// <summary>Events that were not applied, with the reason.</summary>
    public required IReadOnlyList<RejectedEvent> Rejected { get; init; }
}
