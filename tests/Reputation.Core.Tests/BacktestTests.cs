using FsCheck;
using FsCheck.Fluent;
using Reputation.Core.Backtests;
using Reputation.Core.Scoring;

namespace Reputation.Core.Tests;

/// <summary>The per-kind sample of decision facts (<see cref="Reservoir{T}"/>) and deciding it again under a candidate (<see cref="Backtest"/>).</summary>
public sealed class BacktestTests
{
    private static readonly DateTimeOffset s_now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_reservoir_never_holds_more_than_its_capacity_whatever_the_traffic() =>
        Properties.Check(Prop.ForAll(Gen.Choose(0, 64).ToArbitrary(), Gen.Choose(0, 5_000).ToArbitrary(), (capacity, offered) =>
        {
            var reservoir = new Reservoir<string>(capacity, new Random(capacity));
            for (var i = 0; i < offered; i++)
            {
                reservoir.Add($"acct-{i}");
            }

            return reservoir.Count == Math.Min(capacity, offered) && reservoir.ToArray().Length == reservoir.Count && reservoir.Seen == offered;
        }));

    [Fact]
    public void Late_items_take_slots_as_often_as_early_ones()
    {
        // 100 slots over 20,000 items: each half of the stream holds about 50 (binomial sd 5).
        var reservoir = new Reservoir<string>(100, new Random(15));
        for (var i = 0; i < 20_000; i++)
        {
            reservoir.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var late = reservoir.ToArray().Count(x => int.Parse(x, System.Globalization.CultureInfo.InvariantCulture) >= 10_000);
        Assert.Equal(100, reservoir.Count);
        Assert.InRange(late, 30, 70);
    }

    [Fact]
    public void Removing_an_account_drops_its_items_and_frees_their_slots()
    {
        var reservoir = new Reservoir<string>(4, new Random(1));
        foreach (var item in new[] { "a", "erased", "b", "erased" })
        {
            reservoir.Add(item);
        }

        Assert.Equal(2, reservoir.RemoveWhere(x => x == "erased"));
        Assert.Equal(["a", "b"], reservoir.ToArray().Order());
        Assert.True(reservoir.Add("c"));
        Assert.Equal(3, reservoir.Count);
    }

    [Fact]
    public void The_candidate_s_counts_are_the_shadow_outcomes_of_the_same_facts()
    {
        var candidate = ScoringPolicy.Default with { Request = new RequestThresholds { Throttle = 0.2, Degrade = 0.3, Block = 0.4 } };
        var samples = Enumerable.Range(1, 12).Select(i => Sample($"acct-{i}", DecisionKind.Request, sharers: i)).ToArray();

        var tally = Backtest.Run(samples, ScoringPolicy.Default, candidate);

        var expected = new long[tally.Counts.Length];
        foreach (var s in samples)
        {
            var d = AccountDecider.Decide(s.Kind, s.At, s.Inputs(), s.Listed, ScoringPolicy.Default, candidate);
            expected[BacktestTally.Index(s.Kind, d.Outcome, d.ShadowOutcome!.Value)]++;
        }

        Assert.Equal(expected, tally.Counts);
        Assert.Equal(12, tally.Sampled(DecisionKind.Request));
        Assert.True(tally.ChangedCount(DecisionKind.Request) > 0, "stricter request thresholds change some decisions");
        Assert.Equal(tally.ChangedCount(DecisionKind.Request), tally.Changed.Count);
        Assert.All(tally.Changed, c => Assert.True(c.Candidate > c.Current));
        Assert.Equal(12, tally.CurrentScores.Sum());
        Assert.Equal(12, tally.CandidateScores.Sum());
    }

    [Fact]
    public void The_live_policy_as_candidate_changes_nothing()
    {
        var samples = Enumerable.Range(1, 8).Select(i => Sample($"acct-{i}", (DecisionKind)(i % 3), sharers: i * 2)).ToArray();

        var tally = Backtest.Run(samples, ScoringPolicy.Default, ScoringPolicy.Default);

        Assert.Empty(tally.Changed);
        Assert.Equal(tally.CurrentScores, tally.CandidateScores);
        Assert.Equal(8, Enum.GetValues<DecisionKind>().Sum(k => tally.Sampled(k)));
    }

    [Fact]
    public void A_listed_decision_is_unchanged_under_any_candidate()
    {
        var listed = Sample("acct-listed", DecisionKind.Request, sharers: 1) with { Listed = new ListMatch(Deny: true, "the account", "abuse") };
        var candidate = ScoringPolicy.Default with { Request = new RequestThresholds { Throttle = 0.01, Degrade = 0.02, Block = 0.03 } };

        var tally = Backtest.Run([listed], ScoringPolicy.Default, candidate);

        Assert.Equal(1, tally.Counts[BacktestTally.Index(DecisionKind.Request, (int)RequestOutcome.Block, (int)RequestOutcome.Block)]);
        Assert.Equal(1, tally.CandidateScores[BacktestTally.Bin(DecisionKind.Request, 1)]);
        Assert.Empty(tally.Changed);
    }

    [Fact]
    public void A_sample_keeps_the_facts_that_decide_and_drops_the_names_that_only_word_the_reasons()
    {
        RangeFacts range = new("198.51.100.0/24", SignupsLastHour: 40, DistinctAccounts: 50) { Risk = 0.6 };
        IntelMatchFacts[] intel = [new(Confidence: 90, "identity--lab-b", "IP range 198.51.100.0/24 (indicator for 198.51.0.0/16 from Lab B)", NamesRange: true)];
        var listed = new ListMatch(Deny: true, "its IP range (listed as 198.51.100.0/24)", "resold keys of acct-7");
        var inputs = new ScoreInputs { Account = new AccountFacts(s_now.AddDays(-1), 3), Range = range, OtherRanges = new[] { range }, ThreatIntel = intel };

        var sample = DecisionSample.Of("acct-1", DecisionKind.Signup, s_now, inputs, listed);

        var kept = System.Text.Json.JsonSerializer.Serialize(sample);
        Assert.DoesNotContain("198.51", kept, StringComparison.Ordinal);
        Assert.DoesNotContain("acct-7", kept, StringComparison.Ordinal);
        Assert.Equal((0.6, 40L, 90, "identity--lab-b", true), (sample.Range!.Value.Risk, sample.OtherRanges[0].SignupsLastHour, sample.ThreatIntel[0].Confidence, sample.ThreatIntel[0].Producer, sample.Listed!.Value.Deny));
        var unlisted = sample with { Listed = null };
        var original = AccountDecider.Decide(DecisionKind.Signup, s_now, inputs, null, ScoringPolicy.Default, null);
        var again = AccountDecider.Decide(DecisionKind.Signup, s_now, unlisted.Inputs(), null, ScoringPolicy.Default, null);
        Assert.Equal((original.Outcome, original.Result.Score), (again.Outcome, again.Result.Score));
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.0999, 0)]
    [InlineData(0.1, 1)]
    [InlineData(0.95, 9)]
    [InlineData(1.0, 9)]
    public void Scores_fall_in_tenths_and_1_in_the_last_bin(double score, int bin) =>
        Assert.Equal(BacktestTally.Bins + bin, BacktestTally.Bin(DecisionKind.Request, score));

    [Fact]
    public void Tallies_add_up_and_name_each_kind_s_largest_moves_once()
    {
        var a = new BacktestTally();
        var b = new BacktestTally();
        for (var i = 0; i < BacktestTally.ChangedCapacity; i++)
        {
            a.Changed.Add(new BacktestChange($"a-{i}", DecisionKind.Request, 0, 1, 0.4, 0.45));
            b.Changed.Add(new BacktestChange($"b-{i}", DecisionKind.Request, 0, 1, 0.4, 0.60));
        }

        a.Changed.Add(new BacktestChange("b-0", DecisionKind.Request, 0, 3, 0.4, 0.95));
        a.Counts[BacktestTally.Index(DecisionKind.Request, 0, 1)] = 101;
        b.Counts[BacktestTally.Index(DecisionKind.Request, 0, 1)] = 100;

        a.Add(b);

        Assert.Equal(201, a.ChangedCount(DecisionKind.Request));
        Assert.Equal(BacktestTally.ChangedCapacity, a.Changed.Count);
        Assert.Equal(new BacktestChange("b-0", DecisionKind.Request, 0, 3, 0.4, 0.95), a.Changed[0]);
        Assert.All(a.Changed, c => Assert.StartsWith("b-", c.AccountId, StringComparison.Ordinal));
        Assert.Single(a.Changed, c => c.AccountId == "b-0");
    }

    /// <summary>A day-old account on a card shared by <paramref name="sharers"/> accounts.</summary>
    private static DecisionSample Sample(string account, DecisionKind kind, int sharers) => new()
    {
        AccountId = account,
        Kind = kind,
        At = s_now,
        Account = new AccountFacts(s_now.AddDays(-1), 0),
        Instruments = [new InstrumentFacts(DistinctAccounts: sharers, 0, 0)],
        Charge = kind == DecisionKind.Billing ? new ChargeFacts(500, "USD", 0) : null,
    };
}
