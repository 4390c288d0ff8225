using System.Text.Json;

namespace Reputation.Contracts;

/// <summary>One audited call that needed the <c>operate</c> scope. Records are never edited or deleted.</summary>
public sealed record AuditRecord
{
    /// <summary>Position in the log: increases with every record (there may be gaps); use it as the <c>before</c> cursor.</summary>
    public required long Sequence { get; init; }
    /// <summary>When the service answered the call.</summary>
    public required DateTimeOffset At { get; init; }
    /// <summary>Name of the API key that made the call (never the key itself).</summary>
    public required string KeyName { get; init; }
    /// <summary>What was asked, for example <c>label.set</c> or <c>audit.read</c>.</summary>
    public required string Action { get; init; }
    /// <summary>What it was about, <c>{type}:{id}</c> (for example <c>account:acct-1</c>); null when the call named nothing the service could read.</summary>
    public string? Target { get; init; }
    /// <summary>The HTTP status the call was answered with (rejected calls are recorded too; calls refused by authentication or authorisation are not).</summary>
    public required int Status { get; init; }
    /// <summary>For a change, what the target looked like before, as the API shows it; null when not known.</summary>
    public JsonElement? Before { get; init; }
    /// <summary>For a change, what the API answered (the target after it); null for rejected calls and reads.</summary>
    public JsonElement? After { get; init; }
}

/// <summary>Answer of <c>GET /v1/audit</c>: records newest first.</summary>
public sealed record AuditPage
{
    /// <summary>Newest first, at most <c>limit</c>; fewer when a filter matched little in the part of the log one call reads.</summary>
    public required IReadOnlyList<AuditRecord> Records { get; init; }
    /// <summary>Pass as <c>before</c> to get the next older records; null when there are no older ones.</summary>
    public long? Next { get; init; }
}
