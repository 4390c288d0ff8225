using Reputation.Contracts;
using Reputation.Simulator.Metrics;
using Reputation.Simulator.Reporting;

namespace Reputation.Simulator.Tests;

public sealed class DetectionMetricsTests
{
    private const RequestDecision Allow = RequestDecision.Allow;
    private const RequestDecision Throttle = RequestDecision.Throttle;
    private const RequestDecision Degrade = RequestDecision.Degrade;
    private const RequestDecision Block = RequestDecision.Block;

    [Fact]
    public void Every_decision_but_allow_counts_as_held()
    {
        Assert.False(DetectionMetrics.IsHeld(Allow));
        Assert.True(DetectionMetrics.IsHeld(Throttle));
        Assert.True(DetectionMetrics.IsHeld(Degrade));
        Assert.True(DetectionMetrics.IsHeld(Block));
    }

    [Fact]
    public void Recall_is_the_share_of_campaign_accounts_not_allowed()
    {
        Assert.Equal(0.75, DetectionMetrics.Recall([Block, Throttle, Degrade, Allow]));
        Assert.Equal(1.0, DetectionMetrics.Recall([Block, Block]));
        Assert.Equal(0.0, DetectionMetrics.Recall([Allow, Allow, Allow]));
    }

    [Fact]
    public void Recall_and_false_positive_rate_of_an_empty_population_are_not_a_number_but_absent()
    {
        Assert.Null(DetectionMetrics.Recall([]));
        Assert.Null(DetectionMetrics.FalsePositiveRate([]));
        Assert.Null(DetectionMetrics.HeldShare([]));
    }

    [Fact]
    public void False_positive_rate_is_the_share_of_legitimate_accounts_held()
    {
        var decisions = Enumerable.Repeat(Allow, 998).Append(Throttle).Append(Block).ToList();

        Assert.Equal(0.002, DetectionMetrics.FalsePositiveRate(decisions)!.Value, 12);
    }

    [Fact]
    public void Estimated_held_share_counts_accounts_not_signed_up_yet_as_not_held()
    {
        // 40 of 100 exist, all 40 asked, 20 held: 20 % of the whole campaign.
        Assert.Equal(0.2, DetectionMetrics.EstimatedHeldShare(20, 40, 40, 100)!.Value, 12);
        Assert.Equal(1.0, DetectionMetrics.EstimatedHeldShare(100, 100, 100, 100)!.Value, 12);
    }

    [Fact]
    public void Estimated_held_share_scales_a_sample_up_to_the_existing_accounts()
    {
        // 50 of 500 existing asked, 45 held: 90 % of those that exist, which are half of the campaign.
        Assert.Equal(0.45, DetectionMetrics.EstimatedHeldShare(45, 50, 500, 1000)!.Value, 12);
    }

    [Fact]
    public void Estimated_held_share_is_zero_before_any_account_exists_and_absent_without_a_population()
    {
        Assert.Equal(0.0, DetectionMetrics.EstimatedHeldShare(0, 0, 0, 10));
        Assert.Null(DetectionMetrics.EstimatedHeldShare(0, 0, 0, 0));
    }

    [Theory]
    [InlineData(3, 2, 5, 10)]
    [InlineData(1, 6, 5, 10)]
    [InlineData(1, 2, 11, 10)]
    [InlineData(-1, 2, 5, 10)]
    public void Estimated_held_share_refuses_counts_that_cannot_be(int held, int sampled, int existing, int total) =>
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => DetectionMetrics.EstimatedHeldShare(held, sampled, existing, total));

    [Fact]
    public void A_sample_weight_is_the_requests_times_the_accounts_each_sample_stands_for()
    {
        Assert.Equal(12.0, DetectionMetrics.SampleWeight(3, 40, 10));
        Assert.Equal(7.0, DetectionMetrics.SampleWeight(7, 5, 5));
        Assert.Equal(0.0, DetectionMetrics.SampleWeight(0, 5, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => DetectionMetrics.SampleWeight(1, 5, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DetectionMetrics.SampleWeight(1, 4, 5));
    }

    [Fact]
    public void Allowed_share_weighs_each_decision_by_the_requests_it_stands_for()
    {
        var share = new WeightedDecisionShare();
        share.Add(Allow, 90);
        share.Add(Block, 5);
        share.Add(Throttle, 5);

        Assert.Equal(0.9, share.AllowShare!.Value, 12);
        Assert.Equal(0.05, share.ShareOf(Block)!.Value, 12);
        Assert.Equal(100, share.TotalWeight);
        Assert.Equal(3, share.Samples);
    }

    [Fact]
    public void One_heavy_account_allowed_outweighs_many_light_ones_held()
    {
        var share = new WeightedDecisionShare();
        share.Add(Allow, 1000);
        for (var i = 0; i < 10; i++)
        {
            share.Add(Block, 10);
        }

        Assert.Equal(1000.0 / 1100, share.AllowShare!.Value, 12);
    }

    [Fact]
    public void Steps_sampled_at_different_rates_add_up_to_the_share_over_all_requests()
    {
        // Step 1: 100 active accounts of 2 requests, all allowed, 10 sampled. Step 2: 10 active of 2 requests, all blocked, all sampled.
        // Over all requests: 200 allowed, 20 blocked.
        var share = new WeightedDecisionShare();
        for (var i = 0; i < 10; i++)
        {
            share.Add(Allow, DetectionMetrics.SampleWeight(2, 100, 10));
            share.Add(Block, DetectionMetrics.SampleWeight(2, 10, 10));
        }

        Assert.Equal(200.0 / 220, share.AllowShare!.Value, 12);
    }

    [Fact]
    public void Allowed_share_is_absent_when_nothing_or_only_zero_weight_was_seen()
    {
        var share = new WeightedDecisionShare();
        Assert.Null(share.AllowShare);
        share.Add(Block, 0);
        Assert.Null(share.AllowShare);
        Assert.Equal(1, share.Samples);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_weight_must_be_a_finite_count(double weight) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new WeightedDecisionShare().Add(Allow, weight));

    [Fact]
    public void Time_to_detection_is_never_when_the_threshold_is_not_reached()
    {
        var tracker = new DetectionTracker(0.9);
        foreach (var (share, i) in new[] { 0.1, 0.5, 0.89, 0.6 }.Select((s, i) => (s, i)))
        {
            Assert.False(tracker.Observe(Check(i, share)));
        }

        Assert.Null(tracker.Reached);
        Assert.Equal(0.89, tracker.PeakHeldShare);
        Assert.Equal(4, tracker.Checks);
        var figure = ReportFigures.TimeToDetection(tracker, campaignAccounts: 100);
        Assert.Equal(TimeToDetection.NeverStatus, figure.Status);
        Assert.Null(figure.EventsSent);
        Assert.Equal(0.89, figure.PeakHeldShare);
    }

    [Fact]
    public void Time_to_detection_can_be_the_first_step()
    {
        var tracker = new DetectionTracker();

        Assert.True(tracker.Observe(Check(0, 0.95)));
        Assert.False(tracker.Observe(Check(1, 1.0)));

        var figure = ReportFigures.TimeToDetection(tracker, 10);
        Assert.Equal(TimeToDetection.ReachedStatus, figure.Status);
        Assert.Equal(0, figure.Step);
        Assert.Equal(1000, figure.EventsSent);
    }

    [Fact]
    public void Time_to_detection_is_the_first_check_at_the_threshold_and_stays_there_when_the_share_falls()
    {
        var tracker = new DetectionTracker(0.9);
        tracker.Observe(Check(0, 0.2));
        tracker.Observe(Check(1, 0.7));
        Assert.True(tracker.Observe(Check(2, 0.9)));
        Assert.False(tracker.Observe(Check(3, 0.4)));
        Assert.Equal(2, tracker.Reached!.Step);
        Assert.False(tracker.Observe(Check(4, 0.95)));

        Assert.Equal(2, tracker.Reached.Step);
        Assert.Equal(3000, tracker.Reached.EventsSent);
        Assert.Equal(3, tracker.Reached.SimulatedMinute);
        Assert.Equal(4, tracker.Last!.Step);
        Assert.Equal(0.95, tracker.PeakHeldShare);
    }

    [Fact]
    public void Nine_of_ten_reaches_ninety_percent_despite_floating_point()
    {
        var tracker = new DetectionTracker(0.9);
        var share = DetectionMetrics.EstimatedHeldShare(9, 10, 10, 10)!.Value;

        Assert.True(tracker.Observe(Check(0, share)));
    }

    [Fact]
    public void Time_to_detection_does_not_apply_without_campaign_accounts()
    {
        var figure = ReportFigures.TimeToDetection(new DetectionTracker(), campaignAccounts: 0);

        Assert.Equal(TimeToDetection.NotApplicableStatus, figure.Status);
        Assert.Null(figure.EventsSent);
        Assert.Equal(0, figure.Checks);
    }

    [Fact]
    public void Checks_must_come_in_order_of_events_sent()
    {
        var tracker = new DetectionTracker();
        tracker.Observe(Check(1, 0.1));

        Assert.Throws<ArgumentException>(() => tracker.Observe(Check(0, 0.1)));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void The_threshold_is_a_share(double threshold) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DetectionTracker(threshold));

    [Fact]
    public void Group_rates_count_held_accounts_per_group_in_first_seen_order()
    {
        var rates = ReportFigures.GroupRates([("nat", Allow), ("home", Block), ("nat", Throttle), ("nat", Allow)]);

        Assert.Equal(["nat", "home"], rates.Select(r => r.Group));
        Assert.Equal(new GroupRate("nat", 3, 1, 1.0 / 3), rates[0]);
        Assert.Equal(new GroupRate("home", 1, 1, 1.0), rates[1]);
        Assert.Empty(ReportFigures.GroupRates([]));
    }

    [Fact]
    public void Counts_by_name_list_every_decision_even_at_zero()
    {
        var counts = ReportFigures.CountByName<RequestDecision>([Block, Block, Allow]);

        Assert.Equal(["allow", "throttle", "degrade", "block"], counts.Keys);
        Assert.Equal([1L, 0L, 0L, 2L], counts.Values);
    }

    [Fact]
    public void A_tally_is_largest_first_then_by_name()
    {
        var tally = ReportFigures.Tally(["B", "A", "C", "C", "B", "C"]);

        Assert.Equal(["C", "B", "A"], tally.Keys);
        Assert.Equal([3L, 2L, 1L], tally.Values);
    }

    private static DetectionCheck Check(int step, double share) =>
        new(step, (step + 1) * 1000L, step + 1, step * 0.5, share);
}
