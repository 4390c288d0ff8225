namespace Reputation.Core.Scoring;

/// <summary>An operator's verdict on an entity.</summary>
public enum Label
{
    None,
    Fraud,
    Trusted,
}

/// <summary>What an account knows of itself.</summary>
public readonly record struct AccountFacts(DateTimeOffset? CreatedAt, long RequestsLastMinute)
{
    /// <summary>Requests in the last hour (event time).</summary>
    public long RequestsLastHour { get; init; }

    /// <summary>Share of the last hour's requests that try to elicit reasoning traces, 0..1.</summary>
    public double ReasoningShare { get; init; }

    /// <summary>Requests in the account's first hour after creation.</summary>
    public long RequestsFirstHour { get; init; }

    /// <summary>Distinct IP ranges (/24, /64) the account used in the last 24 hours (of its most recent few).</summary>
    public long RangesLastDay { get; init; }

    public Label Label { get; init; }

    /// <summary>New, established, dormant, trusted (<see cref="History.StandingAt"/>).</summary>
    public Standing Standing { get; init; }

    /// <summary>
    /// Share of the last hour's requests sent with prompts of shared templates, each weighed by its
    /// template's suspicion, 0..1, taken over at least <c>ramps.templatedMinRequests</c> requests.
    /// </summary>
    public double SuspectTemplatedShare { get; init; }

    /// <summary>The co-occurrence cluster of the account's set of templates that weighs most, if it has one (docs/decisions/0035-template-sets.md).</summary>
    public TemplateSetFacts? TemplateSet { get; init; }

    /// <summary>
    /// The share of a group of accounts in lockstep beyond chance with which a template bucket or a
    /// template-set cluster found this account moving lately, 0..1 (at least
    /// <see cref="SharerProfile.InStepMajority"/> when found; 0 when not): its own timing, with its
    /// suspect templated traffic, is evidence of the account's (SynchroTrap's reading).
    /// </summary>
    public double InStepShare { get; init; }
}

/// <summary>What an IP range grain reports about itself.</summary>
/// <summary>
/// A co-occurrence cluster: <paramref name="Sharers"/> other accounts whose sets of shared prompt
/// buckets met the account's in one MinHash band, how suspect its sampled members are (0..1, as
/// for a template's sharers), and how many buckets the account's set has.
/// </summary>
public readonly record struct TemplateSetFacts(long Sharers, double Suspicion, int Elements);

public readonly record struct RangeFacts(string Range, long SignupsLastHour, long DistinctAccounts)
{
    /// <summary>Requests of all accounts in the range in the last hour.</summary>
    public long RequestsLastHour { get; init; }

    /// <summary>Risk propagated to the range from its accounts (damped for high-degree ranges), 0..1.</summary>
    public double Risk { get; init; }

    /// <summary>
    /// The risk a new account reads, when the range reports one: operators' labels as in
    /// <see cref="Risk"/>, and of its flagged accounts only the new ones, as a share of its recent
    /// signups. Null: <see cref="Risk"/> for every account.
    /// </summary>
    public double? RiskForNew { get; init; }

    /// <summary>Accounts that became active (first request after half an hour or more) in the entity's busiest five minutes of the last hour.</summary>
    public long PeakActivations { get; init; }

    public Label Label { get; init; }
}

/// <summary>What a payment instrument grain reports about itself.</summary>
public readonly record struct InstrumentFacts(long DistinctAccounts, long Chargebacks, long Declines)
{
    /// <summary>
    /// Distinct owners: accounts, with every member of one verified organisation counted once
    /// (a corporate card paying for a team). Null when the instrument does not know (counted as accounts).
    /// </summary>
    public long? DistinctOwners { get; init; }

    public long RequestsLastHour { get; init; }

    public double Risk { get; init; }

    /// <summary>Accounts that became active (first request after half an hour or more) in the entity's busiest five minutes of the last hour.</summary>
    public long PeakActivations { get; init; }

    public Label Label { get; init; }

    /// <summary>
    /// The card is one owner's, the account's own organisation (its accounts all members of it): its
    /// chargebacks and declines are that owner's, read in proportion to the members it pays for
    /// (docs/decisions/0005-propagation.md, "One owner").
    /// </summary>
    public bool OwnOrganisation { get; init; }

    /// <summary>Chargebacks as this account reads them: the card's, or its share of them when the card is its organisation's (<see cref="OwnOrganisation"/>).</summary>
    public double ChargebacksRead => OwnOrganisation ? (double)Chargebacks / Math.Max(1, DistinctAccounts) : Chargebacks;

    /// <summary>Declined charges as this account reads them, like <see cref="ChargebacksRead"/>.</summary>
    public double DeclinesRead => OwnOrganisation ? (double)Declines / Math.Max(1, DistinctAccounts) : Declines;
}

/// <summary>What a prompt-template bucket reports: accounts whose prompts are near-duplicates there.</summary>
public readonly record struct TemplateFacts(long SharingAccounts, long RequestsLastHour)
{
    /// <summary>Share of the account's own requests sent with prompts of this template, 0..1 (1 when unknown).</summary>
    public double TrafficShare { get; init; } = 1;

    /// <summary>
    /// How suspect the template's sharers are, 0..1 (1 when unknown): 0 when they are established
    /// customers or one cohort (a class, a team), 1 when they are young or dormant and spread out.
    /// </summary>
    public double Suspicion { get; init; } = 1;

    /// <summary>
    /// How suspect the service's customer base reads as a template's sharers (<see cref="CustomerBase"/>),
    /// 0..0.5 (0 when unknown): the account weighs <see cref="Suspicion"/> by how far it exceeds this.
    /// </summary>
    public double BaseSuspicion { get; init; }

    /// <summary>Share of its sampled sharers active in the same five-minute bins as others beyond what chance makes (<see cref="Lockstep.BeyondChanceSinceWatched"/>), 0..1.</summary>
    public double Lockstep { get; init; }

    /// <summary>How far its last-hour requests went to newly released models beyond the service's share (<see cref="ReleasePivot.Excess"/>), 0..1.</summary>
    public double Pivot { get; init; }

    public double Risk { get; init; }

    /// <summary>Accounts that became active (first request after half an hour or more) in the entity's busiest five minutes of the last hour.</summary>
    public long PeakActivations { get; init; }

    public Label Label { get; init; }
}

/// <summary>Everything one score is computed from.</summary>
public readonly ref struct ScoreInputs
{
    public AccountFacts Account { get; init; }

    public RangeFacts? Range { get; init; }

    public ReadOnlySpan<InstrumentFacts> Instruments { get; init; }

    public ReadOnlySpan<TemplateFacts> Templates { get; init; }

    /// <summary>Other ranges the account was seen in recently: their propagated risk still counts.</summary>
    public ReadOnlySpan<RangeFacts> OtherRanges { get; init; }

    /// <summary>Imported threat-intel indicators in force that name one of the account's entities.</summary>
    public ReadOnlySpan<IntelMatchFacts> ThreatIntel { get; init; }

    /// <summary>The charge a billing decision is about (null for signup and request decisions).</summary>
    public ChargeFacts? Charge { get; init; }

    /// <summary>An operator's release of the account, read by request decisions only (not by the score).</summary>
    public ReleaseFacts? Released { get; init; }
}

/// <summary>An imported indicator that names an entity of the account.</summary>
/// <param name="Confidence">The indicator's confidence, 0..100 (the policy's default when it stated none).</param>
/// <param name="Producer">The producer's STIX identity id; null when the indicator named none.</param>
/// <param name="What">What matched, for the reason's detail: "IP range 198.51.100.0/24 (indicator for 198.51.0.0/16 from Lab B)".</param>
/// <param name="NamesRange">The indicator names an IP range (weaker for established accounts: ranges hold customers too).</param>
public readonly record struct IntelMatchFacts(int Confidence, string? Producer, string What, bool NamesRange = false);
