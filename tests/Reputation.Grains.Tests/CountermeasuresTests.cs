using Microsoft.Extensions.DependencyInjection;
using Reputation.Core.Scoring;
using Reputation.Grains.Accounts;
using Reputation.Grains.Erasure;

namespace Reputation.Grains.Tests;

/// <summary>A silo of its own: these tests move its clock by days.</summary>
public sealed class CountermeasuresFixture : SiloFixture
{
    protected override void ConfigureServices(IServiceCollection services) => WatchedForYears(services);
}

/// <summary>Holds, releases and watermark keys of request decisions, in the account grain (docs/gateway-contract.md).</summary>
public sealed class CountermeasuresTests(CountermeasuresFixture fixture) : IClassFixture<CountermeasuresFixture>
{
    /// <summary>Each account in a range of its own: a flagged neighbour's risk would keep another held.</summary>
    private static string RangeOf(string account) => account switch
    {
        "hold-1" => "172.20.1.0/24",
        "hold-2" => "172.20.2.0/24",
        "lapse-1" => "172.20.4.0/24",
        _ => "172.20.3.0/24",
    };

    private IGrainFactory Grains => fixture.Grains;

    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    private static CountermeasurePolicy Policy => ScoringPolicy.Default.Countermeasures;

    private IDecisionCache Cache => fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IDecisionCache>();

    /// <summary>Half an hour old and 5,000 reasoning-eliciting requests in a minute: new, fast, a burst, eliciting: a degrade.</summary>
    private async Task<IAccountGrain> BurstAsync(string id, bool signup = true)
    {
        var account = Grains.GetGrain<IAccountGrain>(id);
        if (signup)
        {
            await account.SignupAsync(Events.Signup(Now.AddMinutes(-30), RangeOf(id)));
        }

        await account.RecordAsync([Eliciting(id)]);
        return account;
    }

    private UsageEvent Eliciting(string id) => new()
    {
        EventId = Events.NewId("usage"),
        OccurredAt = Now,
        IpRange = RangeOf(id),
        Requests = 5_000,
        OutputTokens = 5_000 * 400,
        ReasoningElicitation = 1,
    };

    [Fact]
    public async Task A_degrade_begins_a_hold_and_issues_the_account_s_watermark_key_both_written_and_the_hold_lapses_at_its_end()
    {
        var range = RangeOf("hold-1");
        var account = await BurstAsync("hold-1");
        var degraded = await account.DecideRequestAsync(range);

        Assert.Equal((int)RequestOutcome.Degrade, degraded.Outcome);
        var until = Now.AddMinutes(Policy.DegradeHoldMinutes);
        Assert.Equal(until, degraded.HoldUntil);
        Assert.Null(degraded.CampaignId);
        Assert.Equal(WatermarkKeys.For(null, "hold-1"), degraded.WatermarkKeyId);

        // Written by the account's own call, and the key recorded with whom it was issued to and when.
        var key = Grains.GetGrain<IWatermarkGrain>(degraded.WatermarkKeyId!);
        await Eventually.HoldsAsync(async () => await key.GetSnapshotAsync() is not null, "the watermark key recorded");
        var issued = (await key.GetSnapshotAsync())!;
        Assert.Equal("hold-1", issued.AccountId);
        Assert.Null(issued.CampaignId);
        Assert.Equal(Now, issued.IssuedAt);
        Assert.Equal(["hold-1"], issued.Accounts);
        Assert.Equal(1, issued.AccountsIssued);
        Assert.Equal(until, (await account.GetSnapshotAsync())!.HoldUntil);

        // Later in the hold every answer names the same end; once the burst is an hour old the account is allowed, still held.
        fixture.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(until, (await account.DecideRequestAsync(range)).HoldUntil);
        fixture.Time.Advance(TimeSpan.FromHours(2));
        var calm = await account.DecideRequestAsync(range);
        Assert.True(calm.Outcome == (int)RequestOutcome.Allow, string.Join("; ", calm.Reasons.Select(r => $"{r.Code} {r.Contribution:F3} {r.Detail}")) + $" score {calm.Score}");
        Assert.Null(calm.HoldUntil);
        Assert.Null(calm.WatermarkKeyId);
        Assert.Equal(until, (await account.GetSnapshotAsync())!.HoldUntil);

        // At its end the hold is over; the next burst begins a new one.
        fixture.Time.Advance(until - Now);
        Assert.Null((await account.GetSnapshotAsync())!.HoldUntil);
        await BurstAsync("hold-1", signup: false);
        var again = await account.DecideRequestAsync(range);
        Assert.NotEqual((int)RequestOutcome.Allow, again.Outcome);
        Assert.Equal(Now + Policy.HoldFor((RequestOutcome)again.Outcome), again.HoldUntil);

        // Erasure takes the account out of its key's record.
        Assert.Equal(1, (await AccountErasure.EraseAsync(Grains, "hold-1", "erased-hold-1"))!.Watermarks);
        Assert.Null(await key.GetSnapshotAsync());
    }

    [Fact]
    public async Task An_account_whose_own_evidence_has_lapsed_does_not_read_its_flag_back_from_its_range()
    {
        var range = RangeOf("lapse-1");
        var account = await BurstAsync("lapse-1");
        Assert.NotEqual((int)RequestOutcome.Allow, (await account.DecideRequestAsync(range)).Outcome);
        var rangeGrain = Grains.GetGrain<IIpRangeGrain>(range);
        await Eventually.HoldsAsync(async () => (await rangeGrain.GetSnapshotAsync())!.Risk > 0, "the range counts its flagged account");

        // A minute on, still in the burst, the next decision refreshes the account's stale signals
        // in the background: the range's, which count it.
        fixture.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.NotEqual((int)RequestOutcome.Allow, (await account.DecideRequestAsync(range)).Outcome);

        // Two hours on the burst is history. The range still counts the account as flagged until it
        // hears otherwise; the account, alone in it, must not take that for a neighbour's risk.
        fixture.Time.Advance(TimeSpan.FromHours(2));
        var calm = await account.DecideRequestAsync(range);
        Assert.DoesNotContain(calm.Reasons, r => r.Code == ReasonCodes.LinkedRisk);
        Assert.Equal((int)RequestOutcome.Allow, calm.Outcome);
        await Eventually.HoldsAsync(async () => (await rangeGrain.GetSnapshotAsync())!.Risk == 0, "the range drops the account");
        Assert.Equal((int)RequestOutcome.Allow, (await account.DecideRequestAsync(range)).Outcome);
    }

    [Fact]
    public async Task The_silo_answers_a_held_decision_again_no_longer_than_the_hold_lasts()
    {
        var range = RangeOf("hold-2");
        var account = await BurstAsync("hold-2");
        var until = (await account.DecideRequestAsync(range)).HoldUntil!.Value;
        await Eventually.HoldsAsync(async () => (await account.GetSnapshotAsync())!.HoldUntil == until, "the hold written");
        fixture.Time.Advance(until - Now - TimeSpan.FromSeconds(2));
        await account.RecordAsync([Eliciting("hold-2")]);
        await account.DecideRequestAsync(range);
        Assert.True(Cache.TryGet("hold-2", range, out var held));
        Assert.Equal(until, held.Result.HoldUntil);

        fixture.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(Cache.TryGet("hold-2", range, out _));
        var renewed = await account.DecideRequestAsync(range);
        Assert.True(renewed.HoldUntil > until, $"a new hold after {until}: {renewed.HoldUntil}");
    }

    [Fact]
    public async Task A_release_ends_the_hold_clears_the_label_drops_the_held_decision_and_the_same_evidence_no_longer_holds()
    {
        var range = RangeOf("release-1");
        var account = await BurstAsync("release-1");
        var held = await account.DecideRequestAsync(range);
        Assert.NotEqual((int)RequestOutcome.Allow, held.Outcome);
        await Eventually.HoldsAsync(async () => (await account.GetSnapshotAsync())!.HoldUntil == held.HoldUntil, "the hold written");
        await account.DecideRequestAsync(range);
        Assert.True(Cache.TryGet("release-1", range, out _));

        var released = await account.ReleaseAsync(new LabelChange { Label = Label.None, Reason = "reviewed: a load test of ours", By = "ops", At = Now });

        Assert.NotNull(released);
        Assert.Equal(held.HoldUntil, released.HoldUntil);
        Assert.Equal(held.Score, released.Score, 3);
        Assert.Equal(Now.AddHours(Policy.ReleaseHours), released.ReleasedUntil);
        Assert.Equal(Label.None, released.Label.Label);
        Assert.Equal("reviewed: a load test of ours", released.Label.Reason);
        Assert.False(Cache.TryGet("release-1", range, out _));

        var after = await account.DecideRequestAsync(range);
        Assert.Equal((int)RequestOutcome.Allow, after.Outcome);
        Assert.Equal(ReasonCodes.Released, after.Reasons[0].Code);
        Assert.Equal(held.Score, after.Score, 3);
        Assert.Null(after.HoldUntil);
        var view = (await account.GetSnapshotAsync())!;
        Assert.Null(view.HoldUntil);
        Assert.Equal(released.ReleasedUntil, view.ReleasedUntil);
        Assert.Equal("ops", view.Label!.By);

        // New evidence past the margin holds it again.
        await account.SetLabelAsync(new LabelChange { Label = Label.Fraud, Reason = "confirmed later", By = "ops", At = Now });
        var confirmed = await account.DecideRequestAsync(range);
        Assert.Equal((int)RequestOutcome.Block, confirmed.Outcome);
        Assert.Equal(Now.AddMinutes(Policy.BlockHoldMinutes), confirmed.HoldUntil);

        Assert.Null(await Grains.GetGrain<IAccountGrain>("release-never-seen").ReleaseAsync(new LabelChange { Label = Label.None, Reason = "x", By = "ops", At = Now }));
    }
}
