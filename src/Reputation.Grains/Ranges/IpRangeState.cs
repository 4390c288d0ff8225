using Reputation.Core.Sketches;
using Reputation.Grains.State;

namespace Reputation.Grains.Ranges;

/// <summary>Bounded: about 8 KiB plus the flagged-account lists, whatever the number of accounts or events.</summary>
[GenerateSerializer, Alias("reputation.IpRangeState")]
public sealed class IpRangeState : IEntityState
{
    public const int RecentAccountCapacity = 64;
    public const int DedupCapacity = 256;

    [Id(0)] public DateTimeOffset? FirstSeenAt { get; set; }
    [Id(1)] public DateTimeOffset? LastSeenAt { get; set; }
    /// <summary>
    /// Distinct accounts (HyperLogLog of <see cref="HyperLogLog.DefaultPrecision"/>), sparse while few
    /// accounts set its registers (records of earlier builds hold it in full, as it stays):
    /// docs/decisions/0045-smaller-account-activations.md.
    /// </summary>
    [Id(2)] public byte[] AccountSketch { get; set; } = [];
    [Id(3)] public List<string> RecentAccounts { get; set; } = [];
    [Id(4)] public WindowState SignupsPerHour { get; set; } = WindowState.Create(48);
    /// <summary>61 one-minute buckets: the last hour whole, plus the bucket it slides out of.</summary>
    [Id(5)] public WindowState RequestsPerMinute { get; set; } = WindowState.Create(61);
    [Id(6)] public WindowState RequestsPerHour { get; set; } = WindowState.Create(48);
    [Id(7)] public WindowState TokensPerHour { get; set; } = WindowState.Create(48);
    [Id(8)] public long RequestsTotal { get; set; }
    [Id(9)] public long SignupsTotal { get; set; }
    [Id(10)] public DedupState Dedup { get; set; } = DedupState.Create(DedupCapacity);
    [Id(11)] public WindowState SignupsPerMinute { get; set; } = WindowState.Create(61);
    [Id(12)] public EntityRiskState Risk { get; set; } = new();
    /// <summary>Accounts becoming active, per minute: synchronised starts give a campaign away.</summary>
    [Id(13)] public WindowState ActivationsPerMinute { get; set; } = WindowState.Create(61);
    /// <summary>Event ids applied for accounts that have not confirmed storing them (<see cref="UnconfirmedState"/>).</summary>
    [Id(14)] public UnconfirmedState Unconfirmed { get; set; } = new();
    /// <summary>Organisations whose members signed up here lately (<see cref="OwnerSignups"/>); null until one did.</summary>
    [Id(15)] public List<OwnerSignup>? OwnerSignups { get; set; }
    // Never renumber an Id; a new member takes the next one.
}
