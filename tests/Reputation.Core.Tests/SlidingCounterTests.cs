using FsCheck;
using FsCheck.Fluent;
using Reputation.Core.Windows;

namespace Reputation.Core.Tests;

public sealed class SlidingCounterTests
{
    private static readonly DateTimeOffset s_t0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset Minute(double minutes) => s_t0.AddMinutes(minutes);

    [Fact]
    public void Sum_counts_events_by_event_time_within_the_window()
    {
        var counter = SlidingCounter.PerMinute();
        counter.Add(Minute(0));
        counter.Add(Minute(10.5), 2);
        counter.Add(Minute(30));
        counter.Add(Minute(59.9), 4);

        Assert.Equal(8, counter.Sum(Minute(59.9), TimeSpan.FromHours(1)));
        Assert.Equal(4, counter.Sum(Minute(59.9), TimeSpan.FromMinutes(1)));
        Assert.Equal(5, counter.Sum(Minute(59.9), TimeSpan.FromMinutes(30)));
        Assert.Equal(7, counter.Sum(Minute(59.9), TimeSpan.FromMinutes(50)));
        // Once minute 0 has left the last hour it no longer counts.
        Assert.Equal(7, counter.Sum(Minute(60), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Sum_excludes_events_after_now()
    {
        var counter = SlidingCounter.PerMinute();
        counter.Add(Minute(5));
        counter.Add(Minute(6));
        Assert.Equal(1, counter.Sum(Minute(5), TimeSpan.FromMinutes(10)));
    }

    [Fact]
    public void Event_time_is_compared_as_an_instant_whatever_its_offset()
    {
        var counter = SlidingCounter.PerMinute();
        counter.Add(Minute(3).ToOffset(TimeSpan.FromHours(9)));
        counter.Add(Minute(3).ToOffset(TimeSpan.FromHours(-5)));
        Assert.Equal(2, counter.Sum(Minute(3), TimeSpan.FromMinutes(1)));
        Assert.Equal(1, counter.ActiveBuckets(Minute(3), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void Late_events_within_the_ring_are_counted()
    {
        var counter = SlidingCounter.PerMinute();
        Assert.True(counter.Add(Minute(100)));
        Assert.True(counter.Add(Minute(45)));
        Assert.True(counter.Add(Minute(99)));

        Assert.Equal(3, counter.Sum(Minute(100), TimeSpan.FromHours(1)));
        Assert.Equal(2, counter.Sum(Minute(100), TimeSpan.FromMinutes(2)));
    }

    [Fact]
    public void Events_older_than_the_ring_are_dropped()
    {
        var counter = SlidingCounter.PerMinute();
        Assert.True(counter.Add(Minute(100)));

        // Minute 40 is 60 minutes before minute 100: just outside a 60-bucket ring (41..100).
        Assert.False(counter.Add(Minute(40)));
        Assert.False(counter.Add(Minute(30)));
        Assert.False(counter.Add(Minute(-500)));
        Assert.True(counter.Add(Minute(41)));

        Assert.Equal(2, counter.Sum(Minute(100), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void An_event_whose_bucket_was_reused_is_dropped()
    {
        var counter = SlidingCounter.PerMinute();
        Assert.True(counter.Add(Minute(70)));  // slot 10
        Assert.False(counter.Add(Minute(10))); // slot 10 holds a newer minute
        Assert.Equal(1, counter.Sum(Minute(70), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void A_bucket_reused_by_a_newer_time_drops_the_older_count()
    {
        var counter = SlidingCounter.PerMinute();
        counter.Add(Minute(10), 5);
        Assert.True(counter.Add(Minute(70), 2)); // same slot, one ring later

        Assert.Equal(2, counter.Sum(Minute(70), TimeSpan.FromHours(1)));
        // Looking back at minute 10 finds nothing: its count was replaced, not added to.
        Assert.Equal(0, counter.Sum(Minute(10), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void Sum_over_a_window_larger_than_the_ring_is_clamped_to_the_ring()
    {
        var counter = SlidingCounter.PerMinute();
        counter.Add(Minute(0), 7); // slot 0, never overwritten
        counter.Add(Minute(70));   // slot 10

        // Minute 0 is within two hours of minute 70, but the ring only vouches for its last hour.
        Assert.Equal(1, counter.Sum(Minute(70), TimeSpan.FromHours(2)));
        Assert.Equal(counter.Sum(Minute(70), TimeSpan.FromHours(1)), counter.Sum(Minute(70), TimeSpan.FromDays(30)));
        Assert.Equal(1, counter.ActiveBuckets(Minute(70), TimeSpan.FromHours(2)));
    }

    [Fact]
    public void A_zero_or_negative_window_covers_the_current_bucket()
    {
        var counter = SlidingCounter.PerMinute();
        counter.Add(Minute(4));
        counter.Add(Minute(5));
        Assert.Equal(1, counter.Sum(Minute(5), TimeSpan.Zero));
        Assert.Equal(1, counter.Sum(Minute(5), TimeSpan.FromMinutes(-3)));
    }

    [Fact]
    public void Partial_bucket_windows_round_up_to_whole_buckets()
    {
        var counter = SlidingCounter.PerMinute();
        counter.Add(Minute(8));
        counter.Add(Minute(9));
        counter.Add(Minute(10));
        Assert.Equal(2, counter.Sum(Minute(10), TimeSpan.FromSeconds(61)));
    }

    [Fact]
    public void ActiveBuckets_counts_distinct_active_minutes()
    {
        var counter = SlidingCounter.PerMinute();
        counter.Add(Minute(0));
        counter.Add(Minute(0.2));
        counter.Add(Minute(0.9));
        counter.Add(Minute(5));
        counter.Add(Minute(5.5));
        counter.Add(Minute(10));

        Assert.Equal(3, counter.ActiveBuckets(Minute(10), TimeSpan.FromHours(1)));
        Assert.Equal(2, counter.ActiveBuckets(Minute(10), TimeSpan.FromMinutes(6)));
        Assert.Equal(1, counter.ActiveBuckets(Minute(10), TimeSpan.FromMinutes(1)));
        Assert.Equal(0, counter.ActiveBuckets(Minute(80), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void PerHour_buckets_by_hour_over_two_days()
    {
        var counter = SlidingCounter.PerHour();
        Assert.Equal(TimeSpan.FromHours(1), counter.Bucket);
        Assert.Equal(TimeSpan.FromHours(48), counter.Span);
        counter.Add(s_t0);
        counter.Add(s_t0.AddMinutes(59));
        counter.Add(s_t0.AddHours(47));
        Assert.Equal(3, counter.Sum(s_t0.AddHours(47), TimeSpan.FromDays(2)));
        Assert.Equal(1, counter.Sum(s_t0.AddHours(47), TimeSpan.FromDays(1)));
        Assert.Equal(2, counter.ActiveBuckets(s_t0.AddHours(47), TimeSpan.FromDays(2)));
    }

    [Fact]
    public void Wrap_round_trips_the_persisted_array_without_copying()
    {
        var counter = SlidingCounter.PerMinute();
        counter.Add(Minute(1), 3);
        counter.Add(Minute(2));
        var data = counter.Data;

        var restored = SlidingCounter.Wrap(TimeSpan.FromMinutes(1), data);

        Assert.Same(data, restored.Data);
        Assert.Equal(60, restored.Buckets);
        Assert.Equal(4, restored.Sum(Minute(2), TimeSpan.FromHours(1)));
        Assert.True(restored.Add(Minute(2), 10));
        Assert.Equal(14, counter.Sum(Minute(2), TimeSpan.FromHours(1)));
        // A newer bucket through the wrapper moves the ring of the original too.
        Assert.True(restored.Add(Minute(62), 5));
        Assert.Equal(5, counter.Sum(Minute(62), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Wrap_rejects_arrays_too_short_for_a_ring_and_bad_buckets()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SlidingCounter.Wrap(TimeSpan.FromMinutes(1), [7]));
        Assert.Throws<ArgumentOutOfRangeException>(() => SlidingCounter.Wrap(TimeSpan.FromMinutes(1), []));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SlidingCounter(TimeSpan.Zero, 60));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SlidingCounter(TimeSpan.FromMinutes(1), 0));
        Assert.Throws<ArgumentException>(() => SlidingCounter.FromSlots(new long[60], new long[59]));
    }

    [Fact]
    public void State_size_does_not_grow_with_traffic()
    {
        var counter = SlidingCounter.PerMinute();
        for (var i = 0; i < 10_000; i++)
        {
            counter.Add(Minute(i * 0.37));
        }

        Assert.Equal(61, counter.Data.Length);
    }

    /// <summary>
    /// A ring stored in the earlier layout (a count and a bucket id per slot, written by the slot-per-id
    /// rules) converts to the same answers: the counts of the buckets the ring still held, nothing of
    /// the slots a newer bucket had passed over.
    /// </summary>
    [Fact]
    public void A_ring_in_the_earlier_two_array_layout_converts_to_the_same_counts()
    {
        // Minutes 5, 40 and 59 of the first hour, then minutes 64 and 70: slots 4 and 10 reused, slot
        // 5 still holds minute 5, which is outside the ring (11..70).
        var minute = (long)(s_t0.UtcTicks / TimeSpan.TicksPerMinute);
        var counts = new long[60];
        var ids = new long[60];
        foreach (var (at, amount) in new[] { (5, 2L), (40, 3L), (59, 4L), (64, 5L), (70, 6L) })
        {
            var slot = (int)((minute + at) % 60);
            (counts[slot], ids[slot]) = (amount, minute + at);
        }

        var converted = SlidingCounter.Wrap(TimeSpan.FromMinutes(1), SlidingCounter.FromSlots(counts, ids));

        Assert.Equal(18, converted.Sum(Minute(70), TimeSpan.FromHours(1)));
        Assert.Equal(11, converted.Sum(Minute(70), TimeSpan.FromMinutes(7)));
        Assert.Equal(0, converted.Sum(Minute(5), TimeSpan.FromMinutes(1)));
        Assert.Equal(4, converted.ActiveBuckets(Minute(70), TimeSpan.FromHours(1)));
        Assert.False(converted.Add(Minute(10)));
        Assert.True(converted.Add(Minute(71)));
    }

    /// <summary>
    /// For any events in any order (late ones, ones older than the ring, several per bucket), a window
    /// ending at or after the newest event sums exactly the events whose time falls in it; Add says
    /// false exactly for events older than the ring as it stood when they arrived.
    /// </summary>
    [Fact]
    public void Sum_matches_a_reference_model_for_random_event_sequences()
    {
        var gen =
            from buckets in Gen.Choose(1, 12)
            from events in Gen.ListOf(Gen.Zip(Gen.Choose(0, 3 * 12 * 60), Gen.Choose(1, 5)))
            from nowAfter in Gen.Choose(0, 15 * 60)
            from windowSeconds in Gen.Choose(1, 12 * 60)
            select (buckets, events, nowAfter, windowSeconds);

        Properties.Check(Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (buckets, events, nowAfter, windowSeconds) = t;
            var bucket = TimeSpan.FromMinutes(1);
            var counter = new SlidingCounter(bucket, buckets);
            long? newestSeen = null;
            foreach (var (second, amount) in events)
            {
                var id = second / 60;
                var expected = newestSeen is not { } newest || id > newest - buckets;
                Assert.Equal(expected, counter.Add(s_t0.AddSeconds(second), amount));
                newestSeen = Math.Max(newestSeen ?? id, id);
            }

            var last = events.Count == 0 ? 0 : events.Max(e => e.Item1);
            var now = s_t0.AddSeconds(last + nowAfter);
            var window = TimeSpan.FromSeconds(windowSeconds);
            var nowBucket = (long)(now - s_t0).TotalSeconds / 60;
            var windowBuckets = Math.Min((windowSeconds + 59) / 60, buckets);
            var oldest = nowBucket - windowBuckets + 1;

            var inWindow = events.Where(e => e.Item1 / 60 >= oldest && e.Item1 / 60 <= nowBucket).ToList();
            Assert.Equal(inWindow.Sum(e => (long)e.Item2), counter.Sum(now, window));
            Assert.Equal(inWindow.Select(e => e.Item1 / 60).Distinct().Count(), counter.ActiveBuckets(now, window));

            // The busiest run of whole buckets within a lookback of the whole ring: the largest sum of
            // any windowBuckets consecutive buckets the ring still holds.
            long Bucket(long id) => newestSeen is { } newest && id > newest - buckets ? events.Where(e => e.Item1 / 60 == id).Sum(e => (long)e.Item2) : 0;
            var first = nowBucket - buckets + 1;
            var peak = Enumerable.Range(0, buckets - windowBuckets + 1)
                .Max(start => Enumerable.Range(0, windowBuckets).Sum(k => Bucket(first + start + k)));
            Assert.Equal(peak, counter.PeakSum(now, TimeSpan.FromMinutes(buckets), window));
        }));
    }
}
