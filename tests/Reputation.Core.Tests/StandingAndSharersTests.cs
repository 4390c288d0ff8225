using Reputation.Core.Scoring;

namespace Reputation.Core.Tests;

/// <summary>
/// An account's standing from its history, and the signals that read it: who shares a template,
/// dormant accounts starting to harvest, a verified organisation's card, range intel against a
/// customer the service knows (docs/detection.md, "Who shares a template", "Trust seeds").
/// </summary>
public sealed class StandingAndSharersTests
{
    private static readonly DateTimeOffset s_now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ScoringPolicy s_policy = ScoringPolicy.Default;

    // The service has seen every account's usage for years (it was sent the past, or has run that long).
    private static readonly DateTimeOffset s_watchedSince = s_now.AddYears(-5);

    private static History Aged(int days = 90) => new(s_now.AddDays(-days), null, 0, null, null, false, Label.None, s_watchedSince);

    [Fact]
    public void A_young_account_is_new_whatever_it_did()
    {
        var history = new History(s_now.AddDays(-2), s_now.AddDays(-2), 2, s_now.AddDays(-2), s_now, false, Label.None, s_watchedSince);
        Assert.Equal(Standing.New, history.StandingAt(s_now, s_policy));
    }

    [Fact]
    public void An_aged_account_used_on_several_days_before_the_last_two_is_established()
    {
        var history = Aged() with { FirstUsageAt = s_now.AddDays(-80), UsageDaysBeforeRecent = s_policy.Trust.HistoryDays };
        Assert.Equal(Standing.Established, history.StandingAt(s_now, s_policy));
    }

    [Fact]
    public void An_aged_account_that_renewed_for_weeks_is_established_without_usage_history()
    {
        var history = Aged() with { FirstPaidAt = s_now.AddDays(-60), LastPaidAt = s_now.AddDays(-30) };
        Assert.Equal(Standing.Established, history.StandingAt(s_now, s_policy));
        // One payment at signup is no history.
        Assert.Equal(Standing.Dormant, (Aged() with { FirstPaidAt = s_now.AddDays(-60), LastPaidAt = s_now.AddDays(-60) }).StandingAt(s_now, s_policy));
    }

    [Fact]
    public void An_aged_account_first_used_weeks_after_it_was_made_is_dormant()
    {
        Assert.Equal(Standing.Dormant, (Aged(40) with { FirstUsageAt = s_now.AddHours(-1) }).StandingAt(s_now, s_policy));
        Assert.Equal(Standing.Dormant, Aged(40).StandingAt(s_now, s_policy));
        // Some use before, just not on enough days: a light user, neither established nor dormant.
        Assert.Equal(Standing.Known, (Aged(40) with { FirstUsageAt = s_now.AddDays(-39), UsageDaysBeforeRecent = 1 }).StandingAt(s_now, s_policy));
        Assert.Equal(Standing.Known, (Aged(400) with { FirstUsageAt = s_now.AddDays(-10), UsageDaysBeforeRecent = 2 }).StandingAt(s_now, s_policy));
        // A returning customer: used soon after it was made, months ago, beyond what the usage map remembers.
        Assert.Equal(Standing.Known, (Aged(400) with { FirstUsageAt = s_now.AddDays(-300) }).StandingAt(s_now, s_policy));
        Assert.Equal(Standing.Known, (Aged(400) with { FirstUsageAt = s_now.AddDays(-UsageDays.MapDays) }).StandingAt(s_now, s_policy));
        // Aged, first used within days of its creation, but only in the last two days: nothing is known of it yet.
        Assert.Equal(Standing.None, (new History(s_now.AddDays(-8), s_now.AddDays(-2), 0, null, null, false, Label.None, s_watchedSince)).StandingAt(s_now, s_policy));
    }

    [Fact]
    public void Silence_counts_only_where_the_service_was_watching()
    {
        // A deployment that sent no past has seen usage only since it started: an account made
        // months before and first seen today may have been used every day before that.
        var startedToday = Aged(90) with { FirstUsageAt = s_now.AddHours(-1), UsageSince = s_now.AddHours(-2) };
        Assert.Equal(Standing.None, startedToday.StandingAt(s_now, s_policy));
        Assert.Equal(Standing.None, (Aged(90) with { UsageSince = null }).StandingAt(s_now, s_policy));
        // Watching for less than the gap is not enough either...
        var gapBeforeItsFirstUse = s_now.AddHours(-1).AddDays(-s_policy.Trust.DormantGapDays);
        Assert.Equal(Standing.None, (startedToday with { UsageSince = gapBeforeItsFirstUse.AddMinutes(1) }).StandingAt(s_now, s_policy));
        // ...but a week of watching an aged account that never showed up is what dormancy means,
        Assert.Equal(Standing.Dormant, (startedToday with { UsageSince = gapBeforeItsFirstUse }).StandingAt(s_now, s_policy));
        // and with the past sent from before its creation the whole gap since then counts.
        Assert.Equal(Standing.Dormant, (Aged(40) with { FirstUsageAt = s_now.AddDays(-30), UsageSince = s_now.AddDays(-45) }).StandingAt(s_now, s_policy));
        Assert.Equal(Standing.None, (Aged(40) with { FirstUsageAt = s_now.AddDays(-36), UsageSince = s_now.AddDays(-45) }).StandingAt(s_now, s_policy));
    }

    [Fact]
    public void A_verified_organisation_s_member_or_a_trusted_account_is_trusted_as_well()
    {
        Assert.Equal(Standing.New | Standing.Trusted, (new History(s_now.AddHours(-1), null, 0, null, null, true, Label.None, s_watchedSince)).StandingAt(s_now, s_policy));
        Assert.Equal(Standing.Dormant | Standing.Trusted, (Aged() with { Label = Label.Trusted }).StandingAt(s_now, s_policy));
    }

    [Fact]
    public void Usage_days_count_distinct_days_before_the_recent_ones_and_forget_after_64()
    {
        ulong bits = 0;
        var latest = 0;
        foreach (var daysAgo in new[] { 70, 30, 30, 20, 10, 1, 0 })
        {
            UsageDays.Mark(ref bits, ref latest, s_now.AddDays(-daysAgo));
        }

        // 70 days ago fell off; 30 (twice: one day), 20 and 10 count; yesterday and today are recent.
        Assert.Equal(3, UsageDays.Before(bits, latest, s_now));
        // Out of order is the same.
        ulong shuffled = 0;
        var shuffledLatest = 0;
        foreach (var daysAgo in new[] { 0, 10, 1, 30, 20, 30 })
        {
            UsageDays.Mark(ref shuffled, ref shuffledLatest, s_now.AddDays(-daysAgo));
        }

        Assert.Equal(3, UsageDays.Before(shuffled, shuffledLatest, s_now));
        // Weeks later with nothing since, every marked day is history.
        Assert.Equal(5, UsageDays.Before(bits, latest, s_now.AddDays(20)));
        Assert.Equal(0, UsageDays.Before(0, 0, s_now));
    }

    private static ScoreResult Score(AccountFacts account, TemplateFacts[]? templates = null, InstrumentFacts[]? instruments = null, IntelMatchFacts[]? intel = null) =>
        Scorer.Score(s_policy, s_now, new ScoreInputs { Account = account, Templates = templates, Instruments = instruments, ThreatIntel = intel });

    private static AccountFacts Customer(Standing standing) =>
        new(s_now.AddDays(-200), 1) { RequestsLastHour = 40, Standing = standing };

    [Fact]
    public void A_popular_tool_s_template_shared_by_established_customers_is_not_evidence()
    {
        // Three quarters of the user's requests carry the tool's prompt; a thousand accounts share it,
        // and together they are far over the template quota.
        var tool = new TemplateFacts(SharingAccounts: 1000, RequestsLastHour: 40_000) { TrafficShare = 0.75, Suspicion = 0.05 };
        var result = Score(Customer(Standing.Established), [tool]);

        Assert.True(result.Score < s_policy.Request.Throttle, $"score {result.Score}");
        Assert.DoesNotContain(result.Contributions, c => c.Code == ReasonCodes.ClusterUsage);
        var shared = result.Contributions.SingleOrDefault(c => c.Code == ReasonCodes.PromptTemplateShared);
        Assert.True(shared.Value <= 0.05, $"template value {shared.Value}");

        // The same template shared by young or dormant accounts spread out: full evidence.
        var campaign = Score(Customer(Standing.Dormant), [tool with { Suspicion = 1 }]);
        Assert.True(campaign.Score >= s_policy.Request.Throttle, $"score {campaign.Score}");
        Assert.Contains(campaign.Contributions, c => c.Code == ReasonCodes.PromptTemplateShared && c.Value == 1);
    }

    [Fact]
    public void Requests_spread_over_many_suspect_templates_add_up()
    {
        // A dozen templates, each 6 % of the traffic: each alone is a fifth of full weight.
        var templates = Enumerable.Range(0, 12).Select(_ => new TemplateFacts(40, 600) { TrafficShare = 0.06, Suspicion = 1 }).ToArray();
        var alone = Score(Customer(Standing.Dormant) with { RequestsLastHour = 0 }, templates);
        var spread = Score(Customer(Standing.Dormant) with { SuspectTemplatedShare = 0.75 }, templates);

        var one = alone.Contributions.Single(c => c.Code == ReasonCodes.PromptTemplateShared);
        var all = spread.Contributions.Single(c => c.Code == ReasonCodes.PromptTemplateShared);
        Assert.True(one.Value < 0.25, $"{one.Value}");
        Assert.Equal(1, all.Value, 1e-12);
        Assert.Contains("75 %", all.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dormant_account_starting_sustained_use_is_a_signal_and_an_established_one_is_not()
    {
        var dormant = Score(Customer(Standing.Dormant) with { RequestsLastHour = 120 });
        var c = dormant.Contributions.Single(x => x.Code == ReasonCodes.DormantActivation);
        Assert.Equal(1, c.Value, 1e-12);
        Assert.Contains("120 requests", c.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(Score(Customer(Standing.Established) with { RequestsLastHour = 120 }).Contributions, x => x.Code == ReasonCodes.DormantActivation);
        // A returning user at an ordinary pace barely registers.
        Assert.True(Score(Customer(Standing.Dormant) with { RequestsLastHour = 25 }).Score < 0.05);
    }

    [Theory]
    [InlineData(Standing.Dormant, 1)]
    [InlineData(Standing.Established, 3)]
    [InlineData(Standing.Known, 3)]
    [InlineData(Standing.New, 3)]
    [InlineData(Standing.None, 3)]
    [InlineData(Standing.Dormant | Standing.Trusted, 3)]
    public void Only_a_dormant_account_s_first_requests_stand_on_their_own_as_templated_evidence(Standing standing, long minimum) =>
        Assert.Equal(minimum, s_policy.Ramps.TemplatedMinRequestsFor(standing));

    [Fact]
    public void The_dormant_templated_minimum_never_exceeds_the_general_one() =>
        Assert.Equal(2, (s_policy.Ramps with { TemplatedMinRequests = 2, DormantTemplatedMinRequests = 5 }).TemplatedMinRequestsFor(Standing.Dormant));

    [Fact]
    public void A_template_whose_suspect_sharers_move_in_lockstep_is_synchronised_activity_and_a_cohort_s_is_not()
    {
        // One of a dozen harvest templates (a tenth of the account's traffic), nearly all of its
        // traffic in suspect shared templates.
        var inStep = new TemplateFacts(40, 800) { TrafficShare = 0.1, Suspicion = 1, Lockstep = 0.8 };
        var spread = Customer(Standing.Dormant) with { SuspectTemplatedShare = 0.9 };
        var c = Score(spread, [inStep]).Contributions.Single(x => x.Code == ReasonCodes.SynchronisedActivity);
        Assert.Equal(1, c.Value, 1e-12);
        Assert.Contains("lockstep", c.Detail, StringComparison.Ordinal);
        // A class in its lecture hour moves in step too: it is one cohort, so its template is not suspect.
        Assert.DoesNotContain(Score(Customer(Standing.New), [inStep with { Suspicion = 0 }]).Contributions, x => x.Code == ReasonCodes.SynchronisedActivity);
    }

    [Fact]
    public void An_account_found_in_step_with_most_of_a_group_is_synchronised_as_far_as_suspect_templates_are_its_traffic()
    {
        // Aged, no history: its requests spread over many small harvest buckets (none with a lockstep
        // share of its own), and a bucket found it moving with 80 % of its sharers beyond chance.
        var small = new TemplateFacts(6, 20) { TrafficShare = 0.08, Suspicion = 0.8 };
        var harvest = Customer(Standing.None) with { SuspectTemplatedShare = 0.45, InStepShare = 0.8 };
        var c = Score(harvest, [small]).Contributions.Single(x => x.Code == ReasonCodes.SynchronisedActivity);
        Assert.Equal(1, c.Value, 1e-12);
        Assert.Contains("80 %", c.Detail, StringComparison.Ordinal);
        Assert.Contains("lockstep", c.Detail, StringComparison.Ordinal);

        // Half its traffic in suspect templates over the ramp's full share: half the value.
        var half = Score(harvest with { SuspectTemplatedShare = s_policy.Ramps.TemplateFullTrafficShare / 2 }, [small]);
        Assert.Equal(0.5, half.Contributions.Single(x => x.Code == ReasonCodes.SynchronisedActivity).Value, 1e-12);

        // A tool's customer found "in step" by chance sends nothing suspect: nothing.
        var customer = Customer(Standing.None) with { InStepShare = 0.8 };
        Assert.DoesNotContain(Score(customer, [new TemplateFacts(900, 9000) { TrafficShare = 0.75, Suspicion = 0 }]).Contributions,
            x => x.Code == ReasonCodes.SynchronisedActivity);
    }

    [Fact]
    public void A_template_s_lockstep_counts_for_an_account_as_far_as_suspect_templates_are_its_traffic()
    {
        // A student whose one homework prompt in twenty fell into a harvest campaign's bucket.
        var campaignBucket = new TemplateFacts(150, 3000) { TrafficShare = 0.05, Suspicion = 1, Lockstep = 0.8 };
        var student = Customer(Standing.New) with { SuspectTemplatedShare = 0.05 };
        var c = Score(student, [campaignBucket]).Contributions.Single(x => x.Code == ReasonCodes.SynchronisedActivity);
        Assert.Equal(0.05 / s_policy.Ramps.TemplateFullTrafficShare, c.Value, 1e-12);
        // All of an account's traffic in that one template: fully in step.
        Assert.Equal(1, Score(student, [campaignBucket with { TrafficShare = 1 }]).Contributions.Single(x => x.Code == ReasonCodes.SynchronisedActivity).Value, 1e-12);
    }

    [Fact]
    public void A_template_s_flagged_sharers_speak_for_the_others_as_far_as_its_sharers_are_suspect()
    {
        // A class's assignment (one cohort) whose sharers include a few flagged students; a harvest
        // template of young accounts spread over ranges with as many flagged.
        var assignment = new TemplateFacts(30, 300) { TrafficShare = 1, Suspicion = 0, Risk = 0.6 };
        double Linked(TemplateFacts t) =>
            Score(Customer(Standing.New), [t]).Contributions.SingleOrDefault(c => c.Code == ReasonCodes.LinkedRisk).Value;

        Assert.Equal(0, Linked(assignment));
        Assert.Equal(0.6 * 0.5 * s_policy.Propagation.Decay, Linked(assignment with { Suspicion = 0.5 }), 1e-12);
        Assert.Equal(0.6 * s_policy.Propagation.Decay, Linked(assignment with { Suspicion = 1 }), 1e-12);
        // An operator's fraud label on the template counts whoever shares it.
        Assert.Equal(s_policy.Propagation.Decay, Linked(assignment with { Risk = 1, Label = Label.Fraud }), 1e-12);
    }

    [Fact]
    public void A_range_s_propagated_risk_and_indicators_weigh_less_for_a_known_customer_but_its_fraud_label_does_not()
    {
        var risky = new RangeFacts("198.51.100.0/24", 0, 10) { Risk = 0.5 };
        double Linked(Standing standing, RangeFacts range) =>
            Scorer.Score(s_policy, s_now, new ScoreInputs { Account = Customer(standing), Range = range })
                .Contributions.Single(c => c.Code == ReasonCodes.LinkedRisk).Value;

        // Aged, nothing known of it yet and nothing of its own against it: it reads the range as a
        // dormant account does, at the known customer's factor until its own signals bear it out.
        Assert.Equal(0.5 * s_policy.Propagation.Decay * s_policy.Trust.KnownCustomerRangeFactor, Linked(Standing.None, risky), 1e-12);
        // New: the range's risk for newcomers, whole.
        Assert.Equal(0.5 * s_policy.Propagation.Decay, Linked(Standing.New, risky), 1e-12);
        Assert.Equal(0.5 * s_policy.Propagation.Decay * s_policy.Trust.KnownCustomerRangeFactor, Linked(Standing.Known, risky), 1e-12);
        Assert.Equal(s_policy.Propagation.Decay, Linked(Standing.Established, risky with { Risk = 1, Label = Label.Fraud }), 1e-12);
    }

    [Theory]
    [InlineData(Standing.Dormant)]
    [InlineData(Standing.None)]
    public void An_aged_account_without_history_reads_its_range_as_far_as_its_own_signals_bear_it_out(Standing standing)
    {
        var risky = new RangeFacts("198.51.100.0/24", 0, 10) { Risk = 0.5 };
        IntelMatchFacts[] named = [new(100, null, "IP range 198.51.100.0/24", NamesRange: true)];
        ScoreResult For(AccountFacts account, RangeFacts range) =>
            Scorer.Score(s_policy, s_now, new ScoreInputs { Account = account, Range = range, ThreatIntel = named });
        double Of(ScoreResult r, string code) => r.Contributions.Single(c => c.Code == code).Value;
        var floor = s_policy.Trust.KnownCustomerRangeFactor;
        var indicator = s_policy.Intel.DefaultTrust * s_policy.Propagation.RangeLinkStrength;

        // First used months after signup with ordinary prompts: its block's campaign is not its evidence.
        var honest = Customer(standing);
        Assert.Equal(0.5 * s_policy.Propagation.Decay * floor, Of(For(honest, risky), ReasonCodes.LinkedRisk), 1e-12);
        Assert.Equal(indicator * floor, Of(For(honest, risky), ReasonCodes.ThreatIntelMatch), 1e-12);
        Assert.Contains("as far as its own signals bear it out", For(honest, risky).Contributions.Single(c => c.Code == ReasonCodes.LinkedRisk).Detail, StringComparison.Ordinal);

        // Harvesting from it (its own evidence past trust.dormantRangeCorroboration): the range speaks in full.
        var harvesting = honest with { SuspectTemplatedShare = 1 };
        Assert.Equal(0.5 * s_policy.Propagation.Decay, Of(For(harvesting, risky), ReasonCodes.LinkedRisk), 1e-12);
        Assert.Equal(indicator, Of(For(harvesting, risky), ReasonCodes.ThreatIntelMatch), 1e-12);

        // Halfway: in proportion.
        var some = For(honest with { SuspectTemplatedShare = 0.3 }, risky);
        var own = s_policy.Weights.PromptTemplateShared * s_policy.Ramps.SuspectTemplatedShare.Apply(0.3);
        Assert.InRange(own, 0.01, s_policy.Trust.DormantRangeCorroboration - 0.01);
        Assert.Equal(0.5 * s_policy.Propagation.Decay * (floor + ((1 - floor) * Math.Min(1, own / s_policy.Trust.DormantRangeCorroboration))), Of(some, ReasonCodes.LinkedRisk), 1e-12);

        // An operator's fraud label on the range counts whoever it is.
        Assert.Equal(s_policy.Propagation.Decay, Of(For(honest, risky with { Risk = 1, Label = Label.Fraud }), ReasonCodes.LinkedRisk), 1e-12);
    }

    [Fact]
    public void What_its_templates_sharers_did_bears_out_the_range_of_an_account_that_vouches_for_them_no_more_than_the_range_does()
    {
        // A popular tool's customer on a deployment's first day: aged, nothing known of it yet, three
        // quarters of its requests in the tool's bucket, where a campaign's cover traffic makes a
        // fifth of the sharers suspect and moves in step; a residential block the campaign's exits share.
        var range = new RangeFacts("198.51.100.0/24", 0, 10) { Risk = 0.5 };
        var tool = new TemplateFacts(SharingAccounts: 200, RequestsLastHour: 4_000) { TrafficShare = 0.75, Suspicion = 0.2, Lockstep = 0.9 };
        ScoreResult For(AccountFacts account) =>
            Scorer.Score(s_policy, s_now, new ScoreInputs { Account = account, Range = range, Templates = [tool] });
        double Linked(AccountFacts account) => For(account).Contributions.Single(c => c.Code == ReasonCodes.LinkedRisk).Value;
        var floor = 0.5 * s_policy.Propagation.Decay * s_policy.Trust.KnownCustomerRangeFactor;

        // It vouches for the tool (aged, not found in step): the bucket's suspicion and timing are its
        // co-sharers', and its range speaks at the known customer's factor.
        var customer = Customer(Standing.None) with { SuspectTemplatedShare = 0.15 };
        Assert.Contains(For(customer).Contributions, c => c.Code == ReasonCodes.PromptTemplateShared && c.Value > 0);
        Assert.Equal(floor, Linked(customer), 1e-12);

        // Found in step with the bucket's campaign, it vouches for nothing, and the same templates bear its range out.
        Assert.True(Linked(customer with { InStepShare = 0.6 }) > floor, $"linked {Linked(customer with { InStepShare = 0.6 })}");
        // A dormant account vouches for nothing either.
        Assert.True(Linked(Customer(Standing.Dormant) with { SuspectTemplatedShare = 0.15 }) > floor);

        // Its own requests spread over templates nobody vouches for remain its own evidence.
        Assert.Equal(0.5 * s_policy.Propagation.Decay, Linked(customer with { SuspectTemplatedShare = 1 }), 1e-12);
    }

    [Fact]
    public void A_new_account_reads_the_range_s_risk_for_newcomers_and_others_its_whole_risk()
    {
        // Aged accounts flagged behind the block, none of its newcomers.
        var range = new RangeFacts("198.51.100.0/24", 0, 20) { Risk = 0.5, RiskForNew = 0 };
        ScoreResult For(Standing standing, RangeFacts r) => Scorer.Score(s_policy, s_now, new ScoreInputs { Account = Customer(standing), Range = r });

        Assert.DoesNotContain(For(Standing.New, range).Contributions, c => c.Code == ReasonCodes.LinkedRisk);
        // An aged account reads the whole risk, as far as its own signals bear it out (none here: the known customer's factor).
        Assert.Equal(0.5 * s_policy.Propagation.Decay * s_policy.Trust.KnownCustomerRangeFactor, For(Standing.None, range).Contributions.Single(c => c.Code == ReasonCodes.LinkedRisk).Value, 1e-12);
        // Flagged newcomers, or a range that reports no newcomer figure: the new account reads them.
        Assert.Equal(0.4 * s_policy.Propagation.Decay, For(Standing.New, range with { RiskForNew = 0.4 }).Contributions.Single(c => c.Code == ReasonCodes.LinkedRisk).Value, 1e-12);
        Assert.Equal(0.5 * s_policy.Propagation.Decay, For(Standing.New, range with { RiskForNew = null }).Contributions.Single(c => c.Code == ReasonCodes.LinkedRisk).Value, 1e-12);
        // A fraud label on the range itself counts for everyone.
        Assert.Equal(s_policy.Propagation.Decay, For(Standing.New, range with { Risk = 1, RiskForNew = 1, Label = Label.Fraud }).Contributions.Single(c => c.Code == ReasonCodes.LinkedRisk).Value, 1e-12);
    }

    [Fact]
    public void A_shared_card_weighs_less_for_an_established_customer_than_for_a_new_account()
    {
        var family = new InstrumentFacts(DistinctAccounts: 8, 0, 0);
        double Shared(Standing standing) =>
            Score(Customer(standing), instruments: [family]).Contributions.Single(c => c.Code == ReasonCodes.PaymentInstrumentShared).Value;

        Assert.Equal(1, Shared(Standing.New), 1e-12);
        Assert.Equal(s_policy.Trust.EstablishedSharedCardFactor, Shared(Standing.Established), 1e-12);
    }

    [Fact]
    public void A_corporate_card_counts_a_verified_team_as_one_owner()
    {
        var team = new InstrumentFacts(DistinctAccounts: 25, 0, 0) { DistinctOwners = 1 };
        Assert.DoesNotContain(Score(Customer(Standing.New | Standing.Trusted), instruments: [team]).Contributions,
            c => c.Code == ReasonCodes.PaymentInstrumentShared);
        // Without an organisation the same card is shared by 25 accounts.
        Assert.Contains(Score(Customer(Standing.New), instruments: [team with { DistinctOwners = null }]).Contributions,
            c => c.Code == ReasonCodes.PaymentInstrumentShared && c.Value == 1);
    }

    [Fact]
    public void An_indicator_naming_a_range_weighs_less_for_an_established_customer_than_for_an_account_the_service_knows_nothing_of()
    {
        IntelMatchFacts[] range = [new(100, null, "IP range 198.51.100.0/24", NamesRange: true)];
        IntelMatchFacts[] card = [new(100, null, "a payment instrument")];
        double Intel(Standing standing, IntelMatchFacts[] match) =>
            Score(Customer(standing), intel: match).Contributions.Single(c => c.Code == ReasonCodes.ThreatIntelMatch).Value;

        var trust = s_policy.Intel.DefaultTrust;
        // A range is shared by nature: its indicator counts as the range's own evidence does (x 0.6).
        var strength = s_policy.Propagation.RangeLinkStrength;
        Assert.Equal(trust * strength, Intel(Standing.New, range), 1e-12);
        Assert.Equal(trust * strength * s_policy.Trust.KnownCustomerRangeFactor, Intel(Standing.Established, range), 1e-12);
        // Aged without history and nothing of its own against it: as a known customer, until its own signals bear the indicator out.
        Assert.Equal(trust * strength * s_policy.Trust.KnownCustomerRangeFactor, Intel(Standing.None, range), 1e-12);
        // A card or a template is the customer's own: full weight whoever they are.
        Assert.Equal(trust, Intel(Standing.Established, card), 1e-12);
    }
}

public sealed class LockstepTests
{
    private static readonly DateTimeOffset s_start = new(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);

    private static (ulong, int) Active(IEnumerable<int> minutes)
    {
        ulong bits = 0;
        var latest = 0;
        foreach (var m in minutes)
        {
            Lockstep.Mark(ref bits, ref latest, s_start.AddMinutes(m));
        }

        return (bits, latest);
    }

    [Fact]
    public void Scripts_on_one_shift_schedule_are_in_lockstep()
    {
        // Twenty minutes on, ten off, for three hours; each script a minute or two off the others.
        var shifts = Enumerable.Range(0, 6).SelectMany(s => Enumerable.Range(s * 30, 20)).ToList();
        var sharers = Enumerable.Range(0, 10).Select(i => Active(shifts.Where(m => (m + i) % 3 == 0).Select(m => m + (i % 2)))).ToArray();
        Assert.Equal(1, Lockstep.Share(sharers), 1e-12);
    }

    [Fact]
    public void People_with_their_own_sessions_are_not()
    {
        var random = new Random(7);
        var sharers = Enumerable.Range(0, 40).Select(_ =>
        {
            // One or two twenty-minute sessions somewhere in five hours.
            var sessions = Enumerable.Range(0, random.Next(1, 3)).Select(_ => random.Next(0, 280));
            return Active(sessions.SelectMany(start => Enumerable.Range(start, 20).Where(_ => random.NextDouble() < 0.3)));
        }).ToArray();

        Assert.True(Lockstep.Share(sharers) < 0.2, $"share {Lockstep.Share(sharers)}");
    }

    [Fact]
    public void A_shift_schedule_kept_together_is_lockstep_beyond_chance()
    {
        // Ten minutes on, twenty off, for three hours, each script on a third of the minutes of every
        // shift and a minute off the others.
        var shifts = Enumerable.Range(0, 6).SelectMany(s => Enumerable.Range(s * 30, 10)).ToList();
        var sharers = Enumerable.Range(0, 20).Select(i => Active(shifts.Where(m => (m + i) % 3 == 0).Select(m => m + (i % 2)))).ToArray();
        Assert.True(Lockstep.BeyondChance(sharers) >= 0.9, $"beyond chance {Lockstep.BeyondChance(sharers)}");
    }

    [Fact]
    public void Many_busy_users_of_one_tool_overlap_by_chance_not_beyond_it()
    {
        // A popular tool's 64 sampled users within two hours: each one or two sessions of twenty to
        // forty minutes, using the tool in most of their minutes. Packed into 24 bins, most of them
        // find two others with similar bins, as many as with their sessions moved anywhere else.
        var random = new Random(11);
        var sharers = Enumerable.Range(0, 64).Select(_ =>
        {
            var sessions = Enumerable.Range(0, random.Next(1, 3)).Select(_ => (Start: random.Next(0, 100), Length: random.Next(20, 41)));
            return Active(sessions.SelectMany(x => Enumerable.Range(x.Start, x.Length).Where(_ => random.NextDouble() < 0.6)));
        }).ToArray();

        Assert.True(Lockstep.Share(sharers) >= 0.5, $"share {Lockstep.Share(sharers)}");
        Assert.True(Lockstep.BeyondChance(sharers) < 0.2, $"beyond chance {Lockstep.BeyondChance(sharers)}");
    }

    [Fact]
    public void A_campaign_in_step_among_independent_users_shows_beyond_chance()
    {
        // Thirty scripts on one shift schedule and thirty people with their own sessions, one template.
        var random = new Random(5);
        var shifts = Enumerable.Range(0, 4).SelectMany(s => Enumerable.Range(s * 30, 15)).ToList();
        var scripts = Enumerable.Range(0, 30).Select(i => Active(shifts.Where(_ => random.NextDouble() < 0.5)));
        var people = Enumerable.Range(0, 30).Select(_ =>
        {
            var start = random.Next(0, 100);
            return Active(Enumerable.Range(start, random.Next(20, 41)).Where(_ => random.NextDouble() < 0.6));
        });
        var sharers = scripts.Concat(people).ToArray();
        var beyond = Lockstep.BeyondChance(sharers);
        Assert.True(beyond >= 0.3, $"beyond chance {beyond}");
    }

    [Fact]
    public void Customers_in_a_session_when_the_watching_began_are_not_in_step_for_it()
    {
        // A deployment's first two hours: sixty customers of a tool, each already in a session when
        // the service began watching (minute 0) and later one more of their own.
        var random = new Random(13);
        var sharers = Enumerable.Range(0, 60).Select(_ =>
        {
            var first = Enumerable.Range(0, random.Next(20, 41));
            var start = random.Next(50, 100);
            var second = Enumerable.Range(start, random.Next(10, 21));
            return Active(first.Concat(second).Where(_ => random.NextDouble() < 0.6));
        }).ToArray();
        var watched = Lockstep.BinOf(s_start);

        // Read whole, the first sessions all "begin" together, which the shifted copies do not.
        Assert.True(Lockstep.BeyondChance(sharers) >= 0.5, $"beyond chance, uncensored {Lockstep.BeyondChance(sharers)}");
        Assert.True(Lockstep.BeyondChanceSinceWatched(sharers, watched) < 0.2, $"beyond chance since watched {Lockstep.BeyondChanceSinceWatched(sharers, watched)}");
    }

    [Fact]
    public void A_shift_kept_together_now_is_still_read_though_the_watching_began_with_the_first()
    {
        // Scripts on a twenty-minutes-on, ten-off schedule from the first minute watched to now: the
        // first shift goes with the watching's start, the shift under way stays.
        var shifts = Enumerable.Range(0, 5).SelectMany(s => Enumerable.Range(s * 30, 20)).ToList();
        var sharers = Enumerable.Range(0, 20).Select(i => Active(shifts.Where(m => (m + i) % 3 == 0).Select(m => m + (i % 2)))).ToArray();
        var watched = Lockstep.BinOf(s_start);
        Assert.True(Lockstep.BeyondChanceSinceWatched(sharers, watched) >= 0.9, $"beyond chance since watched {Lockstep.BeyondChanceSinceWatched(sharers, watched)}");
    }

    [Fact]
    public void Sharers_busy_in_every_bin_have_no_timing_to_tell()
    {
        var always = Enumerable.Range(0, 120).ToList();
        Assert.Equal(1, Lockstep.Share([.. Enumerable.Range(0, 10).Select(_ => Active(always))]), 1e-12);
        Assert.Equal(0, Lockstep.BeyondChance([.. Enumerable.Range(0, 10).Select(_ => Active(always))]));
    }

    [Fact]
    public void Too_few_sharers_or_bins_say_nothing()
    {
        var shift = Enumerable.Range(0, 60).ToList();
        Assert.Equal(0, Lockstep.Share([.. Enumerable.Range(0, Lockstep.MinSharers - 1).Select(_ => Active(shift))]));
        Assert.Equal(0, Lockstep.Share([.. Enumerable.Range(0, 10).Select(_ => Active([0, 1]))]));
        Assert.Equal(0, Lockstep.BeyondChance([.. Enumerable.Range(0, Lockstep.MinSharers - 1).Select(_ => Active(shift))]));
        Assert.Equal(0, Lockstep.BeyondChance([.. Enumerable.Range(0, 10).Select(_ => Active([0, 1]))]));
    }
}
