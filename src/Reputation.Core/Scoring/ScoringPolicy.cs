namespace Reputation.Core.Scoring;

/// <summary>
/// Everything scoring needs: signal weights, the ramps that turn counts into [0,1] values, and the
/// thresholds per decision kind. Immutable; a new version is a new instance. The defaults are the
/// <c>default</c> policy, version 1.
/// </summary>
public sealed record ScoringPolicy
{
    /// <summary>The policy's name (set by the service from the URL).</summary>
    public string Name { get; init; } = "default";

    /// <summary>Its version (set by the service on every save; the ETag without quotes).</summary>
    public int Version { get; init; } = 1;

    /// <summary>Weight of each signal, 0–1: the score that signal at full strength gives alone.</summary>
    public SignalWeights Weights { get; init; } = new();

    /// <summary>How counts become signal values: 0 at or below <c>free</c>, 1 at or above <c>saturation</c>.</summary>
    public SignalRamps Ramps { get; init; } = new();

    /// <summary>Score thresholds of signup decisions, each in (0, 1], rising: review &lt; challenge &lt; deny.</summary>
    public SignupThresholds Signup { get; init; } = new();

    /// <summary>Score thresholds of request decisions, each in (0, 1], rising: throttle &lt; degrade &lt; block.</summary>
    public RequestThresholds Request { get; init; } = new();

    /// <summary>Score thresholds of billing decisions, each in (0, 1], rising: hold &lt; deny.</summary>
    public BillingThresholds Billing { get; init; } = new();

    /// <summary>Requests per minute granted per request decision, and how long gateways may cache an answer.</summary>
    public RequestTiers Tiers { get; init; } = new();

    /// <summary>Requests per hour all accounts sharing one entity may make together.</summary>
    public ClusterQuotas Quotas { get; init; } = new();

    /// <summary>How risk travels along links (docs/decisions/0005-propagation.md).</summary>
    public PropagationPolicy Propagation { get; init; } = new();

    /// <summary>How much imported threat intel counts, per producer, and what this deployment exports (docs/intel-sharing.md).</summary>
    public ThreatIntelPolicy Intel { get; init; } = new();

    /// <summary>What makes an account established, dormant or trusted (docs/detection.md, "Who shares a template").</summary>
    public TrustPolicy Trust { get; init; } = new();

    /// <summary>Response modes for degraded (and throttled) accounts, hold durations, releases (docs/gateway-contract.md).</summary>
    public CountermeasurePolicy Countermeasures { get; init; } = new();

    public static ScoringPolicy Default { get; } = new();
}

/// <summary>Weight of each signal: the score a signal at full strength gives on its own.</summary>
public sealed record SignalWeights
{
    /// <summary>A new account (1 at creation, 0 at <c>ramps.newAccountMaturity</c>). 0–1.</summary>
    public double NewAccount { get; init; } = 0.15;
    /// <summary>Signups per hour from the account's IP range. 0–1.</summary>
    public double IpRangeSignupVelocity { get; init; } = 0.5;
    /// <summary>Distinct accounts seen in the range; low, carrier NAT ranges hold many honest users. 0–1.</summary>
    public double IpRangeAccounts { get; init; } = 0.3;
    /// <summary>Accounts sharing one payment instrument. 0–1.</summary>
    public double PaymentInstrumentShared { get; init; } = 0.6;
    /// <summary>Chargebacks on a linked instrument. 0–1.</summary>
    public double PaymentChargebacks { get; init; } = 0.8;
    /// <summary>Declined charges on a linked instrument. 0–1.</summary>
    public double PaymentDeclines { get; init; } = 0.4;
    /// <summary>The account's own requests per minute. 0–1.</summary>
    public double AccountRequestVelocity { get; init; } = 0.5;
    /// <summary>Requests in the account's first hour. 0–1.</summary>
    public double BurstAfterCreation { get; init; } = 0.3;
    /// <summary>Share of requests that elicit reasoning traces. 0–1.</summary>
    public double ReasoningElicitation { get; init; } = 0.35;
    /// <summary>Accounts sending near-identical prompts, by the template's share of the account's traffic. 0–1.</summary>
    public double PromptTemplateShared { get; init; } = 0.6;
    /// <summary>An entity of the account over its cluster quota. 0–1.</summary>
    public double ClusterUsage { get; init; } = 0.75;
    /// <summary>Risk propagated from linked entities; it arrives already decayed, so it counts at full weight. 0–1.</summary>
    public double LinkedRisk { get; init; } = 1.0;
    /// <summary>An operator's fraud label on the account. 0–1.</summary>
    public double LabelFraud { get; init; } = 0.99;
    /// <summary>Many accounts of one entity becoming active in the same five minutes. 0–1.</summary>
    public double SynchronisedActivity { get; init; } = 0.5;
    /// <summary>Distinct IP ranges the account used in the last 24 hours. 0–1.</summary>
    public double IpRotation { get; init; } = 0.45;
    /// <summary>An imported threat-intel indicator names a linked entity; its value is confidence × producer trust. 0–1.</summary>
    public double ThreatIntelMatch { get; init; } = 0.7;
    /// <summary>An aged account without history that starts sustained use (bought or farmed accounts). 0–1.</summary>
    public double DormantActivation { get; init; } = 0.3;
    /// <summary>
    /// The account's traffic in a shared template whose requests moved to a newly released model
    /// beyond the service's share, × the template's suspicion (docs/detection.md, "Release pivot"). 0–1.
    /// </summary>
    public double ReleasePivot { get; init; } = 0.3;
    /// <summary>A large first charge on a young account (billing decisions only): a renewal of a customer is not. 0–1.</summary>
    public double FirstChargeAmount { get; init; } = 0.4;
    /// <summary>
    /// The account shares a set of several prompt templates with other accounts (co-occurrence,
    /// docs/decisions/0035-template-sets.md), by the size of that cluster × how suspect its members
    /// are. 0–1; 0 (off) until tuning seeds show it leaves every honest population as it was.
    /// </summary>
    public double TemplateSetShared { get; init; }
}

/// <summary>
/// Standing an account earns from its history, and what it changes (docs/detection.md, "Trust seeds").
/// </summary>
public sealed record TrustPolicy
{
    /// <summary>Distinct days with usage, before the last two, that make an aged account established. 1–60.</summary>
    public int HistoryDays { get; init; } = 3;
    /// <summary>Days between an aged account's first and latest successful payment that make it established (renewals). 1–365.</summary>
    public int PaidSpanDays { get; init; } = 20;
    /// <summary>An aged account without history whose first use came this many days or more after it was created is dormant. 1–365.</summary>
    public int DormantGapDays { get; init; } = 7;
    /// <summary>
    /// What an IP range's evidence — its propagated risk and imported indicators naming it — counts
    /// for an account with a history (neither new nor dormant), 0–1: residential and carrier ranges
    /// hold customers as well as proxies, and a customer the service has known for weeks is not
    /// made a proxy user by its neighbours. Also the least it counts for a dormant account or an aged
    /// one without history, which read it in proportion to their own evidence (<see cref="DormantRangeCorroboration"/>).
    /// </summary>
    public double KnownCustomerRangeFactor { get; init; } = 0.3;
    /// <summary>
    /// What sharing a payment instrument counts for an established or trusted account, 0–1: a card
    /// ring is new or bought accounts; a customer with weeks of history paying with a card others use
    /// too is a family's or a reseller's card.
    /// </summary>
    public double EstablishedSharedCardFactor { get; init; } = 0.3;
    /// <summary>
    /// Share of a template's sampled sharers in one range or one work domain from which they are one
    /// cohort (a class, a team) rather than a spread-out campaign (0–1; 1 turns it off).
    /// </summary>
    public double CohortShare { get; init; } = 0.6;
    /// <summary>
    /// A dormant (or aged, no-history) account's own evidence (its score from its own signals: templates, reasoning share,
    /// velocity, rotation, its cards — not its range, standing or age) at which it reads its IP
    /// range's risk and indicators in full; with none it reads them × <see cref="KnownCustomerRangeFactor"/>,
    /// in proportion between. 0–1; half the request throttle threshold by default: its range then
    /// speaks for an account whose own signals already say half of what would hold it.
    /// </summary>
    public double DormantRangeCorroboration { get; init; } = 0.25;
}

/// <summary>
/// Imported STIX indicators (docs/intel-sharing.md): how much each producer is believed, and which of
/// this deployment's own entities are confirmed enough to export.
/// </summary>
public sealed record ThreatIntelPolicy
{
    public const int MaxProducers = 100;

    /// <summary>Trust in a producer not listed in <c>producerTrust</c> (and in indicators without <c>created_by_ref</c>). 0–1; 0 ignores them.</summary>
    public double DefaultTrust { get; init; } = 0.5;

    /// <summary>
    /// Trust per producer, keyed by the STIX identity id of the indicators' <c>created_by_ref</c>
    /// (<c>identity--&lt;UUID&gt;</c>); each 0–1, 0 ignores that producer. At most 100 producers.
    /// </summary>
    public IReadOnlyDictionary<string, double> ProducerTrust { get; init; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary>Confidence (0–100) taken for an indicator that states none.</summary>
    public int DefaultConfidence { get; init; } = 50;

    /// <summary>An IP range, card or template whose risk is at or above this is exported as an indicator (as are fraud labels and deny-list entries). (0, 1].</summary>
    public double ExportThreshold { get; init; } = 0.8;

    /// <summary>The trust in a producer: its own entry, else the default.</summary>
    public double TrustOf(string? producer) =>
        producer is not null && ProducerTrust.TryGetValue(producer, out var trust) ? trust : DefaultTrust;

    public bool Equals(ThreatIntelPolicy? other) =>
        other is not null && DefaultTrust.Equals(other.DefaultTrust) && DefaultConfidence == other.DefaultConfidence
        && ExportThreshold.Equals(other.ExportThreshold) && ProducerTrust.Count == other.ProducerTrust.Count
        && ProducerTrust.All(p => other.ProducerTrust.TryGetValue(p.Key, out var v) && v.Equals(p.Value));

    public override int GetHashCode() => HashCode.Combine(DefaultTrust, DefaultConfidence, ExportThreshold, ProducerTrust.Count);
}

/// <summary>
/// Linear ramps from a count to a signal value: 0 at or below <c>Free</c>, 1 at or above
/// <c>Saturation</c>. <c>Free</c> is what an ordinary user or household produces.
/// </summary>
public sealed record SignalRamps
{
    /// <summary>Age at which an account stops being new: a duration, <c>d.hh:mm:ss</c>, more than 0 and at most 365 days.</summary>
    public TimeSpan NewAccountMaturity { get; init; } = TimeSpan.FromDays(7);
    /// <summary>Signups per hour (event time) from one range.</summary>
    public Ramp IpRangeSignupsPerHour { get; init; } = new(3, 20);
    /// <summary>
    /// Share of a range's accounts that signed up in the last hour: the signup rate counts in full from
    /// <c>Saturation</c> and in proportion below it, so the ordinary churn of a range many people share
    /// (a carrier NAT, a campus) is not a burst while a range that is mostly newcomers is.
    /// </summary>
    public Ramp IpRangeNewcomerShare { get; init; } = new(0, 0.25);
    /// <summary>Distinct accounts seen in one range.</summary>
    public Ramp IpRangeDistinctAccounts { get; init; } = new(25, 500);
    /// <summary>Distinct accounts on one payment instrument.</summary>
    public Ramp PaymentInstrumentAccounts { get; init; } = new(2, 8);
    /// <summary>Chargebacks on one instrument.</summary>
    public Ramp PaymentChargebacks { get; init; } = new(0, 2);
    /// <summary>Declined charges on one instrument.</summary>
    public Ramp PaymentDeclines { get; init; } = new(2, 10);
    /// <summary>The account's requests in the last minute.</summary>
    public Ramp AccountRequestsPerMinute { get; init; } = new(300, 3000);
    /// <summary>Requests in the account's first hour of life.</summary>
    public Ramp RequestsFirstHour { get; init; } = new(300, 2000);
    /// <summary>Share of the last hour's requests that elicit reasoning; needs at least <see cref="ReasoningMinRequests"/> requests.</summary>
    public Ramp ReasoningShare { get; init; } = new(0.3, 0.8);
    /// <summary>Requests in the last hour before the reasoning share counts (0 or more).</summary>
    public long ReasoningMinRequests { get; init; } = 20;
    /// <summary>Distinct accounts sending near-duplicate prompts (SimHash distance at most 3).</summary>
    public Ramp TemplateSharingAccounts { get; init; } = new(3, 25);
    /// <summary>
    /// Share of the account's own requests in a shared template: a template counts fully once it is
    /// this much of the account's traffic, and proportionally less below (templates and their linked risk).
    /// </summary>
    public double TemplateFullTrafficShare { get; init; } = 0.3;
    /// <summary>
    /// The share is taken over at least this many of the account's requests (0: over what it sent),
    /// so that one prompt of an account's first two is not yet half its traffic. Raising it trades
    /// campaign requests let through for fewer false positives (docs/detection.md).
    /// </summary>
    public long TemplateMinRequests { get; init; }

    /// <summary>Share of an account's requests sent with one template's prompts, 0..1.</summary>
    public double TemplateTrafficShare(long templateRequests, long accountRequests)
    {
        var over = Math.Max(accountRequests, TemplateMinRequests);
        return over > 0 ? Math.Clamp(templateRequests / (double)over, 0, 1) : 0;
    }
    /// <summary>Cluster requests in the last hour as a multiple of the entity's quota.</summary>
    public Ramp ClusterQuotaMultiple { get; init; } = new(1, 2);
    /// <summary>Accounts of one entity becoming active within the same five minutes...</summary>
    public Ramp SynchronisedActivations { get; init; } = new(20, 100);
    /// <summary>...as a share of the entity's accounts: an office at nine o'clock is many of few, a carrier NAT few of many.</summary>
    public Ramp SynchronisedShare { get; init; } = new(0.05, 0.5);
    /// <summary>
    /// Distinct IP ranges one account used in the last 24 hours: home and a phone's carrier NAT are a
    /// few; an account behind a rotating proxy network lands in a new range with nearly every request.
    /// </summary>
    public Ramp RangesPerDay { get; init; } = new(3, 6);
    /// <summary>
    /// Share of the account's last-hour requests sent with prompts of shared templates, each request
    /// weighed by how suspect its template's sharers are (young, dormant, spread out): a campaign
    /// spreading its requests over a dozen templates adds up here, an established tool user's does not.
    /// </summary>
    public Ramp SuspectTemplatedShare { get; init; } = new(0.2, 0.6);
    /// <summary>
    /// The suspect templated share is taken over at least this many of the last hour's requests (0 or
    /// more): an account's first request is little evidence, so 2 suspect requests of 2 count as
    /// 2 of this many, and the share grows with the requests instead of appearing at a threshold.
    /// </summary>
    public long TemplatedMinRequests { get; init; } = 3;
    /// <summary>
    /// The same minimum for a dormant account (aged, no history, first used long after it was
    /// created): it has no past use to outweigh its first requests, so those are all the evidence
    /// there is (dormant-then-harvest, docs/detection.md). At most <see cref="TemplatedMinRequests"/>.
    /// </summary>
    public long DormantTemplatedMinRequests { get; init; } = 1;

    /// <summary>The templated minimum for an account of this standing.</summary>
    public long TemplatedMinRequestsFor(Standing standing) =>
        standing.HasFlag(Standing.Dormant) && !standing.IsKnownCustomer() ? Math.Min(DormantTemplatedMinRequests, TemplatedMinRequests) : TemplatedMinRequests;
    /// <summary>
    /// Amount of a charge, in minor units of its currency, on an account with no successful payment
    /// before; scaled by how new the account is. One scale for every currency: set it for the main one.
    /// </summary>
    public Ramp FirstChargeAmountMinor { get; init; } = new(5_000, 50_000);
    /// <summary>Share of a template's sharers moving in lockstep (the same five-minute bins), as a synchronised-activity value.</summary>
    public Ramp LockstepShare { get; init; } = new(0.2, 0.6);
    /// <summary>Requests in the last hour of a dormant account (aged, no history) that has started using the API.</summary>
    public Ramp DormantRequestsPerHour { get; init; } = new(20, 120);
    /// <summary>
    /// How far a shared template's last-hour requests went to newly released models beyond the
    /// service's share (<see cref="ReleasePivot.Excess"/>), as a release-pivot value: a campaign moves
    /// its traffic to a new model within a day, customers adopt it slowly.
    /// </summary>
    public Ramp ReleasePivotShare { get; init; } = new(0.1, 0.4);
    /// <summary>A template's release-pivot share is taken over at least this many of its last-hour requests (0 or more).</summary>
    public long ReleasePivotMinRequests { get; init; } = 20;
    /// <summary>A model counts as newly released for this long after the service first saw it (more than 0, at most 30 days).</summary>
    public TimeSpan ReleaseNewFor { get; init; } = TimeSpan.FromDays(1);
    /// <summary>
    /// ...and only when the service had been seeing usage at least this long before it first saw the
    /// model (0 to 30 days): on a fresh deployment every model is first seen at once.
    /// </summary>
    public TimeSpan ReleaseWatchedBefore { get; init; } = TimeSpan.FromDays(1);
    /// <summary>Other accounts that use nearly the same set of templates as the account (one co-occurrence cluster's sampled members).</summary>
    public Ramp TemplateSetSharers { get; init; } = new(3, 20);
}

/// <summary>
/// Requests per hour that all accounts sharing one entity may make together. An account whose
/// card, range or template is over quota is throttled even when it is tiny on its own.
/// </summary>
public sealed record ClusterQuotas
{
    /// <summary>Requests per hour of all accounts on one payment instrument (one card is one customer: a few people's worth). More than 0.</summary>
    public long InstrumentRequestsPerHour { get; init; } = 3000;
    /// <summary>Requests per hour of all accounts sending one template's near-identical prompts. More than 0.</summary>
    public long TemplateRequestsPerHour { get; init; } = 5000;
    /// <summary>Requests per hour of all accounts in one IP range; high, offices and carrier NAT share ranges legitimately. More than 0.</summary>
    public long RangeRequestsPerHour { get; init; } = 100000;
    /// <summary>A template counts against its quota only once this many accounts share it (at least 2).</summary>
    public long TemplateMinSharingAccounts { get; init; } = 3;
}

/// <summary>How risk travels along links (docs/architecture.md, "Propagation").</summary>
public sealed record PropagationPolicy
{
    /// <summary>A change of an entity's risk smaller than this is not passed on. (0, 1].</summary>
    public double Threshold { get; init; } = 0.1;
    /// <summary>Share of risk kept per hop. (0, 1].</summary>
    public double Decay { get; init; } = 0.8;
    /// <summary>Hops a change travels from where it started. 0–5.</summary>
    public int HopLimit { get; init; } = 2;
    /// <summary>
    /// No longer used: risk is a share of an entity's accounts (<see cref="ConfirmedWeight"/>,
    /// <see cref="PriorAccounts"/>), which damps crowded entities by itself (docs/decisions/0017).
    /// Kept so that policies saved earlier still load.
    /// </summary>
    public long DampingDegree { get; init; } = 200;
    /// <summary>Accounts an entity notifies per change (its most recent ones). 0–1024.</summary>
    public int FanOut { get; init; } = 64;
    /// <summary>An account whose score without linked risk is at or above this counts as flagged in its entities. (0, 1].</summary>
    public double FlaggedScore { get; init; } = 0.5;
    /// <summary>Risk of an entity whose accounts are all flagged or confirmed: the top of both ramps. 0–1.</summary>
    public double ConfirmedFraudRisk { get; init; } = 0.9;
    /// <summary>Share of an entity's accounts flagged or confirmed (0–1): no risk at or below <c>free</c>, full at <c>saturation</c>.</summary>
    public Ramp FlaggedShare { get; init; } = new(0.05, 0.5);
    /// <summary>
    /// An account an operator labelled fraud counts as this many flagged accounts in its entities'
    /// confirmed share: confirmed evidence weighs more than a score, but still in proportion to how
    /// many accounts the entity has. 1–100.
    /// </summary>
    public double ConfirmedWeight { get; init; } = 3;
    /// <summary>
    /// Clean accounts every entity is assumed to have besides those it saw (a prior): the fewer
    /// accounts an entity has, the less one of them decides its share. 0–100.
    /// </summary>
    public double PriorAccounts { get; init; } = 0.5;
    /// <summary>
    /// How much an IP range believes its accounts, relative to a card or a template: ranges are
    /// shared by nature (offices, carrier NAT, proxies), so a fraud account says less about its neighbours.
    /// </summary>
    public double RangeLinkStrength { get; init; } = 0.6;
    /// <summary>
    /// The same for a prompt template's flagged share (an operator's fraud label counts fully):
    /// campaigns mix ordinary prompts into their traffic, so an ordinary template can be mostly
    /// flagged campaign accounts and still be the one an honest user sent once.
    /// </summary>
    public double TemplateLinkStrength { get; init; } = 0.5;
    /// <summary>What a trusted label leaves of an account's score. 0–1.</summary>
    public double TrustedScoreFactor { get; init; } = 0.2;

    /// <summary>An entity's own risk from its label and what its accounts are (docs/decisions/0017).</summary>
    /// <param name="label">The entity's own label: fraud is 1, trusted 0, whatever its accounts.</param>
    /// <param name="confirmedFraudAccounts">Its accounts labelled fraud.</param>
    /// <param name="flaggedAccounts">Its accounts flagged on their own evidence or labelled fraud (a fraud label flags).</param>
    /// <param name="distinctAccounts">Its distinct accounts (an estimate; never taken below the flagged count).</param>
    /// <param name="strength">How much this kind of entity believes its accounts (a range less than a card).</param>
    public double EntityRisk(Label label, long confirmedFraudAccounts, long flaggedAccounts, long distinctAccounts, double strength = 1) =>
        label != Label.None
            ? EntityRisk(label, confirmedFraudAccounts, flaggedAccounts, distinctAccounts, 1, 1)
            // One strength for both parts: it scales the combined risk.
            : strength * EntityRisk(label, confirmedFraudAccounts, flaggedAccounts, distinctAccounts, 1, 1);

    /// <summary>
    /// As above, with separate strengths for what operators confirmed (fraud labels) and for what
    /// scores merely suspect (flagged accounts). Both are shares of the entity's accounts with a
    /// prior (SybilRank-style normalisation by degree): one confirmed account among three on a card
    /// condemns the card, one among forty in a carrier range says little about the other 39.
    /// </summary>
    public double EntityRisk(Label label, long confirmedFraudAccounts, long flaggedAccounts, long distinctAccounts, double flaggedStrength, double confirmedStrength)
    {
        if (label == Label.Fraud)
        {
            return 1;
        }

        if (label == Label.Trusted)
        {
            return 0;
        }

        var confirmed = Math.Max(confirmedFraudAccounts, 0);
        var flagged = Math.Max(Math.Max(flaggedAccounts, 0), confirmed);
        var accounts = Math.Max(distinctAccounts, flagged) + PriorAccounts;
        if (accounts <= 0)
        {
            return 0;
        }

        var confirmedPart = confirmed > 0 ? FlaggedShare.Apply(ConfirmedWeight * confirmed / accounts) * ConfirmedFraudRisk * confirmedStrength : 0;
        var flaggedPart = FlaggedShare.Apply(flagged / accounts) * ConfirmedFraudRisk * flaggedStrength;
        return 1 - ((1 - confirmedPart) * (1 - flaggedPart));
    }
}

/// <summary>A linear ramp from a count to a signal value.</summary>
/// <param name="Free">At or below this the value is 0: what an ordinary user or household produces (0 or more).</param>
/// <param name="Saturation">At or above this the value is 1; above <paramref name="Free"/>.</param>
public readonly record struct Ramp(double Free, double Saturation)
{
    public double Apply(double count) =>
        count <= Free ? 0 : count >= Saturation ? 1 : (count - Free) / (Saturation - Free);
}

/// <summary>Score at or above which each outcome applies.</summary>
public sealed record SignupThresholds
{
    /// <summary>Score from which a signup is reviewed. (0, 1].</summary>
    public double Review { get; init; } = 0.35;
    /// <summary>Score from which a signup is challenged; above review. (0, 1].</summary>
    public double Challenge { get; init; } = 0.6;
    /// <summary>Score from which a signup is denied; above challenge. (0, 1].</summary>
    public double Deny { get; init; } = 0.85;

    public SignupOutcome Decide(double score) =>
        score >= Deny ? SignupOutcome.Deny : score >= Challenge ? SignupOutcome.Challenge : score >= Review ? SignupOutcome.Review : SignupOutcome.Allow;
}

public sealed record RequestThresholds
{
    /// <summary>Score from which requests are throttled. (0, 1].</summary>
    public double Throttle { get; init; } = 0.5;
    /// <summary>Score from which requests are degraded (a smaller model, no reasoning traces); above throttle. (0, 1].</summary>
    public double Degrade { get; init; } = 0.7;
    /// <summary>Score from which requests are blocked; above degrade. (0, 1].</summary>
    public double Block { get; init; } = 0.9;

    public RequestOutcome Decide(double score) =>
        score >= Block ? RequestOutcome.Block : score >= Degrade ? RequestOutcome.Degrade : score >= Throttle ? RequestOutcome.Throttle : RequestOutcome.Allow;
}

public sealed record BillingThresholds
{
    /// <summary>Score from which a charge is held for review. (0, 1].</summary>
    public double Hold { get; init; } = 0.5;
    /// <summary>Score from which a charge is denied; above hold. (0, 1].</summary>
    public double Deny { get; init; } = 0.8;

    public BillingOutcome Decide(double score) =>
        score >= Deny ? BillingOutcome.Deny : score >= Hold ? BillingOutcome.Hold : BillingOutcome.Allow;
}

/// <summary>Rate granted per request outcome, and how long a gateway may cache an answer.</summary>
public sealed record RequestTiers
{
    /// <summary>Requests per minute granted to an allowed account. 0–1,000,000.</summary>
    public int AllowRequestsPerMinute { get; init; } = 600;
    /// <summary>Requests per minute granted to a throttled account; at most the allow tier. 0–1,000,000.</summary>
    public int ThrottleRequestsPerMinute { get; init; } = 60;
    /// <summary>Requests per minute granted to a degraded account. 0–1,000,000.</summary>
    public int DegradeRequestsPerMinute { get; init; } = 60;
    /// <summary>Seconds a gateway may cache a request decision. 0–3600.</summary>
    public int CacheTtlSeconds { get; init; } = 30;

    public int RequestsPerMinute(RequestOutcome outcome) => outcome switch
    {
        RequestOutcome.Allow => AllowRequestsPerMinute,
        RequestOutcome.Throttle => ThrottleRequestsPerMinute,
        RequestOutcome.Degrade => DegradeRequestsPerMinute,
        _ => 0,
    };
}
