using Reputation.Core.Sketches;
using Reputation.Grains.State;

namespace Reputation.Grains.Instruments;

/// <summary>Bounded: about 5 KiB plus the flagged-account lists, whatever the number of accounts or payments.</summary>
[GenerateSerializer, Alias("reputation.PaymentInstrumentState")]
public sealed class PaymentInstrumentState : IEntityState
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
    [Id(4)] public PaymentTally Payments { get; set; } = new();
    [Id(5)] public DedupState Dedup { get; set; } = DedupState.Create(DedupCapacity);
    [Id(6)] public EntityRiskState Risk { get; set; } = new();
    /// <summary>Requests of every account on the card, for its cluster quota.</summary>
    [Id(7)] public WindowState RequestsPerMinute { get; set; } = WindowState.Create(61);
    [Id(8)] public WindowState RequestsPerHour { get; set; } = WindowState.Create(25);
    [Id(9)] public long RequestsTotal { get; set; }
    /// <summary>Accounts becoming active, per minute: synchronised starts give a campaign away.</summary>
    [Id(10)] public WindowState ActivationsPerMinute { get; set; } = WindowState.Create(61);
    /// <summary>
    /// Distinct owners (HyperLogLog): accounts, with all members of one verified organisation as one. Null until such a member links; then it starts from the accounts seen so far (a copy of <see cref="AccountSketch"/>, sparse or in full as that was).
    /// </summary>
    [Id(11)] public byte[]? OwnerSketch { get; set; }
    /// <summary>Event ids applied for accounts that have not confirmed storing them (<see cref="UnconfirmedState"/>).</summary>
    [Id(12)] public UnconfirmedState Unconfirmed { get; set; } = new();
    // Never renumber an Id; a new member takes the next one.
}
