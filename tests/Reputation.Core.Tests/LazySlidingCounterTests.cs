using FsCheck;
using FsCheck.Fluent;
using Reputation.Core.Windows;

namespace Reputation.Core.Tests;

/// <summary>A ring opened with <see cref="SlidingCounter.Lazy"/>: no array until its first add, the same answers throughout.</summary>
public sealed class LazySlidingCounterTests
{
    private static readonly DateTimeOffset s_t0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Keeps the ring as <c>WindowState</c> does, and counts its allocations.</summary>
    private sealed class Owner : SlidingCounter.IRingOwner
    {
        public long[]? Kept { get; private set; }

        public List<long[]> Allocations { get; } = [];

        public long[]? Ring(int length, bool allocate)
        {
            if (Kept is null && allocate)
            {
                Kept = new long[length];
                Allocations.Add(Kept);
            }

            return Kept;
        }
    }

    [Fact]
    public void Reads_of_a_ring_never_added_to_allocate_nothing_and_answer_as_an_allocated_empty_ring()
    {
        var owner = new Owner();
        var lazy = SlidingCounter.Lazy(TimeSpan.FromMinutes(1), 61, owner);
        var empty = SlidingCounter.PerMinute(61);
        var now = s_t0.AddMinutes(30.5);

        foreach (var window in new[] { TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(7), TimeSpan.FromHours(1) })
        {
            Assert.Equal(empty.Sum(now, window), lazy.Sum(now, window));
            Assert.Equal(empty.Estimate(now, window), lazy.Estimate(now, window));
            Assert.Equal(empty.ActiveBuckets(now, window), lazy.ActiveBuckets(now, window));
            Assert.Equal(empty.PeakSum(now, TimeSpan.FromHours(1), window), lazy.PeakSum(now, TimeSpan.FromHours(1), window));
        }

        // The same argument checks as an allocated ring: a window as long as the ring cannot be estimated.
        Assert.Throws<ArgumentOutOfRangeException>(() => empty.Estimate(now, TimeSpan.FromMinutes(61)));
        Assert.Throws<ArgumentOutOfRangeException>(() => lazy.Estimate(now, TimeSpan.FromMinutes(61)));
        Assert.Equal(61, lazy.Buckets);
        Assert.Equal(TimeSpan.FromMinutes(61), lazy.Span);
        Assert.Empty(owner.Allocations);
    }

    [Fact]
    public void The_first_add_allocates_the_ring_once_and_hands_it_to_the_owner()
    {
        var owner = new Owner();
        var lazy = SlidingCounter.Lazy(TimeSpan.FromHours(1), 25, owner);

        Assert.True(lazy.Add(s_t0, 3));
        Assert.True(lazy.Add(s_t0.AddHours(2), 4));

        var ring = Assert.Single(owner.Allocations);
        Assert.Equal(26, ring.Length);
        Assert.Same(ring, lazy.Data);
        // What the owner keeps is the ring itself: a counter wrapped round it later sees the same counts.
        var reopened = SlidingCounter.Wrap(TimeSpan.FromHours(1), ring);
        Assert.Equal(7, reopened.Sum(s_t0.AddHours(2), TimeSpan.FromHours(24)));
        Assert.Equal(4, reopened.Sum(s_t0.AddHours(2), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Counters_opened_on_one_owner_before_its_first_add_share_the_ring_it_allocates()
    {
        var owner = new Owner();
        var first = SlidingCounter.Lazy(TimeSpan.FromMinutes(1), 61, owner);
        var second = SlidingCounter.Lazy(TimeSpan.FromMinutes(1), 61, owner);
        var now = s_t0.AddMinutes(10);

        Assert.Equal(0, first.Sum(now, TimeSpan.FromHours(1)));
        Assert.True(second.Add(now, 2));
        Assert.True(first.Add(now, 3));

        Assert.Single(owner.Allocations);
        Assert.Equal(5, first.Sum(now, TimeSpan.FromHours(1)));
        Assert.Equal(5, second.Sum(now, TimeSpan.FromHours(1)));
    }

    [Fact]
    public void A_lazy_ring_takes_a_bucket_count_of_at_least_one_and_an_owner()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SlidingCounter.Lazy(TimeSpan.FromMinutes(1), 0, new Owner()));
        Assert.Throws<ArgumentOutOfRangeException>(() => SlidingCounter.Lazy(TimeSpan.Zero, 5, new Owner()));
        Assert.Throws<ArgumentNullException>(() => SlidingCounter.Lazy(TimeSpan.FromMinutes(1), 5, null!));
    }

    /// <summary>
    /// For any adds (late, too old, negative: a voided event takes its count back) interleaved with
    /// reads, a lazy ring answers every call exactly as a ring allocated empty, and ends with the same array.
    /// </summary>
    [Fact]
    public void A_lazy_ring_answers_every_call_as_an_allocated_empty_ring()
    {
        var gen =
            from buckets in Gen.Choose(2, 12)
            from ops in Gen.ListOf(
                from op in Gen.Choose(0, 5)
                from second in Gen.Choose(0, 3 * 12 * 60)
                from amount in Gen.Choose(-3, 5)
                select (op, second, amount))
            select (buckets, ops);

        Properties.Check(Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (buckets, ops) = t;
            var bucket = TimeSpan.FromMinutes(1);
            var owner = new Owner();
            var lazy = SlidingCounter.Lazy(bucket, buckets, owner);
            var allocated = new SlidingCounter(bucket, buckets);
            var added = false;
            foreach (var (op, second, amount) in ops)
            {
                var at = s_t0.AddSeconds(second);
                var window = TimeSpan.FromMinutes(Math.Max(1, Math.Abs(amount) % buckets));
                switch (op)
                {
                    case 0:
                    case 1:
                        Assert.Equal(allocated.Add(at, amount), lazy.Add(at, amount));
                        added = true;
                        break;
                    case 2:
                        Assert.Equal(allocated.Sum(at, window), lazy.Sum(at, window));
                        break;
                    case 3:
                        Assert.Equal(allocated.Estimate(at, window), lazy.Estimate(at, window));
                        break;
                    case 4:
                        Assert.Equal(allocated.ActiveBuckets(at, window), lazy.ActiveBuckets(at, window));
                        break;
                    default:
                        Assert.Equal(allocated.PeakSum(at, TimeSpan.FromMinutes(buckets), window), lazy.PeakSum(at, TimeSpan.FromMinutes(buckets), window));
                        break;
                }

                Assert.Equal(added ? 1 : 0, owner.Allocations.Count);
            }

            Assert.Equal(allocated.Data, lazy.Data);
        }));
    }
}
