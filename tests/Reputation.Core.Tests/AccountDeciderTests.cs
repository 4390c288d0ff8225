using Reputation.Core.Scoring;

namespace Reputation.Core.Tests;

/// <summary>The one decision path (<see cref="AccountDecider"/>): list overrides, thresholds per kind, shadow, billing facts.</summary>
public sealed class AccountDeciderTests
{
    private static readonly DateTimeOffset s_now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ScoringPolicy s_policy = ScoringPolicy.Default with { Version = 7 };

    /// <summary>A day-old account on a card shared by eight accounts: a throttle (about 0.66) under the default policy.</summary>
    private static AccountDecision Decide(DecisionKind kind, ListMatch? listed = null, ScoringPolicy? shadow = null, ChargeFacts? charge = null, AccountFacts? account = null)
    {
        InstrumentFacts[] card = [new(DistinctAccounts: 8, 0, 0)];
        return AccountDecider.Decide(kind, s_now, new ScoreInputs
        {
            Account = account ?? new AccountFacts(s_now.AddDays(-1), 0),
            Instruments = card,
            Charge = charge,
        }, listed, s_policy, shadow);
    }

    [Theory]
    [InlineData(DecisionKind.Signup, (int)SignupOutcome.Deny)]
    [InlineData(DecisionKind.Request, (int)RequestOutcome.Block)]
    [InlineData(DecisionKind.Billing, (int)BillingOutcome.Deny)]
    public void A_deny_entry_answers_the_kind_s_strictest_outcome_with_score_1(DecisionKind kind, int strictest)
    {
        var d = Decide(kind, new ListMatch(Deny: true, "a linked payment instrument", "chargeback ring"));
        Assert.Equal(strictest, d.Outcome);
        Assert.Equal(1, d.Result.Score);
        var reason = Assert.Single(d.Result.Contributions);
        Assert.Equal(ReasonCodes.ListDeny, reason.Code);
        Assert.Equal("a linked payment instrument is on the deny list: chargeback ring", reason.Detail);
        Assert.True(d.Listed);
    }

    [Fact]
    public void An_allow_entry_answers_allow_with_score_0_whatever_the_facts()
    {
        var d = Decide(DecisionKind.Request, new ListMatch(Deny: false, "the account", "our own load test"));
        Assert.Equal((int)RequestOutcome.Allow, d.Outcome);
        Assert.Equal(0, d.Result.Score);
        Assert.Equal(ReasonCodes.ListAllow, Assert.Single(d.Result.Contributions).Code);
    }

    [Fact]
    public void Without_a_list_entry_each_kind_decides_the_same_score_by_its_own_thresholds()
    {
        var signup = Decide(DecisionKind.Signup);
        var request = Decide(DecisionKind.Request);
        var billing = Decide(DecisionKind.Billing);

        Assert.Equal(signup.Result.Score, request.Result.Score, 1e-12);
        Assert.Equal((int)s_policy.Signup.Decide(signup.Result.Score), signup.Outcome);
        Assert.Equal((int)s_policy.Request.Decide(request.Result.Score), request.Outcome);
        Assert.Equal((int)s_policy.Billing.Decide(billing.Result.Score), billing.Outcome);
        Assert.Equal(7, request.PolicyVersion);
        Assert.False(request.Listed);
        Assert.Null(request.ShadowOutcome);
    }

    [Fact]
    public void A_shadow_candidate_is_scored_on_the_same_facts_and_a_listed_decision_is_unchanged_under_it()
    {
        var lenient = s_policy with { Weights = s_policy.Weights with { PaymentInstrumentShared = 0 }, Version = 8 };
        var d = Decide(DecisionKind.Request, shadow: lenient);
        Assert.NotEqual((int)RequestOutcome.Allow, d.Outcome);
        Assert.Equal((int)RequestOutcome.Allow, d.ShadowOutcome);

        var listed = Decide(DecisionKind.Request, new ListMatch(true, "the account", "x"), shadow: lenient);
        Assert.Equal(listed.Outcome, listed.ShadowOutcome);
    }

    [Fact]
    public void A_large_first_charge_on_a_day_old_account_is_riskier_than_a_renewal_or_a_small_charge()
    {
        var young = new AccountFacts(s_now.AddDays(-1), 0);
        var first = Decide(DecisionKind.Billing, charge: new ChargeFacts(50_000, "USD", 0), account: young);
        var renewal = Decide(DecisionKind.Billing, charge: new ChargeFacts(50_000, "USD", 3), account: young);
        var small = Decide(DecisionKind.Billing, charge: new ChargeFacts(2_000, "USD", 0), account: young);
        var aged = Decide(DecisionKind.Billing, charge: new ChargeFacts(50_000, "USD", 0), account: new AccountFacts(s_now.AddDays(-90), 0));

        var reason = first.Result.Contributions.Single(c => c.Code == ReasonCodes.FirstChargeAmount);
        Assert.Contains("50000 USD", reason.Detail, StringComparison.Ordinal);
        Assert.Contains("1 day old", reason.Detail, StringComparison.Ordinal);
        Assert.True(first.Result.Score > renewal.Result.Score);
        Assert.True(first.Result.Score > small.Result.Score);
        Assert.DoesNotContain(aged.Result.Contributions, c => c.Code == ReasonCodes.FirstChargeAmount);
        // Only billing decisions carry a charge.
        Assert.DoesNotContain(Decide(DecisionKind.Request, account: young).Result.Contributions, c => c.Code == ReasonCodes.FirstChargeAmount);
    }
}
