using Reputation.Core.Policies;
using Reputation.Core.Scoring;

namespace Reputation.Core.Tests;

/// <summary>A cluster moving its traffic to a newly released model within a day (docs/detection.md, "Release pivot").</summary>
public sealed class ReleasePivotTests
{
    private static readonly DateTimeOffset s_now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ScoringPolicy s_policy = ScoringPolicy.Default;
    private static SignalRamps Ramps => s_policy.Ramps;

    [Fact]
    public void A_model_first_seen_hours_ago_by_a_service_that_watched_for_weeks_is_newly_released_for_a_day()
    {
        var since = s_now.AddDays(-30);

        Assert.True(ReleasePivot.IsNewlyReleased(s_now.AddHours(-3), since, s_now, Ramps));
        Assert.False(ReleasePivot.IsNewlyReleased(s_now.AddDays(-2), since, s_now, Ramps));
        Assert.False(ReleasePivot.IsNewlyReleased(s_now - Ramps.ReleaseNewFor, since, s_now, Ramps));
    }

    [Fact]
    public void On_a_fresh_deployment_no_model_is_new_though_every_one_was_first_seen_just_now()
    {
        // The service started an hour ago: every model it knows it first saw then.
        Assert.False(ReleasePivot.IsNewlyReleased(s_now.AddMinutes(-50), s_now.AddHours(-1), s_now, Ramps));
        Assert.False(ReleasePivot.IsNewlyReleased(s_now.AddMinutes(-50), null, s_now, Ramps));
        // A day of watching is enough.
        Assert.True(ReleasePivot.IsNewlyReleased(s_now.AddMinutes(-50), s_now.AddMinutes(-50) - Ramps.ReleaseWatchedBefore, s_now, Ramps));
    }

    [Fact]
    public void The_excess_is_the_cluster_s_share_beyond_the_service_s_taken_over_a_minimum_of_requests()
    {
        Assert.Equal(0.6, ReleasePivot.Excess(80, 100, 0.2, 20), 12);
        // A release every customer adopts moves the service with the cluster: no pivot.
        Assert.Equal(0, ReleasePivot.Excess(80, 100, 0.85, 20));
        // Five requests of five are five of twenty: a handful is not a cluster moving.
        Assert.Equal(0.25 - 0.2, ReleasePivot.Excess(5, 5, 0.2, 20), 12);
        Assert.Equal(0, ReleasePivot.Excess(0, 100, 0, 20));
    }

    [Fact]
    public void An_account_reads_a_pivot_in_proportion_to_its_traffic_in_the_template_and_its_sharers_suspicion()
    {
        var pivoting = new TemplateFacts(SharingAccounts: 200, RequestsLastHour: 3000) { TrafficShare = 0.5, Suspicion = 1, Pivot = 0.6 };

        var campaign = Score(Account(Standing.Dormant), [pivoting]);
        var c = campaign.Contributions.Single(x => x.Code == ReasonCodes.ReleasePivot);
        Assert.Equal(1, c.Value, 12);
        Assert.Contains("newly released model", c.Detail, StringComparison.Ordinal);

        // A popular tool switching its default model: its sharers are established customers.
        Assert.DoesNotContain(Score(Account(Standing.Established), [pivoting with { Suspicion = 0 }]).Contributions, x => x.Code == ReasonCodes.ReleasePivot);
        // One prompt among many of the account's own.
        var light = Score(Account(Standing.Dormant), [pivoting with { TrafficShare = Ramps.TemplateFullTrafficShare / 4 }]).Contributions.Single(x => x.Code == ReasonCodes.ReleasePivot);
        Assert.Equal(0.25, light.Value, 12);
        // A template that did not pivot beyond the service.
        Assert.DoesNotContain(Score(Account(Standing.Dormant), [pivoting with { Pivot = Ramps.ReleasePivotShare.Free }]).Contributions, x => x.Code == ReasonCodes.ReleasePivot);
        // Its weight is the policy's: 0 turns it off.
        var off = s_policy with { Weights = s_policy.Weights with { ReleasePivot = 0 } };
        Assert.True(Scorer.Score(off, s_now, new ScoreInputs { Account = Account(Standing.Dormant), Templates = new[] { pivoting } }).Score < campaign.Score);
    }

    [Fact]
    public void Release_pivot_fields_out_of_range_are_named()
    {
        var policy = s_policy with
        {
            Weights = s_policy.Weights with { ReleasePivot = 1.5 },
            Ramps = Ramps with { ReleasePivotShare = new Ramp(0.1, 2), ReleasePivotMinRequests = -1, ReleaseNewFor = TimeSpan.Zero, ReleaseWatchedBefore = TimeSpan.FromDays(-1) },
        };

        Assert.Equal(
            ["weights.releasePivot", "ramps.releasePivotShare.saturation", "ramps.releasePivotMinRequests", "ramps.releaseNewFor", "ramps.releaseWatchedBefore"],
            PolicyValidator.Validate(policy).Select(e => e.Field).ToArray());
        Assert.Empty(PolicyValidator.Validate(s_policy));
    }

    private static AccountFacts Account(Standing standing) => new(s_now.AddDays(-40), 1) { RequestsLastHour = 20, Standing = standing };

    private static ScoreResult Score(AccountFacts account, TemplateFacts[] templates) =>
        Scorer.Score(s_policy, s_now, new ScoreInputs { Account = account, Templates = templates });
}
