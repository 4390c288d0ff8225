using System.Text.Json.Serialization;

namespace Reputation.Contracts;

/// <summary>Which list: entries on allow force decisions to allow, on deny to the strictest outcome.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ListKind>))]
public enum ListKind
{
    /// <summary>Always allow (score 0, reason <c>LIST_ALLOW</c>).</summary>
    [JsonStringEnumMemberName("allow")] Allow,
    /// <summary>Always deny / block (score 1, reason <c>LIST_DENY</c>).</summary>
    [JsonStringEnumMemberName("deny")] Deny,
}

/// <summary>Body of <c>PUT /v1/lists/{list}/{entityType}/{entityId}</c>.</summary>
public sealed record ListEntryRequest
{
    /// <summary>Why the entity is listed, 1..500 characters (no personal data); shown in decisions' reason detail.</summary>
    public required string Reason { get; init; }
    /// <summary>When the entry stops applying (must be in the future); absent = never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>An allow or deny list entry.</summary>
public sealed record ListEntry
{
    /// <summary>allow or deny.</summary>
    public required ListKind List { get; init; }
    /// <summary>The listed entity's kind.</summary>
    public required EntityType EntityType { get; init; }
    /// <summary>Its canonical id: an IP range as <c>network/prefixLength</c> with host bits clear, a prompt fingerprint in lowercase hex.</summary>
    public required string EntityId { get; init; }
    /// <summary>Why it is listed.</summary>
    public required string Reason { get; init; }
    /// <summary>Name of the API key that listed it.</summary>
    public required string AddedBy { get; init; }
    /// <summary>When it was listed (a PUT that changes nothing keeps the first time).</summary>
    public required DateTimeOffset AddedAt { get; init; }
    /// <summary>When it stops applying; null = never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>Answer of <c>GET /v1/lists/{list}</c>: entries in force, ordered by entity type and id.</summary>
public sealed record ListPage
{
    /// <summary>At most <c>limit</c> entries.</summary>
    public required IReadOnlyList<ListEntry> Entries { get; init; }
    /// <summary>Pass as <c>after</c> for the next page (the last entry's <c>entityType/entityId</c>); null on the last page.</summary>
    public string? Next { get; init; }
}
