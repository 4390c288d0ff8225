using System.Text.Json;
using Reputation.Core.Policies;
using Reputation.Core.Scoring;

namespace Reputation.Core.Tests;

public sealed class PolicyValidatorTests
{
    private static readonly ScoringPolicy D = ScoringPolicy.Default;

    private static IEnumerable<string> Fields(ScoringPolicy policy) => PolicyValidator.Validate(policy).Select(e => e.Field);

    [Fact]
    public void The_default_policy_is_valid()
    {
        Assert.Empty(PolicyValidator.Validate(D));
    }

    [Fact]
    public void Thresholds_out_of_order_are_named_by_the_one_that_breaks_the_order()
    {
        var policy = D with { Request = D.Request with { Degrade = 0.4 } }; // below throttle 0.5
        var error = Assert.Single(PolicyValidator.Validate(policy));
        Assert.Equal("request.degrade", error.Field);
        Assert.Contains("above throttle", error.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_threshold_outside_0_1_is_rejected(double value)
    {
        Assert.Contains("signup.review", Fields(D with { Signup = D.Signup with { Review = value } }));
        Assert.Contains("billing.deny", Fields(D with { Billing = D.Billing with { Deny = value } }));
    }

    [Fact]
    public void Every_bad_field_is_named_at_once()
    {
        var policy = D with
        {
            Weights = D.Weights with { ClusterUsage = 2 },
            Ramps = D.Ramps with { RangesPerDay = new Ramp(6, 3) },
            Quotas = D.Quotas with { TemplateRequestsPerHour = 0 },
            Propagation = D.Propagation with { HopLimit = 50, Decay = 0 },
            Tiers = D.Tiers with { CacheTtlSeconds = -1, ThrottleRequestsPerMinute = 10_000 },
        };

        Assert.Equal(
            ["weights.clusterUsage", "ramps.rangesPerDay.saturation", "quotas.templateRequestsPerHour", "propagation.decay",
             "propagation.hopLimit", "tiers.throttleRequestsPerMinute", "tiers.cacheTtlSeconds"],
            Fields(policy));
    }

    [Fact]
    public void Trust_and_evidence_fields_out_of_range_are_named()
    {
        var policy = D with
        {
            Weights = D.Weights with { DormantActivation = -0.1 },
            Ramps = D.Ramps with { SuspectTemplatedShare = new Ramp(0.2, 1.5), IpRangeNewcomerShare = new Ramp(0, 2), TemplatedMinRequests = -1, DormantTemplatedMinRequests = -1 },
            Propagation = D.Propagation with { ConfirmedWeight = 0.5, PriorAccounts = 101 },
            Trust = D.Trust with { HistoryDays = 0, PaidSpanDays = 400, DormantGapDays = 0, KnownCustomerRangeFactor = 2, EstablishedSharedCardFactor = -1, CohortShare = 0, DormantRangeCorroboration = 0 },
        };

        Assert.Equal(
            ["weights.dormantActivation", "ramps.suspectTemplatedShare.saturation", "ramps.ipRangeNewcomerShare.saturation", "ramps.templatedMinRequests", "ramps.dormantTemplatedMinRequests", "trust.historyDays",
             "trust.paidSpanDays", "trust.dormantGapDays", "trust.knownCustomerRangeFactor", "trust.establishedSharedCardFactor", "trust.cohortShare", "trust.dormantRangeCorroboration",
             "propagation.confirmedWeight", "propagation.priorAccounts"],
            Fields(policy));
    }

    [Fact]
    public void A_policy_saved_before_the_trust_section_existed_loads_with_its_defaults()
    {
        // What a stored policy of an earlier build looks like: no trust section, no new fields, and a field no longer used.
        var policy = PolicyJson.Deserialize("""{"name":"default","version":3,"propagation":{"dampingDegree":200,"decay":0.8}}""");
        Assert.Equal(D.Trust, policy.Trust);
        Assert.Equal(D.Propagation.ConfirmedWeight, policy.Propagation.ConfirmedWeight);
        Assert.Empty(PolicyValidator.Validate(policy));
    }

    [Fact]
    public void A_missing_section_is_named()
    {
        var policy = PolicyJson.Deserialize("""{"weights":null}""");
        Assert.Equal(["weights"], Fields(policy));
    }

    [Fact]
    public void Json_round_trips_the_policy_and_names_fields_in_camel_case()
    {
        var json = PolicyJson.Serialize(D with { Version = 4 });

        Assert.Contains("\"request\":{\"throttle\":0.5", json, StringComparison.Ordinal);
        Assert.Equal(D with { Version = 4 }, PolicyJson.Deserialize(json));
    }

    [Fact]
    public void An_unknown_field_is_an_error_not_ignored()
    {
        var ex = Assert.Throws<JsonException>(() => PolicyJson.Deserialize("""{"request":{"throtle":0.4}}"""));
        Assert.Contains("throtle", ex.Message, StringComparison.Ordinal);
    }
}
