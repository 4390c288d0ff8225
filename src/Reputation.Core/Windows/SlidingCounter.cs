using Reputation.Core.Arithmetic;

namespace Reputation.Core.Windows;

/// <summary>
/// Counts over fixed-size time buckets in a ring (for example 60 one-minute buckets), by event time.
/// State is one array of the bucket count plus one, whatever the traffic: a count per slot, and in
/// the last element the newest bucket seen (event time in ticks divided by the bucket size). The ring
/// holds that bucket and the ones just before it; when a newer bucket arrives, the slots of the
/// buckets it passes over are cleared, so a slot's count is always that of the one bucket in the ring
/// it stands for. An event older than the ring is dropped (it is outside every window).
/// A ring opened with <see cref="Lazy"/> has no array until its first add, and answers until then
/// exactly as an allocated ring that never counted anything (most accounts never use most windows).
/// </summary>
public sealed class SlidingCounter
{
    private readonly long _bucketTicks;
    private long[]? _data;
    private readonly int _buckets;
    private readonly IRingOwner? _owner;

    /// <summary>Keeps a lazily opened ring's array, so that every counter opened on it sees the same one.</summary>
    public interface IRingOwner
    {
        /// <summary>The ring it keeps, or null if none yet; with <paramref name="allocate"/>, a new ring of <paramref name="length"/> that it keeps from then on.</summary>
        long[]? Ring(int length, bool allocate);
    }

    public SlidingCounter(TimeSpan bucket, int buckets)
        : this(bucket, new long[Math.Max(buckets, 0) + 1])
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
    }

    private SlidingCounter(TimeSpan bucket, long[] data)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bucket, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(data.Length, 2, nameof(data));
        _bucketTicks = bucket.Ticks;
        _data = data;
        _buckets = data.Length - 1;
    }

    private SlidingCounter(TimeSpan bucket, int buckets, IRingOwner owner)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bucket, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        _bucketTicks = bucket.Ticks;
        _buckets = buckets;
        _owner = owner;
    }

    /// <summary>60 one-minute buckets.</summary>
    public static SlidingCounter PerMinute(int minutes = 60) => new(TimeSpan.FromMinutes(1), minutes);

    /// <summary>48 one-hour buckets.</summary>
    public static SlidingCounter PerHour(int hours = 48) => new(TimeSpan.FromHours(1), hours);

    /// <summary>Wraps a persisted <see cref="Data"/> array (not copied: adds write through).</summary>
    public static SlidingCounter Wrap(TimeSpan bucket, long[] data) => new(bucket, data);

    /// <summary>
    /// A ring of <paramref name="buckets"/> kept by <paramref name="owner"/>, which may have no array
    /// yet: every read answers as an allocated empty ring does until the first <see cref="Add"/> (of
    /// this or any counter on the same owner) has the owner allocate it.
    /// </summary>
    public static SlidingCounter Lazy(TimeSpan bucket, int buckets, IRingOwner owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return new(bucket, buckets, owner);
    }

    /// <summary>
    /// The <see cref="Data"/> of a ring persisted in the earlier layout, two arrays of the bucket count
    /// (a count and a bucket id per slot): the same counts of the buckets the ring still holds.
    /// </summary>
    public static long[] FromSlots(long[] counts, long[] bucketIds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(counts.Length, 1, nameof(counts));
        if (counts.Length != bucketIds.Length)
        {
            throw new ArgumentException("Counts and bucket ids differ in length.", nameof(bucketIds));
        }

        var buckets = counts.Length;
        var data = new long[buckets + 1];
        var newest = bucketIds.Max();
        for (var i = 0; i < buckets; i++)
        {
            var id = bucketIds[i];
            if (id > newest - buckets && SlotOf(id, buckets) == i)
            {
                data[i] = counts[i];
            }
        }

        data[buckets] = newest;
        return data;
    }

    /// <summary>The persisted form: a count per slot, then the newest bucket id (allocated by now if the ring was lazy).</summary>
    public long[] Data => Allocated();

    /// <summary>How many buckets the ring holds.</summary>
    public int Buckets => _buckets;

    public TimeSpan Bucket => TimeSpan.FromTicks(_bucketTicks);

    public TimeSpan Span => TimeSpan.FromTicks(_bucketTicks * _buckets);

    /// <summary>The ring, or null while a lazily opened one has none yet (its owner may have one by now).</summary>
    private long[]? Current => _data ??= _owner?.Ring(_buckets + 1, allocate: false);

    /// <summary>The newest bucket id; 0 in a ring not yet allocated, as in an allocated empty one.</summary>
    private long Newest => Current is { } data ? data[_buckets] : 0;

    private long[] Allocated() => Current ?? (_data = _owner!.Ring(_buckets + 1, allocate: true)!);

    /// <summary>Adds an amount at an event time; false when the event is too old for the ring.</summary>
    public bool Add(DateTimeOffset at, long amount = 1)
    {
        var id = BucketId(at);
        var newest = Newest;
        if (id <= newest - _buckets)
        {
            return false;
        }

        var data = Allocated();
        if (id > newest)
        {
            // The buckets between the old newest and this one had no events: their slots, which still
            // hold counts from a ring ago, start again at zero.
            var passed = Math.Min(id - newest, _buckets);
            for (long k = 0; k < passed; k++)
            {
                data[Slot(id - k)] = 0;
            }

            data[_buckets] = id;
        }

        var slot = Slot(id);
        data[slot] = Saturating.Add(data[slot], amount);
        return true;
    }

    /// <summary>Sum over the buckets of the last <paramref name="window"/> up to and including <paramref name="now"/>'s bucket.</summary>
    public long Sum(DateTimeOffset now, TimeSpan window)
    {
        var last = BucketId(now);
        long sum = 0;
        foreach (var count in Held(last - WholeBuckets(window, _buckets) + 1, last))
        {
            sum = Saturating.Add(sum, count);
        }

        return sum;
    }

    /// <summary>
    /// The count over the sliding window (<paramref name="now"/> − <paramref name="window"/>, <paramref name="now"/>]:
    /// the buckets the window covers whole, plus the share of the oldest, partly covered bucket that
    /// lies inside it (its events taken as spread evenly). Unlike <see cref="Sum"/>, it does not drop
    /// to zero when the clock enters a new bucket: "the last hour" at 10:01 still counts 9:05.
    /// The window may cover at most one bucket less than the ring.
    /// </summary>
    public long Estimate(DateTimeOffset now, TimeSpan window)
    {
        var buckets = Math.Max((window.Ticks + _bucketTicks - 1) / _bucketTicks, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(buckets, _buckets - 1, nameof(window));
        var whole = Sum(now, window);
        var partial = BucketId(now) - buckets;
        // How much of the partial bucket is still inside the window: the part after now - window.
        var partialEnd = (partial + 1) * _bucketTicks;
        var inside = Math.Clamp(partialEnd - (now.UtcTicks - window.Ticks), 0, _bucketTicks) / (double)_bucketTicks;
        return (long)Math.Round(whole + (Count(partial) * inside));
    }

    /// <summary>
    /// The largest count any <paramref name="window"/> of whole buckets reached within the last
    /// <paramref name="lookback"/>: "the busiest five minutes of the last hour".
    /// </summary>
    public long PeakSum(DateTimeOffset now, TimeSpan lookback, TimeSpan window)
    {
        var last = BucketId(now);
        var span = WholeBuckets(lookback, _buckets);
        var width = (int)WholeBuckets(window, span);
        var first = last - span + 1;
        Span<long> byAge = span <= 256 ? stackalloc long[(int)span] : new long[span];
        byAge.Clear();
        var held = Held(first, last);
        if (held.Length > 0)
        {
            held.CopyTo(byAge[(int)(held.First - first)..]);
        }

        long running = 0, peak = 0;
        for (var i = 0; i < byAge.Length; i++)
        {
            running = Saturating.Add(running, byAge[i]);
            if (i >= width)
            {
                running -= byAge[i - width];
            }

            peak = Math.Max(peak, running);
        }

        return peak;
    }

    /// <summary>How many of the last <paramref name="window"/>'s buckets have any count: a measure of steady activity.</summary>
    public int ActiveBuckets(DateTimeOffset now, TimeSpan window)
    {
        var last = BucketId(now);
        var active = 0;
        foreach (var count in Held(last - WholeBuckets(window, _buckets) + 1, last))
        {
            if (count > 0)
            {
                active++;
            }
        }

        return active;
    }

    /// <summary>
    /// The counts of the buckets <paramref name="first"/>..<paramref name="last"/> that the ring holds,
    /// oldest first: one run of slots, wrapping round the end of the array at most once.
    /// </summary>
    private HeldCounts Held(long first, long last)
    {
        first = Math.Max(first, Newest - _buckets + 1);
        last = Math.Min(last, Newest);
        // A ring not yet allocated holds only zeros: no counts at all answers the same.
        return first > last || Current is not { } data ? default : new HeldCounts(data.AsSpan(0, _buckets), first, Slot(first), (int)(last - first + 1));
    }

    /// <summary>A run of <see cref="Length"/> slots from <c>start</c>, wrapping round the ring.</summary>
    private readonly ref struct HeldCounts(Span<long> ring, long first, int start, int length)
    {
        private readonly Span<long> _ring = ring;
        private readonly int _start = start;

        /// <summary>The bucket id of the first count.</summary>
        public long First { get; } = first;

        public int Length { get; } = length;

        public void CopyTo(Span<long> target)
        {
            var head = Math.Min(Length, _ring.Length - _start);
            _ring.Slice(_start, head).CopyTo(target);
            _ring[..(Length - head)].CopyTo(target[head..]);
        }

        public Enumerator GetEnumerator() => new(_ring, _start, Length);

        public ref struct Enumerator(Span<long> ring, int start, int length)
        {
            private readonly Span<long> _ring = ring;
            private int _slot = start - 1;
            private int _left = length;

            public readonly long Current => _ring[_slot];

            public bool MoveNext()
            {
                if (_left-- <= 0)
                {
                    return false;
                }

                if (++_slot == _ring.Length)
                {
                    _slot = 0;
                }

                return true;
            }
        }
    }

    /// <summary>A bucket's count: zero unless the ring holds it.</summary>
    private long Count(long id) => Current is { } data && id <= Newest && id > Newest - _buckets ? data[Slot(id)] : 0;

    /// <summary>How many whole buckets a window covers, at least one and at most <paramref name="max"/>.</summary>
    private long WholeBuckets(TimeSpan window, long max) => Math.Clamp((window.Ticks + _bucketTicks - 1) / _bucketTicks, 1, max);

    private long BucketId(DateTimeOffset at) => at.UtcTicks / _bucketTicks;

    private int Slot(long id) => SlotOf(id, _buckets);

    private static int SlotOf(long id, int buckets) => (int)(((id % buckets) + buckets) % buckets);
}
