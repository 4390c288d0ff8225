using Microsoft.Extensions.Logging.Abstractions;
using Reputation.Core.Scoring;
using Reputation.Grains.State;
using Reputation.Grains.Templates;

namespace Reputation.Grains.Tests;

/// <summary>
/// The silo's model counts are added to from every core at once, mostly without a lock
/// (<see cref="ModelTraffic"/>): what they count must be what a window fed one event at a time counts.
/// </summary>
public sealed class ModelReleasesTests
{
    private static readonly DateTimeOffset s_start = new(2026, 12, 7, 3, 0, 0, TimeSpan.Zero);

    /// <summary>Events of each thread: requests at a minute that mostly moves forward, sometimes back (out-of-order gateways).</summary>
    private static (DateTimeOffset At, long Requests)[][] Events(int threads, int perThread)
    {
        var events = new (DateTimeOffset, long)[threads][];
        for (var t = 0; t < threads; t++)
        {
            var random = new Random(t);
            events[t] = new (DateTimeOffset, long)[perThread];
            for (var i = 0; i < perThread; i++)
            {
                var minute = (i * 90 / perThread) - (random.Next(4) == 0 ? random.Next(3) : 0);
                events[t][i] = (s_start.AddMinutes(minute).AddSeconds(random.Next(60)), 1 + random.Next(20));
            }
        }

        return events;
    }

    [Fact]
    public async Task Counts_added_from_many_threads_across_minutes_are_the_counts_of_one_thread()
    {
        var events = Events(threads: 8, perThread: 20_000);
        var gate = new Lock();
        var traffic = new ModelTraffic(s_start.UtcTicks);
        using var go = new ManualResetEventSlim();
        var workers = events.Select(mine => Task.Run(() =>
        {
            go.Wait(TestContext.Current.CancellationToken);
            foreach (var (at, requests) in mine)
            {
                if (!traffic.TryAdd(ModelTraffic.MinuteOf(at), requests))
                {
                    lock (gate)
                    {
                        traffic.Add(at, requests);
                    }
                }
            }
        }, TestContext.Current.CancellationToken)).ToArray();
        // Reads fold the current minute while the adds go on.
        var reader = Task.Run(() =>
        {
            go.Wait(TestContext.Current.CancellationToken);
            while (!workers.All(w => w.IsCompleted))
            {
                lock (gate)
                {
                    traffic.LastHour(s_start.AddMinutes(60));
                }
            }
        }, TestContext.Current.CancellationToken);
        go.Set();
        await Task.WhenAll([.. workers, reader]);

        var reference = WindowState.Create(61);
        foreach (var (at, requests) in events.SelectMany(e => e).OrderBy(e => e.At))
        {
            reference.Minutes().Add(at, requests);
        }

        var now = s_start.AddMinutes(89).AddSeconds(30);
        lock (gate)
        {
            Assert.Equal(reference.Minutes().Estimate(now, TimeSpan.FromHours(1)), traffic.LastHour(now));
        }
    }

    [Fact]
    public async Task The_share_of_new_models_is_the_same_when_usage_arrives_on_many_threads()
    {
        var ramps = ScoringPolicy.Default.Ramps;
        var observation = new Watching(s_start.AddDays(-30));
        var releases = new ModelReleases(null!, observation, NullLogger<ModelReleases>.Instance);
        // An established model, first seen long ago, and one released within the hour.
        releases.Saw("established", s_start.AddDays(-20), 0);
        var events = Events(threads: 6, perThread: 10_000);
        using var go = new ManualResetEventSlim();
        var workers = events.Select((mine, t) => Task.Run(() =>
        {
            go.Wait(TestContext.Current.CancellationToken);
            foreach (var (at, requests) in mine)
            {
                releases.Saw(t % 2 == 0 ? "established" : "released", at, requests);
            }
        }, TestContext.Current.CancellationToken)).ToArray();
        go.Set();
        await Task.WhenAll(workers);

        var now = s_start.AddMinutes(89).AddSeconds(30);
        var established = WindowState.Create(61);
        var released = WindowState.Create(61);
        for (var t = 0; t < events.Length; t++)
        {
            foreach (var (at, requests) in events[t])
            {
                (t % 2 == 0 ? established : released).Minutes().Add(at, requests);
            }
        }

        long fresh = released.Minutes().Estimate(now, TimeSpan.FromHours(1));
        long all = fresh + established.Minutes().Estimate(now, TimeSpan.FromHours(1));
        Assert.True(releases.IsNewlyReleased("released", now, ramps));
        Assert.False(releases.IsNewlyReleased("established", now, ramps));
        Assert.Equal(fresh / (double)all, releases.NewShareLastHour(now, ramps));
    }

    private sealed class Watching(DateTimeOffset since) : IUsageObservation
    {
        public DateTimeOffset? Since => since;

        public void Saw(DateTimeOffset at)
        {
        }
    }
}
