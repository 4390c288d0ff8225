using FsCheck;
using FsCheck.Fluent;
using Reputation.Core.Scoring;

namespace Reputation.Core.Tests;

public sealed class ScorerTests
{
    private static readonly DateTimeOffset s_now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ScoringPolicy s_policy = ScoringPolicy.Default;

    private static readonly string[] s_codes =
    [
        ReasonCodes.NewAccount,
        ReasonCodes.IpRangeSignupVelocity,
        ReasonCodes.IpRangeAccounts,
        ReasonCodes.PaymentInstrumentShared,
        ReasonCodes.PaymentChargebacks,
        ReasonCodes.PaymentDeclines,
        ReasonCodes.AccountRequestVelocity,
    ];

    private static AccountFacts BrandNew => new(s_now, 0);

    private static AccountFacts Established => new(s_now.AddDays(-90), 0);

    private static ScoreResult Score(AccountFacts account, RangeFacts? range, params InstrumentFacts[] instruments) =>
        Scorer.Score(s_policy, s_now, account, range, instruments);

    // --- The product's worked example -------------------------------------------------------

    [Fact]
    public void New_account_on_a_shared_card_from_a_busy_range_is_at_least_reviewed_and_says_why()
    {
        var result = Score(BrandNew, new RangeFacts("198.51.100.0/24", SignupsLastHour: 15, DistinctAccounts: 15),
            new InstrumentFacts(DistinctAccounts: 10, Chargebacks: 0, Declines: 0));

        Assert.True(result.Score >= s_policy.Signup.Review, $"score {result.Score}");
        Assert.NotEqual(SignupOutcome.Allow, s_policy.Signup.Decide(result.Score));
        Assert.Equal(
            [ReasonCodes.PaymentInstrumentShared, ReasonCodes.IpRangeSignupVelocity],
            result.Top(2).Select(c => c.Code));
        Assert.Contains("10 accounts", result.Contributions[0].Detail, StringComparison.Ordinal);
        Assert.Contains("15 signups", result.Contributions[1].Detail, StringComparison.Ordinal);
        Assert.Contains("198.51.100.0/24", result.Contributions[1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void New_account_with_its_own_card_in_a_quiet_range_is_allowed()
    {
        var result = Score(BrandNew, new RangeFacts("198.51.100.0/24", SignupsLastHour: 1, DistinctAccounts: 1),
            new InstrumentFacts(DistinctAccounts: 1, Chargebacks: 0, Declines: 0));

        Assert.Equal(SignupOutcome.Allow, s_policy.Signup.Decide(result.Score));
        Assert.Equal([ReasonCodes.NewAccount], result.Contributions.Select(c => c.Code));
    }

    // --- Billing -----------------------------------------------------------------------------

    [Fact]
    public void Established_account_with_a_clean_card_is_allowed_to_pay()
    {
        var result = Score(Established, null, new InstrumentFacts(1, 0, 0));
        Assert.Equal(0, result.Score);
        Assert.Empty(result.Contributions);
        Assert.Equal(BillingOutcome.Allow, s_policy.Billing.Decide(result.Score));
    }

    [Fact]
    public void A_chargeback_with_repeated_declines_puts_billing_on_hold()
    {
        var result = Score(Established, null, new InstrumentFacts(1, Chargebacks: 1, Declines: 6));
        Assert.Equal(BillingOutcome.Hold, s_policy.Billing.Decide(result.Score));
        Assert.Equal(ReasonCodes.PaymentChargebacks, result.Contributions[0].Code);
    }

    [Fact]
    public void Two_chargebacks_deny_billing_even_for_an_established_account()
    {
        var result = Score(Established, null, new InstrumentFacts(1, Chargebacks: 2, Declines: 0));
        Assert.Equal(BillingOutcome.Deny, s_policy.Billing.Decide(result.Score));
        Assert.Equal(ReasonCodes.PaymentChargebacks, Assert.Single(result.Contributions).Code);
    }

    [Fact]
    public void The_worst_linked_instrument_speaks_for_the_account()
    {
        var clean = new InstrumentFacts(1, 0, 0);
        var bad = new InstrumentFacts(1, Chargebacks: 2, Declines: 0);
        Assert.Equal(Score(Established, null, bad).Score, Score(Established, null, clean, bad, clean).Score);
        Assert.Equal(Score(Established, null, bad).Score, Score(Established, null, bad, clean).Score);
    }

    // --- Account age and velocity ----------------------------------------------------------------

    [Theory]
    [InlineData(7.0)]
    [InlineData(8.0)]
    [InlineData(365.0)]
    public void Account_at_least_as_old_as_maturity_has_no_new_account_contribution(double days)
    {
        Assert.Equal(TimeSpan.FromDays(7), s_policy.Ramps.NewAccountMaturity);
        var result = Score(new AccountFacts(s_now.AddDays(-days), 0), new RangeFacts("198.51.100.0/24", 1, 1));
        Assert.DoesNotContain(result.Contributions, c => c.Code == ReasonCodes.NewAccount);
        Assert.Equal(0, result.Score);
    }

    [Fact]
    public void Newness_fades_linearly_over_the_maturity_period()
    {
        var brandNew = Score(BrandNew, null);
        var halfway = Score(new AccountFacts(s_now.AddDays(-3.5), 0), null);
        var unknown = Score(new AccountFacts(null, 0), null);
        var createdInTheFuture = Score(new AccountFacts(s_now.AddHours(1), 0), null);

        Assert.Equal(s_policy.Weights.NewAccount, brandNew.Score, 1e-12);
        Assert.Equal(s_policy.Weights.NewAccount / 2, halfway.Score, 1e-12);
        Assert.Equal(brandNew.Score, unknown.Score, 1e-12);
        Assert.Equal(brandNew.Score, createdInTheFuture.Score, 1e-12);
        Assert.Equal("account not seen before", unknown.Contributions[0].Detail);
        Assert.Contains("3.5 days", halfway.Contributions[0].Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.2, "account is 0 minutes old")]
    [InlineData(1, "account is 1 minute old")]
    [InlineData(2, "account is 2 minutes old")]
    [InlineData(60, "account is 1 hour old")]
    [InlineData(60 * 24, "account is 1 day old")]
    [InlineData(60 * 36, "account is 1.5 days old")]
    public void The_age_in_the_new_account_reason_reads_as_English(double minutes, string detail)
    {
        var result = Score(new AccountFacts(s_now.AddMinutes(-minutes), 0), null);

        Assert.Equal(detail, result.Contributions.Single(c => c.Code == ReasonCodes.NewAccount).Detail);
    }

    [Fact]
    public void Request_flood_from_an_established_account_is_throttled()
    {
        var calm = Score(new AccountFacts(s_now.AddDays(-90), 100), null);
        var flood = Score(new AccountFacts(s_now.AddDays(-90), 3000), null);
        Assert.Equal(RequestOutcome.Allow, s_policy.Request.Decide(calm.Score));
        Assert.Equal(RequestOutcome.Throttle, s_policy.Request.Decide(flood.Score));
        Assert.Equal(ReasonCodes.AccountRequestVelocity, Assert.Single(flood.Contributions).Code);
    }

    // --- Combine -------------------------------------------------------------------------------

    [Theory]
    [InlineData(0.15)]
    [InlineData(0.3)]
    [InlineData(0.5)]
    [InlineData(0.6)]
    [InlineData(0.8)]
    [InlineData(0.9)]
    public void A_single_full_strength_signal_scores_its_weight(double weight)
    {
        var result = Scorer.Combine([new Signal("X", 1, "x")], _ => weight);
        Assert.Equal(weight, result.Score, 1e-12);
        var contribution = Assert.Single(result.Contributions);
        Assert.Equal(weight, contribution.Share, 1e-12);
        Assert.Equal("X", contribution.Code);
    }

    [Fact]
    public void A_full_strength_signal_whose_weight_equals_a_threshold_reaches_that_outcome()
    {
        // Floating-point drift must not drop an exact hit just below the threshold.
        Assert.Equal(SignupOutcome.Review, s_policy.Signup.Decide(Single(s_policy.Signup.Review)));
        Assert.Equal(SignupOutcome.Challenge, s_policy.Signup.Decide(Single(s_policy.Signup.Challenge)));
        Assert.Equal(SignupOutcome.Deny, s_policy.Signup.Decide(Single(s_policy.Signup.Deny)));
        Assert.Equal(RequestOutcome.Throttle, s_policy.Request.Decide(Single(s_policy.Request.Throttle)));
        Assert.Equal(RequestOutcome.Degrade, s_policy.Request.Decide(Single(s_policy.Request.Degrade)));
        Assert.Equal(RequestOutcome.Block, s_policy.Request.Decide(Single(s_policy.Request.Block)));
        Assert.Equal(BillingOutcome.Hold, s_policy.Billing.Decide(Single(s_policy.Billing.Hold)));
        Assert.Equal(BillingOutcome.Deny, s_policy.Billing.Decide(Single(s_policy.Billing.Deny)));

        static double Single(double weight) => Scorer.Combine([new Signal("X", 1, "x")], _ => weight).Score;
    }

    [Fact]
    public void No_signals_score_zero()
    {
        var result = Scorer.Combine([], _ => 1);
        Assert.Equal(0, result.Score);
        Assert.Empty(result.Contributions);
    }

    [Fact]
    public void Signals_at_zero_or_with_zero_weight_are_not_reasons()
    {
        var result = Scorer.Combine(
            [new Signal("A", 0, ""), new Signal("B", 1, ""), new Signal("UNKNOWN", 1, "")],
            code => code == "UNKNOWN" ? 0 : 0.5);
        Assert.Equal(["B"], result.Contributions.Select(c => c.Code));
    }

    [Fact]
    public void Even_certain_signals_leave_the_score_at_or_below_one()
    {
        var result = Scorer.Combine([new Signal("A", 1, ""), new Signal("B", 1, ""), new Signal("C", 5, "")], _ => 1);
        Assert.InRange(result.Score, 0.99, 1);
        Assert.Equal(result.Score, result.Contributions.Sum(c => c.Share), 1e-9);
    }

    [Fact]
    public void Unknown_reason_codes_weigh_nothing_under_a_policy()
    {
        Assert.Equal(0, s_policy.Weights.WeightOf("NOT_A_CODE"));
        foreach (var code in s_codes)
        {
            Assert.True(s_policy.Weights.WeightOf(code) > 0, code);
        }
    }

    private static readonly Gen<Signal> s_signal =
        from code in Gen.Elements(s_codes.Append("UNWEIGHTED"))
        from value in Gen.Choose(-200, 1200).Select(v => v / 1000.0)
        select new Signal(code, value, code);

    private static readonly Gen<Dictionary<string, double>> s_weights =
        Gen.ArrayOf(Gen.Choose(-100, 1100).Select(w => w / 1000.0), s_codes.Length)
            .Select(ws => s_codes.Zip(ws).ToDictionary(p => p.First, p => p.Second));

    private static Func<string, double> WeightOf(Dictionary<string, double> weights) =>
        code => weights.GetValueOrDefault(code);

    [Fact]
    public void Score_is_in_0_1_and_contributions_add_up_to_it_largest_first()
    {
        var gen = Gen.Zip(Gen.ListOf(s_signal), s_weights);
        Properties.Check(Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (signals, weights) = t;
            var result = Scorer.Combine(signals.ToArray(), WeightOf(weights));

            Assert.InRange(result.Score, 0, 1);
            Assert.Equal(result.Score, result.Contributions.Sum(c => c.Share), 1e-9);
            Assert.All(result.Contributions, c => Assert.True(c.Share > 0));
            for (var i = 1; i < result.Contributions.Count; i++)
            {
                Assert.True(result.Contributions[i - 1].Share >= result.Contributions[i].Share);
            }
        }));
    }

    [Fact]
    public void Adding_a_signal_never_lowers_the_score()
    {
        var gen =
            from signals in Gen.ListOf(s_signal)
            from extra in s_signal
            from at in Gen.Choose(0, signals.Count)
            from weights in s_weights
            select (signals, extra, at, weights);

        Properties.Check(Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (signals, extra, at, weights) = t;
            var more = signals.ToList();
            more.Insert(at, extra);
            var before = Scorer.Combine(signals.ToArray(), WeightOf(weights)).Score;
            var after = Scorer.Combine(more.ToArray(), WeightOf(weights)).Score;
            Assert.True(after >= before - 1e-12, $"{before} -> {after}");
        }));
    }

    [Fact]
    public void Score_from_facts_is_in_0_1_with_consistent_reasons()
    {
        var gen =
            from ageHours in Gen.Choose(-24, 24 * 30)
            from requests in Gen.Choose(0, 5000)
            from hasRange in Gen.Elements(true, false)
            from signups in Gen.Choose(0, 40)
            from rangeAccounts in Gen.Choose(0, 1000)
            from instruments in Gen.ListOf(
                from a in Gen.Choose(0, 20)
                from c in Gen.Choose(0, 4)
                from d in Gen.Choose(0, 20)
                select new InstrumentFacts(a, c, d))
            select (ageHours, requests, hasRange, signups, rangeAccounts, instruments);

        Properties.Check(Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var account = new AccountFacts(s_now.AddHours(-t.ageHours), t.requests);
            RangeFacts? range = t.hasRange ? new RangeFacts("198.51.100.0/24", t.signups, t.rangeAccounts) : null;
            var result = Scorer.Score(s_policy, s_now, account, range, t.instruments.ToArray());

            Assert.InRange(result.Score, 0, 1);
            Assert.Equal(result.Score, result.Contributions.Sum(c => c.Share), 1e-9);
            Assert.Equal(result.Contributions.Count, result.Contributions.Select(c => c.Code).Distinct().Count());
            Assert.All(result.Contributions, c => Assert.Contains(c.Code, s_codes));
            Assert.Equal(t.ageHours >= 24 * 7, result.Contributions.All(c => c.Code != ReasonCodes.NewAccount));

            // More signups from the same range never lowers the score.
            if (range is { } r)
            {
                var busier = Scorer.Score(s_policy, s_now, account, r with { SignupsLastHour = r.SignupsLastHour + 5 }, t.instruments.ToArray());
                Assert.True(busier.Score >= result.Score);
            }
        }));
    }

    // --- Thresholds and tiers ----------------------------------------------------------------------

    [Fact]
    public void Signup_thresholds_map_boundary_scores_to_the_outcome_they_start()
    {
        var t = s_policy.Signup;
        Assert.Equal(SignupOutcome.Allow, t.Decide(0));
        Assert.Equal(SignupOutcome.Allow, t.Decide(Math.BitDecrement(t.Review)));
        Assert.Equal(SignupOutcome.Review, t.Decide(t.Review));
        Assert.Equal(SignupOutcome.Review, t.Decide(Math.BitDecrement(t.Challenge)));
        Assert.Equal(SignupOutcome.Challenge, t.Decide(t.Challenge));
        Assert.Equal(SignupOutcome.Challenge, t.Decide(Math.BitDecrement(t.Deny)));
        Assert.Equal(SignupOutcome.Deny, t.Decide(t.Deny));
        Assert.Equal(SignupOutcome.Deny, t.Decide(1));
    }

    [Fact]
    public void Request_thresholds_map_boundary_scores_to_the_outcome_they_start()
    {
        var t = s_policy.Request;
        Assert.Equal(RequestOutcome.Allow, t.Decide(0));
        Assert.Equal(RequestOutcome.Allow, t.Decide(Math.BitDecrement(t.Throttle)));
        Assert.Equal(RequestOutcome.Throttle, t.Decide(t.Throttle));
        Assert.Equal(RequestOutcome.Throttle, t.Decide(Math.BitDecrement(t.Degrade)));
        Assert.Equal(RequestOutcome.Degrade, t.Decide(t.Degrade));
        Assert.Equal(RequestOutcome.Degrade, t.Decide(Math.BitDecrement(t.Block)));
        Assert.Equal(RequestOutcome.Block, t.Decide(t.Block));
        Assert.Equal(RequestOutcome.Block, t.Decide(1));
    }

    [Fact]
    public void Billing_thresholds_map_boundary_scores_to_the_outcome_they_start()
    {
        var t = s_policy.Billing;
        Assert.Equal(BillingOutcome.Allow, t.Decide(0));
        Assert.Equal(BillingOutcome.Allow, t.Decide(Math.BitDecrement(t.Hold)));
        Assert.Equal(BillingOutcome.Hold, t.Decide(t.Hold));
        Assert.Equal(BillingOutcome.Hold, t.Decide(Math.BitDecrement(t.Deny)));
        Assert.Equal(BillingOutcome.Deny, t.Decide(t.Deny));
        Assert.Equal(BillingOutcome.Deny, t.Decide(1));
    }

    [Fact]
    public void Thresholds_of_a_custom_policy_are_used()
    {
        var strict = s_policy with { Signup = new SignupThresholds { Review = 0.1, Challenge = 0.2, Deny = 0.3 } };
        Assert.Equal(SignupOutcome.Challenge, strict.Signup.Decide(0.25));
        Assert.Equal(SignupOutcome.Allow, s_policy.Signup.Decide(0.25));
    }

    [Theory]
    [InlineData(RequestOutcome.Allow, 600)]
    [InlineData(RequestOutcome.Throttle, 60)]
    [InlineData(RequestOutcome.Degrade, 60)]
    [InlineData(RequestOutcome.Block, 0)]
    public void Request_tiers_map_outcomes_to_rates(RequestOutcome outcome, int perMinute)
    {
        Assert.Equal(perMinute, s_policy.Tiers.RequestsPerMinute(outcome));
    }

    [Fact]
    public void Ramp_is_zero_at_free_one_at_saturation_and_linear_between()
    {
        var ramp = new Ramp(2, 8);
        Assert.Equal(0, ramp.Apply(0));
        Assert.Equal(0, ramp.Apply(2));
        Assert.Equal(0.5, ramp.Apply(5), 1e-12);
        Assert.Equal(1, ramp.Apply(8));
        Assert.Equal(1, ramp.Apply(1_000_000));
    }
}
