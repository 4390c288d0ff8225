namespace Reputation.Grains.Review;

/// <summary>A hold an account's request decision began (or made stricter), for the review queue.</summary>
[GenerateSerializer, Immutable, Alias("reputation.ReviewHold")]
public sealed record ReviewHold
{
    [Id(0)] public required string AccountId { get; init; }
    [Id(1)] public string? CampaignId { get; init; }
    [Id(2)] public required double Score { get; init; }
    [Id(3)] public required int Outcome { get; init; }
    [Id(4)] public required DateTimeOffset Since { get; init; }
    [Id(5)] public required DateTimeOffset Until { get; init; }
    /// <summary>The top reasons of the decision, details cut to <see cref="ReviewQueueState.DetailLength"/>.</summary>
    [Id(6)] public required ReasonEntry[] Reasons { get; init; }
}

/// <summary>Where a page of the queue starts: after this item in review order.</summary>
[GenerateSerializer, Immutable, Alias("reputation.ReviewCursor")]
public sealed record ReviewCursor
{
    [Id(0)] public required double Score { get; init; }
    [Id(1)] public required DateTimeOffset Since { get; init; }
    [Id(2)] public required bool Campaign { get; init; }
    [Id(3)] public required string Id { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.ReviewItemSnapshot")]
public sealed record ReviewItemSnapshot
{
    [Id(0)] public required bool Campaign { get; init; }
    [Id(1)] public required string Id { get; init; }
    [Id(2)] public required double Score { get; init; }
    [Id(3)] public required int Outcome { get; init; }
    [Id(4)] public required DateTimeOffset Since { get; init; }
    [Id(5)] public required DateTimeOffset Until { get; init; }
    [Id(6)] public required ReasonEntry[] Reasons { get; init; }
    [Id(7)] public long? AccountsHeld { get; init; }
    [Id(8)] public string[]? Accounts { get; init; }

    public ReviewCursor Cursor => new() { Score = Score, Since = Since, Campaign = Campaign, Id = Id };
}

[GenerateSerializer, Immutable, Alias("reputation.ReviewPageSnapshot")]
public sealed record ReviewPageSnapshot
{
    [Id(0)] public required ReviewItemSnapshot[] Items { get; init; }
    /// <summary>The last item's cursor when more follow.</summary>
    [Id(1)] public ReviewCursor? Next { get; init; }
}

/// <summary>
/// Bounded: the <see cref="AccountCapacity"/> highest-risk held accounts outside campaigns and
/// <see cref="CampaignCapacity"/> campaigns with a sample of their held members; at most about 300 KB.
/// </summary>
[GenerateSerializer, Alias("reputation.ReviewQueueState")]
public sealed class ReviewQueueState
{
    public const int AccountCapacity = 500;
    public const int CampaignCapacity = 64;
    public const int CampaignAccountCapacity = 32;
    public const int DetailLength = 120;

    [Id(0)] public Dictionary<string, ReviewEntry> Accounts { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public Dictionary<string, ReviewEntry> Campaigns { get; set; } = new(StringComparer.Ordinal);
}

[GenerateSerializer, Alias("reputation.ReviewEntry")]
public sealed class ReviewEntry
{
    [Id(0)] public double Score { get; set; }
    [Id(1)] public int Outcome { get; set; }
    [Id(2)] public DateTimeOffset Since { get; set; }
    [Id(3)] public DateTimeOffset Until { get; set; }
    [Id(4)] public ReasonEntry[] Reasons { get; set; } = [];
    /// <summary>Campaigns only: members whose hold began since it entered, less those that left.</summary>
    [Id(5)] public long AccountsHeld { get; set; }
    /// <summary>Campaigns only: the most recently held members, most recent first.</summary>
    [Id(6)] public List<string> Accounts { get; set; } = [];
}
