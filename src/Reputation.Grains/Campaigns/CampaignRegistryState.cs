using Reputation.Core.Campaigns;

namespace Reputation.Grains.Campaigns;

/// <summary>
/// The campaigns the registry holds: at most <see cref="CampaignBook.MaxCampaigns"/>, each bounded, in
/// one storage row of at most about 300 KB whatever the size of the campaigns (docs/decisions/0018-campaigns.md).
/// </summary>
[GenerateSerializer, Alias("reputation.CampaignRegistryState")]
public sealed class CampaignRegistryState
{
    [Id(0)] public List<CampaignRecord> Campaigns { get; set; } = [];
    /// <summary>Ids of campaigns merged into others, oldest first (at most <see cref="CampaignBook.MaxAliases"/>).</summary>
    [Id(1)] public List<CampaignAlias> Aliases { get; set; } = [];
    /// <summary>Campaigns formed so far: the next one's <see cref="CampaignRecord.Sequence"/>.</summary>
    [Id(2)] public long Formed { get; set; }
    // Never renumber an Id; a new member takes the next one.
}

[GenerateSerializer, Alias("reputation.CampaignAlias")]
public sealed class CampaignAlias
{
    [Id(0)] public string From { get; set; } = "";
    [Id(1)] public string To { get; set; } = "";
}

[GenerateSerializer, Alias("reputation.CampaignRecord")]
public sealed class CampaignRecord
{
    [Id(0)] public string Id { get; set; } = "";
    [Id(1)] public DateTimeOffset FirstSeenAt { get; set; }
    [Id(2)] public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>Its hubs with the most flagged accounts (at most <see cref="CampaignBook.MaxHubs"/>).</summary>
    [Id(3)] public List<CampaignHub> Hubs { get; set; } = [];
    /// <summary>Bottom-k sample of its members by hash (at most <see cref="CampaignBook.MemberSample"/>), smallest hash first.</summary>
    [Id(4)] public List<string> Members { get; set; } = [];
    /// <summary>HyperLogLog of every account flagged in its hubs: the union of the hubs' sketches.</summary>
    [Id(5)] public byte[] Sketch { get; set; } = new byte[1 << CampaignRules.SketchPrecision];
    /// <summary>Hubs that ever joined it, listed or not.</summary>
    [Id(6)] public int HubsJoined { get; set; }
    /// <summary>
    /// Order of formation (1, 2, ...; 0 for campaigns stored before it was kept): of two campaigns
    /// first seen at the same instant, the one formed first is the older.
    /// </summary>
    [Id(7)] public long Sequence { get; set; }
    // Never renumber an Id; a new member takes the next one.
}

/// <summary>A hub as it last reported.</summary>
[GenerateSerializer, Alias("reputation.CampaignHub")]
public sealed class CampaignHub
{
    [Id(0)] public string Type { get; set; } = "";
    [Id(1)] public string Id { get; set; } = "";
    [Id(2)] public long Flagged { get; set; }
    [Id(3)] public long Accounts { get; set; }
    [Id(4)] public long ConfirmedFraud { get; set; }
    [Id(5)] public double Risk { get; set; }
    [Id(6)] public long PeakActivations { get; set; }
    [Id(7)] public DateTimeOffset ReportedAt { get; set; }
    /// <summary>Prompt templates: requests of its sharers by model (at most <see cref="CampaignBook.ModelsPerHub"/>).</summary>
    [Id(8)] public Dictionary<string, long> RequestsByModel { get; set; } = new(StringComparer.Ordinal);
    // Never renumber an Id; a new member takes the next one.

    public bool Is(string type, string id) => Type == type && Id == id;
}
