namespace Reputation.Contracts;

/// <summary>
/// A campaign: accounts linked through shared entities (prompt templates, payment instruments, IP
/// ranges) most of whose accounts are flagged. Answer of <c>GET /v1/campaigns/{campaignId}</c> and an
/// item of <c>GET /v1/campaigns</c> (docs/architecture.md, "Campaigns").
/// </summary>
public sealed record CampaignView
{
    /// <summary>Its id, <c>cmp-</c> and 16 hex digits; stable. A campaign merged into another answers with the other's id.</summary>
    public required string CampaignId { get; init; }
    /// <summary>Distinct accounts flagged in its shared entities (a HyperLogLog estimate, about 6.5 % error).</summary>
    public required long Size { get; init; }
    /// <summary>A sample of its member accounts (at most 64, the same sample whoever asks).</summary>
    public required IReadOnlyList<string> Members { get; init; }
    /// <summary>The entities its accounts share, the most flagged first (at most 16).</summary>
    public required IReadOnlyList<CampaignEntity> SharedEntities { get; init; }
    /// <summary>Why it is a campaign, strongest first (docs/reason-codes.md, "Campaign evidence").</summary>
    public required IReadOnlyList<CampaignEvidence> Evidence { get; init; }
    /// <summary>When the service first saw it form.</summary>
    public required DateTimeOffset FirstSeenAt { get; init; }
    /// <summary>Share of its prompt templates' requests by model, 0..1 (empty when no request named a model).</summary>
    public required IReadOnlyDictionary<string, double> TrafficByModel { get; init; }
}

/// <summary>An entity a campaign's accounts share.</summary>
public sealed record CampaignEntity
{
    /// <summary>prompt-template (a bucket key), payment-instrument or ip-range.</summary>
    public required EntityType Type { get; init; }
    /// <summary>Its id as its view names it: <c>b0:3fa2</c>, a payment fingerprint, <c>198.51.100.0/24</c>.</summary>
    public required string Id { get; init; }
}

/// <summary>One piece of evidence for a campaign.</summary>
public sealed record CampaignEvidence
{
    /// <summary>A stable code: PROMPT_TEMPLATE_SHARED, PAYMENT_INSTRUMENT_SHARED, IP_RANGE_SHARED, LABEL_FRAUD, SYNCHRONISED_ACTIVITY.</summary>
    public required string Code { get; init; }
    /// <summary>Its strength, 0..1 (for the shared kinds: the flagged share of the strongest such entity).</summary>
    public required double Value { get; init; }
    /// <summary>For people; wording may change.</summary>
    public required string Detail { get; init; }
}

/// <summary>Answer of <c>GET /v1/campaigns</c>: campaigns largest first, then newest.</summary>
public sealed record CampaignPage
{
    /// <summary>At most <c>limit</c> campaigns.</summary>
    public required IReadOnlyList<CampaignView> Campaigns { get; init; }
    /// <summary>Pass as <c>after</c> for the next page (the last campaign's id); null on the last page.</summary>
    public string? Next { get; init; }
}
