namespace Reputation.Core.Windows;

/// <summary>
/// Counts over fixed-size time buckets in a ring (for example 60 one-minute buckets), by event time.
/// State is two arrays of the bucket count, whatever the traffic. An event older than the ring is
/// dropped; an event whose bucket was reused by a newer one is dropped too (it is outside every window).
/// </summary>
public sealed class SlidingCounter
{
    private readonly long _bucketTicks;
    private readonly long[] _counts;
    private readonly long[] _bucketIds;

    public SlidingCounter(TimeSpan bucket, int buckets)
        : this(bucket, new long[buckets], new long[buckets])
    {
    }

    private SlidingCounter(TimeSpan bucket, long[] counts, long[] bucketIds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bucket, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(counts.Length, 1);
        if (counts.Length != bucketIds.Length)
        {
            throw new ArgumentException("Counts and bucket ids differ in length.", nameof(bucketIds));
        }

        _bucketTicks = bucket.Ticks;
        _counts = counts;
        _bucketIds = bucketIds;
    }

    /// <summary>60 one-minute buckets.</summary>
    public static SlidingCounter PerMinute(int minutes = 60) => new(TimeSpan.FromMinutes(1), minutes);

    /// <summary>48 one-hour buckets.</summary>
    public static SlidingCounter PerHour(int hours = 48) => new(TimeSpan.FromHours(1), hours);

    /// <summary>Wraps persisted arrays (not copied: adds write through).</summary>
    public static SlidingCounter Wrap(TimeSpan bucket, long[] counts, long[] bucketIds) => new(bucket, counts, bucketIds);

    public long[] Counts => _counts;

    /// <summary>Per slot, which bucket (event time in ticks divided by the bucket size) it holds.</summary>
    public long[] BucketIds => _bucketIds;

    public TimeSpan Bucket => TimeSpan.FromTicks(_bucketTicks);

    public TimeSpan Span => TimeSpan.FromTicks(_bucketTicks * _counts.Length);

    /// <summary>Adds an amount at an event time; false when the event is too old for the ring.</summary>
    public bool Add(DateTimeOffset at, long amount = 1)
    {
        var id = BucketId(at);
        // The ring holds the newest bucket seen and the ones just before it; anything older is outside
        // every window, whether or not its slot happens to have been reused yet.
        if (id <= _bucketIds.Max() - _counts.Length)
        {
            return false;
        }

        var slot = Slot(id);
        if (_bucketIds[slot] == id)
        {
            _counts[slot] += amount;
            return true;
        }

        if (_bucketIds[slot] > id)
        {
            return false;
        }

        _bucketIds[slot] = id;
        _counts[slot] = amount;
        return true;
    }

    /// <summary>Sum over the buckets of the last <paramref name="window"/> up to and including <paramref name="now"/>'s bucket.</summary>
    public long Sum(DateTimeOffset now, TimeSpan window)
    {
        var newest = BucketId(now);
        var buckets = Math.Clamp((window.Ticks + _bucketTicks - 1) / _bucketTicks, 1, _counts.Length);
        var oldest = newest - buckets + 1;
        long sum = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            var id = _bucketIds[i];
            if (id >= oldest && id <= newest)
            {
                sum += _counts[i];
            }
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
        ArgumentOutOfRangeException.ThrowIfGreaterThan(buckets, _counts.Length - 1, nameof(window));
        var newest = BucketId(now);
        var oldestWhole = newest - buckets + 1;
        var partial = oldestWhole - 1;
        // How much of the partial bucket is still inside the window: the part after now - window.
        var partialEnd = (partial + 1) * _bucketTicks;
        var inside = Math.Clamp(partialEnd - (now.UtcTicks - window.Ticks), 0, _bucketTicks) / (double)_bucketTicks;
        double sum = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            var id = _bucketIds[i];
            if (id >= oldestWhole && id <= newest)
            {
                sum += _counts[i];
            }
            else if (id == partial)
            {
                sum += _counts[i] * inside;
            }
        }

        return (long)Math.Round(sum);
    }

    /// <summary>
    /// The largest count any <paramref name="window"/> of whole buckets reached within the last
    /// <paramref name="lookback"/>: "the busiest five minutes of the last hour".
    /// </summary>
    public long PeakSum(DateTimeOffset now, TimeSpan lookback, TimeSpan window)
    {
        var newest = BucketId(now);
        var span = Math.Clamp((lookback.Ticks + _bucketTicks - 1) / _bucketTicks, 1, _counts.Length);
        var width = Math.Clamp((window.Ticks + _bucketTicks - 1) / _bucketTicks, 1, span);
        var oldest = newest - span + 1;
        Span<long> byAge = span <= 256 ? stackalloc long[(int)span] : new long[span];
        byAge.Clear();
        for (var i = 0; i < _counts.Length; i++)
        {
            var id = _bucketIds[i];
            if (id >= oldest && id <= newest)
            {
                byAge[(int)(id - oldest)] += _counts[i];
            }
        }

        long running = 0, peak = 0;
        for (var i = 0; i < byAge.Length; i++)
        {
            running += byAge[i];
            if (i >= width)
            {
                running -= byAge[i - (int)width];
            }

            peak = Math.Max(peak, running);
        }

        return peak;
    }

    /// <summary>How many of the last <paramref name="window"/>'s buckets have any count: a measure of steady activity.</summary>
    public int ActiveBuckets(DateTimeOffset now, TimeSpan window)
    {
        var newest = BucketId(now);
        var buckets = Math.Clamp((window.Ticks + _bucketTicks - 1) / _bucketTicks, 1, _counts.Length);
        var oldest = newest - buckets + 1;
        var active = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            if (_bucketIds[i] >= oldest && _bucketIds[i] <= newest && _counts[i] > 0)
            {
                active++;
            }
        }

        return active;
    }

    private long BucketId(DateTimeOffset at) => at.UtcTicks / _bucketTicks;

    private int Slot(long id) => (int)(id % _counts.Length);
}
