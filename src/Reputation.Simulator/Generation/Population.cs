using Reputation.Simulator.Scenarios;

namespace Reputation.Simulator.Generation;

internal enum AccountKind
{
    Legitimate,
    Campaign,
}

/// <summary>Where a legitimate user's home connection is.</summary>
internal enum HomeNetworkKind
{
    ResidentialIpv4,
    Ipv6,
    CarrierNat,
    Office,

    /// <summary>A university's network: many students behind its NAT, an address per connection.</summary>
    Campus,
}

/// <summary>The honest groups the new scenarios add beside ordinary users, reported each on its own.</summary>
internal enum CohortKind
{
    Team,
    Class,
    Reseller,
    LabelledCarrierNat,
}

/// <summary>An account's group: its kind, the group's name in the scenario and its position in its list.</summary>
internal sealed record Cohort(CohortKind Kind, string Name, int Index);

/// <summary>One simulated account and what is fixed about it.</summary>
internal sealed record SimAccount
{
    /// <summary>Position in <see cref="Population.Accounts"/>.</summary>
    public required int Index { get; init; }

    /// <summary>Opaque id: it says nothing about whether the account belongs to a campaign.</summary>
    public required string Id { get; init; }

    public required AccountKind Kind { get; init; }

    /// <summary>The campaign's position in the scenario; −1 for legitimate accounts.</summary>
    public int CampaignIndex { get; init; } = -1;

    /// <summary>Signup time in simulated seconds from the window's start; negative for accounts that signed up before it.</summary>
    public required long SignupSecond { get; init; }

    public required string SignupIp { get; init; }
    public string? PaymentFingerprint { get; init; }
    public required string Country { get; init; }

    /// <summary>Legitimate: the home network kind and network; the address is stable for residential and office users.</summary>
    public HomeNetworkKind HomeKind { get; init; }

    public SimNetwork Home { get; init; }

    /// <summary>Legitimate: requests per active hour of this user.</summary>
    public double RequestsPerActiveHour { get; init; }

    /// <summary>Campaign: the account is active once the campaign's active share exceeds this (0..1).</summary>
    public double ActivationRank { get; init; }

    public bool SignsUpInWindow => SignupSecond >= 0;

    // What the newer scenario options add; all unset for the original scenarios.

    /// <summary>The honest group the account belongs to; null for other ordinary users and for campaigns.</summary>
    public Cohort? Cohort { get; init; }

    public string? Email { get; init; }
    public string? OrganizationId { get; init; }
    public bool? OrganizationVerified { get; init; }

    /// <summary>The popular tool's version this user runs (0-based); −1 for none.</summary>
    public int ToolVersion { get; init; } = -1;

    public bool UsesTool => ToolVersion >= 0;

    /// <summary>A returning user: dormant for <see cref="DormantDays"/> before the window, back at <see cref="ReturnSecond"/>.</summary>
    public bool Returning { get; init; }

    public double DormantDays { get; init; }
    public long ReturnSecond { get; init; }

    /// <summary>A returning user who never used the account before: no history, first use in the window.</summary>
    public bool NeverUsed { get; init; }

    /// <summary>The member an operator labels fraud (its figures are kept apart from the honest accounts').</summary>
    public bool LabelledFraud { get; init; }

    /// <summary>Campaign with sticky exits: the one address the account uses for everything.</summary>
    public string? StickyIp { get; init; }

    /// <summary>Campaign: the account keeps its reasoning-template share as low as an ordinary user's.</summary>
    public bool BlendsElicitation { get; init; }

    /// <summary>Students: requests per hour of class.</summary>
    public double RequestsPerClassHour { get; init; }

    /// <summary>Honest accounts whose final decision counts in the ordinary figures (the labelled member does not).</summary>
    public bool IsOrdinary => Kind == AccountKind.Legitimate && !LabelledFraud;
}

/// <summary>The simulated accounts of a scenario, with the networks they use.</summary>
internal sealed class Population
{
    public required Scenario Scenario { get; init; }
    public required ulong Seed { get; init; }
    public required AddressPlan Addresses { get; init; }
    public required IReadOnlyList<SimAccount> Accounts { get; init; }

    public IEnumerable<SimAccount> Legitimate => Accounts.Where(a => a.Kind == AccountKind.Legitimate);
    public IEnumerable<SimAccount> Campaign => Accounts.Where(a => a.Kind == AccountKind.Campaign);
}

/// <summary>
/// Builds a scenario's accounts deterministically from (scenario, seed, run id): the same inputs
/// give the same accounts, networks and cards; the run id only prefixes ids so that runs against the
/// same service do not mix.
/// </summary>
internal static class PopulationGenerator
{
    public static Population Generate(Scenario scenario, ulong seed, string runId)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var plan = new AddressPlan(scenario, seed);
        var ids = SimRandom.For(seed, Streams.Population);
        var usedIds = new HashSet<string>(StringComparer.Ordinal);
        string NewId(string prefix)
        {
            string id;
            do
            {
                id = $"{runId}-{prefix}{ids.Hex(6)}";
            }
            while (!usedIds.Add(id));

            return id;
        }

        var accounts = new List<SimAccount>();
        AddLegitimate(scenario, seed, runId, plan, accounts, NewId);
        for (var c = 0; c < scenario.Campaigns.Count; c++)
        {
            AddCampaign(scenario, c, seed, runId, plan, accounts, NewId);
        }

        // Newer options draw from their own streams and add their accounts last, so a scenario without
        // them gets the very accounts (ids, networks, cards) it always got.
        PopulationExtras.Apply(scenario, seed, runId, plan, accounts, NewId);

        // Interleave the two populations so that nothing (batch position, index) gives a campaign away.
        var order = SimRandom.For(seed, Streams.Population, 1);
        order.Shuffle(accounts);
        var indexed = accounts.Select((a, i) => a with { Index = i }).ToList();
        return new Population { Scenario = scenario, Seed = seed, Addresses = plan, Accounts = indexed };
    }

    private static void AddLegitimate(Scenario scenario, ulong seed, string runId, AddressPlan plan, List<SimAccount> accounts, Func<string, string> newId)
    {
        var l = scenario.Legitimate;
        var n = l.Network;
        var windowSeconds = (long)(scenario.DurationMinutes * 60);
        for (var i = 0; i < l.Accounts; i++)
        {
            var r = SimRandom.For(seed, Streams.LegitimateAccount, (ulong)i);
            var (kind, home) = DrawHome(n, plan, r);

            // Sign-up time: most accounts are old; a few sign up during the window.
            var signupSecond = r.Chance(l.NewSignupShare)
                ? (long)r.Uniform(0, windowSeconds * 0.95)
                : -(long)(r.Uniform(l.ExistingAccountAgeDays.Min, l.ExistingAccountAgeDays.Max) * 86400);

            var rate = DrawRate(l.Activity.RequestsPerActiveHour, r);
            accounts.Add(new SimAccount
            {
                Index = -1,
                Id = newId("u"),
                Kind = AccountKind.Legitimate,
                SignupSecond = signupSecond,
                SignupIp = home.Address(r),
                PaymentFingerprint = r.Chance(l.WithCardShare) ? $"pf_{runId}_{r.Hex(8)}" : null,
                Country = r.Pick(l.Countries),
                HomeKind = kind,
                Home = home,
                RequestsPerActiveHour = rate,
            });
        }
    }

    /// <summary>A user's home connection, drawn by the network shares of the scenario.</summary>
    internal static (HomeNetworkKind Kind, SimNetwork Home) DrawHome(LegitimateNetwork n, AddressPlan plan, SimRandom r)
    {
        var roll = r.NextDouble();
        if (roll < n.CarrierNat.Share)
        {
            return (HomeNetworkKind.CarrierNat, r.Pick(plan.CarrierNat));
        }

        if (roll < n.CarrierNat.Share + n.Offices.Share)
        {
            return (HomeNetworkKind.Office, r.Pick(plan.Offices));
        }

        if (roll < n.CarrierNat.Share + n.Offices.Share + n.Ipv6Share)
        {
            return (HomeNetworkKind.Ipv6, plan.NewIpv6Subnet());
        }

        return (HomeNetworkKind.ResidentialIpv4, r.Pick(plan.Residential));
    }

    /// <summary>Requests per active hour, log-uniform: most people are light users, a few heavy.</summary>
    internal static double DrawRate(NumberRange range, SimRandom r) =>
        Math.Exp(r.Uniform(Math.Log(range.Min), Math.Log(range.Max)));

    private static void AddCampaign(Scenario scenario, int c, ulong seed, string runId, AddressPlan plan, List<SimAccount> accounts, Func<string, string> newId)
    {
        var campaign = scenario.Campaigns[c];
        var pool = plan.CampaignProxies[c];
        var cards = SimRandom.For(seed, Streams.Campaign, (ulong)c);
        var sharedCards = campaign.Cards.AccountsPerCard > 0
            ? Enumerable.Range(0, (campaign.Accounts + campaign.Cards.AccountsPerCard - 1) / campaign.Cards.AccountsPerCard)
                .Select(_ => $"pf_{runId}_{cards.Hex(8)}").ToList()
            : null;
        var organizations = sharedCards is not null && campaign.Cards.OrganizationPerCard
            ? sharedCards.Select(_ => $"org_{runId}_{cards.Hex(6)}").ToList()
            : null;
        for (var i = 0; i < campaign.Accounts; i++)
        {
            var r = SimRandom.For(seed, Streams.CampaignAccount, ((ulong)c << 32) | (uint)i);
            var signupSecond = (long)((campaign.Signup.StartMinute + (r.NextDouble() * campaign.Signup.SpreadMinutes)) * 60);
            string? card = sharedCards is not null
                ? sharedCards[i / campaign.Cards.AccountsPerCard]
                : r.Chance(campaign.Cards.OwnCardShare) ? $"pf_{runId}_{r.Hex(8)}" : null;
            accounts.Add(new SimAccount
            {
                Index = -1,
                Id = newId("u"),
                Kind = AccountKind.Campaign,
                CampaignIndex = c,
                SignupSecond = Math.Min(signupSecond, (long)(scenario.DurationMinutes * 60) - 1),
                SignupIp = r.Pick(pool).Address(r),
                PaymentFingerprint = card,
                OrganizationId = organizations?[i / campaign.Cards.AccountsPerCard],
                OrganizationVerified = organizations is null ? null : false,
                Country = r.Pick(campaign.Countries),
                ActivationRank = r.NextDouble(),
            });
        }
    }
}
