namespace Reputation.Grains;

/// <summary>
/// What a campaign hub (an entity whose accounts are mostly flagged: <see cref="Core.Campaigns.CampaignRules.IsHub"/>)
/// tells the campaign registry when it becomes a hub and each time its flagged accounts grew by half.
/// </summary>
[GenerateSerializer, Immutable, Alias("reputation.HubReport")]
public sealed record HubReport
{
    /// <summary><c>ip-range</c>, <c>payment-instrument</c> or <c>prompt-template</c>.</summary>
    [Id(0)] public required string Type { get; init; }
    /// <summary>The entity's grain key.</summary>
    [Id(1)] public required string Id { get; init; }
    /// <summary>The campaign the hub was last told it belongs to; null on its first report.</summary>
    [Id(2)] public string? CampaignId { get; init; }
    /// <summary>Accounts flagged here (an estimate once the entity's capped list is full).</summary>
    [Id(3)] public long Flagged { get; init; }
    /// <summary>Distinct accounts of the entity.</summary>
    [Id(4)] public long Accounts { get; init; }
    /// <summary>Accounts labelled fraud among them.</summary>
    [Id(5)] public long ConfirmedFraud { get; init; }
    [Id(6)] public double Risk { get; init; }
    /// <summary>Accounts that became active in its busiest five minutes of the last hour.</summary>
    [Id(7)] public long PeakActivations { get; init; }
    /// <summary>The bottom of its flagged accounts by hash (<see cref="Core.Campaigns.CampaignRules.BottomK"/>).</summary>
    [Id(8)] public required IReadOnlyList<string> Sample { get; init; }
    /// <summary>HyperLogLog registers (<see cref="Core.Campaigns.CampaignRules.SketchPrecision"/>) of every account ever flagged here.</summary>
    [Id(9)] public byte[]? FlaggedSketch { get; init; }
    /// <summary>Prompt templates only: requests of its sharers by model (the largest few).</summary>
    [Id(10)] public IReadOnlyDictionary<string, long> RequestsByModel { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);
}

/// <summary>A campaign as the registry holds it, for views and for labelling its members.</summary>
[GenerateSerializer, Immutable, Alias("reputation.CampaignSnapshot")]
public sealed record CampaignSnapshot
{
    [Id(0)] public required string Id { get; init; }
    /// <summary>Distinct accounts flagged in its hubs (HyperLogLog), never fewer than the sample.</summary>
    [Id(1)] public required long Size { get; init; }
    /// <summary>A bottom-k sample of its members.</summary>
    [Id(2)] public required IReadOnlyList<string> Members { get; init; }
    /// <summary>Its hubs, the most flagged first.</summary>
    [Id(3)] public required IReadOnlyList<CampaignHubSnapshot> Hubs { get; init; }
    [Id(4)] public required IReadOnlyList<CampaignEvidenceItem> Evidence { get; init; }
    [Id(5)] public required DateTimeOffset FirstSeenAt { get; init; }
    [Id(6)] public required DateTimeOffset UpdatedAt { get; init; }
    /// <summary>Requests of its template hubs' sharers by model.</summary>
    [Id(7)] public required IReadOnlyDictionary<string, long> RequestsByModel { get; init; }
    /// <summary>Hubs that joined it, listed or not (<see cref="Hubs"/> is capped).</summary>
    [Id(8)] public int HubsJoined { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.CampaignHubSnapshot")]
public sealed record CampaignHubSnapshot
{
    [Id(0)] public required string Type { get; init; }
    [Id(1)] public required string Id { get; init; }
    [Id(2)] public long Flagged { get; init; }
    [Id(3)] public long Accounts { get; init; }
}

/// <summary>One piece of evidence for a campaign: a code, a value in [0,1] and a readable detail.</summary>
[GenerateSerializer, Immutable, Alias("reputation.CampaignEvidenceItem")]
public sealed record CampaignEvidenceItem
{
    [Id(0)] public required string Code { get; init; }
    [Id(1)] public required double Value { get; init; }
    [Id(2)] public required string Detail { get; init; }
}

/// <summary>A page of campaigns, largest first then newest.</summary>
[GenerateSerializer, Immutable, Alias("reputation.CampaignRegistryPage")]
public sealed record CampaignRegistryPage
{
    [Id(0)] public required IReadOnlyList<CampaignSnapshot> Campaigns { get; init; }
    /// <summary>The last campaign's id when more follow; null on the last page.</summary>
    [Id(1)] public string? Next { get; init; }
    /// <summary>The <c>after</c> cursor named no campaign the registry holds (nor one merged into another).</summary>
    [Id(2)] public bool UnknownCursor { get; init; }
}

/// <summary>
/// The campaign registry (docs/decisions/0018-campaigns.md): hubs report to it, it merges hubs whose
/// flagged accounts overlap into campaigns and keeps them, bounded. One grain, key <see cref="CampaignRegistryGrain.Key"/>.
/// </summary>
[Alias("reputation.ICampaignRegistryGrain")]
public interface ICampaignRegistryGrain : IGrainWithStringKey
{
    /// <summary>Records a hub's report; answers the id of the campaign it belongs to now.</summary>
    [Alias("ReportHub")]
    ValueTask<string> ReportHubAsync(HubReport report);

    /// <summary>Campaigns largest first, then newest; <paramref name="after"/> is the last id of the previous page.</summary>
    [Alias("GetPage"), ReadOnly]
    ValueTask<CampaignRegistryPage> GetPageAsync(string? after, int limit);

    /// <summary>A campaign by its id or the id of a campaign merged into it; null when not held.</summary>
    [Alias("Get"), ReadOnly]
    ValueTask<CampaignSnapshot?> GetAsync(string campaignId);
}
