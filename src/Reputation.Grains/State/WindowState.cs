using Reputation.Core.Collections;
using Reputation.Core.Windows;

namespace Reputation.Grains.State;

/// <summary>
/// Persisted form of a <see cref="SlidingCounter"/>: its <see cref="SlidingCounter.Data"/> (a count per
/// bucket, then the newest bucket id). A window is created without that array (<see cref="Buckets"/>
/// says how long it will be) and gets it at its first add: most windows of most grains never count
/// anything, and an empty ring answers the same as one never allocated (docs/performance.md, "Memory").
/// Records of earlier builds hold the array allocated from the start (and no <see cref="Buckets"/>),
/// or, older still, two arrays of the bucket count instead (a count and a bucket id per slot); those
/// are converted the first time the window is used.
/// </summary>
[GenerateSerializer, Alias("reputation.WindowState")]
public sealed class WindowState : SlidingCounter.IRingOwner
{
    /// <summary>Earlier layout: a count per slot (empty once converted).</summary>
    [Id(0)] public long[] Counts { get; set; } = [];

    /// <summary>Earlier layout: the bucket id per slot (empty once converted).</summary>
    [Id(1)] public long[] BucketIds { get; set; } = [];

    /// <summary>The ring; empty until the window's first add.</summary>
    [Id(2)] public long[] Ring { get; set; } = [];

    /// <summary>How many buckets the ring holds once allocated; 0 in records whose ring was allocated at creation.</summary>
    [Id(3)] public int Buckets { get; set; }

    public static WindowState Create(int buckets)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        return new() { Buckets = buckets };
    }

    public SlidingCounter Minutes() => Open(TimeSpan.FromMinutes(1));

    public SlidingCounter Hours() => Open(TimeSpan.FromHours(1));

    long[]? SlidingCounter.IRingOwner.Ring(int length, bool allocate) =>
        Ring.Length > 0 ? Ring : allocate ? Ring = new long[length] : null;

    private SlidingCounter Open(TimeSpan bucket)
    {
        var ring = Current();
        return ring.Length > 0 || Buckets == 0 ? SlidingCounter.Wrap(bucket, ring) : SlidingCounter.Lazy(bucket, Buckets, this);
    }

    private long[] Current()
    {
        if (Ring.Length == 0 && Counts.Length > 0)
        {
            Ring = SlidingCounter.FromSlots(Counts, BucketIds);
            Counts = [];
            BucketIds = [];
        }

        return Ring;
    }
}

/// <summary>The usage counters every grain with request windows reports in its view.</summary>
internal static class UsageWindows
{
    public static UsageSnapshot Snapshot(DateTimeOffset now, WindowState perMinute, WindowState perHour, long total, WindowState? tokensPerHour = null) => new()
    {
        RequestsLastMinute = perMinute.Minutes().Estimate(now, TimeSpan.FromMinutes(1)),
        RequestsLastHour = perMinute.Minutes().Estimate(now, TimeSpan.FromHours(1)),
        RequestsLastDay = perHour.Hours().Estimate(now, TimeSpan.FromDays(1)),
        TokensLastHour = tokensPerHour?.Hours().Estimate(now, TimeSpan.FromHours(1)) ?? 0,
        RequestsTotal = total,
    };
}

/// <summary>Persisted form of a <see cref="DedupWindow"/>.</summary>
[GenerateSerializer, Alias("reputation.DedupState")]
public sealed class DedupState
{
    [Id(0)] public ulong[] Ring { get; set; } = [];
    [Id(1)] public int Next { get; set; }
    [Id(2)] public int Count { get; set; }

    /// <summary>How many ids the ring grows to; 0 in records of builds whose ring was allocated full-size.</summary>
    [Id(3)] public int Capacity { get; set; }

    public static DedupState Create(int capacity) => new() { Capacity = capacity };

    public DedupWindow Open() => new(Ring, Next, Count, Capacity > 0 ? Capacity : Ring.Length);

    public void Save(DedupWindow window)
    {
        Ring = window.Ring;
        Next = window.Next;
        Count = window.Count;
    }
}

/// <summary>Payment outcome counts.</summary>
[GenerateSerializer, Alias("reputation.PaymentTally")]
public sealed class PaymentTally
{
    [Id(0)] public long Succeeded { get; set; }
    [Id(1)] public long Declined { get; set; }
    [Id(2)] public long Chargebacks { get; set; }
    [Id(3)] public long Refunded { get; set; }

    public void Add(PaymentKind kind)
    {
        switch (kind)
        {
            case PaymentKind.Succeeded: Succeeded++; break;
            case PaymentKind.Declined: Declined++; break;
            case PaymentKind.Chargeback: Chargebacks++; break;
            case PaymentKind.Refunded: Refunded++; break;
        }
    }

    /// <summary>Takes back one <see cref="Add"/> (a voided event); never below zero.</summary>
    public void Remove(PaymentKind kind)
    {
        switch (kind)
        {
            case PaymentKind.Succeeded: Succeeded = Math.Max(0, Succeeded - 1); break;
            case PaymentKind.Declined: Declined = Math.Max(0, Declined - 1); break;
            case PaymentKind.Chargeback: Chargebacks = Math.Max(0, Chargebacks - 1); break;
            case PaymentKind.Refunded: Refunded = Math.Max(0, Refunded - 1); break;
        }
    }
}
