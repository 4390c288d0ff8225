namespace Reputation.Grains.Webhooks;

/// <summary>How deliveries are retried and given up (<c>Reputation:Webhooks</c>; docs/decisions/0024-webhook-outbox.md).</summary>
/// <param name="RetryBase">The wait after the first failed attempt; doubled after each further one.</param>
/// <param name="RetryCap">The longest wait between attempts.</param>
/// <param name="GiveUpAfter">A delivery not made this long after its event is marked failed.</param>
/// <param name="Poll">How often a webhook with deliveries due looks at its outbox.</param>
/// <param name="Timeout">How long one attempt may take.</param>
/// <param name="AllowLocalTargets">Development only: loopback and link-local targets (a receiver on this machine).</param>
public sealed record WebhookSettings(TimeSpan RetryBase, TimeSpan RetryCap, TimeSpan GiveUpAfter, TimeSpan Poll, TimeSpan Timeout, bool AllowLocalTargets)
{
    public static WebhookSettings Default { get; } = new(TimeSpan.FromSeconds(10), TimeSpan.FromHours(1), TimeSpan.FromHours(24), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), false);
}

/// <summary>An event for webhooks: its stable id (the same event published twice is delivered once), type, time and payload (ids and reasons only).</summary>
[GenerateSerializer, Immutable, Alias("reputation.WebhookEvent")]
public sealed record WebhookEvent
{
    [Id(0)] public required string EventId { get; init; }
    [Id(1)] public required string Type { get; init; }
    [Id(2)] public required DateTimeOffset OccurredAt { get; init; }
    /// <summary>The <c>data</c> object of the delivery's body, JSON.</summary>
    [Id(3)] public required string Data { get; init; }
}

/// <summary>A webhook as configured (the secret never leaves the grain but for signing).</summary>
[GenerateSerializer, Immutable, Alias("reputation.WebhookConfig")]
public sealed record WebhookConfig
{
    [Id(0)] public required string Url { get; init; }
    [Id(1)] public required string Secret { get; init; }
    [Id(2)] public required string[] Events { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.WebhookView")]
public sealed record WebhookSnapshot
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required string Url { get; init; }
    [Id(2)] public required string[] Events { get; init; }
    [Id(3)] public required DateTimeOffset UpdatedAt { get; init; }
    [Id(4)] public required int Pending { get; init; }
}

/// <summary>One delivery: pending in the outbox, or done (delivered or failed) in the log.</summary>
[GenerateSerializer, Alias("reputation.WebhookDelivery")]
public sealed class WebhookDelivery
{
    /// <summary>The idempotency key (<c>X-Reputation-Delivery</c>): the same on every attempt.</summary>
    [Id(0)] public required string Id { get; set; }
    [Id(1)] public required string EventId { get; set; }
    [Id(2)] public required string Type { get; set; }
    [Id(3)] public required DateTimeOffset CreatedAt { get; set; }
    /// <summary>The body, fixed when the event arrived, so every attempt sends the same bytes.</summary>
    [Id(4)] public required string Body { get; set; }
    [Id(5)] public int Attempts { get; set; }
    [Id(6)] public DateTimeOffset NextAttemptAt { get; set; }
    [Id(7)] public DateTimeOffset? LastAttemptAt { get; set; }
    /// <summary>pending, delivered or failed.</summary>
    [Id(8)] public string Status { get; set; } = "pending";
    /// <summary>The last attempt's HTTP status, if the receiver answered.</summary>
    [Id(9)] public int? LastStatusCode { get; set; }
    /// <summary>Why the last attempt failed, without the response body.</summary>
    [Id(10)] public string? LastError { get; set; }
    [Id(11)] public DateTimeOffset? DoneAt { get; set; }
}

/// <summary>
/// Bounded: the configuration, at most <see cref="OutboxCapacity"/> pending deliveries and the
/// last <see cref="LogCapacity"/> done ones, one storage row.
/// </summary>
[GenerateSerializer, Alias("reputation.WebhookState")]
public sealed class WebhookState
{
    public const int OutboxCapacity = 500;
    public const int LogCapacity = 100;

    [Id(0)] public WebhookConfig? Config { get; set; }
    [Id(1)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(2)] public List<WebhookDelivery> Outbox { get; set; } = [];
    /// <summary>Done deliveries, newest first.</summary>
    [Id(3)] public List<WebhookDelivery> Log { get; set; } = [];
}

/// <summary>Which webhook wants which events: what the hub forwards by (one row).</summary>
[GenerateSerializer, Alias("reputation.WebhookHubState")]
public sealed class WebhookHubState
{
    [Id(0)] public Dictionary<string, string[]> Subscriptions { get; set; } = new(StringComparer.Ordinal);
}
