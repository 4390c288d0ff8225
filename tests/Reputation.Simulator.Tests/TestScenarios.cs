using Reputation.Simulator.Scenarios;

namespace Reputation.Simulator.Tests;

internal static class TestScenarios
{
    public static readonly DateTimeOffset WindowStart = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    /// <summary>A small scenario: 300 legitimate users and a 60-account campaign over 30 minutes.</summary>
    public static Scenario Small(int accountsPerCard = 5, double durationMinutes = 30, int legitimate = 300, int campaignAccounts = 60) => new()
    {
        Name = "small",
        DurationMinutes = durationMinutes,
        StepSeconds = 60,
        Seed = 11,
        ModelRelease = new ModelRelease { AtMinute = durationMinutes / 2 },
        Legitimate = new LegitimatePopulation
        {
            Accounts = legitimate,
            NewSignupShare = 0.1,
            Network = new LegitimateNetwork
            {
                ResidentialRanges = 40,
                Ipv6Share = 0.2,
                CarrierNat = new SharedRanges { Ranges = 2, Share = 0.3 },
                Offices = new SharedRanges { Ranges = 3, Share = 0.1 },
                MobileSessionShare = 0.1,
            },
            Activity = new LegitimateActivity { MeanSessionMinutes = 15, MeanIdleMinutes = 30 },
            Payments = new PaymentBehaviour { ChargeAtSignup = true, ChargesPerAccountPerHour = 0.2, DeclineShare = 0.05, ChargebackShare = 0.01 },
        },
        Campaigns = campaignAccounts == 0 ? [] :
        [
            new Campaign
            {
                Name = "hydra",
                Accounts = campaignAccounts,
                Signup = new CampaignSignup { StartMinute = 2, SpreadMinutes = 10 },
                Proxy = new ProxyPool { Ipv4Ranges = 8, Ipv6Ranges = 2 },
                Cards = new CardReuse { AccountsPerCard = accountsPerCard, OwnCardShare = 0.5 },
                RequestsPerHour = 240,
                PerAccountLimitPerMinute = 10,
                Ramp = new CampaignRamp { ActiveShareBeforeRelease = 0.5, RampMinutes = 5, RateMultiplier = 2 },
                Payments = new PaymentBehaviour { ChargeAtSignup = true, ChargesPerAccountPerHour = 1, DeclineShare = 0.2, ChargebackShare = 0.1 },
                Prompts = new CampaignPrompts
                {
                    Templates = ["Write a {language} implementation of {algorithm} with tests and explain each design decision."],
                    ReasoningTemplates = ["Solve step by step and show all intermediate reasoning: {problem}"],
                    Slots = new Dictionary<string, IReadOnlyList<string>>
                    {
                        ["language"] = ["Python", "Rust", "Go"],
                        ["algorithm"] = ["an LRU cache", "a trie", "a skip list"],
                        ["problem"] = ["What is 17 times 23?", "Find x if 3x + 5 = 20.", "How many primes are below 50?"],
                    },
                    ReasoningShare = 0.5,
                    OrdinaryShare = 0.1,
                },
            },
        ],
        Measurement = new Measurement { DecisionSampleShare = 0.5, MaxDecisionSamplePerStep = 100, DetectionSample = 1000, SignupDecisionShare = 0.2 },
    };

    /// <summary>The repository root (the folder holding Reputation.sln).</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Reputation.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Reputation.sln was not found above {AppContext.BaseDirectory}.");
    }
}
