using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Reputation.Core.Scoring;
using Reputation.Grains.Accounts;

namespace Reputation.Grains.Tests;

/// <summary>A silo whose IP ranges can be made to fail their signal reads, as when a range's silo is unreachable.</summary>
public sealed class FailingRangesFixture : SiloFixture
{
    public FailingRanges Failing { get; } = new();

    protected override void ConfigureServices(IServiceCollection services)
    {
        WatchedForYears(services);
        services.AddSingleton<IIncomingGrainCallFilter>(Failing);
    }

    public IMeterFactory Meters => Cluster.Silos[0].ServiceProvider.GetRequiredService<IMeterFactory>();
}

/// <summary>Fails <see cref="IIpRangeGrain.GetSignalsAsync"/> while <see cref="On"/>.</summary>
public sealed class FailingRanges : IIncomingGrainCallFilter
{
    private volatile bool _on;

    public bool On
    {
        get => _on;
        set => _on = value;
    }

    public Task Invoke(IIncomingGrainCallContext context) =>
        _on && context.InterfaceMethod.Name == nameof(IIpRangeGrain.GetSignalsAsync)
            ? throw new InvalidOperationException("range unavailable (test)")
            : context.Invoke();
}

/// <summary>An account's background refresh of its entities' signals: nobody awaits it, so a failure must be counted (issue 16).</summary>
public sealed class SignalRefreshTests(FailingRangesFixture fixture) : IClassFixture<FailingRangesFixture>
{
    [Fact]
    public async Task A_failed_background_refresh_is_counted_the_decision_still_answers_and_the_next_one_refreshes()
    {
        long failed = 0, refreshed = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this fixture's silo: other test silos run in the same process.
            if (instrument.Name == "reputation.signals.refreshes" && ReferenceEquals(instrument.Meter.Scope, fixture.Meters))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "result")
                {
                    _ = Interlocked.Add(ref (string)tag.Value! == "failed" ? ref failed : ref refreshed, value);
                }
            }
        });
        listener.Start();

        const string range = "172.21.1.0/24";
        var account = fixture.Grains.GetGrain<IAccountGrain>("refresh-1");
        await account.SignupAsync(Events.Signup(fixture.Time.GetUtcNow().AddDays(-30), range));
        Assert.Equal((int)RequestOutcome.Allow, (await account.DecideRequestAsync(range)).Outcome);

        // The cached signals grow stale while the range cannot answer: the decision answers from them.
        fixture.Failing.On = true;
        fixture.Time.Advance(AccountGrain.SignalsMaxAge + TimeSpan.FromSeconds(1));
        Assert.Equal((int)RequestOutcome.Allow, (await account.DecideRequestAsync(range)).Outcome);
        await Eventually.HoldsAsync(() => Task.FromResult(Interlocked.Read(ref failed) == 1), "the failed refresh counted");
        Assert.Equal(0, Interlocked.Read(ref refreshed));

        // Once the range answers again, the next decision refreshes.
        fixture.Failing.On = false;
        await account.DecideRequestAsync(range);
        await Eventually.HoldsAsync(() => Task.FromResult(Interlocked.Read(ref refreshed) == 1), "the next refresh counted");
        Assert.Equal(1, Interlocked.Read(ref failed));
    }
}
