using Reputation.Contracts;
using Reputation.Simulator.Metrics;

namespace Reputation.Simulator.Reporting;

// The report, as printed and as written with --report (camelCase JSON). Rates are null when the
// population they are over is empty.

internal sealed record SimulationReport
{
    public required string Scenario { get; init; }
    public required ulong Seed { get; init; }
    public required string RunId { get; init; }
    public required string ServiceUrl { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset WindowStart { get; init; }
    public required DateTimeOffset WindowEnd { get; init; }
    public required double SimulatedMinutes { get; init; }
    public required int Steps { get; init; }
    public required double WallSeconds { get; init; }
    public required AccountCounts Accounts { get; init; }
    public required EventCounts Events { get; init; }
    public required DecisionCounts Decisions { get; init; }
    public required Throughput Throughput { get; init; }
    public required DetectionFigures Detection { get; init; }
    public required IReadOnlyList<string> Caveats { get; init; }

    /// <summary>Held and allowed shares at the end, per population (ordinary, its groups, each campaign).</summary>
    public IReadOnlyList<PopulationRate> Populations { get; init; } = [];

    /// <summary>Every account's decision taken just before an operator action (a label, a partner's bundle).</summary>
    public IReadOnlyList<Checkpoint> Checkpoints { get; init; } = [];

    /// <summary>The operator actions the run made, and whether the service took them.</summary>
    public IReadOnlyList<OperatorAction> Operations { get; init; } = [];
}

/// <summary>A population's final decisions: how many are held (not allow) and allowed, and the top reasons of the held ones.</summary>
/// <param name="Name">ordinary, popular-tool users, returning users, team NAME, class NAME, reseller accounts, carrier NAT NAME: others / labelled member, campaign NAME.</param>
/// <param name="Kind">ordinary (honest accounts), labelled (the member an operator labels) or campaign.</param>
internal sealed record PopulationRate(string Name, string Kind, int Accounts, int Held, double? HeldShare, double? AllowedShare, IReadOnlyDictionary<string, long> TopReasons)
{
    /// <summary>Honest populations: a few of their held accounts with the final decision's reasons, to see why (none for campaigns).</summary>
    public IReadOnlyList<HeldAccount>? HeldSample { get; init; }
}

/// <summary>One held account of an honest population and what its final decision said.</summary>
internal sealed record HeldAccount(string AccountId, string Decision, double Score, IReadOnlyList<string> Reasons);

/// <summary>The figures at a moment of the run, from a decision for every account.</summary>
internal sealed record Checkpoint(string Name, double SimulatedMinute, double? CampaignRecall, double? OrdinaryHeld, IReadOnlyList<PopulationRate> Populations);

/// <summary>An operator action: a label (<c>POST /v1/labels</c>), a producer's trust in the policy, a STIX import.</summary>
internal sealed record OperatorAction(string Kind, double SimulatedMinute, string Target, bool Succeeded, string Detail);

internal sealed record AccountCounts
{
    public required int Legitimate { get; init; }
    public required int LegitimateSignedUpInWindow { get; init; }
    public required int Campaign { get; init; }
    public required IReadOnlyList<CampaignAccounts> ByCampaign { get; init; }
}

internal sealed record CampaignAccounts(string Name, int Accounts, int SharedCards, int ProxyRanges);

internal sealed record EventCounts
{
    public required long Sent { get; init; }
    public required long Accepted { get; init; }
    public required long Duplicates { get; init; }
    public required long Rejected { get; init; }
    public required long Signups { get; init; }
    public required long Usage { get; init; }
    public required long Payments { get; init; }
    public required long Batches { get; init; }

    /// <summary>Gateway requests the usage events summarise (legitimate, campaign).</summary>
    public required long LegitimateRequests { get; init; }
    public required long CampaignRequests { get; init; }

    /// <summary>The first rejected events, with the service's reason.</summary>
    public required IReadOnlyList<RejectedEventSample> RejectedSamples { get; init; }
}

internal sealed record RejectedEventSample(string? Id, string Error);

internal sealed record DecisionCounts
{
    /// <summary>Every request decision asked, of any purpose.</summary>
    public required long Request { get; init; }
    public required long SampledDuringRun { get; init; }
    public required long DetectionChecks { get; init; }
    public required long Final { get; init; }

    /// <summary>Decisions for every account taken at checkpoints (before operator actions).</summary>
    public long Checkpoints { get; init; }
    public required long Signup { get; init; }

    /// <summary>Answers that were the client's fallback (the service did not answer in time); they count as the fallback decision.</summary>
    public required long Fallbacks { get; init; }

    public required IReadOnlyDictionary<string, long> SignupDecisionsLegitimate { get; init; }
    public required IReadOnlyDictionary<string, long> SignupDecisionsCampaign { get; init; }
}

internal sealed record Throughput
{
    /// <summary>Events sent per second of time spent sending events.</summary>
    public required double EventsPerSecond { get; init; }

    /// <summary>Decisions (request and signup) per second of time spent asking for them.</summary>
    public required double DecisionsPerSecond { get; init; }

    public required double IngestSeconds { get; init; }
    public required double DecisionSeconds { get; init; }
}

internal sealed record DetectionFigures
{
    /// <summary>Share of campaign accounts whose request decision at the end is not allow.</summary>
    public required double? CampaignRecall { get; init; }

    public required IReadOnlyList<CampaignRecall> ByCampaign { get; init; }

    /// <summary>Share of campaign requests answered allow over the run (sampled decisions weighted by the requests they stand for).</summary>
    public required double? CampaignRequestsAllowedShare { get; init; }

    /// <summary>Share of legitimate requests answered allow over the run, weighted the same way.</summary>
    public required double? LegitimateRequestsAllowedShare { get; init; }

    /// <summary>
    /// How campaign traffic was served over the run: the shares of campaign requests answered allow
    /// (served in full), degrade, throttle and block, weighted the same way.
    /// </summary>
    public TrafficServed CampaignTraffic { get; init; } = TrafficServed.None;

    /// <summary>
    /// When each campaign was served: its requests (estimated from the sampled decisions, as above)
    /// and the share answered allow, per <see cref="CampaignSlice.Minutes"/>-minute slice of the window.
    /// </summary>
    public IReadOnlyList<CampaignSlice> CampaignOverTime { get; init; } = [];

    /// <summary>Share of legitimate accounts whose request decision at the end is not allow.</summary>
    public required double? FalsePositiveRate { get; init; }

    /// <summary>False positives by the user's home network and by account age.</summary>
    public required IReadOnlyList<GroupRate> FalsePositivesByGroup { get; init; }

    /// <summary>Legitimate accounts held at least once in a sampled decision during the run.</summary>
    public required long LegitimateHeldDuringRun { get; init; }

    public required TimeToDetection TimeToDetection { get; init; }
    public required IReadOnlyDictionary<string, long> FinalDecisionsLegitimate { get; init; }
    public required IReadOnlyDictionary<string, long> FinalDecisionsCampaign { get; init; }

    /// <summary>The top reason code of held accounts at the end, by population.</summary>
    public required IReadOnlyDictionary<string, long> TopReasonsCampaignHeld { get; init; }
    public required IReadOnlyDictionary<string, long> TopReasonsLegitimateHeld { get; init; }

    /// <summary>
    /// Up to <see cref="SampleSize"/> campaign accounts answered allow at the end, and legitimate
    /// accounts held: ids to look up (<c>GET /v1/accounts/{id}</c>) on the service the run used.
    /// </summary>
    public IReadOnlyList<string> SampleCampaignAllowed { get; init; } = [];
    public IReadOnlyList<string> SampleLegitimateHeld { get; init; } = [];

    /// <summary>
    /// The template buckets of <see cref="SampleLegitimateHeld"/>, as the service showed them at the
    /// end of the run (<c>GET /v1/prompt-templates/{bucket}</c>): what made a template speak against an
    /// honest account, kept with the report since the service is gone once the sweep's run ends.
    /// </summary>
    public IReadOnlyList<HeldTemplates> LegitimateHeldTemplates { get; init; } = [];

    public const int SampleSize = 10;
}

/// <summary>One held honest account's template buckets (up to <see cref="MaxBuckets"/>), most shared first.</summary>
internal sealed record HeldTemplates(string AccountId, IReadOnlyList<HeldTemplate> Buckets)
{
    public const int MaxBuckets = 8;
}

/// <summary>What a template bucket's view said at the end of a run (docs/detection.md, "Who shares a template").</summary>
internal sealed record HeldTemplate(
    string Bucket,
    long SharingAccounts,
    int SampledSharers,
    double Suspicion,
    double CustomerBaseSuspicion,
    double Lockstep,
    double Risk,
    int BeganTogether,
    IReadOnlyList<string> NearDuplicateGroups);

/// <summary>One campaign's requests in one slice of the window, and the share of them answered allow.</summary>
internal sealed record CampaignSlice(string Campaign, int FromMinute, int ToMinute, double Requests, double? Allowed)
{
    public const int Minutes = 10;
}

internal sealed record CampaignRecall(string Name, int Accounts, int Held, double? Recall);

internal sealed record GroupRate(string Group, int Accounts, int Held, double? Rate);

internal sealed record TimeToDetection
{
    /// <summary><c>reached</c>, <c>never</c>, or <c>not applicable</c> (no campaign accounts).</summary>
    public required string Status { get; init; }
    public required double Threshold { get; init; }
    public long? EventsSent { get; init; }
    public double? SimulatedMinute { get; init; }
    public double? ElapsedSeconds { get; init; }
    public int? Step { get; init; }

    /// <summary>The highest estimated held share of the campaign population at any check.</summary>
    public required double PeakHeldShare { get; init; }
    public required int Checks { get; init; }

    /// <summary>The held share at every check (simulated minute, share), for how fast it rose.</summary>
    public IReadOnlyList<HeldSharePoint> Curve { get; init; } = [];

    public const string ReachedStatus = "reached";
    public const string NeverStatus = "never";
    public const string NotApplicableStatus = "not applicable";
}

/// <summary>Shares of a population's requests served in full (allow), degraded, throttled and blocked; null when nothing was weighed.</summary>
internal sealed record TrafficServed(double? Full, double? Degraded, double? Throttled, double? Blocked)
{
    public static TrafficServed None { get; } = new(null, null, null, null);

    public static TrafficServed From(WeightedDecisionShare share)
    {
        ArgumentNullException.ThrowIfNull(share);
        return new(share.ShareOf(RequestDecision.Allow), share.ShareOf(RequestDecision.Degrade), share.ShareOf(RequestDecision.Throttle), share.ShareOf(RequestDecision.Block));
    }
}
