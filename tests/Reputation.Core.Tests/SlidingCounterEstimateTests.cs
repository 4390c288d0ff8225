using FsCheck;
using FsCheck.Fluent;
using Reputation.Core.Windows;

namespace Reputation.Core.Tests;

public sealed class SlidingCounterEstimateTests
{
    private static readonly DateTimeOffset s_t0 = new(2025, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset Minute(double minutes) => s_t0.AddMinutes(minutes);

    [Fact]
    public void The_last_hour_does_not_drop_to_zero_when_the_clock_enters_a_new_hour()
    {
        var counter = new SlidingCounter(TimeSpan.FromMinutes(1), 61);
        counter.Add(Minute(-2), 10); // 9:58

        Assert.Equal(10, counter.Estimate(Minute(1), TimeSpan.FromHours(1)));   // 10:01
        Assert.Equal(10, counter.Estimate(Minute(57.5), TimeSpan.FromHours(1)));
        Assert.Equal(0, counter.Estimate(Minute(59), TimeSpan.FromHours(1)));   // 9:58 has left (9:59, 10:59]
    }

    [Fact]
    public void The_bucket_the_window_slides_out_of_counts_by_the_share_still_inside()
    {
        var counter = new SlidingCounter(TimeSpan.FromMinutes(1), 61);
        counter.Add(Minute(0.2), 60); // minute 10:00
        counter.Add(Minute(1.5), 6);  // minute 10:01

        // At 10:01:30 the last minute is (10:00:30, 10:01:30]: half of 10:00 and all of 10:01.
        Assert.Equal(36, counter.Estimate(Minute(1.5), TimeSpan.FromMinutes(1)));
        // At exactly 10:02 the last minute is all of 10:01.
        Assert.Equal(6, counter.Estimate(Minute(2), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void A_window_as_long_as_the_ring_is_refused()
    {
        var counter = SlidingCounter.PerMinute(60);

        Assert.Throws<ArgumentOutOfRangeException>(() => counter.Estimate(s_t0, TimeSpan.FromHours(1)));
        Assert.Equal(0, counter.Estimate(s_t0, TimeSpan.FromMinutes(59)));
    }

    [Fact]
    public void The_estimate_lies_between_the_whole_buckets_of_the_window_and_one_bucket_more()
    {
        var events = Gen.ListOf(Gen.Choose(0, 3000).Select(seconds => (Seconds: seconds, Amount: 1 + (seconds % 5))));
        var now = Gen.Choose(3000, 3600);
        var window = Gen.Choose(1, 30);
        Properties.Check(Prop.ForAll(events.ToArbitrary(), now.ToArbitrary(), window.ToArbitrary(), (list, nowSeconds, minutes) =>
        {
            var counter = new SlidingCounter(TimeSpan.FromMinutes(1), 61);
            foreach (var (seconds, amount) in list)
            {
                counter.Add(s_t0.AddSeconds(seconds), amount);
            }

            var at = s_t0.AddSeconds(nowSeconds);
            var estimate = counter.Estimate(at, TimeSpan.FromMinutes(minutes));
            var inner = counter.Sum(at, TimeSpan.FromMinutes(minutes));
            var outer = counter.Sum(at, TimeSpan.FromMinutes(minutes + 1));
            return estimate >= inner && estimate <= outer;
        }));
    }

    [Fact]
    public void The_peak_is_the_busiest_window_of_whole_buckets_within_the_lookback()
    {
        var counter = new SlidingCounter(TimeSpan.FromMinutes(1), 61);
        counter.Add(Minute(1), 3);
        counter.Add(Minute(20), 10);
        counter.Add(Minute(22), 10);
        counter.Add(Minute(26), 10);
        counter.Add(Minute(50), 4);

        Assert.Equal(20, counter.PeakSum(Minute(59), TimeSpan.FromHours(1), TimeSpan.FromMinutes(5)));  // minutes 20-24
        Assert.Equal(30, counter.PeakSum(Minute(59), TimeSpan.FromHours(1), TimeSpan.FromMinutes(7)));  // 20-26
        Assert.Equal(4, counter.PeakSum(Minute(59), TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(5))); // only 40-59
        Assert.Equal(0, counter.PeakSum(Minute(200), TimeSpan.FromHours(1), TimeSpan.FromMinutes(5)));
    }
}
