using Reputation.Core.Sketches;
using Reputation.Grains.State;

namespace Reputation.Grains.Templates;

/// <summary>
/// One LSH bucket: a capped sample of fingerprints with the account that sent each first, the
/// accounts found sharing a near-duplicate (HyperLogLog), their usage, and risk. About 6 KiB, and up to
/// about 7 KB more for what it counted of its last 256 events (<see cref="Counted"/>, for voiding), and
/// about 1 KB per model its sharers used in the last hour, at most <see cref="ModelCapacity"/> (<see cref="RecentRequestsByModel"/>).
/// </summary>
[GenerateSerializer, Alias("reputation.PromptTemplateState")]
public sealed class PromptTemplateState : IEntityState
{
    public const int SampleCapacity = 64;
    public const int RecentAccountCapacity = 64;
    public const int DedupCapacity = 256;
    public const int ModelCapacity = 8;

    [Id(0)] public DateTimeOffset? FirstSeenAt { get; set; }
    [Id(1)] public DateTimeOffset? LastSeenAt { get; set; }
    [Id(2)] public ulong[] SampleFingerprints { get; set; } = new ulong[SampleCapacity];
    [Id(3)] public string?[] SampleAccounts { get; set; } = new string?[SampleCapacity];
    [Id(4)] public int SampleNext { get; set; }
    /// <summary>
    /// Accounts found sharing (HyperLogLog of <see cref="HyperLogLog.DefaultPrecision"/>), sparse while
    /// few set its registers (records of earlier builds hold it in full, as it stays):
    /// docs/decisions/0045-smaller-account-activations.md.
    /// </summary>
    [Id(5)] public byte[] SharingSketch { get; set; } = [];
    [Id(6)] public List<string> RecentAccounts { get; set; } = [];
    [Id(7)] public WindowState RequestsPerMinute { get; set; } = WindowState.Create(61);
    [Id(8)] public WindowState RequestsPerHour { get; set; } = WindowState.Create(25);
    [Id(9)] public long RequestsTotal { get; set; }
    [Id(10)] public DedupState Dedup { get; set; } = DedupState.Create(DedupCapacity);
    [Id(11)] public EntityRiskState Risk { get; set; } = new();
    [Id(12)] public bool AnySharing { get; set; }
    /// <summary>Accounts becoming active, per minute: synchronised starts give a campaign away.</summary>
    [Id(13)] public WindowState ActivationsPerMinute { get; set; } = WindowState.Create(61);
    /// <summary>The most recent sharers and what they are (capped at <see cref="RecentAccountCapacity"/>): who shares decides what sharing means.</summary>
    [Id(14)] public List<SharerSample> Sharers { get; set; } = [];
    /// <summary>Requests of its sharers by model, the <see cref="ModelCapacity"/> heaviest (<see cref="ModelCounts"/>): a campaign's traffic by model.</summary>
    [Id(15)] public Dictionary<string, long> RequestsByModel { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Event ids applied for accounts that have not confirmed storing them (<see cref="UnconfirmedState"/>).</summary>
    [Id(16)] public UnconfirmedState Unconfirmed { get; set; } = new();
    /// <summary>What it counted of its last <see cref="CountedEvents.Capacity"/> usage events, to take a voided one back.</summary>
    [Id(17)] public CountedEvents Counted { get; set; } = new();
    /// <summary>Which event (its id hash) put each sampled fingerprint in; 0 for fingerprints sampled before it was kept.</summary>
    [Id(18)] public ulong[] SampleEvents { get; set; } = new ulong[SampleCapacity];
    /// <summary>
    /// Its sharers' requests per minute of the last hour by model, the <see cref="ModelCapacity"/> busiest
    /// (<see cref="ReleasePivotWindows"/>): how much of the cluster's traffic moved to a newly released model.
    /// </summary>
    [Id(70)] public Dictionary<string, WindowState> RecentRequestsByModel { get; set; } = new(StringComparer.Ordinal);
    // Never renumber an Id; a new member takes the next one.
}

/// <summary>One sharer of a template: its standing and short tags of its range and work domain (never the values).</summary>
[GenerateSerializer, Alias("reputation.SharerSample")]
public sealed class SharerSample
{
    [Id(0)] public string AccountId { get; set; } = "";
    [Id(1)] public Core.Scoring.Standing Standing { get; set; }
    [Id(2)] public ushort RangeTag { get; set; }
    [Id(3)] public ushort DomainTag { get; set; }
    /// <summary>Five-minute bins it used the template in, 64 ending at <see cref="LatestBin"/> (<see cref="Core.Scoring.Lockstep"/>).</summary>
    [Id(4)] public ulong ActiveBins { get; set; }
    [Id(5)] public int LatestBin { get; set; }
    /// <summary>
    /// Whether every entry that touched it since it entered the sample is still among the bucket's
    /// counted events (<see cref="PromptTemplateState.Counted"/>): only then can voiding tell that none
    /// of its usage here remains. False for samples older than that record, and once one has left it.
    /// </summary>
    [Id(6)] public bool Tracked { get; set; }
    /// <summary>The account's own five-minute bins, all its traffic, as its latest entry carried them (<see cref="TemplateEntry.AccountBins"/>).</summary>
    [Id(7)] public ulong AccountBins { get; set; }
    [Id(8)] public int AccountLatestBin { get; set; }
    /// <summary>Whether its latest entry said another template or cluster found it in lockstep lately (<see cref="TemplateEntry.InStep"/>).</summary>
    [Id(9)] public bool InStepElsewhere { get; set; }
    /// <summary>The minute the account's activity began (<see cref="Core.Scoring.CoStart.MinuteOf"/>), the earliest its entries carried; 0 when unknown.</summary>
    [Id(10)] public int StartMinute { get; set; }
    /// <summary>
    /// Its latest prompt fingerprint here (<see cref="TemplateEntry.Fingerprint"/>); 0 in samples
    /// written before it was kept: which near-duplicate group of the bucket it belongs to
    /// (<see cref="Core.Scoring.SharerProfile.NearGroups"/>).
    /// </summary>
    [Id(11)] public ulong Fingerprint { get; set; }
}
