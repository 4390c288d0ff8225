using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using Reputation.Core.Scoring;

namespace Reputation.Core.Tests;

/// <summary>
/// Each signal of <see cref="Scorer.Score(ScoringPolicy, DateTimeOffset, in ScoreInputs)"/> under the default policy:
/// when it appears, how much it scores, and what its detail tells a person.
/// </summary>
public sealed class ScorerSignalTests
{
    private const string Range = "198.51.100.0/24";
    private const string OtherRange = "203.0.113.0/24";
    private const string Ipv6Range = "2001:db8:1:2::/64";

    private static readonly DateTimeOffset s_now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ScoringPolicy s_policy = ScoringPolicy.Default;
    private static readonly SignalWeights W = s_policy.Weights;
    private static readonly SignalRamps R = s_policy.Ramps;
    private static readonly ClusterQuotas Q = s_policy.Quotas;
    private static readonly PropagationPolicy P = s_policy.Propagation;

    /// <summary>Thirty days old and idle: scores 0 on its own, so a lone signal scores exactly its term.</summary>
    private static AccountFacts Established => new(s_now.AddDays(-30), 0);

    /// <summary>A new account: it reads its range's risk whole (an aged one without history reads it as far as its own signals bear it out).</summary>
    private static AccountFacts Newcomer => Established with { Standing = Standing.New };

    private static AccountFacts BrandNew => new(s_now, 0);

    private static RangeFacts QuietRange => new(Range, SignupsLastHour: 0, DistinctAccounts: 1);

    private static InstrumentFacts OwnCard => new(DistinctAccounts: 1, Chargebacks: 0, Declines: 0);

    private static ScoreResult Score(
        AccountFacts account,
        RangeFacts? range = null,
        InstrumentFacts[]? instruments = null,
        TemplateFacts[]? templates = null,
        RangeFacts[]? otherRanges = null) =>
        Scorer.Score(s_policy, s_now, new ScoreInputs
        {
            Account = account,
            Range = range,
            Instruments = instruments,
            Templates = templates,
            OtherRanges = otherRanges,
        });

    /// <summary>Where a count sits on a ramp strictly between its free level and saturation.</summary>
    private static double Between(Ramp ramp, double count)
    {
        Assert.InRange(count, ramp.Free + 1e-9, ramp.Saturation - 1e-9);
        return (count - ramp.Free) / (ramp.Saturation - ramp.Free);
    }

    private static Contribution Only(ScoreResult result, string code)
    {
        var contribution = Assert.Single(result.Contributions);
        Assert.Equal(code, contribution.Code);
        Assert.Equal(result.Score, contribution.Share, 1e-12);
        return contribution;
    }

    private static Contribution Find(ScoreResult result, string code)
    {
        var found = result.Contributions.Where(c => c.Code == code).ToList();
        Assert.True(found.Count == 1, $"expected one {code}, got [{string.Join(", ", result.Contributions.Select(c => c.Code))}]");
        return found[0];
    }

    private static void Absent(ScoreResult result, string code) =>
        Assert.DoesNotContain(result.Contributions, c => c.Code == code);

    // --- NEW_ACCOUNT ---------------------------------------------------------------------------

    [Fact]
    public void An_account_two_hours_old_is_nearly_as_new_as_a_brand_new_one_and_says_its_age_in_hours()
    {
        var result = Score(new AccountFacts(s_now.AddHours(-2), 0));

        var expected = W.NewAccount * (1 - (TimeSpan.FromHours(2) / R.NewAccountMaturity));
        Assert.Equal(expected, result.Score, 1e-12);
        var c = Only(result, ReasonCodes.NewAccount);
        Assert.Equal(1 - (TimeSpan.FromHours(2) / R.NewAccountMaturity), c.Value, 1e-12);
        Assert.Contains("2 hours", c.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_account_forty_minutes_old_says_its_age_in_minutes()
    {
        var c = Only(Score(new AccountFacts(s_now.AddMinutes(-40), 0)), ReasonCodes.NewAccount);
        Assert.Contains("40 minutes", c.Detail, StringComparison.Ordinal);
    }

    // --- LABEL_FRAUD ---------------------------------------------------------------------------

    [Fact]
    public void An_account_labelled_fraud_scores_at_least_0_99_and_its_requests_are_blocked()
    {
        var result = Score(Established with { Label = Label.Fraud }, QuietRange, [OwnCard]);

        Assert.True(result.Score >= 0.99, $"score {result.Score}");
        Assert.True(result.Score >= W.LabelFraud, $"score {result.Score}");
        Assert.Equal(RequestOutcome.Block, s_policy.Request.Decide(result.Score));
        Assert.Equal(SignupOutcome.Deny, s_policy.Signup.Decide(result.Score));
        Assert.Equal(BillingOutcome.Deny, s_policy.Billing.Decide(result.Score));
        var c = Only(result, ReasonCodes.LabelFraud);
        Assert.Contains("fraud", c.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_brand_new_account_labelled_fraud_adds_newness_on_top_and_fraud_is_the_first_reason()
    {
        var result = Score(BrandNew with { Label = Label.Fraud });

        Assert.Equal(1 - ((1 - W.LabelFraud) * (1 - W.NewAccount)), result.Score, 1e-12);
        Assert.Equal([ReasonCodes.LabelFraud, ReasonCodes.NewAccount], result.Contributions.Select(c => c.Code));
    }

    // --- ACCOUNT_REQUEST_VELOCITY ------------------------------------------------------------

    [Fact]
    public void Requests_per_minute_at_the_free_level_are_not_a_reason()
    {
        var result = Score(new AccountFacts(s_now.AddDays(-30), (long)R.AccountRequestsPerMinute.Free));
        Assert.Equal(0, result.Score);
        Assert.Empty(result.Contributions);
    }

    [Fact]
    public void Requests_per_minute_halfway_up_the_ramp_score_half_the_weight_and_name_the_count()
    {
        var perMinute = (long)((R.AccountRequestsPerMinute.Free + R.AccountRequestsPerMinute.Saturation) / 2); // 1650
        var result = Score(new AccountFacts(s_now.AddDays(-30), perMinute));

        Assert.Equal(W.AccountRequestVelocity * Between(R.AccountRequestsPerMinute, perMinute), result.Score, 1e-12);
        var c = Only(result, ReasonCodes.AccountRequestVelocity);
        Assert.Equal(0.5, c.Value, 1e-12);
        Assert.Contains($"{perMinute} requests in the last minute", c.Detail, StringComparison.Ordinal);
        Assert.Equal(RequestOutcome.Allow, s_policy.Request.Decide(result.Score));
    }

    // --- BURST_AFTER_CREATION ----------------------------------------------------------------

    [Fact]
    public void A_first_hour_at_the_free_level_is_not_a_burst()
    {
        var result = Score(Established with { RequestsFirstHour = (long)R.RequestsFirstHour.Free });
        Assert.Empty(result.Contributions);
    }

    [Fact]
    public void A_burst_in_the_first_hour_scores_along_its_ramp_and_names_the_count()
    {
        var firstHour = (long)((R.RequestsFirstHour.Free + R.RequestsFirstHour.Saturation) / 2); // 1150
        var result = Score(Established with { RequestsFirstHour = firstHour });

        Assert.Equal(W.BurstAfterCreation * Between(R.RequestsFirstHour, firstHour), result.Score, 1e-12);
        var c = Only(result, ReasonCodes.BurstAfterCreation);
        Assert.Contains($"{firstHour} requests in the account's first hour", c.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_saturated_first_hour_scores_the_full_burst_weight()
    {
        var result = Score(Established with { RequestsFirstHour = (long)R.RequestsFirstHour.Saturation * 3 });
        Assert.Equal(W.BurstAfterCreation, result.Score, 1e-12);
        Assert.Equal(1, Only(result, ReasonCodes.BurstAfterCreation).Value);
    }

    // --- IP_ROTATION ---------------------------------------------------------------------------

    [Fact]
    public void Home_office_and_a_phones_carrier_nat_in_one_day_are_not_rotation()
    {
        var result = Score(Established with { RangesLastDay = (long)R.RangesPerDay.Free });
        Assert.Empty(result.Contributions);
    }

    [Fact]
    public void Ranges_per_day_score_along_their_ramp_and_name_the_count()
    {
        var ranges = (long)R.RangesPerDay.Free + 1; // 4
        var result = Score(Established with { RangesLastDay = ranges });

        Assert.Equal(W.IpRotation * Between(R.RangesPerDay, ranges), result.Score, 1e-12);
        var c = Only(result, ReasonCodes.IpRotation);
        Assert.Contains($"{ranges} IP ranges used in the last 24 hours", c.Detail, StringComparison.Ordinal);
        Assert.Equal(RequestOutcome.Allow, s_policy.Request.Decide(result.Score));
    }

    [Fact]
    public void A_new_account_behind_a_rotating_proxy_network_is_throttled()
    {
        // A new range with nearly every request: the most recent ranges an account keeps are all in the last day.
        var result = Score(BrandNew with { RangesLastDay = (long)R.RangesPerDay.Saturation + 2 }, QuietRange);

        Assert.Equal(1, Find(result, ReasonCodes.IpRotation).Value);
        Assert.Equal(ReasonCodes.IpRotation, result.Contributions[0].Code);
        Assert.Equal(RequestOutcome.Throttle, s_policy.Request.Decide(result.Score));
    }

    // --- Template traffic share ----------------------------------------------------------------

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(1, 2, 0.5)]
    [InlineData(3, 12, 0.25)]
    [InlineData(12, 12, 1)]
    [InlineData(15, 12, 1)] // counts estimated apart never pass 1
    public void A_templates_traffic_share_is_its_part_of_the_accounts_requests(long template, long account, double share)
    {
        Assert.Equal(share, R.TemplateTrafficShare(template, account), 1e-12);
    }

    [Fact]
    public void A_minimum_request_count_keeps_an_accounts_first_prompts_from_being_all_its_traffic()
    {
        var ramps = R with { TemplateMinRequests = 10 };
        Assert.Equal(0.1, ramps.TemplateTrafficShare(1, 2), 1e-12);
        Assert.Equal(0.5, ramps.TemplateTrafficShare(10, 20), 1e-12);
    }

    // --- REASONING_ELICITATION -----------------------------------------------------------------

    [Fact]
    public void Reasoning_elicitation_is_ignored_below_the_minimum_requests_even_when_every_request_elicits()
    {
        var result = Score(Established with { RequestsLastHour = R.ReasoningMinRequests - 1, ReasoningShare = 1 });
        Absent(result, ReasonCodes.ReasoningElicitation);
        Assert.Equal(0, result.Score);
    }

    [Fact]
    public void Reasoning_elicitation_counts_from_the_minimum_requests_on()
    {
        var atMinimum = Score(Established with { RequestsLastHour = R.ReasoningMinRequests, ReasoningShare = 1 });
        var above = Score(Established with { RequestsLastHour = R.ReasoningMinRequests * 10, ReasoningShare = 1 });

        Assert.Equal(W.ReasoningElicitation, atMinimum.Score, 1e-12);
        Assert.Equal(W.ReasoningElicitation, above.Score, 1e-12);
        Assert.Equal(1, Only(above, ReasonCodes.ReasoningElicitation).Value);
    }

    [Fact]
    public void A_reasoning_share_halfway_up_the_ramp_scores_half_the_weight_and_names_the_share()
    {
        var share = (R.ReasoningShare.Free + R.ReasoningShare.Saturation) / 2; // 0.55
        var result = Score(Established with { RequestsLastHour = R.ReasoningMinRequests + 30, ReasoningShare = share });

        Assert.Equal(W.ReasoningElicitation * Between(R.ReasoningShare, share), result.Score, 1e-9);
        var c = Only(result, ReasonCodes.ReasoningElicitation);
        Assert.Matches(@"\b55\s?%", c.Detail);
    }

    [Fact]
    public void A_reasoning_share_at_the_free_level_is_not_a_reason()
    {
        var result = Score(Established with { RequestsLastHour = 500, ReasoningShare = R.ReasoningShare.Free });
        Assert.Empty(result.Contributions);
    }

    // --- IP_RANGE_SIGNUP_VELOCITY / IP_RANGE_ACCOUNTS ------------------------------------------

    [Fact]
    public void Signups_from_the_range_at_the_free_level_are_not_a_reason()
    {
        var result = Score(Established, new RangeFacts(Range, (long)R.IpRangeSignupsPerHour.Free, 1));
        Assert.Empty(result.Contributions);
    }

    [Fact]
    public void Signups_from_the_range_score_along_their_ramp_and_name_the_count_and_the_range()
    {
        const long signups = 8;
        var result = Score(Established, new RangeFacts(Range, signups, 1));

        Assert.Equal(W.IpRangeSignupVelocity * Between(R.IpRangeSignupsPerHour, signups), result.Score, 1e-12);
        var c = Only(result, ReasonCodes.IpRangeSignupVelocity);
        Assert.Contains("8 signups", c.Detail, StringComparison.Ordinal);
        Assert.Contains(Range, c.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Signups_from_a_range_many_share_count_in_proportion_to_the_share_of_its_accounts_they_are()
    {
        // Eight newcomers in an hour behind a carrier NAT of 226 accounts are its churn; eight in a
        // range of ten are most of it.
        const long signups = 8;
        var nat = Score(Established, new RangeFacts(Range, signups, 226)).Contributions.Single(c => c.Code == ReasonCodes.IpRangeSignupVelocity);
        var fresh = Score(Established, new RangeFacts(Range, signups, 10)).Contributions.Single(c => c.Code == ReasonCodes.IpRangeSignupVelocity);

        Assert.Equal(Between(R.IpRangeSignupsPerHour, signups) * Between(R.IpRangeNewcomerShare, signups / 226.0), nat.Value, 1e-12);
        Assert.Contains("(4 % of its about 226 accounts)", nat.Detail, StringComparison.Ordinal);
        Assert.Equal(Between(R.IpRangeSignupsPerHour, signups), fresh.Value, 1e-12);
        Assert.DoesNotContain("of its about", fresh.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_saturated_signup_rate_scores_the_full_signup_weight()
    {
        var result = Score(Established, new RangeFacts(Range, (long)R.IpRangeSignupsPerHour.Saturation, 1));
        Assert.Equal(W.IpRangeSignupVelocity, result.Score, 1e-12);
    }

    [Fact]
    public void Accounts_in_the_range_score_along_their_ramp_and_name_the_count_and_the_range()
    {
        const long accounts = 120;
        var result = Score(Established, new RangeFacts(Ipv6Range, 0, accounts));

        Assert.Equal(W.IpRangeAccounts * Between(R.IpRangeDistinctAccounts, accounts), result.Score, 1e-12); // 0.06
        var c = Only(result, ReasonCodes.IpRangeAccounts);
        Assert.Contains("120 accounts", c.Detail, StringComparison.Ordinal);
        Assert.Contains(Ipv6Range, c.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Accounts_in_the_range_at_the_free_level_are_not_a_reason_and_many_are_only_a_low_weight()
    {
        Assert.Empty(Score(Established, new RangeFacts(Range, 0, (long)R.IpRangeDistinctAccounts.Free)).Contributions);

        var carrierNat = Score(Established, new RangeFacts(Range, 0, 50_000));
        Assert.Equal(W.IpRangeAccounts, carrierNat.Score, 1e-12);
        Assert.Equal(RequestOutcome.Allow, s_policy.Request.Decide(carrierNat.Score));
        Assert.Equal(SignupOutcome.Allow, s_policy.Signup.Decide(carrierNat.Score));
    }

    // --- PAYMENT_* -------------------------------------------------------------------------------

    [Fact]
    public void The_most_shared_of_several_instruments_speaks_for_the_account_and_is_named()
    {
        InstrumentFacts[] cards = [new(3, 0, 0), new(6, 0, 0), new(1, 0, 0)];
        var result = Score(Established, instruments: cards);

        Assert.Equal(W.PaymentInstrumentShared * Between(R.PaymentInstrumentAccounts, 6), result.Score, 1e-12); // 0.4
        Assert.Equal(Score(Established, instruments: [new(6, 0, 0)]).Score, result.Score);
        var c = Only(result, ReasonCodes.PaymentInstrumentShared);
        Assert.Contains("6 accounts", c.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Chargebacks_and_declines_on_the_accounts_own_organisations_card_are_read_in_proportion_to_its_members()
    {
        // One dispute and four declines on a card paying for a 20-person team: a twentieth and a fifth of each.
        var team = new InstrumentFacts(DistinctAccounts: 20, Chargebacks: 1, Declines: 4) { DistinctOwners = 1, OwnOrganisation = true };
        var result = Score(Established, instruments: [team]);

        var chargebacks = Find(result, ReasonCodes.PaymentChargebacks);
        Assert.Equal(R.PaymentChargebacks.Apply(0.05), chargebacks.Value, 1e-12);
        Assert.Contains("pays for 20 members", chargebacks.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Contributions, c => c.Code == ReasonCodes.PaymentDeclines);

        // The same counts on a card of twenty owners are each account's evidence whole.
        var ring = Score(Established, instruments: [team with { DistinctOwners = 20, OwnOrganisation = false }]);
        Assert.Equal(R.PaymentChargebacks.Apply(1), Find(ring, ReasonCodes.PaymentChargebacks).Value, 1e-12);
        Assert.True(ring.Score > result.Score);

        // An organisation of one on its own card reads its own dispute whole.
        var alone = Score(Established, instruments: [new(1, 1, 0) { DistinctOwners = 1, OwnOrganisation = true }]);
        Assert.Equal(R.PaymentChargebacks.Apply(1), Find(alone, ReasonCodes.PaymentChargebacks).Value, 1e-12);
        Assert.Equal("1 chargebacks on a linked payment instrument", Find(alone, ReasonCodes.PaymentChargebacks).Detail);
    }

    [Fact]
    public void A_card_on_as_many_accounts_as_a_household_is_not_a_reason()
    {
        var result = Score(Established, instruments: [new((long)R.PaymentInstrumentAccounts.Free, 0, 0)]);
        Assert.Empty(result.Contributions);
    }

    [Fact]
    public void One_chargeback_scores_half_the_chargeback_weight_and_billing_is_still_allowed()
    {
        var result = Score(Established, instruments: [new(1, Chargebacks: 1, Declines: 0)]);

        Assert.Equal(W.PaymentChargebacks * Between(R.PaymentChargebacks, 1), result.Score, 1e-12); // 0.4
        Assert.Equal(BillingOutcome.Allow, s_policy.Billing.Decide(result.Score));
        var c = Only(result, ReasonCodes.PaymentChargebacks);
        Assert.Contains("1 chargeback", c.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Declines_score_along_their_ramp_from_the_worst_instrument_and_name_the_count()
    {
        var result = Score(Established, instruments: [new(1, 0, Declines: 1), new(1, 0, Declines: 6)]);

        Assert.Equal(W.PaymentDeclines * Between(R.PaymentDeclines, 6), result.Score, 1e-12); // 0.2
        var c = Only(result, ReasonCodes.PaymentDeclines);
        Assert.Contains("6 declined", c.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Declines_at_the_free_level_are_not_a_reason()
    {
        Assert.Empty(Score(Established, instruments: [new(1, 0, (long)R.PaymentDeclines.Free)]).Contributions);
    }

    // --- PROMPT_TEMPLATE_SHARED --------------------------------------------------------------

    [Fact]
    public void The_most_shared_template_speaks_for_the_account_and_is_named()
    {
        TemplateFacts[] templates = [new(5, 0), new(14, 0), new(2, 0)];
        var result = Score(Established, templates: templates);

        Assert.Equal(W.PromptTemplateShared * Between(R.TemplateSharingAccounts, 14), result.Score, 1e-12); // 0.3
        var c = Only(result, ReasonCodes.PromptTemplateShared);
        Assert.Contains("14 other accounts", c.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_template_shared_by_a_few_accounts_is_not_a_reason()
    {
        var result = Score(Established, templates: [new((long)R.TemplateSharingAccounts.Free, 10)]);
        Assert.Empty(result.Contributions);
    }

    [Fact]
    public void A_template_shared_by_the_saturation_count_scores_the_full_template_weight()
    {
        var result = Score(Established, templates: [new((long)R.TemplateSharingAccounts.Saturation, 10)]);
        Assert.Equal(W.PromptTemplateShared, result.Score, 1e-12);
    }

    // --- CLUSTER_USAGE -------------------------------------------------------------------------

    [Fact]
    public void A_card_whose_accounts_together_exceed_its_quota_is_a_reason_that_names_requests_and_quota()
    {
        var requests = Q.InstrumentRequestsPerHour * 3 / 2; // 4500: 1.5x
        var result = Score(Established, instruments: [OwnCard with { RequestsLastHour = requests }]);

        Assert.Equal(W.ClusterUsage * Between(R.ClusterQuotaMultiple, 1.5), result.Score, 1e-12); // 0.375
        var c = Only(result, ReasonCodes.ClusterUsage);
        Assert.Equal(0.5, c.Value, 1e-12);
        Assert.Contains(requests.ToString(CultureInfo.InvariantCulture), c.Detail, StringComparison.Ordinal);
        Assert.Contains(Q.InstrumentRequestsPerHour.ToString(CultureInfo.InvariantCulture), c.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_card_at_or_under_its_quota_is_not_a_cluster_reason()
    {
        Absent(Score(Established, instruments: [OwnCard with { RequestsLastHour = Q.InstrumentRequestsPerHour }]), ReasonCodes.ClusterUsage);
        Absent(Score(Established, instruments: [OwnCard with { RequestsLastHour = Q.InstrumentRequestsPerHour / 2 }]), ReasonCodes.ClusterUsage);
        Assert.Empty(Score(Established, instruments: [OwnCard with { RequestsLastHour = Q.InstrumentRequestsPerHour - 1 }]).Contributions);
    }

    [Fact]
    public void A_card_at_twice_its_quota_scores_the_full_cluster_weight()
    {
        var result = Score(Established, instruments: [OwnCard with { RequestsLastHour = Q.InstrumentRequestsPerHour * 2 }]);
        Assert.Equal(W.ClusterUsage, result.Score, 1e-12);
        Assert.Equal(RequestOutcome.Degrade, s_policy.Request.Decide(result.Score));
    }

    [Fact]
    public void A_template_counts_against_its_quota_only_once_enough_accounts_share_it()
    {
        var requests = Q.TemplateRequestsPerHour * 2;
        var few = Score(Established, templates: [new(Q.TemplateMinSharingAccounts - 1, requests)]);
        var enough = Score(Established, templates: [new(Q.TemplateMinSharingAccounts, requests)]);

        // One user's own repeated prompt is not a cluster, however busy.
        Absent(few, ReasonCodes.ClusterUsage);
        Assert.Equal(W.ClusterUsage, Find(enough, ReasonCodes.ClusterUsage).Share, 1e-12);
        Assert.Equal(W.ClusterUsage, enough.Score, 1e-12);
        Assert.Contains(requests.ToString(CultureInfo.InvariantCulture), Find(enough, ReasonCodes.ClusterUsage).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_range_counts_against_its_own_higher_quota()
    {
        var under = Score(Established, QuietRange with { RequestsLastHour = Q.RangeRequestsPerHour });
        var over = Score(Established, QuietRange with { RequestsLastHour = Q.RangeRequestsPerHour * 3 / 2 });

        Assert.Empty(under.Contributions);
        Assert.Equal(W.ClusterUsage * 0.5, over.Score, 1e-12);
        var c = Only(over, ReasonCodes.ClusterUsage);
        Assert.Contains(Range, c.Detail, StringComparison.Ordinal);
        Assert.Contains((Q.RangeRequestsPerHour * 3 / 2).ToString(CultureInfo.InvariantCulture), c.Detail, StringComparison.Ordinal);
        Assert.Contains(Q.RangeRequestsPerHour.ToString(CultureInfo.InvariantCulture), c.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Range_traffic_that_would_swamp_a_card_is_not_over_the_range_quota()
    {
        var requests = Q.InstrumentRequestsPerHour * 10;
        Assert.True(requests <= Q.RangeRequestsPerHour);
        Assert.Empty(Score(Established, QuietRange with { RequestsLastHour = requests }).Contributions);
    }

    [Fact]
    public void The_worst_entity_over_quota_sets_the_cluster_value_and_is_the_one_described()
    {
        var cardRequests = Q.InstrumentRequestsPerHour * 3 / 2;     // 1.5x
        var templateRequests = Q.TemplateRequestsPerHour * 9 / 5;   // 1.8x
        var rangeRequests = Q.RangeRequestsPerHour * 6 / 5;         // 1.2x

        var result = Score(
            Established,
            QuietRange with { RequestsLastHour = rangeRequests },
            [OwnCard with { RequestsLastHour = cardRequests }],
            [new(Q.TemplateMinSharingAccounts, templateRequests)]);

        var c = Find(result, ReasonCodes.ClusterUsage);
        Assert.Equal(Between(R.ClusterQuotaMultiple, 1.8), c.Value, 1e-12);
        Assert.Contains("template", c.Detail, StringComparison.Ordinal);
        Assert.Contains(templateRequests.ToString(CultureInfo.InvariantCulture), c.Detail, StringComparison.Ordinal);
        Assert.Contains(Q.TemplateRequestsPerHour.ToString(CultureInfo.InvariantCulture), c.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(cardRequests.ToString(CultureInfo.InvariantCulture), c.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(Range, c.Detail, StringComparison.Ordinal);
    }

    // --- LINKED_RISK ---------------------------------------------------------------------------

    [Fact]
    public void A_range_risk_reaches_the_account_after_one_hops_decay_and_names_the_risk()
    {
        var result = Score(Newcomer, QuietRange with { Risk = 0.5 });

        Assert.Equal(0.5 * P.Decay, result.Score, 1e-12); // 0.4
        var c = Only(result, ReasonCodes.LinkedRisk);
        Assert.Equal(0.5 * P.Decay, c.Value, 1e-12);
        Assert.Contains(Range, c.Detail, StringComparison.Ordinal);
        Assert.Contains("0.40", c.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("range", "IP range " + Range)]
    [InlineData("other range", "IP range " + OtherRange)]
    [InlineData("card", "payment instrument")]
    [InlineData("template", "prompt template")]
    public void The_riskiest_linked_entity_sets_the_linked_risk_and_is_the_one_described(string worst, string described)
    {
        const double high = 0.9, low = 0.3;
        double RiskOf(string entity) => entity == worst ? high : low;

        var result = Score(
            Newcomer,
            QuietRange with { Risk = RiskOf("range") },
            [OwnCard with { Risk = RiskOf("card") }],
            [new(1, 0) { Risk = RiskOf("template") }],
            [new(OtherRange, 0, 1) { Risk = RiskOf("other range") }]);

        var c = Only(result, ReasonCodes.LinkedRisk);
        Assert.Equal(high * P.Decay, c.Value, 1e-12); // 0.72
        Assert.Equal(RequestOutcome.Degrade, s_policy.Request.Decide(result.Score));
        Assert.Contains(described, c.Detail, StringComparison.Ordinal);
        Assert.Contains("0.72", c.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_trusted_entity_passes_on_no_risk_and_the_next_riskiest_one_counts()
    {
        var alone = Score(Established, instruments: [OwnCard with { Risk = 0.9, Label = Label.Trusted }]);
        Assert.Empty(alone.Contributions);

        var withRange = Score(Newcomer, QuietRange with { Risk = 0.25 }, [OwnCard with { Risk = 0.9, Label = Label.Trusted }]);
        var c = Only(withRange, ReasonCodes.LinkedRisk);
        Assert.Equal(0.25 * P.Decay, c.Value, 1e-12);
        Assert.Contains(Range, c.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_entity_labelled_fraud_says_so_and_degrades_its_accounts()
    {
        var cardRisk = P.EntityRisk(Label.Fraud, 0, 0, 4);
        var result = Score(Established, QuietRange with { Risk = 0.3 }, [OwnCard with { Risk = cardRisk, Label = Label.Fraud }]);

        var c = Only(result, ReasonCodes.LinkedRisk);
        Assert.Equal(P.Decay, c.Value, 1e-12); // 0.8
        Assert.Contains("labelled fraud", c.Detail, StringComparison.Ordinal);
        Assert.Contains("payment instrument", c.Detail, StringComparison.Ordinal);
        Assert.Equal(RequestOutcome.Degrade, s_policy.Request.Decide(result.Score));
    }

    [Fact]
    public void A_card_of_three_accounts_with_one_labelled_fraud_degrades_its_other_accounts()
    {
        // docs/decisions/0017: one confirmed of three is a confirmed share past saturation; the card
        // goes to 0.9 or more and its accounts get LINKED_RISK from 0.72, alone a degrade.
        var cardRisk = P.EntityRisk(Label.None, confirmedFraudAccounts: 1, flaggedAccounts: 1, distinctAccounts: 3);
        var result = Score(Established, instruments: [new(3, 0, 0) { Risk = cardRisk }]);

        Assert.True(cardRisk >= 0.9, $"card risk {cardRisk}");
        Assert.Equal(cardRisk * P.Decay, Find(result, ReasonCodes.LinkedRisk).Value, 1e-9);
        Assert.Equal(RequestOutcome.Degrade, s_policy.Request.Decide(W.LinkedRisk * 0.72));
        Assert.True(s_policy.Request.Decide(result.Score) >= RequestOutcome.Degrade, $"score {result.Score}");
    }

    // --- Evidence as its ranges count it -------------------------------------------------------

    [Fact]
    public void A_ranges_own_burst_is_not_evidence_the_range_counts_its_new_accounts_flagged_on()
    {
        // Thirty new accounts from one campus /24 within the hour: the burst is the range's fact, and
        // echoed back as the risk of its flagged newcomers it would count twice.
        var burst = new RangeFacts(Range, SignupsLastHour: 30, DistinctAccounts: 30) { RequestsLastHour = 5 * Q.RangeRequestsPerHour };
        var result = Score(BrandNew, burst);

        Assert.True(result.Evidence >= P.FlaggedScore, $"evidence {result.Evidence}");
        var ownOnly = Score(BrandNew);
        Assert.Equal(ownOnly.Evidence, result.EvidenceForRanges, 1e-12);
        Assert.True(result.EvidenceForRanges < P.FlaggedScore, $"for ranges {result.EvidenceForRanges}");
    }

    [Fact]
    public void What_the_account_did_or_shares_elsewhere_counts_for_its_ranges_too()
    {
        var ringCard = OwnCard with { DistinctAccounts = 12 };
        var result = Score(BrandNew, QuietRange with { Risk = 0.9 }, [ringCard]);

        // Linked risk counts for neither; the shared card counts for both.
        Assert.Equal(Score(BrandNew, QuietRange, [ringCard]).Evidence, result.Evidence, 1e-12);
        Assert.Equal(result.Evidence, result.EvidenceForRanges, 1e-12);
        Assert.True(result.EvidenceForRanges >= P.FlaggedScore, $"for ranges {result.EvidenceForRanges}");
    }

    // --- LABEL_TRUSTED -------------------------------------------------------------------------

    [Fact]
    public void A_trusted_account_that_would_be_throttled_is_allowed_with_its_score_cut_by_the_trusted_factor()
    {
        var flood = new AccountFacts(s_now.AddDays(-30), (long)R.AccountRequestsPerMinute.Saturation);
        var untrusted = Score(flood);
        var trusted = Score(flood with { Label = Label.Trusted });

        Assert.Equal(RequestOutcome.Throttle, s_policy.Request.Decide(untrusted.Score));
        Assert.Equal(RequestOutcome.Allow, s_policy.Request.Decide(trusted.Score));
        Assert.Equal(untrusted.Score * P.TrustedScoreFactor, trusted.Score, 1e-12); // 0.1
        Assert.Equal(trusted.Score, trusted.Contributions.Sum(c => c.Share), 1e-12);

        var label = Find(trusted, ReasonCodes.LabelTrusted);
        Assert.Equal(0, label.Share);
        Assert.Matches(@"\b20\s?%", label.Detail);
        Assert.Equal(untrusted.Score * P.TrustedScoreFactor, Find(trusted, ReasonCodes.AccountRequestVelocity).Share, 1e-12);
    }

    [Fact]
    public void A_trusted_account_with_many_signals_keeps_every_reason_and_their_shares_add_up_to_the_cut_score()
    {
        var account = BrandNew with { Label = Label.Trusted, RequestsFirstHour = 5000 };
        var untrusted = Score(account with { Label = Label.None }, new RangeFacts(Range, 20, 600), [new(8, 2, 10)]);
        var trusted = Score(account, new RangeFacts(Range, 20, 600), [new(8, 2, 10)]);

        Assert.Equal(untrusted.Score * P.TrustedScoreFactor, trusted.Score, 1e-12);
        Assert.Equal(trusted.Score, trusted.Contributions.Sum(c => c.Share), 1e-9);
        Assert.Equal(
            new[] { ReasonCodes.LabelTrusted }.Concat(untrusted.Contributions.Select(c => c.Code)),
            trusted.Contributions.Select(c => c.Code));
    }

    // --- Details -------------------------------------------------------------------------------

    private static readonly Regex s_email = new(@"[^\s@]+@[^\s@]+", RegexOptions.CultureInvariant);

    /// <summary>An account with every signal on, with distinct counts so each detail can be checked for its own.</summary>
    private static ScoreResult EverySignal(Label label) =>
        Score(
            new AccountFacts(s_now.AddDays(-2), 1234)
            {
                RequestsLastHour = 40,
                ReasoningShare = 0.64,
                RequestsFirstHour = 777,
                RangesLastDay = 5,
                Label = label,
            },
            new RangeFacts(Range, SignupsLastHour: 17, DistinctAccounts: 333),
            [new(DistinctAccounts: 7, Chargebacks: 1, Declines: 9) { RequestsLastHour = 5400 }],
            [new(SharingAccounts: 19, RequestsLastHour: 100) { Risk = 0.7 }],
            [new(Ipv6Range, 0, 3) { Risk = 0.1 }]);

    [Fact]
    public void Every_signal_detail_names_the_count_it_is_about()
    {
        var expected = new Dictionary<string, string>
        {
            [ReasonCodes.NewAccount] = "2 days",
            [ReasonCodes.AccountRequestVelocity] = "1234 requests",
            [ReasonCodes.BurstAfterCreation] = "777 requests",
            [ReasonCodes.ReasoningElicitation] = "64",
            [ReasonCodes.IpRangeSignupVelocity] = "17 signups",
            [ReasonCodes.IpRangeAccounts] = "333 accounts",
            [ReasonCodes.PaymentInstrumentShared] = "7 accounts",
            [ReasonCodes.PaymentChargebacks] = "1 chargeback",
            [ReasonCodes.PaymentDeclines] = "9 declined",
            [ReasonCodes.PromptTemplateShared] = "19 other accounts",
            [ReasonCodes.ClusterUsage] = "5400 requests",
            [ReasonCodes.LinkedRisk] = "0.56",
            [ReasonCodes.IpRotation] = "5 IP ranges",
        };

        var result = EverySignal(Label.None);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), result.Contributions.Select(c => c.Code).Order(StringComparer.Ordinal));
        foreach (var (code, text) in expected)
        {
            Assert.True(Find(result, code).Detail.Contains(text, StringComparison.Ordinal), $"{code}: '{Find(result, code).Detail}' should contain '{text}'");
        }

        Assert.Contains("fraud", Find(EverySignal(Label.Fraud), ReasonCodes.LabelFraud).Detail, StringComparison.Ordinal);
        Assert.Contains("trusted", Find(EverySignal(Label.Trusted), ReasonCodes.LabelTrusted).Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Label.None)]
    [InlineData(Label.Fraud)]
    [InlineData(Label.Trusted)]
    public void No_detail_contains_an_email_or_an_individual_ip_address(Label label)
    {
        var result = EverySignal(label);
        Assert.NotEmpty(result.Contributions);
        foreach (var c in result.Contributions)
        {
            Assert.False(s_email.IsMatch(c.Detail), $"{c.Code}: '{c.Detail}' looks like it holds an email");
            foreach (var token in c.Detail.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var word = token.TrimEnd(',', '.', ';', ':', ')').TrimStart('(');
                var addressLike = word.Count(ch => ch == '.') == 3 || word.Count(ch => ch == ':') >= 2;
                if (addressLike && !word.Contains('/', StringComparison.Ordinal))
                {
                    Assert.False(IPAddress.TryParse(word, out _), $"{c.Code}: '{c.Detail}' names an individual address '{word}'");
                }
            }
        }

        // The ranges are named, as ranges.
        Assert.Contains(result.Contributions, c => c.Detail.Contains(Range, StringComparison.Ordinal));
    }

    // --- Product examples ------------------------------------------------------------------------

    [Fact]
    public void A_brand_new_account_on_a_25_account_template_whose_card_cluster_is_at_twice_quota_is_at_least_throttled()
    {
        var result = Score(
            BrandNew with { RequestsLastHour = 30 },
            QuietRange,
            [OwnCard with { RequestsLastHour = Q.InstrumentRequestsPerHour * 2 }],
            [new(SharingAccounts: 25, RequestsLastHour: 1000)]);

        // Each account is tiny; the cluster is not: 1 − (1 − 0.15)(1 − 0.6)(1 − 0.75) = 0.915.
        var expected = 1 - ((1 - W.NewAccount) * (1 - W.PromptTemplateShared) * (1 - W.ClusterUsage));
        Assert.Equal(expected, result.Score, 1e-12);
        Assert.True(s_policy.Request.Decide(result.Score) >= RequestOutcome.Throttle, $"score {result.Score}");
        Assert.Equal(
            [ReasonCodes.ClusterUsage, ReasonCodes.PromptTemplateShared, ReasonCodes.NewAccount],
            result.Contributions.Select(c => c.Code));
    }

    [Fact]
    public void An_established_account_in_a_carrier_nat_range_with_one_fraud_account_among_ten_thousand_stays_allowed()
    {
        const long accounts = 10_000;
        var rangeRisk = P.EntityRisk(Label.None, confirmedFraudAccounts: 1, flaggedAccounts: 1, accounts, P.RangeLinkStrength);
        var nat = new RangeFacts(Range, SignupsLastHour: (long)R.IpRangeSignupsPerHour.Free, accounts)
        {
            RequestsLastHour = Q.RangeRequestsPerHour / 2,
            Risk = rangeRisk,
        };
        var result = Score(new AccountFacts(s_now.AddDays(-30), RequestsLastMinute: 12) { RequestsLastHour = 200 }, nat, [OwnCard]);

        // One in ten thousand is no share at all: the range passes on nothing (docs/decisions/0017).
        Assert.Equal(0, rangeRisk);
        Assert.Equal(W.IpRangeAccounts, result.Score, 1e-12);
        Assert.Equal(RequestOutcome.Allow, s_policy.Request.Decide(result.Score));
        Assert.DoesNotContain(result.Contributions, c => c.Code == ReasonCodes.LinkedRisk);
    }

    // --- Properties ----------------------------------------------------------------------------

    /// <summary>Facts of one score, as plain data FsCheck can generate and print.</summary>
    private sealed record Case(
        int AgeHours,
        AccountFacts Account,
        RangeFacts? Range,
        InstrumentFacts[] Instruments,
        TemplateFacts[] Templates,
        RangeFacts[] OtherRanges)
    {
        public ScoreResult Score() => ScorerSignalTests.Score(Account, Range, Instruments, Templates, OtherRanges);

        public override string ToString() =>
            $"age {AgeHours}h {Account}; range {Range?.ToString() ?? "none"}; instruments [{string.Join(", ", Instruments)}]; " +
            $"templates [{string.Join(", ", Templates)}]; other ranges [{string.Join(", ", OtherRanges)}]";
    }

    /// <summary>Counts near the thresholds as often as far above them.</summary>
    private static Gen<long> Count(int max) =>
        Gen.OneOf(Gen.Choose(0, 30), Gen.Choose(0, max)).Select(c => (long)c);

    private static readonly Gen<double> s_unit = Gen.Choose(0, 1000).Select(v => v / 1000.0);

    private static readonly Gen<Label> s_label = Gen.Frequency(
        (6, Gen.Constant(Label.None)), (1, Gen.Constant(Label.Fraud)), (1, Gen.Constant(Label.Trusted)));

    private static readonly Gen<RangeFacts> s_range =
        from signups in Count(40)
        from accounts in Count(20_000)
        from requests in Count(300_000)
        from risk in s_unit
        from label in s_label
        select new RangeFacts(Ipv6Range, signups, accounts) { RequestsLastHour = requests, Risk = risk, Label = label };

    private static Gen<T[]> UpTo<T>(int n, Gen<T> gen) =>
        from length in Gen.Choose(0, n)
        from items in Gen.ArrayOf(gen, length)
        select items;

    private static readonly Gen<Case> s_case =
        from ageHours in Gen.Choose(-24, 24 * 30)
        from perMinute in Count(5000)
        from perHour in Count(1000)
        from share in s_unit
        from firstHour in Count(4000)
        from ranges in Count(8)
        from label in s_label
        from hasRange in Gen.Elements(true, false)
        from range in s_range
        from instruments in UpTo(3,
            from a in Count(20)
            from c in Gen.Choose(0, 4)
            from d in Count(20)
            from requests in Count(10_000)
            from risk in s_unit
            from l in s_label
            select new InstrumentFacts(a, c, d) { RequestsLastHour = requests, Risk = risk, Label = l })
        from templates in UpTo(4,
            from s in Count(60)
            from requests in Count(15_000)
            from risk in s_unit
            from l in s_label
            select new TemplateFacts(s, requests) { Risk = risk, Label = l })
        from others in UpTo(3, s_range)
        select new Case(
            ageHours,
            new AccountFacts(s_now.AddHours(-ageHours), perMinute)
            {
                RequestsLastHour = perHour,
                ReasoningShare = share,
                RequestsFirstHour = firstHour,
                RangesLastDay = ranges,
                Label = label,
            },
            hasRange ? range : null,
            instruments,
            templates,
            others);

    private static readonly HashSet<string> s_allCodes =
    [
        ReasonCodes.NewAccount, ReasonCodes.IpRangeSignupVelocity, ReasonCodes.IpRangeAccounts, ReasonCodes.PaymentInstrumentShared,
        ReasonCodes.PaymentChargebacks, ReasonCodes.PaymentDeclines, ReasonCodes.AccountRequestVelocity, ReasonCodes.BurstAfterCreation,
        ReasonCodes.ReasoningElicitation, ReasonCodes.PromptTemplateShared, ReasonCodes.ClusterUsage, ReasonCodes.LinkedRisk,
        ReasonCodes.LabelFraud, ReasonCodes.LabelTrusted, ReasonCodes.IpRotation,
    ];

    [Fact]
    public void For_any_facts_the_score_is_in_0_1_and_the_contributions_add_up_to_it()
    {
        Properties.Check(Prop.ForAll(s_case.ToArbitrary(), c =>
        {
            var result = c.Score();

            Assert.True(result.Score >= 0 && result.Score < 1, $"score {result.Score}");
            Assert.Equal(result.Score, result.Contributions.Sum(x => x.Share), 1e-9);
            Assert.All(result.Contributions, x => Assert.Contains(x.Code, s_allCodes));
            Assert.Equal(result.Contributions.Count, result.Contributions.Select(x => x.Code).Distinct().Count());
            Assert.All(result.Contributions, x => Assert.True(x.Share > 0 || x.Code == ReasonCodes.LabelTrusted, $"{x.Code} share {x.Share}"));
            Assert.All(result.Contributions, x => Assert.False(string.IsNullOrWhiteSpace(x.Detail), x.Code));
            Assert.Equal(c.Account.Label == Label.Trusted, result.Contributions.Any(x => x.Code == ReasonCodes.LabelTrusted));
            if (c.Account.Label == Label.Fraud)
            {
                Assert.True(result.Score >= W.LabelFraud, $"score {result.Score}");
            }
        }));
    }

    /// <summary>Every count (and every linked risk) of a case, each raised by <paramref name="by"/> in turn.</summary>
    private static IEnumerable<(string What, Case Case)> Raised(Case c, long by)
    {
        var a = c.Account;
        yield return ("requests last minute", c with { Account = a with { RequestsLastMinute = a.RequestsLastMinute + by } });
        yield return ("requests last hour", c with { Account = a with { RequestsLastHour = a.RequestsLastHour + by } });
        yield return ("requests first hour", c with { Account = a with { RequestsFirstHour = a.RequestsFirstHour + by } });
        yield return ("ranges last day", c with { Account = a with { RangesLastDay = a.RangesLastDay + by } });
        yield return ("reasoning share", c with { Account = a with { ReasoningShare = Math.Min(1, a.ReasoningShare + (by / 1000.0)) } });

        if (c.Range is { } r)
        {
            yield return ("range signups", c with { Range = r with { SignupsLastHour = r.SignupsLastHour + by } });
            // Accounts that are newcomers: more accounts that were there before make the same signups a
            // smaller share of the range (Signups_from_a_range_many_share_count_in_proportion_...), by design.
            yield return ("range accounts, all of them newcomers", c with { Range = r with { DistinctAccounts = r.DistinctAccounts + by, SignupsLastHour = r.SignupsLastHour + by } });
            yield return ("range requests", c with { Range = r with { RequestsLastHour = r.RequestsLastHour + (by * 100) } });
            yield return ("range risk", c with { Range = r with { Risk = Math.Min(1, r.Risk + (by / 1000.0)) } });
        }

        for (var i = 0; i < c.Instruments.Length; i++)
        {
            var n = i;
            InstrumentFacts[] With(Func<InstrumentFacts, InstrumentFacts> change)
            {
                var copy = c.Instruments.ToArray();
                copy[n] = change(copy[n]);
                return copy;
            }

            yield return ($"instrument {n} accounts", c with { Instruments = With(x => x with { DistinctAccounts = x.DistinctAccounts + by }) });
            yield return ($"instrument {n} chargebacks", c with { Instruments = With(x => x with { Chargebacks = x.Chargebacks + by }) });
            yield return ($"instrument {n} declines", c with { Instruments = With(x => x with { Declines = x.Declines + by }) });
            yield return ($"instrument {n} requests", c with { Instruments = With(x => x with { RequestsLastHour = x.RequestsLastHour + (by * 10) }) });
            yield return ($"instrument {n} risk", c with { Instruments = With(x => x with { Risk = Math.Min(1, x.Risk + (by / 1000.0)) }) });
        }

        for (var i = 0; i < c.Templates.Length; i++)
        {
            var n = i;
            TemplateFacts[] With(Func<TemplateFacts, TemplateFacts> change)
            {
                var copy = c.Templates.ToArray();
                copy[n] = change(copy[n]);
                return copy;
            }

            yield return ($"template {n} sharing accounts", c with { Templates = With(x => x with { SharingAccounts = x.SharingAccounts + by }) });
            yield return ($"template {n} requests", c with { Templates = With(x => x with { RequestsLastHour = x.RequestsLastHour + (by * 10) }) });
            yield return ($"template {n} risk", c with { Templates = With(x => x with { Risk = Math.Min(1, x.Risk + (by / 1000.0)) }) });
        }

        for (var i = 0; i < c.OtherRanges.Length; i++)
        {
            var copy = c.OtherRanges.ToArray();
            copy[i] = copy[i] with { Risk = Math.Min(1, copy[i].Risk + (by / 1000.0)) };
            yield return ($"other range {i} risk", c with { OtherRanges = copy });
        }
    }

    [Fact]
    public void Raising_any_count_never_lowers_the_score()
    {
        var gen =
            from c in s_case
            from step in Gen.OneOf(Gen.Choose(1, 3), Gen.Choose(1, 2000))
            select (c, step: (long)step);

        Properties.Check(Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var before = t.c.Score().Score;
            foreach (var (what, raised) in Raised(t.c, t.step))
            {
                var after = raised.Score().Score;
                Assert.True(after >= before, $"raising {what} by {t.step} lowered the score {before} -> {after}");
            }
        }));
    }
}
