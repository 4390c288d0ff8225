using Reputation.Core.Policies;
using Reputation.Core.Scoring;

namespace Reputation.Core.Tests;

/// <summary>What a request decision adds for the gateway: response modes, holds, releases, watermark keys (docs/gateway-contract.md).</summary>
public sealed class CountermeasuresTests
{
    private static readonly DateTimeOffset s_now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ScoringPolicy s_policy = ScoringPolicy.Default;
    private const string Campaign = "cmp-00112233445566ff";

    private static ScoringPolicy WithRules(params ResponseRule[] rules) =>
        s_policy with { Countermeasures = s_policy.Countermeasures with { Responses = rules } };

    [Fact]
    public void The_default_policy_perturbs_a_campaign_s_degrade_withholds_reasoning_in_the_high_band_and_summarises_below()
    {
        Assert.Equal(new ResponseInstruction(CountermeasureMode.Perturb, null, 0.3), AccountDecider.Respond(RequestOutcome.Degrade, 0.75, Campaign, null, s_policy));
        Assert.Equal(CountermeasureMode.WithholdReasoning, AccountDecider.Respond(RequestOutcome.Degrade, 0.85, null, null, s_policy)!.Value.Mode);
        Assert.Equal(CountermeasureMode.SummarizeReasoning, AccountDecider.Respond(RequestOutcome.Degrade, 0.75, null, null, s_policy)!.Value.Mode);
        // A throttle gets a response only where a rule says so; allow and block never.
        Assert.Null(AccountDecider.Respond(RequestOutcome.Throttle, 0.6, Campaign, null, s_policy));
        Assert.Null(AccountDecider.Respond(RequestOutcome.Allow, 0.1, Campaign, null, s_policy));
        Assert.Null(AccountDecider.Respond(RequestOutcome.Block, 0.95, Campaign, null, s_policy));
    }

    [Fact]
    public void The_first_matching_rule_answers_by_campaign_model_band_and_outcome()
    {
        var policy = WithRules(
            new ResponseRule { Campaign = Campaign, Mode = CountermeasureMode.Perturb, Level = 0.9 },
            new ResponseRule { ForModel = "frontier-2", Mode = CountermeasureMode.FallbackModel, Model = "frontier-2-mini" },
            new ResponseRule { Outcome = RequestOutcome.Throttle, MinScore = 0.6, Mode = CountermeasureMode.SummarizeReasoning },
            new ResponseRule { Campaign = CountermeasurePolicy.CampaignAny, Mode = CountermeasureMode.Perturb, Level = 0.2 },
            new ResponseRule { Mode = CountermeasureMode.WithholdReasoning });

        Assert.Equal(new ResponseInstruction(CountermeasureMode.Perturb, null, 0.9), AccountDecider.Respond(RequestOutcome.Degrade, 0.7, Campaign, "frontier-2", policy));
        Assert.Equal(new ResponseInstruction(CountermeasureMode.FallbackModel, "frontier-2-mini", null), AccountDecider.Respond(RequestOutcome.Degrade, 0.7, "cmp-ffffffffffffffff", "frontier-2", policy));
        Assert.Equal(new ResponseInstruction(CountermeasureMode.Perturb, null, 0.2), AccountDecider.Respond(RequestOutcome.Degrade, 0.7, "cmp-ffffffffffffffff", "frontier-1", policy));
        Assert.Equal(CountermeasureMode.WithholdReasoning, AccountDecider.Respond(RequestOutcome.Degrade, 0.7, null, null, policy)!.Value.Mode);
        Assert.Equal(CountermeasureMode.SummarizeReasoning, AccountDecider.Respond(RequestOutcome.Throttle, 0.65, null, null, policy)!.Value.Mode);
        Assert.Null(AccountDecider.Respond(RequestOutcome.Throttle, 0.55, null, null, policy));
    }

    [Fact]
    public void A_hold_begins_with_the_first_non_allow_keeps_its_end_grows_stricter_and_begins_anew_once_over()
    {
        var c = s_policy.Countermeasures;
        Assert.Null(AccountDecider.Hold(RequestOutcome.Allow, s_now, null, s_policy));

        var throttled = AccountDecider.Hold(RequestOutcome.Throttle, s_now, null, s_policy)!.Value;
        Assert.Equal(new HoldFacts(s_now, s_now.AddMinutes(c.ThrottleHoldMinutes), RequestOutcome.Throttle), throttled);

        // The same outcome later in the hold: the same end, so every answer names one time.
        Assert.Equal(throttled, AccountDecider.Hold(RequestOutcome.Throttle, s_now.AddMinutes(30), throttled, s_policy));
        // An allow in the middle leaves it as it is.
        Assert.Equal(throttled, AccountDecider.Hold(RequestOutcome.Allow, s_now.AddMinutes(30), throttled, s_policy));

        var degraded = AccountDecider.Hold(RequestOutcome.Degrade, s_now.AddMinutes(30), throttled, s_policy)!.Value;
        Assert.Equal(new HoldFacts(s_now, s_now.AddMinutes(30 + c.DegradeHoldMinutes), RequestOutcome.Degrade), degraded);
        // A milder outcome never shortens it.
        Assert.Equal(degraded, AccountDecider.Hold(RequestOutcome.Throttle, s_now.AddMinutes(40), degraded, s_policy));

        var after = degraded.Until.AddSeconds(1);
        Assert.False(degraded.ActiveAt(degraded.Until));
        Assert.Equal(new HoldFacts(after, after.AddMinutes(c.ThrottleHoldMinutes), RequestOutcome.Throttle),
            AccountDecider.Hold(RequestOutcome.Throttle, after, degraded, s_policy));
    }

    /// <summary>A day-old account on a card shared by eight accounts: a throttle (about 0.66) under the default policy.</summary>
    private static AccountDecision Decide(ReleaseFacts? released, ListMatch? listed = null, int sharing = 8, DecisionKind kind = DecisionKind.Request)
    {
        InstrumentFacts[] card = [new(DistinctAccounts: sharing, 0, 0)];
        return AccountDecider.Decide(kind, s_now, new ScoreInputs
        {
            Account = new AccountFacts(s_now.AddDays(-1), 0),
            Instruments = card,
            Released = released,
        }, listed, s_policy, shadow: s_policy);
    }

    [Fact]
    public void A_released_account_is_allowed_while_its_score_stays_within_the_margin_and_the_score_itself_is_unchanged()
    {
        var held = Decide(released: null);
        Assert.Equal((int)RequestOutcome.Throttle, held.Outcome);

        var released = Decide(new ReleaseFacts(s_now.AddDays(7), held.Result.Score));
        Assert.Equal((int)RequestOutcome.Allow, released.Outcome);
        Assert.Equal((int)RequestOutcome.Allow, released.ShadowOutcome);
        Assert.Equal(held.Result.Score, released.Result.Score, 1e-12);
        var reason = released.Result.Contributions[0];
        Assert.Equal(ReasonCodes.Released, reason.Code);
        Assert.Equal(0, reason.Share);
        Assert.Equal(held.Result.Contributions, released.Result.Contributions.Skip(1));
    }

    [Fact]
    public void New_evidence_past_the_margin_an_expired_release_a_deny_entry_and_other_kinds_are_not_released()
    {
        var atRelease = Decide(released: null, sharing: 3).Result.Score;
        var release = new ReleaseFacts(s_now.AddDays(7), atRelease);

        var more = Decide(release, sharing: 8);
        Assert.True(more.Result.Score > atRelease + s_policy.Countermeasures.ReleaseMargin);
        Assert.Equal((int)RequestOutcome.Throttle, more.Outcome);
        Assert.DoesNotContain(more.Result.Contributions, c => c.Code == ReasonCodes.Released);

        var sameScore = Decide(released: null).Result.Score;
        Assert.Equal((int)RequestOutcome.Throttle, Decide(new ReleaseFacts(s_now, sameScore)).Outcome);
        Assert.Equal((int)RequestOutcome.Block, Decide(new ReleaseFacts(s_now.AddDays(1), 1), new ListMatch(true, "the account", "x")).Outcome);
        Assert.NotEqual((int)BillingOutcome.Allow, Decide(new ReleaseFacts(s_now.AddDays(1), sameScore), kind: DecisionKind.Billing).Outcome);
    }

    [Fact]
    public void Watermark_keys_are_stable_per_campaign_else_per_account_and_well_formed()
    {
        var campaignKey = WatermarkKeys.For(Campaign, "acct-1");
        Assert.Equal(campaignKey, WatermarkKeys.For(Campaign, "acct-2"));
        Assert.NotEqual(campaignKey, WatermarkKeys.For("cmp-ffffffffffffffff", "acct-1"));
        Assert.NotEqual(WatermarkKeys.For(null, "acct-1"), WatermarkKeys.For(null, "acct-2"));
        Assert.Equal(WatermarkKeys.For(null, "acct-1"), WatermarkKeys.For(null, "acct-1"));
        Assert.All(new[] { campaignKey, WatermarkKeys.For(null, "acct-1") }, k => Assert.True(WatermarkKeys.IsValid(k), k));
        Assert.False(WatermarkKeys.IsValid("wm-0123"));
        Assert.False(WatermarkKeys.IsValid("wm-0123456789ABCDEF"));
        Assert.False(WatermarkKeys.IsValid("xx-0123456789abcdef"));
        Assert.False(WatermarkKeys.IsValid(null));
    }

    [Fact]
    public void The_validator_names_each_bad_countermeasure_field()
    {
        var bad = s_policy with
        {
            Countermeasures = new CountermeasurePolicy
            {
                ThrottleHoldMinutes = 0,
                BlockHoldMinutes = 600_000,
                ReleaseHours = 0,
                ReleaseMargin = 1.5,
                Responses =
                [
                    new ResponseRule { Outcome = RequestOutcome.Block, Mode = CountermeasureMode.SummarizeReasoning },
                    new ResponseRule { MinScore = 2, Campaign = "campaign-7", Mode = CountermeasureMode.FallbackModel },
                    new ResponseRule { ForModel = "", Mode = CountermeasureMode.Perturb, Level = 1.5, Model = "m" },
                    new ResponseRule { Mode = CountermeasureMode.WithholdReasoning, Level = 0.5 },
                ],
            },
        };

        var fields = PolicyValidator.Validate(bad).Select(e => e.Field).ToList();
        Assert.Equal(
            [
                "countermeasures.throttleHoldMinutes", "countermeasures.blockHoldMinutes", "countermeasures.releaseHours", "countermeasures.releaseMargin",
                "countermeasures.responses[0].outcome", "countermeasures.responses[1].minScore", "countermeasures.responses[1].campaign",
                "countermeasures.responses[1].model", "countermeasures.responses[2].forModel", "countermeasures.responses[2].model",
                "countermeasures.responses[2].level", "countermeasures.responses[3].level",
            ],
            fields);

        var noCatchAll = WithRules(new ResponseRule { MinScore = 0.8, Mode = CountermeasureMode.WithholdReasoning });
        Assert.Equal("countermeasures.responses", Assert.Single(PolicyValidator.Validate(noCatchAll)).Field);
        Assert.Empty(PolicyValidator.Validate(s_policy));
    }

    [Fact]
    public void Countermeasures_round_trip_through_the_policy_json_and_an_older_policy_without_them_loads_the_defaults()
    {
        var policy = WithRules(
            new ResponseRule { ForModel = "frontier-2", Mode = CountermeasureMode.FallbackModel, Model = "frontier-2-mini" },
            new ResponseRule { Mode = CountermeasureMode.SummarizeReasoning });
        var json = PolicyJson.Serialize(policy);
        Assert.Contains("\"mode\":\"fallbackModel\"", json, StringComparison.Ordinal);
        Assert.Contains("\"outcome\":\"degrade\"", json, StringComparison.Ordinal);
        Assert.Equal(policy.Countermeasures.Responses, PolicyJson.Deserialize(json).Countermeasures.Responses);

        var older = System.Text.Json.Nodes.JsonNode.Parse(PolicyJson.Serialize(s_policy))!.AsObject();
        older.Remove("countermeasures");
        var loaded = PolicyJson.Deserialize(older.ToJsonString());
        Assert.Equal(s_policy.Countermeasures.Responses, loaded.Countermeasures.Responses);
        Assert.Equal(s_policy.Countermeasures.DegradeHoldMinutes, loaded.Countermeasures.DegradeHoldMinutes);
    }
}
