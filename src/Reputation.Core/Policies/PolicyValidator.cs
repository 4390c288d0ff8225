using System.Globalization;
using Reputation.Core.Scoring;

namespace Reputation.Core.Policies;

/// <summary>One reason a policy cannot be saved: the JSON path of the field (camelCase) and what is wrong.</summary>
public readonly record struct PolicyError(string Field, string Error);

/// <summary>
/// Rejects policies that are unsafe or inconsistent before anything is saved: thresholds out of
/// order or outside (0, 1], weights outside [0, 1], ramps whose saturation is not above their free
/// level, quotas and propagation parameters outside their ranges.
/// </summary>
public static class PolicyValidator
{
    public const int MaxHopLimit = 5;
    public const int MaxFanOut = 1024;
    public const int MaxCacheTtlSeconds = 3600;
    public const int MaxRequestsPerMinute = 1_000_000;
    public const int MaxHoldMinutes = 525_600;
    public const int MaxReleaseHours = 8_760;
    public const int MaxResponseRules = 64;
    public const int MaxModelLength = 128;

    public static IReadOnlyList<PolicyError> Validate(ScoringPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var errors = new List<PolicyError>();
        void Fail(string field, string error) => errors.Add(new PolicyError(field, error));

        if (policy.Weights is null || policy.Ramps is null || policy.Signup is null || policy.Request is null || policy.Billing is null
            || policy.Tiers is null || policy.Quotas is null || policy.Propagation is null || policy.Intel is null || policy.Trust is null
            || policy.Countermeasures is null)
        {
            foreach (var (name, value) in new (string, object?)[]
            {
                ("weights", policy.Weights), ("ramps", policy.Ramps), ("signup", policy.Signup), ("request", policy.Request),
                ("billing", policy.Billing), ("tiers", policy.Tiers), ("quotas", policy.Quotas), ("propagation", policy.Propagation),
                ("intel", policy.Intel), ("trust", policy.Trust), ("countermeasures", policy.Countermeasures),
            })
            {
                if (value is null)
                {
                    Fail(name, "is required");
                }
            }

            return errors;
        }

        Ordered(errors, "signup", ("review", policy.Signup.Review), ("challenge", policy.Signup.Challenge), ("deny", policy.Signup.Deny));
        Ordered(errors, "request", ("throttle", policy.Request.Throttle), ("degrade", policy.Request.Degrade), ("block", policy.Request.Block));
        Ordered(errors, "billing", ("hold", policy.Billing.Hold), ("deny", policy.Billing.Deny));

        var w = policy.Weights;
        foreach (var (name, value) in new (string, double)[]
        {
            ("newAccount", w.NewAccount), ("ipRangeSignupVelocity", w.IpRangeSignupVelocity), ("ipRangeAccounts", w.IpRangeAccounts),
            ("paymentInstrumentShared", w.PaymentInstrumentShared), ("paymentChargebacks", w.PaymentChargebacks),
            ("paymentDeclines", w.PaymentDeclines), ("accountRequestVelocity", w.AccountRequestVelocity),
            ("burstAfterCreation", w.BurstAfterCreation), ("reasoningElicitation", w.ReasoningElicitation),
            ("promptTemplateShared", w.PromptTemplateShared), ("clusterUsage", w.ClusterUsage), ("linkedRisk", w.LinkedRisk),
            ("labelFraud", w.LabelFraud), ("synchronisedActivity", w.SynchronisedActivity), ("ipRotation", w.IpRotation),
            ("threatIntelMatch", w.ThreatIntelMatch), ("dormantActivation", w.DormantActivation),
            ("firstChargeAmount", w.FirstChargeAmount), ("releasePivot", w.ReleasePivot), ("templateSetShared", w.TemplateSetShared),
        })
        {
            Unit(errors, $"weights.{name}", value, allowZero: true);
        }

        var r = policy.Ramps;
        if (r.NewAccountMaturity <= TimeSpan.Zero || r.NewAccountMaturity > TimeSpan.FromDays(365))
        {
            Fail("ramps.newAccountMaturity", "must be more than 0 and at most 365 days");
        }

        foreach (var (name, ramp) in new (string, Ramp)[]
        {
            ("ipRangeSignupsPerHour", r.IpRangeSignupsPerHour), ("ipRangeNewcomerShare", r.IpRangeNewcomerShare),
            ("ipRangeDistinctAccounts", r.IpRangeDistinctAccounts),
            ("paymentInstrumentAccounts", r.PaymentInstrumentAccounts), ("paymentChargebacks", r.PaymentChargebacks),
            ("paymentDeclines", r.PaymentDeclines), ("accountRequestsPerMinute", r.AccountRequestsPerMinute),
            ("requestsFirstHour", r.RequestsFirstHour), ("reasoningShare", r.ReasoningShare),
            ("templateSharingAccounts", r.TemplateSharingAccounts), ("clusterQuotaMultiple", r.ClusterQuotaMultiple),
            ("synchronisedActivations", r.SynchronisedActivations), ("synchronisedShare", r.SynchronisedShare),
            ("rangesPerDay", r.RangesPerDay), ("suspectTemplatedShare", r.SuspectTemplatedShare),
            ("dormantRequestsPerHour", r.DormantRequestsPerHour), ("lockstepShare", r.LockstepShare),
            ("firstChargeAmountMinor", r.FirstChargeAmountMinor), ("releasePivotShare", r.ReleasePivotShare), ("templateSetSharers", r.TemplateSetSharers),
        })
        {
            RampOk(errors, $"ramps.{name}", ramp);
        }

        if (r.ReasoningShare.Saturation > 1 || r.SynchronisedShare.Saturation > 1)
        {
            Fail(r.ReasoningShare.Saturation > 1 ? "ramps.reasoningShare.saturation" : "ramps.synchronisedShare.saturation", "is a share: at most 1");
        }

        if (r.SuspectTemplatedShare.Saturation > 1)
        {
            Fail("ramps.suspectTemplatedShare.saturation", "is a share: at most 1");
        }

        if (r.IpRangeNewcomerShare.Saturation > 1)
        {
            Fail("ramps.ipRangeNewcomerShare.saturation", "is a share: at most 1");
        }

        if (r.LockstepShare.Saturation > 1)
        {
            Fail("ramps.lockstepShare.saturation", "is a share: at most 1");
        }

        if (r.ReleasePivotShare.Saturation > 1)
        {
            Fail("ramps.releasePivotShare.saturation", "is a share: at most 1");
        }

        NonNegative(errors, "ramps.releasePivotMinRequests", r.ReleasePivotMinRequests);
        if (r.ReleaseNewFor <= TimeSpan.Zero || r.ReleaseNewFor > TimeSpan.FromDays(30))
        {
            Fail("ramps.releaseNewFor", "must be more than 0 and at most 30 days");
        }

        if (r.ReleaseWatchedBefore < TimeSpan.Zero || r.ReleaseWatchedBefore > TimeSpan.FromDays(30))
        {
            Fail("ramps.releaseWatchedBefore", "must be 0 to 30 days");
        }

        NonNegative(errors, "ramps.templatedMinRequests", r.TemplatedMinRequests);
        NonNegative(errors, "ramps.dormantTemplatedMinRequests", r.DormantTemplatedMinRequests);
        var standing = policy.Trust;
        if (standing.HistoryDays is < 1 or > 60)
        {
            Fail("trust.historyDays", "must be 1 to 60");
        }

        if (standing.PaidSpanDays is < 1 or > 365)
        {
            Fail("trust.paidSpanDays", "must be 1 to 365");
        }

        if (standing.DormantGapDays is < 1 or > 365)
        {
            Fail("trust.dormantGapDays", "must be 1 to 365");
        }

        Unit(errors, "trust.knownCustomerRangeFactor", standing.KnownCustomerRangeFactor, allowZero: true);
        Unit(errors, "trust.establishedSharedCardFactor", standing.EstablishedSharedCardFactor, allowZero: true);
        Unit(errors, "trust.cohortShare", standing.CohortShare, allowZero: false);
        Unit(errors, "trust.dormantRangeCorroboration", standing.DormantRangeCorroboration, allowZero: false);

        Unit(errors, "ramps.templateFullTrafficShare", r.TemplateFullTrafficShare, allowZero: false);
        NonNegative(errors, "ramps.reasoningMinRequests", r.ReasoningMinRequests);
        NonNegative(errors, "ramps.templateMinRequests", r.TemplateMinRequests);

        var q = policy.Quotas;
        Positive(errors, "quotas.instrumentRequestsPerHour", q.InstrumentRequestsPerHour);
        Positive(errors, "quotas.templateRequestsPerHour", q.TemplateRequestsPerHour);
        Positive(errors, "quotas.rangeRequestsPerHour", q.RangeRequestsPerHour);
        if (q.TemplateMinSharingAccounts < 2)
        {
            Fail("quotas.templateMinSharingAccounts", "must be at least 2: one account alone does not share a template");
        }

        var p = policy.Propagation;
        Unit(errors, "propagation.threshold", p.Threshold, allowZero: false);
        Unit(errors, "propagation.decay", p.Decay, allowZero: false);
        if (p.HopLimit is < 0 or > MaxHopLimit)
        {
            Fail("propagation.hopLimit", $"must be 0 to {MaxHopLimit}");
        }

        if (p.FanOut is < 0 or > MaxFanOut)
        {
            Fail("propagation.fanOut", $"must be 0 to {MaxFanOut}");
        }

        Positive(errors, "propagation.dampingDegree", p.DampingDegree);
        Unit(errors, "propagation.flaggedScore", p.FlaggedScore, allowZero: false);
        Unit(errors, "propagation.confirmedFraudRisk", p.ConfirmedFraudRisk, allowZero: true);
        RampOk(errors, "propagation.flaggedShare", p.FlaggedShare);
        if (!(p.ConfirmedWeight is >= 1 and <= 100))
        {
            Fail("propagation.confirmedWeight", "must be 1 to 100");
        }

        if (!(p.PriorAccounts is >= 0 and <= 100))
        {
            Fail("propagation.priorAccounts", "must be 0 to 100");
        }
        Unit(errors, "propagation.rangeLinkStrength", p.RangeLinkStrength, allowZero: true);
        Unit(errors, "propagation.templateLinkStrength", p.TemplateLinkStrength, allowZero: true);
        Unit(errors, "propagation.trustedScoreFactor", p.TrustedScoreFactor, allowZero: true);

        var intel = policy.Intel;
        Unit(errors, "intel.defaultTrust", intel.DefaultTrust, allowZero: true);
        Unit(errors, "intel.exportThreshold", intel.ExportThreshold, allowZero: false);
        if (intel.DefaultConfidence is < 0 or > 100)
        {
            Fail("intel.defaultConfidence", "must be 0 to 100");
        }

        if (intel.ProducerTrust is null)
        {
            Fail("intel.producerTrust", "is required (an object, {} for none)");
        }
        else
        {
            if (intel.ProducerTrust.Count > ThreatIntelPolicy.MaxProducers)
            {
                Fail("intel.producerTrust", $"must list at most {ThreatIntelPolicy.MaxProducers} producers");
            }

            foreach (var (producer, trust) in intel.ProducerTrust.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (!Intel.StixIds.IsValid(producer, "identity"))
                {
                    Fail($"intel.producerTrust.{producer}", "a producer is a STIX identity id, identity--<UUID>");
                }
                else
                {
                    Unit(errors, $"intel.producerTrust.{producer}", trust, allowZero: true);
                }
            }
        }

        var t = policy.Tiers;
        foreach (var (name, value) in new (string, int)[]
        {
            ("allowRequestsPerMinute", t.AllowRequestsPerMinute), ("throttleRequestsPerMinute", t.ThrottleRequestsPerMinute),
            ("degradeRequestsPerMinute", t.DegradeRequestsPerMinute),
        })
        {
            if (value is < 0 or > MaxRequestsPerMinute)
            {
                Fail($"tiers.{name}", string.Create(CultureInfo.InvariantCulture, $"must be 0 to {MaxRequestsPerMinute}"));
            }
        }

        if (t.ThrottleRequestsPerMinute > t.AllowRequestsPerMinute)
        {
            Fail("tiers.throttleRequestsPerMinute", "must not exceed allowRequestsPerMinute: a throttled account gets less, not more");
        }

        if (t.CacheTtlSeconds is < 0 or > MaxCacheTtlSeconds)
        {
            Fail("tiers.cacheTtlSeconds", $"must be 0 to {MaxCacheTtlSeconds}");
        }

        Countermeasures(errors, policy.Countermeasures);
        return errors;
    }

    private static void Countermeasures(List<PolicyError> errors, CountermeasurePolicy c)
    {
        void Fail(string field, string error) => errors.Add(new PolicyError(field, error));
        foreach (var (name, minutes) in new (string, int)[]
        {
            ("throttleHoldMinutes", c.ThrottleHoldMinutes), ("degradeHoldMinutes", c.DegradeHoldMinutes), ("blockHoldMinutes", c.BlockHoldMinutes),
        })
        {
            if (minutes is < 1 or > MaxHoldMinutes)
            {
                Fail($"countermeasures.{name}", string.Create(CultureInfo.InvariantCulture, $"must be 1 to {MaxHoldMinutes} (a year)"));
            }
        }

        if (c.ReleaseHours is < 1 or > MaxReleaseHours)
        {
            Fail("countermeasures.releaseHours", string.Create(CultureInfo.InvariantCulture, $"must be 1 to {MaxReleaseHours} (a year)"));
        }

        Unit(errors, "countermeasures.releaseMargin", c.ReleaseMargin, allowZero: true);
        if (c.Responses is null)
        {
            Fail("countermeasures.responses", "is required");
            return;
        }

        if (c.Responses.Count > MaxResponseRules)
        {
            Fail("countermeasures.responses", string.Create(CultureInfo.InvariantCulture, $"must have at most {MaxResponseRules} rules"));
            return;
        }

        var catchAll = false;
        for (var i = 0; i < c.Responses.Count; i++)
        {
            var field = string.Create(CultureInfo.InvariantCulture, $"countermeasures.responses[{i}]");
            if (c.Responses[i] is not { } rule)
            {
                Fail(field, "must be a rule, not null");
                continue;
            }

            if (rule.Outcome is not (RequestOutcome.Degrade or RequestOutcome.Throttle))
            {
                Fail($"{field}.outcome", "must be degrade or throttle: allow needs no response and a block gets no answer");
            }

            Unit(errors, $"{field}.minScore", rule.MinScore, allowZero: true);
            if (rule.Campaign is not null && rule.Campaign != CountermeasurePolicy.CampaignAny && !Campaigns.CampaignRules.IsId(rule.Campaign))
            {
                Fail($"{field}.campaign", "must be * (any campaign) or a campaign id, cmp- and 16 hex digits");
            }

            if (rule.ForModel is not null && !Name(rule.ForModel))
            {
                Fail($"{field}.forModel", string.Create(CultureInfo.InvariantCulture, $"must be 1 to {MaxModelLength} characters, without control characters"));
            }

            if (rule.Mode == CountermeasureMode.FallbackModel ? rule.Model is null || !Name(rule.Model) : rule.Model is not null)
            {
                Fail($"{field}.model", rule.Mode == CountermeasureMode.FallbackModel
                    ? string.Create(CultureInfo.InvariantCulture, $"is required for fallbackModel: the model to answer with, 1 to {MaxModelLength} characters")
                    : "is only for fallbackModel");
            }

            if (rule.Mode == CountermeasureMode.Perturb ? rule.Level is not { } level || double.IsNaN(level) || level is < 0 or > 1 : rule.Level is not null)
            {
                Fail($"{field}.level", rule.Mode == CountermeasureMode.Perturb ? "is required for perturb: 0 to 1" : "is only for perturb");
            }

            catchAll |= rule.Outcome == RequestOutcome.Degrade && rule.MinScore == 0 && rule.Campaign is null && rule.ForModel is null;
        }

        if (!catchAll)
        {
            Fail("countermeasures.responses", "needs a degrade rule without conditions (no minScore, campaign or forModel), so that every degrade has a response");
        }
    }

    private static bool Name(string value) => value.Length is > 0 and <= MaxModelLength && !value.Any(char.IsControl) && !string.IsNullOrWhiteSpace(value);

    private static void Ordered(List<PolicyError> errors, string kind, params (string Name, double Value)[] thresholds)
    {
        var ok = true;
        foreach (var (name, value) in thresholds)
        {
            if (!(value > 0 && value <= 1))
            {
                errors.Add(new PolicyError($"{kind}.{name}", "must be more than 0 and at most 1"));
                ok = false;
            }
        }

        for (var i = 1; ok && i < thresholds.Length; i++)
        {
            if (thresholds[i].Value <= thresholds[i - 1].Value)
            {
                errors.Add(new PolicyError($"{kind}.{thresholds[i].Name}", $"must be above {thresholds[i - 1].Name}: thresholds rise with severity"));
            }
        }
    }

    private static void Unit(List<PolicyError> errors, string field, double value, bool allowZero)
    {
        if (double.IsNaN(value) || value > 1 || value < 0 || (!allowZero && value == 0))
        {
            errors.Add(new PolicyError(field, allowZero ? "must be 0 to 1" : "must be more than 0 and at most 1"));
        }
    }

    private static void RampOk(List<PolicyError> errors, string field, Ramp ramp)
    {
        if (double.IsNaN(ramp.Free) || ramp.Free < 0)
        {
            errors.Add(new PolicyError($"{field}.free", "must be 0 or more"));
        }
        else if (!(ramp.Saturation > ramp.Free))
        {
            errors.Add(new PolicyError($"{field}.saturation", "must be above free"));
        }
    }

    private static void Positive(List<PolicyError> errors, string field, long value)
    {
        if (value <= 0)
        {
            errors.Add(new PolicyError(field, "must be more than 0"));
        }
    }

    private static void NonNegative(List<PolicyError> errors, string field, long value)
    {
        if (value < 0)
        {
            errors.Add(new PolicyError(field, "must be 0 or more"));
        }
    }
}
