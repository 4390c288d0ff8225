namespace Reputation.Simulator.Scenarios;

// The scenario file's shape (camelCase JSON). Defaults are ordinary values so a scenario only
// states what it is about; ScenarioLoader validates every field after reading.

/// <summary>A simulated population and its traffic over a span of simulated time.</summary>
internal sealed record Scenario
{
    public string Name { get; init; } = "";
    public string? Description { get; init; }

    /// <summary>Simulated time span; the clock starts at (now − durationMinutes) and never passes now.</summary>
    public double DurationMinutes { get; init; }

    /// <summary>Simulated seconds per step: events of a step are sent, then decisions are sampled.</summary>
    public int StepSeconds { get; init; } = 60;

    public ulong Seed { get; init; } = 1;

    /// <summary>Seeds the policy may be tuned on: figures of these runs are for looking at, not for reporting.</summary>
    public IReadOnlyList<ulong> TuningSeeds { get; init; } = [];

    /// <summary>Seeds the reported figures come from; never tuned on, disjoint from <see cref="TuningSeeds"/>.</summary>
    public IReadOnlyList<ulong> ReportSeeds { get; init; } = [];

    public ModelRelease ModelRelease { get; init; } = new();
    public LegitimatePopulation Legitimate { get; init; } = new();
    public IReadOnlyList<Campaign> Campaigns { get; init; } = [];
    public Measurement Measurement { get; init; } = new();

    /// <summary>A partner lab's STIX bundle about a campaign, imported at a simulated minute; none when null.</summary>
    public PartnerIntel? Intel { get; init; }
}

/// <summary>A new model is released at a simulated minute; campaigns move to it and ramp up.</summary>
internal sealed record ModelRelease
{
    public double AtMinute { get; init; }
    public string PreviousModel { get; init; } = "frontier-large";
    public string NewModel { get; init; } = "frontier-large-2";

    /// <summary>Share of legitimate requests that use the new model once it is out.</summary>
    public double LegitimateAdoptionShare { get; init; } = 0.3;
}

internal sealed record LegitimatePopulation
{
    public int Accounts { get; init; }

    /// <summary>Share of accounts that sign up during the simulated window; the others signed up earlier.</summary>
    public double NewSignupShare { get; init; } = 0.03;

    /// <summary>Age, in days at the window's start, of the accounts that signed up earlier.</summary>
    public NumberRange ExistingAccountAgeDays { get; init; } = new() { Min = 14, Max = 900 };

    /// <summary>Share that gives its own payment card at signup (the others give none).</summary>
    public double WithCardShare { get; init; } = 0.6;

    public IReadOnlyList<string> Countries { get; init; } = ["US", "DE", "FR", "GB", "IN", "BR", "JP", "CA", "ES", "NL"];
    public LegitimateNetwork Network { get; init; } = new();
    public LegitimateActivity Activity { get; init; } = new();
    public PaymentBehaviour Payments { get; init; } = new() { ChargesPerAccountPerHour = 0.005, DeclineShare = 0.03, ChargebackShare = 0.002 };

    // Everything below is off unless the scenario asks for it, so older scenarios generate what they always did.

    /// <summary>Signup email addresses (only their domain's kind and a keyed hash reach the service's state); none when null.</summary>
    public EmailAddresses? Emails { get; init; }

    /// <summary>The past the service has seen of accounts that existed before the window; none when null.</summary>
    public AccountHistory? History { get; init; }

    /// <summary>Old accounts, dormant for months, that come back during the window; none when null.</summary>
    public ReturningUsers? Returning { get; init; }

    /// <summary>A popular coding agent whose fixed system prompt goes out with each request of its users; none when null.</summary>
    public PopularTool? PopularTool { get; init; }

    /// <summary>Company teams onboarding together (one card, one office, one work domain, a verified organisation).</summary>
    public IReadOnlyList<CompanyTeam> Teams { get; init; } = [];

    /// <summary>School classes: signing up in the same hour, working on one assignment in lockstep during class.</summary>
    public IReadOnlyList<StudentClass> Classes { get; init; } = [];

    /// <summary>Resellers or agencies paying with one card for the accounts of several different people; none when null.</summary>
    public Resellers? Resellers { get; init; }

    /// <summary>Small mobile-carrier NAT ranges in which an operator labels one member fraud at a simulated minute.</summary>
    public IReadOnlyList<LabelledCarrierNat> LabelledCarrierNats { get; init; } = [];
}

/// <summary>Where signup email addresses are: free-mail, disposable, or a work (own) domain.</summary>
internal sealed record EmailAddresses
{
    public double FreeMailShare { get; init; } = 0.75;
    public double DisposableShare { get; init; }

    /// <summary>The rest use work domains, each shared by about this many accounts of the population.</summary>
    public double AccountsPerWorkDomain { get; init; } = 3;
}

/// <summary>
/// A compact past for accounts that signed up before the window, sent before it: one usage summary per
/// active day (at that day's time, from the user's home network, carrying the fingerprints of the
/// prompts the user keeps coming back to) and the monthly renewals of paying users.
/// </summary>
internal sealed record AccountHistory
{
    /// <summary>Days before the window (or before a returning user went dormant) that are backfilled.</summary>
    public int Days { get; init; } = 14;

    /// <summary>Share of those days a user was active; each user's share is uniform in this range.</summary>
    public NumberRange ActiveDayShare { get; init; } = new() { Min = 0.15, Max = 0.8 };

    /// <summary>Prompts each user keeps coming back to; a day's summary carries a few of their fingerprints.</summary>
    public int UsualPrompts { get; init; } = 6;

    /// <summary>Monthly renewals of accounts with a card, for at most this many past months.</summary>
    public int RenewalMonths { get; init; } = 3;
}

/// <summary>A share of the old accounts went quiet months ago and comes back early in the window with ordinary use.</summary>
internal sealed record ReturningUsers
{
    /// <summary>Share of the accounts that signed up before the window.</summary>
    public double Share { get; init; }

    /// <summary>How long they were away, in days before the window.</summary>
    public NumberRange DormantDays { get; init; } = new() { Min = 90, Max = 365 };

    /// <summary>Each comes back at a minute uniform in [0, this) of the window.</summary>
    public double ReturnWithinMinutes { get; init; } = 60;

    /// <summary>
    /// Share of them that never used the account before: signed up months ago (a trial, a team
    /// invitation, a key made and forgotten) and start now, with no history at all.
    /// </summary>
    public double NeverUsedShare { get; init; }
}

/// <summary>
/// A popular coding agent or SDK wrapper: its fixed system prompt goes out with each request, so most of
/// its users' requests carry near-identical fingerprints. Users are pinned to one of its versions.
/// </summary>
internal sealed record PopularTool
{
    /// <summary>Share of the ordinary accounts that use it.</summary>
    public double Share { get; init; } = 0.35;

    /// <summary>Share of a user's requests that go through it; the rest are their ordinary prompts.</summary>
    public double RequestShare { get; init; } = 0.75;

    /// <summary>Share of users on each version (1 to <see cref="Generation.ToolPrompts.Versions"/> versions; they add up to 1).</summary>
    public IReadOnlyList<double> VersionShares { get; init; } = [0.5, 0.3, 0.2];

    /// <summary>
    /// Share of its requests that go to the new model once it is out; null: as its users' other
    /// requests (<see cref="ModelRelease.LegitimateAdoptionShare"/>). 1: the tool switches its default
    /// model on release day and moves all its users at once.
    /// </summary>
    public double? NewModelShare { get; init; }
}

/// <summary>A company's team signing up together during the window.</summary>
internal sealed record CompanyTeam
{
    public string Name { get; init; } = "";
    public int Accounts { get; init; } = 25;
    public double SignupMinute { get; init; }
    public double SignupSpreadMinutes { get; init; } = 30;

    /// <summary>The work email domain every member signs up with.</summary>
    public string EmailDomain { get; init; } = "";

    /// <summary>Whether the platform verified the organisation (sent as <c>organizationVerified</c>).</summary>
    public bool OrganizationVerified { get; init; } = true;

    /// <summary>Share of the members who use the popular tool (needs <see cref="LegitimatePopulation.PopularTool"/>).</summary>
    public double PopularToolShare { get; init; }
}

/// <summary>A class: students sign up in the same hour from the university's range and work on one assignment during class.</summary>
internal sealed record StudentClass
{
    public string Name { get; init; } = "";
    public int Accounts { get; init; } = 30;
    public double SignupMinute { get; init; }
    public double SignupSpreadMinutes { get; init; } = 60;
    public double ClassStartMinute { get; init; }
    public double ClassMinutes { get; init; } = 50;

    /// <summary>The school's email domain; the other students sign up with free-mail.</summary>
    public string SchoolDomain { get; init; } = "";
    public double FreeMailShare { get; init; } = 0.5;

    /// <summary>Requests per hour of class of one student, log-uniform per student.</summary>
    public NumberRange RequestsPerClassHour { get; init; } = new() { Min = 10, Max = 40 };

    /// <summary>Share of the requests during class that are the assignment (the rest are the student's own prompts).</summary>
    public double AssignmentShare { get; init; } = 0.7;

    /// <summary>The assignment as students paste it: a template with <c>{slot}</c>s filled from <see cref="AssignmentSlots"/>.</summary>
    public IReadOnlyList<string> Assignment { get; init; } = [];

    public IReadOnlyDictionary<string, IReadOnlyList<string>> AssignmentSlots { get; init; } = new Dictionary<string, IReadOnlyList<string>>();
}

/// <summary>Resellers or agencies, each paying with one card for several accounts of different people (old accounts).</summary>
internal sealed record Resellers
{
    public int Cards { get; init; }
    public NumberRange AccountsPerCard { get; init; } = new() { Min = 5, Max = 10 };
}

/// <summary>A small mobile-carrier range of old accounts in which an operator labels one member fraud at a simulated minute.</summary>
internal sealed record LabelledCarrierNat
{
    public string Name { get; init; } = "";
    public int Accounts { get; init; } = 40;
    public double LabelAtMinute { get; init; }
}

/// <summary>
/// A partner lab's STIX 2.1 bundle naming a share of a campaign's templates (fingerprints of fills it
/// saw) and the campaign's proxy ranges, imported at a simulated minute through <c>POST /v1/intel/stix</c>.
/// </summary>
internal sealed record PartnerIntel
{
    public double AtMinute { get; init; }

    /// <summary>The campaign (by name) the partner reports.</summary>
    public string Campaign { get; init; } = "";

    public string ProducerName { get; init; } = "Partner lab";

    /// <summary>Share of the campaign's templates (template entries, paraphrase sets counting once) the bundle names.</summary>
    public double TemplateShare { get; init; } = 1.0 / 3;

    /// <summary>Fingerprints of fills the partner saw, per named template (at most 16).</summary>
    public int FingerprintsPerTemplate { get; init; } = 4;

    /// <summary>Whether the bundle names the campaign's proxy ranges (their /24s and /64s).</summary>
    public bool ProxyRanges { get; init; } = true;

    public int Confidence { get; init; } = 85;

    /// <summary>If set, the operator first sets the producer's trust in the default policy (<c>intel.producerTrust</c>).</summary>
    public double? ProducerTrust { get; init; }
}

/// <summary>Where legitimate users connect from.</summary>
internal sealed record LegitimateNetwork
{
    /// <summary>Residential IPv4 /24s (from 198.18.0.0/15) the residential IPv4 users are spread over.</summary>
    public int ResidentialRanges { get; init; } = 300;

    /// <summary>Share of users on IPv6, each on its own /64 in 2001:db8::/32.</summary>
    public double Ipv6Share { get; init; } = 0.2;

    /// <summary>Carrier-grade NAT ranges: few ranges, each shared by hundreds of users.</summary>
    public SharedRanges CarrierNat { get; init; } = new() { Ranges = 3, Share = 0.3 };

    /// <summary>Office ranges: tens of users each.</summary>
    public SharedRanges Offices { get; init; } = new() { Ranges = 10, Share = 0.1 };

    /// <summary>Share of the sessions of non-NAT users that come from a carrier-NAT range (a phone).</summary>
    public double MobileSessionShare { get; init; } = 0.1;
}

internal sealed record SharedRanges
{
    public int Ranges { get; init; }

    /// <summary>Share of the legitimate users whose home network is one of these ranges.</summary>
    public double Share { get; init; }
}

/// <summary>Human usage: sessions separated by idle periods, a few to a few dozen requests per active hour.</summary>
internal sealed record LegitimateActivity
{
    public double MeanSessionMinutes { get; init; } = 20;
    public double MeanIdleMinutes { get; init; } = 100;
    public NumberRange RequestsPerActiveHour { get; init; } = new() { Min = 3, Max = 40 };

    /// <summary>Share of ordinary prompts that ask for step-by-step reasoning.</summary>
    public double ReasoningShare { get; init; } = 0.04;
}

internal sealed record Campaign
{
    public string Name { get; init; } = "";
    public int Accounts { get; init; }
    public CampaignSignup Signup { get; init; } = new();
    public ProxyPool Proxy { get; init; } = new();
    public CardReuse Cards { get; init; } = new();
    public IReadOnlyList<string> Countries { get; init; } = ["US"];
    public CampaignPrompts Prompts { get; init; } = new();

    /// <summary>Requests per hour of one active account, paced (not bursty) as a script would.</summary>
    public double RequestsPerHour { get; init; }

    /// <summary>The per-account limit the campaign keeps each account under, in requests per minute.</summary>
    public double PerAccountLimitPerMinute { get; init; } = 60;

    public CampaignRamp Ramp { get; init; } = new();
    public PaymentBehaviour Payments { get; init; } = new() { ChargeAtSignup = true, DeclineShare = 0.15, ChargebackShare = 0.05 };

    /// <summary>Signup email addresses; none when null.</summary>
    public EmailAddresses? Emails { get; init; }

    /// <summary>All accounts work in the same on/off bins (a fleet started and stopped together); always on when null.</summary>
    public LockstepSchedule? Schedule { get; init; }

    /// <summary>After the release the new model's share of requests grows over minutes; all at once when null.</summary>
    public ReleasePivot? Pivot { get; init; }
}

/// <summary>A fleet's working pattern: from start to stop, on for some minutes, off for some, every account alike.</summary>
internal sealed record LockstepSchedule
{
    public double StartMinute { get; init; }
    public double StopMinute { get; init; }
    public double OnMinutes { get; init; } = 20;
    public double OffMinutes { get; init; } = 10;

    /// <summary>Each account's start within an on-bin is jittered by up to this many seconds.</summary>
    public double JitterSeconds { get; init; } = 60;
}

/// <summary>How fast a campaign moves to the new model: its share of requests rises linearly to <see cref="Share"/> over <see cref="Minutes"/>.</summary>
internal sealed record ReleasePivot
{
    public double Share { get; init; } = 0.8;
    public double Minutes { get; init; } = 60;
}

internal sealed record CampaignSignup
{
    public double StartMinute { get; init; }

    /// <summary>Signups are spread uniformly over this many simulated minutes from <see cref="StartMinute"/>.</summary>
    public double SpreadMinutes { get; init; } = 30;

    /// <summary>
    /// Accounts bought or aged: they signed up this many days before the window (no usage since) and
    /// start working at <see cref="StartMinute"/> (or the schedule's start); signup in the window when null.
    /// </summary>
    public NumberRange? AgedDays { get; init; }
}

/// <summary>The campaign's proxy ranges; each request goes out through a range picked from the pool.</summary>
internal sealed record ProxyPool
{
    public int Ipv4Ranges { get; init; } = 16;
    public int Ipv6Ranges { get; init; }

    /// <summary>Ranges taken from the ordinary users' residential /24s (an ISP's customers share them with the proxy exits).</summary>
    public int ResidentialRanges { get; init; }

    /// <summary>Each account keeps one exit address for the whole run (a sticky session); a range per request when false.</summary>
    public bool Sticky { get; init; }
}

internal sealed record CardReuse
{
    /// <summary>Accounts per shared card; 0 means no shared cards (see <see cref="OwnCardShare"/>).</summary>
    public int AccountsPerCard { get; init; }

    /// <summary>With no shared cards: share of accounts with a card of their own (the rest have none).</summary>
    public double OwnCardShare { get; init; } = 0.5;

    /// <summary>
    /// With shared cards: the accounts of one card also sign up in one organisation (workspace) the
    /// platform has not verified, as a team on its company card does; none when false.
    /// </summary>
    public bool OrganizationPerCard { get; init; }
}

internal sealed record CampaignPrompts
{
    /// <summary>
    /// Extraction templates (coding and tool-use traces); <c>{slot}</c> is filled from <see cref="Slots"/>.
    /// An entry given as an array is one template in several hand-written paraphrases, one picked per request.
    /// </summary>
    public IReadOnlyList<TemplateVariants> Templates { get; init; } = [];

    /// <summary>Templates that ask for step-by-step reasoning traces (entries as in <see cref="Templates"/>).</summary>
    public IReadOnlyList<TemplateVariants> ReasoningTemplates { get; init; } = [];

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Slots { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Share of templated prompts taken from <see cref="ReasoningTemplates"/>.</summary>
    public double ReasoningShare { get; init; } = 0.5;

    /// <summary>Share of all requests that are ordinary-looking prompts mixed in as cover.</summary>
    public double OrdinaryShare { get; init; } = 0.1;

    /// <summary>A share of accounts that keep their reasoning-template share as low as an ordinary user's; none when null.</summary>
    public ElicitationBlend? Blend { get; init; }
}

/// <summary>Accounts that blend in: their templated prompts draw from the reasoning templates only at an ordinary user's rate.</summary>
internal sealed record ElicitationBlend
{
    public double AccountShare { get; init; } = 0.5;
    public double ReasoningShare { get; init; } = 0.04;
}

/// <summary>Before the release only part of the campaign is active; after it the rest joins over <see cref="RampMinutes"/>.</summary>
internal sealed record CampaignRamp
{
    public double ActiveShareBeforeRelease { get; init; } = 0.3;
    public double RampMinutes { get; init; } = 20;

    /// <summary>Multiplier on <see cref="Campaign.RequestsPerHour"/> once the ramp is complete.</summary>
    public double RateMultiplier { get; init; } = 1;
}

internal sealed record PaymentBehaviour
{
    /// <summary>A charge right after signup (accounts with a card only).</summary>
    public bool ChargeAtSignup { get; init; }

    /// <summary>Further charges per account with a card, per simulated hour.</summary>
    public double ChargesPerAccountPerHour { get; init; }

    public double DeclineShare { get; init; }
    public double ChargebackShare { get; init; }
    public long AmountMinor { get; init; } = 2000;
    public string Currency { get; init; } = "USD";
}

/// <summary>How the run measures what a gateway would be told.</summary>
internal sealed record Measurement
{
    /// <summary>Share of each population's active accounts whose request decision is sampled each step.</summary>
    public double DecisionSampleShare { get; init; } = 0.2;

    /// <summary>Cap on sampled decisions per population per step.</summary>
    public int MaxDecisionSamplePerStep { get; init; } = 300;

    /// <summary>Campaign accounts asked each step for time to detection; all of them when there are no more than this.</summary>
    public int DetectionSample { get; init; } = 1000;

    /// <summary>Share of held campaign accounts that counts as detected.</summary>
    public double DetectionThreshold { get; init; } = 0.9;

    /// <summary>
    /// Share of the signups during the window that also get a signup decision. Such a signup is
    /// recorded twice by the service (the event at simulated time, the decision at server time).
    /// </summary>
    public double SignupDecisionShare { get; init; } = 0.05;
}

internal sealed record NumberRange
{
    public double Min { get; init; }
    public double Max { get; init; }
}
