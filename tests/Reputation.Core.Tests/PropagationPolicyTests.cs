using FsCheck;
using FsCheck.Fluent;
using Reputation.Core.Scoring;

namespace Reputation.Core.Tests;

/// <summary><see cref="PropagationPolicy.EntityRisk"/> under the default policy (docs/decisions/0005-propagation.md).</summary>
public sealed class PropagationPolicyTests
{
    private static readonly PropagationPolicy P = ScoringPolicy.Default.Propagation;

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(0, 0, 1)]
    [InlineData(1, 50, 100)]
    [InlineData(0, 0, 1_000_000)]
    public void An_entity_labelled_fraud_has_risk_1_whatever_its_accounts(long confirmed, long flagged, long accounts)
    {
        Assert.Equal(1, P.EntityRisk(Label.Fraud, confirmed, flagged, accounts));
        // Not weakened for a range, nor damped for a crowded one: an operator said so.
        Assert.Equal(1, P.EntityRisk(Label.Fraud, confirmed, flagged, accounts, P.RangeLinkStrength));
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(1, 1, 1)]
    [InlineData(5, 100, 100)]
    public void An_entity_labelled_trusted_has_risk_0_whatever_its_accounts(long confirmed, long flagged, long accounts)
    {
        Assert.Equal(0, P.EntityRisk(Label.Trusted, confirmed, flagged, accounts));
        Assert.Equal(0, P.EntityRisk(Label.Trusted, confirmed, flagged, accounts, P.RangeLinkStrength));
    }

    [Fact]
    public void An_entity_with_no_fraud_and_no_flagged_accounts_has_no_risk()
    {
        Assert.Equal(0, P.EntityRisk(Label.None, 0, 0, 0));
        Assert.Equal(0, P.EntityRisk(Label.None, 0, 0, 150));
        Assert.Equal(0, P.EntityRisk(Label.None, 0, 0, 10_000, P.RangeLinkStrength));
    }

    [Fact]
    public void Three_accounts_on_a_card_of_which_one_is_confirmed_make_a_card_of_fraud()
    {
        // ConfirmedWeight 3 over 3 accounts and a prior of 0.5: 86 %, past saturation.
        Assert.True(P.EntityRisk(Label.None, 1, 1, 3) >= P.ConfirmedFraudRisk);                     // a card: 0.9 or more
        Assert.True(P.EntityRisk(Label.None, 1, 1, 2) >= P.ConfirmedFraudRisk);
        // Its card-mates read it after one hop: 0.72, a degrade on its own.
        Assert.True(ScoringPolicy.Default.Request.Decide(P.EntityRisk(Label.None, 1, 1, 3) * P.Decay) >= RequestOutcome.Degrade);
    }

    [Fact]
    public void One_confirmed_account_in_a_range_of_forty_leaves_the_range_almost_clean()
    {
        var risk = P.EntityRisk(Label.None, 1, 1, 40, P.RangeLinkStrength);
        // 3 / 40.5 ≈ 7.4 %, just past the ramp's free 5 %.
        Assert.True(risk < 0.05, $"risk {risk}");
        Assert.Equal(RequestOutcome.Allow, ScoringPolicy.Default.Request.Decide(risk * P.Decay));
    }

    [Fact]
    public void What_one_confirmed_account_gives_falls_with_the_entity_s_accounts()
    {
        var previous = double.MaxValue;
        foreach (var accounts in new long[] { 1, 2, 3, 5, 8, 13, 21, 40, 100, 1_000, 10_000 })
        {
            var risk = P.EntityRisk(Label.None, 1, 1, accounts);
            Assert.True(risk <= previous, $"{accounts} accounts: {risk} after {previous}");
            previous = risk;
        }

        Assert.Equal(0, previous);
    }

    [Fact]
    public void More_confirmed_accounts_in_one_entity_raise_its_risk()
    {
        Assert.True(P.EntityRisk(Label.None, 3, 3, 40, P.RangeLinkStrength) > P.EntityRisk(Label.None, 1, 1, 40, P.RangeLinkStrength));
        Assert.True(P.EntityRisk(Label.None, 6, 6, 40) >= P.ConfirmedFraudRisk * 0.9);
    }

    [Fact]
    public void A_carrier_nat_range_of_ten_thousand_accounts_with_one_fraud_account_gets_nothing()
    {
        Assert.Equal(0, P.EntityRisk(Label.None, 1, 1, 10_000, P.RangeLinkStrength));
    }

    [Fact]
    public void The_prior_keeps_one_flagged_account_alone_on_a_new_card_from_condemning_it_fully()
    {
        // The prior matters for entities of two or three accounts.
        var two = P.EntityRisk(Label.None, 0, 1, 2);
        var withoutPrior = (P with { PriorAccounts = 0 }).EntityRisk(Label.None, 0, 1, 2);
        Assert.True(two < withoutPrior, $"{two} vs {withoutPrior}");
    }

    [Fact]
    public void A_crowded_entity_whose_accounts_are_mostly_flagged_is_not_damped()
    {
        // A campaign's template or proxy range has hundreds of accounts: their flagged share is the evidence.
        Assert.Equal(P.ConfirmedFraudRisk, P.EntityRisk(Label.None, 0, 1100, 2000), 1e-12);
        // A carrier NAT with a few flagged accounts among ten thousand stays at nothing.
        Assert.Equal(0, P.EntityRisk(Label.None, 0, 100, 10_000, P.RangeLinkStrength));
    }

    [Fact]
    public void A_flagged_share_at_or_below_its_free_level_adds_no_risk()
    {
        var p = P with { PriorAccounts = 0 }; // the share exactly flagged / accounts
        const long accounts = 100;
        var free = (long)(p.FlaggedShare.Free * accounts); // 5 of 100
        Assert.Equal(0, p.EntityRisk(Label.None, 0, free, accounts));
        Assert.Equal(0, p.EntityRisk(Label.None, 0, free - 1, accounts));
        Assert.True(p.EntityRisk(Label.None, 0, free + 1, accounts) > 0);
        // The prior only lowers the share.
        Assert.True(P.EntityRisk(Label.None, 0, free + 1, accounts) <= p.EntityRisk(Label.None, 0, free + 1, accounts));
    }

    [Fact]
    public void The_flagged_share_ramps_to_the_confirmed_risk_at_saturation()
    {
        // Without the prior the share is exactly flagged / accounts.
        var p = P with { PriorAccounts = 0 };
        const long accounts = 200;
        var mid = (p.FlaggedShare.Free + p.FlaggedShare.Saturation) / 2;         // 27.5 %
        var flaggedAtMid = (long)(mid * accounts);                               // 55 of 200
        var saturated = (long)(p.FlaggedShare.Saturation * accounts);             // 100 of 200

        Assert.Equal(p.ConfirmedFraudRisk * 0.5, p.EntityRisk(Label.None, 0, flaggedAtMid, accounts), 1e-12); // 0.45
        Assert.Equal(p.ConfirmedFraudRisk, p.EntityRisk(Label.None, 0, saturated, accounts), 1e-12);
        Assert.Equal(p.ConfirmedFraudRisk, p.EntityRisk(Label.None, 0, accounts, accounts), 1e-12);
        // An estimate of distinct accounts below the flagged count (HyperLogLog) still saturates, never exceeds.
        Assert.Equal(P.ConfirmedFraudRisk, P.EntityRisk(Label.None, 0, accounts * 2, accounts), 1e-12);
    }

    [Fact]
    public void A_confirmed_share_and_a_flagged_share_combine_by_noisy_or()
    {
        var risk = P.EntityRisk(Label.None, 30, 100, 100);
        var expected = 1 - ((1 - P.ConfirmedFraudRisk) * (1 - P.ConfirmedFraudRisk)); // 0.99
        Assert.Equal(expected, risk, 1e-12);
        Assert.True(risk < 1);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(150)]
    [InlineData(200)]
    [InlineData(1_000)]
    [InlineData(10_000)]
    public void Risk_never_falls_as_more_accounts_are_flagged(long accounts)
    {
        foreach (var confirmed in new long[] { 0, 1 })
        {
            foreach (var strength in new[] { 1.0, P.RangeLinkStrength })
            {
                var previous = P.EntityRisk(Label.None, confirmed, 0, accounts, strength);
                for (var flagged = 1L; flagged <= accounts; flagged++)
                {
                    var risk = P.EntityRisk(Label.None, confirmed, flagged, accounts, strength);
                    Assert.True(risk >= previous, $"{flagged - 1} -> {flagged} flagged of {accounts} (confirmed {confirmed}, strength {strength}): {previous} -> {risk}");
                    previous = risk;
                }

                // ... and it rose overall, so the loop above checked something that moves.
                Assert.True(previous > P.EntityRisk(Label.None, confirmed, 0, accounts, strength));
            }
        }
    }

    [Fact]
    public void Strength_scales_the_risk_and_the_range_strength_is_what_ranges_get()
    {
        var gen =
            from confirmed in Gen.Choose(0, 3)
            from flagged in Gen.Choose(0, 2000)
            from accounts in Gen.Choose(0, 5000)
            from strength in Gen.Choose(0, 1000).Select(s => s / 1000.0)
            select (confirmed: (long)confirmed, flagged: (long)flagged, accounts: (long)accounts, strength);

        Properties.Check(Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var full = P.EntityRisk(Label.None, t.confirmed, t.flagged, t.accounts);
            var scaled = P.EntityRisk(Label.None, t.confirmed, t.flagged, t.accounts, t.strength);
            var range = P.EntityRisk(Label.None, t.confirmed, t.flagged, t.accounts, P.RangeLinkStrength);

            Assert.InRange(full, 0, 1);
            Assert.Equal(full * t.strength, scaled, 1e-12);
            Assert.Equal(full * P.RangeLinkStrength, range, 1e-12);
            Assert.True(range <= full);
        }));
    }

    [Fact]
    public void A_range_believes_its_accounts_less_than_a_card_does()
    {
        var card = P.EntityRisk(Label.None, 5, 30, 100);
        var range = P.EntityRisk(Label.None, 5, 30, 100, P.RangeLinkStrength);
        Assert.True(range < card);
        Assert.Equal(card * 0.6, range, 1e-12);
    }
}
