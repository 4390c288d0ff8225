namespace Reputation.Contracts;

/// <summary>
/// One item of the review queue (<c>GET /v1/review</c>): an account held outside any campaign, or a
/// campaign whose members are held (docs/operations.md, "Reviewing and releasing").
/// </summary>
public sealed record ReviewItem
{
    /// <summary>account or campaign.</summary>
    public required EntityType Kind { get; init; }
    /// <summary>The account id, or the campaign id (<c>cmp-</c> and 16 hex digits).</summary>
    public required string Id { get; init; }
    /// <summary>The request score the hold began with (for a campaign: its highest member's), 0..1.</summary>
    public required double Score { get; init; }
    /// <summary>The strictest request decision of the hold: throttle, degrade or block.</summary>
    public required RequestDecision Decision { get; init; }
    /// <summary>When the hold began (for a campaign: its first member's).</summary>
    public required DateTimeOffset HeldSince { get; init; }
    /// <summary>When it ends unless renewed or released (for a campaign: its last member's).</summary>
    public required DateTimeOffset HoldUntil { get; init; }
    /// <summary>How long it has been held, in seconds.</summary>
    public required long AgeSeconds { get; init; }
    /// <summary>The top reasons of the decision that began the hold (for a campaign: of its highest member), detail cut to 120 characters.</summary>
    public required IReadOnlyList<Reason> Reasons { get; init; }
    /// <summary>For a campaign: members whose hold began since it entered the queue, less those released.</summary>
    public long? AccountsHeld { get; init; }
    /// <summary>For a campaign: the most recently held of them (up to 32).</summary>
    public IReadOnlyList<string>? Accounts { get; init; }
}

/// <summary>Answer of <c>GET /v1/review</c>: highest score first, then the newest hold.</summary>
public sealed record ReviewPage
{
    /// <summary>At most <c>limit</c> items.</summary>
    public required IReadOnlyList<ReviewItem> Items { get; init; }
    /// <summary>Pass as <c>after</c> for the next page; null on the last page.</summary>
    public string? Next { get; init; }
}
