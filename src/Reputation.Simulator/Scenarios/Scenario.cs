namespace Reputation.Simulator.Scenarios;

// The scenario file's shape (camelCase JSON). Defaults are ordinary values so a scenario only
// states what it is about; ScenarioLoader validates every field after reading.

/// <summary>A simulated population and its traffic over a span of simulated time.</summary>
internal sealed class Scenario
{
    public string Name { get; init; } = "";
    public string? Description { get; init; }

    /// <summary>Simulated time span; the clock starts at (now − durationMinutes) and never passes now.</summary>
    public double DurationMinutes { get; init; }

    /// <summary>Simulated seconds per step: events of a step are sent, then decisions are sampled.</summary>
    public int StepSeconds { get; init; } = 60;

    public ulong Seed { get; init; } = 1;
    public ModelRelease ModelRelease { get; init; } = new();
    public LegitimatePopulation Legitimate { get; init; } = new();
    public IReadOnlyList<Campaign> Campaigns { get; init; } = [];
    public Measurement Measurement { get; init; } = new();
}

/// <summary>A new model is released at a simulated minute; campaigns move to it and ramp up.</summary>
internal sealed class ModelRelease
{
    public double AtMinute { get; init; }
    public string PreviousModel { get; init; } = "frontier-large";
    public string NewModel { get; init; } = "frontier-large-2";

    /// <summary>Share of legitimate requests that use the new model once it is out.</summary>
    public double LegitimateAdoptionShare { get; init; } = 0.3;
}

internal sealed class LegitimatePopulation
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
}

/// <summary>Where legitimate users connect from.</summary>
internal sealed class LegitimateNetwork
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

internal sealed class SharedRanges
{
    public int Ranges { get; init; }

    /// <summary>Share of the legitimate users whose home network is one of these ranges.</summary>
    public double Share { get; init; }
}

/// <summary>Human usage: sessions separated by idle periods, a few to a few dozen requests per active hour.</summary>
internal sealed class LegitimateActivity
{
    public double MeanSessionMinutes { get; init; } = 20;
    public double MeanIdleMinutes { get; init; } = 100;
    public NumberRange RequestsPerActiveHour { get; init; } = new() { Min = 3, Max = 40 };

    /// <summary>Share of ordinary prompts that ask for step-by-step reasoning.</summary>
    public double ReasoningShare { get; init; } = 0.04;
}

internal sealed class Campaign
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
}

internal sealed class CampaignSignup
{
    public double StartMinute { get; init; }

    /// <summary>Signups are spread uniformly over this many simulated minutes from <see cref="StartMinute"/>.</summary>
    public double SpreadMinutes { get; init; } = 30;
}

/// <summary>The campaign's proxy ranges; each request goes out through a range picked from the pool.</summary>
internal sealed class ProxyPool
{
    public int Ipv4Ranges { get; init; } = 16;
    public int Ipv6Ranges { get; init; }
}

internal sealed class CardReuse
{
    /// <summary>Accounts per shared card; 0 means no shared cards (see <see cref="OwnCardShare"/>).</summary>
    public int AccountsPerCard { get; init; }

    /// <summary>With no shared cards: share of accounts with a card of their own (the rest have none).</summary>
    public double OwnCardShare { get; init; } = 0.5;
}

internal sealed class CampaignPrompts
{
    /// <summary>Extraction templates (coding and tool-use traces); <c>{slot}</c> is filled from <see cref="Slots"/>.</summary>
    public IReadOnlyList<string> Templates { get; init; } = [];

    /// <summary>Templates that ask for step-by-step reasoning traces.</summary>
    public IReadOnlyList<string> ReasoningTemplates { get; init; } = [];

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Slots { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Share of templated prompts taken from <see cref="ReasoningTemplates"/>.</summary>
    public double ReasoningShare { get; init; } = 0.5;

    /// <summary>Share of all requests that are ordinary-looking prompts mixed in as cover.</summary>
    public double OrdinaryShare { get; init; } = 0.1;
}

/// <summary>Before the release only part of the campaign is active; after it the rest joins over <see cref="RampMinutes"/>.</summary>
internal sealed class CampaignRamp
{
    public double ActiveShareBeforeRelease { get; init; } = 0.3;
    public double RampMinutes { get; init; } = 20;

    /// <summary>Multiplier on <see cref="Campaign.RequestsPerHour"/> once the ramp is complete.</summary>
    public double RateMultiplier { get; init; } = 1;
}

internal sealed class PaymentBehaviour
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
internal sealed class Measurement
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

internal sealed class NumberRange
{
    public double Min { get; init; }
    public double Max { get; init; }
}
