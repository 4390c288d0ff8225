namespace Reputation.Contracts;

/// <summary>Body of <c>POST /v1/keys/{keyName}/void</c>: which of the key's events to void, and why.</summary>
public sealed record VoidKeyRequest
{
    /// <summary>Void events that arrived at or after this time; by default, as far back as the journal keeps (seven days).</summary>
    public DateTimeOffset? From { get; init; }
    /// <summary>Void events that arrived up to this time; by default, now.</summary>
    public DateTimeOffset? To { get; init; }
    /// <summary>Why, for the audit trail.</summary>
    public required string Reason { get; init; }
}

/// <summary>Answer of <c>POST /v1/keys/{keyName}/void</c>: what was taken back.</summary>
public sealed record VoidKeyResult
{
    /// <summary>The key whose events were voided (its configured name).</summary>
    public required string KeyName { get; init; }
    /// <summary>The window voided, by arrival time.</summary>
    public required DateTimeOffset From { get; init; }
    /// <summary>End of the window (inclusive).</summary>
    public required DateTimeOffset To { get; init; }
    /// <summary>Events taken back now.</summary>
    public required int Voided { get; init; }
    /// <summary>Events in the window voided by an earlier call, left as they are.</summary>
    public required int AlreadyVoided { get; init; }
    /// <summary>Accounts whose counters and links were rebuilt.</summary>
    public required int Accounts { get; init; }
    /// <summary>Up to 100 of those accounts.</summary>
    public required IReadOnlyList<string> AccountSample { get; init; }
    /// <summary>Links (payment instruments, IP ranges, prompt templates) the voided events had created and that were removed.</summary>
    public required int LinksRemoved { get; init; }
    /// <summary>
    /// Events the key sent in the hours of the window past the journal's hourly capacity: their
    /// provenance was counted but they could not be voided.
    /// </summary>
    public required long Unjournaled { get; init; }
    /// <summary>
    /// Voided usage events that a prompt-template bucket they reached no longer held among its most
    /// recent 256 events: that bucket keeps counting them (their account and its other entities took
    /// them back).
    /// </summary>
    public int TemplateUsageKept { get; init; }
}
