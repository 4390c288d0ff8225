namespace Reputation.Contracts;

/// <summary>Body of <c>PUT /v1/webhooks/{name}</c>.</summary>
public sealed record WebhookRequest
{
    /// <summary>Where deliveries are POSTed: https (http too in Development); not loopback or link-local outside Development.</summary>
    public required string Url { get; init; }
    /// <summary>The HMAC-SHA256 key deliveries are signed with (16-256 characters). Never shown again.</summary>
    public required string Secret { get; init; }
    /// <summary>The events wanted: account.held, account.released, campaign.formed, campaign.grew, label.applied, policy.promoted.</summary>
    public required IReadOnlyList<string> Events { get; init; }
}

/// <summary>A webhook as configured (without its secret).</summary>
public sealed record WebhookView
{
    /// <summary>Its name.</summary>
    public required string Name { get; init; }
    /// <summary>Where deliveries go.</summary>
    public required string Url { get; init; }
    /// <summary>The events it receives.</summary>
    public required IReadOnlyList<string> Events { get; init; }
    /// <summary>When it was last configured.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }
    /// <summary>Deliveries waiting in its outbox.</summary>
    public required int Pending { get; init; }
}

/// <summary>One delivery of an event to a webhook.</summary>
public sealed record WebhookDeliveryView
{
    /// <summary>Its idempotency key, sent as <c>X-Reputation-Delivery</c> with every attempt.</summary>
    public required string Id { get; init; }
    /// <summary>The event type, for example <c>account.held</c>.</summary>
    public required string Type { get; init; }
    /// <summary>pending, delivered or failed (given up).</summary>
    public required string Status { get; init; }
    /// <summary>When the event reached the outbox.</summary>
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>Attempts made.</summary>
    public required int Attempts { get; init; }
    /// <summary>When the last attempt was made.</summary>
    public DateTimeOffset? LastAttemptAt { get; init; }
    /// <summary>Pending only: when the next attempt is due.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }
    /// <summary>The HTTP status the receiver last answered, if it answered.</summary>
    public int? LastStatusCode { get; init; }
    /// <summary>Why the last attempt failed (never the response body).</summary>
    public string? LastError { get; init; }
    /// <summary>When it was delivered or given up.</summary>
    public DateTimeOffset? DoneAt { get; init; }
}

/// <summary>Answer of <c>GET /v1/webhooks/{name}/deliveries</c>: pending deliveries, then the last 100 done, newest first in each.</summary>
public sealed record WebhookDeliveryLog
{
    /// <summary>The deliveries.</summary>
    public required IReadOnlyList<WebhookDeliveryView> Deliveries { get; init; }
}
