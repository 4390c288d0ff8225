using Microsoft.Extensions.DependencyInjection;
using Reputation.Core.Backtests;
using Reputation.Core.Policies;
using Reputation.Core.Scoring;
using Reputation.Grains.Backtests;
using Reputation.Grains.Erasure;
using Reputation.Grains.Policies;

namespace Reputation.Grains.Tests;

/// <summary>
/// Two silos of their own per test class, each keeping up to 10,000 decisions of each kind: more
/// than a test makes, so the sample holds every decision made in it.
/// </summary>
public sealed class BacktestFixture : SiloFixture
{
    protected override short Silos => 2;

    protected override void ConfigureServices(IServiceCollection services)
    {
        WatchedForYears(services);
        services.AddSingleton(new DecisionSampleSettings(10_000, Seed: 15));
    }

    public IBacktestGrain Backtest => Grains.GetGrain<IBacktestGrain>(0);

    public IDecisionSamples SamplesOf(int silo) => Cluster.Silos[silo].SiloHost.Services.GetRequiredService<IDecisionSamples>();

    /// <summary>Some accounts on one card (which grows suspect as they join), each deciding signup, request and billing.</summary>
    public async Task<string[]> DecideAsync(string prefix, int accounts)
    {
        var now = Time.GetUtcNow();
        var ids = Enumerable.Range(1, accounts).Select(i => $"{prefix}-{i}").ToArray();
        foreach (var id in ids)
        {
            var account = Grains.GetGrain<IAccountGrain>(id);
            await account.SignupAsync(Events.Signup(now, "203.0.113.0/24", $"pf-{prefix}"));
            await account.DecideRequestAsync("203.0.113.0/24");
            await account.DecideBillingAsync($"pf-{prefix}", 20_000, "USD");
        }

        return ids;
    }

    public static string Strict => PolicyJson.Serialize(ScoringPolicy.Default with
    {
        Signup = new SignupThresholds { Review = 0.1, Challenge = 0.2, Deny = 0.3 },
        Request = new RequestThresholds { Throttle = 0.1, Degrade = 0.2, Block = 0.3 },
        Billing = new BillingThresholds { Hold = 0.1, Deny = 0.2 },
    });

    public static string Live => PolicyJson.Serialize(ScoringPolicy.Default);
}

/// <summary>A backtest counts what the same candidate, set as shadow, counted on the same decisions.</summary>
public sealed class BacktestShadowTests(BacktestFixture fixture) : IClassFixture<BacktestFixture>
{
    [Fact]
    public async Task A_backtest_counts_what_the_candidate_set_as_shadow_decided_on_the_same_decisions()
    {
        var policy = fixture.Grains.GetGrain<IPolicyGrain>(PolicyGrain.DefaultName);
        await Eventually.HoldsAsync(() => Task.FromResult(fixture.Cluster.Silos.All(s => s.SiloHost.Services.GetRequiredService<SiloPolicyCache>().IsSubscribed)),
            "both silos follow the policy");
        // Told to every silo before it answers: each decision from here is also decided under it.
        var shadow = await policy.SetShadowAsync(BacktestFixture.Strict, "tests");
        var accounts = await fixture.DecideAsync("bt-shadow", 12);
        var report = fixture.Grains.GetGrain<IShadowReportGrain>(ShadowReportGrain.Key(PolicyGrain.DefaultName, shadow.Id));
        await Eventually.HoldsAsync(async () => (await report.GetAsync()).Counts.Sum() == accounts.Length * 3, "every silo reported its shadow counts");

        var backtest = (await fixture.Backtest.RunAsync(BacktestFixture.Live, BacktestFixture.Strict)).ToTally();

        var shadowCounts = (await report.GetAsync()).Counts;
        Assert.Equal(shadowCounts, backtest.Counts);
        Assert.Equal(accounts.Length, backtest.Sampled(DecisionKind.Request));
        Assert.True(backtest.ChangedCount(DecisionKind.Request) > 0, "the strict candidate holds accounts the live policy allows");
        Assert.Equal((await report.GetAsync()).Changed.Order(), backtest.Changed.Select(c => c.AccountId).Distinct().Order());
        await policy.ClearShadowAsync();
    }
}

/// <summary>The backtest reaches every silo's sample and the sample stays bounded.</summary>
public sealed class BacktestSiloTests(BacktestFixture fixture) : IClassFixture<BacktestFixture>
{
    private static readonly DateTimeOffset s_at = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_backtest_adds_up_the_samples_of_every_silo()
    {
        fixture.SamplesOf(0).Offer(DecisionKind.Request, "bt-silo-a", s_at, Inputs(), null);
        fixture.SamplesOf(1).Offer(DecisionKind.Request, "bt-silo-b", s_at, Inputs(), null);
        fixture.SamplesOf(1).Offer(DecisionKind.Signup, "bt-silo-c", s_at, Inputs(), null);

        var tally = await fixture.Backtest.RunAsync(BacktestFixture.Live, BacktestFixture.Strict);

        Assert.Equal(2, tally.Silos);
        Assert.Equal(2, tally.ToTally().Sampled(DecisionKind.Request));
        Assert.Equal(1, tally.ToTally().Sampled(DecisionKind.Signup));
        Assert.Equal(["bt-silo-a", "bt-silo-b", "bt-silo-c"], tally.Changed.Select(c => c.AccountId).Order());
    }

    [Fact]
    public void A_silo_s_sample_keeps_its_capacity_of_each_kind_whatever_the_traffic()
    {
        var samples = new DecisionSamples(new DecisionSampleSettings(50, Seed: 1));
        for (var i = 0; i < 5_000; i++)
        {
            samples.Offer((DecisionKind)(i % 3), $"acct-{i}", s_at, Inputs(), null);
        }

        var held = samples.Snapshot();
        Assert.Equal(150, held.Count);
        Assert.All(Enum.GetValues<DecisionKind>(), k => Assert.Equal(50, held.Count(s => s.Kind == k)));
    }

    /// <summary>A day-old account on a card of eight: throttled only under the strict candidate.</summary>
    private static ScoreInputs Inputs() => new()
    {
        Account = new AccountFacts(s_at.AddDays(-1), 0),
        Instruments = new[] { new InstrumentFacts(DistinctAccounts: 8, 0, 0) },
    };
}

/// <summary>An erased account leaves every silo's sample.</summary>
public sealed class BacktestErasureTests(BacktestFixture fixture) : IClassFixture<BacktestFixture>
{
    [Fact]
    public async Task Erasure_drops_the_account_s_sampled_decisions_on_every_silo()
    {
        var accounts = await fixture.DecideAsync("bt-erase", 3);
        var before = (await fixture.Backtest.RunAsync(BacktestFixture.Live, BacktestFixture.Strict)).ToTally();
        Assert.Equal(9, Enum.GetValues<DecisionKind>().Sum(before.Sampled));
        Assert.Contains(before.Changed, c => c.AccountId == accounts[0]);

        var report = await AccountErasure.EraseAsync(fixture.Grains, accounts[0], "erased-test");

        Assert.Equal(3, report?.BacktestSamples);
        var after = (await fixture.Backtest.RunAsync(BacktestFixture.Live, BacktestFixture.Strict)).ToTally();
        Assert.Equal(6, Enum.GetValues<DecisionKind>().Sum(after.Sampled));
        Assert.DoesNotContain(after.Changed, c => c.AccountId == accounts[0]);
        Assert.DoesNotContain(fixture.Cluster.Silos.Select((_, i) => fixture.SamplesOf(i)), s => s.Snapshot().Any(x => x.AccountId == accounts[0]));
    }
}
