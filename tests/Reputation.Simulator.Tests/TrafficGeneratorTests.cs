using System.Text.Json;
using Reputation.Contracts;
using Reputation.Simulator.Generation;
using Reputation.Simulator.Scenarios;

namespace Reputation.Simulator.Tests;

public sealed class TrafficGeneratorTests
{
    private static readonly UsageAggregator _aggregator = new(Fakes.Fingerprint, Fakes.Elicitation);

    [Fact]
    public void The_same_seed_gives_the_same_events()
    {
        Assert.Equal(Run(TestScenarios.Small(), 9), Run(TestScenarios.Small(), 9));
    }

    [Fact]
    public void A_different_seed_gives_different_events()
    {
        Assert.NotEqual(Run(TestScenarios.Small(), 9), Run(TestScenarios.Small(), 10));
    }

    [Fact]
    public void No_event_is_dated_after_the_window_and_only_prior_signups_before_it()
    {
        var scenario = TestScenarios.Small();
        var (prior, steps) = Generate(scenario, 9);
        var windowEnd = TestScenarios.WindowStart.AddMinutes(scenario.DurationMinutes);

        Assert.All(prior, e => Assert.True(e.OccurredAt < TestScenarios.WindowStart && e.Type == EventType.Signup));
        Assert.All(steps.SelectMany(s => s.Events), e => Assert.InRange(e.OccurredAt, TestScenarios.WindowStart, windowEnd.AddSeconds(-1)));
        foreach (var step in steps)
        {
            var from = TestScenarios.WindowStart.AddSeconds(step.Traffic.StartSecond);
            var to = TestScenarios.WindowStart.AddSeconds(step.Traffic.EndSecond);
            Assert.All(step.Traffic.Signups, e => Assert.InRange(e.OccurredAt, from, to.AddTicks(-1)));
            Assert.All(step.Traffic.Requests, r => Assert.InRange(r.Second, step.Traffic.StartSecond, step.Traffic.EndSecond - 1));
        }
    }

    [Fact]
    public void Event_ids_are_unique_and_every_account_signs_up_once()
    {
        var (prior, steps) = Generate(TestScenarios.Small(), 9);
        var events = prior.Concat(steps.SelectMany(s => s.Events)).ToList();

        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
        var signups = events.Where(e => e.Type == EventType.Signup).Select(e => e.AccountId).ToList();
        Assert.Equal(360, signups.Count);
        Assert.Equal(360, signups.Distinct().Count());
        Assert.All(events, e => Assert.InRange(e.Id.Length, 1, 128));
    }

    [Fact]
    public void No_account_is_active_before_its_signup()
    {
        var population = PopulationGenerator.Generate(TestScenarios.Small(), 9, "t");
        var traffic = new TrafficGenerator(population, TestScenarios.WindowStart);
        while (traffic.HasNextStep)
        {
            var step = traffic.NextStep();
            Assert.All(step.Requests, r => Assert.True(r.Second >= r.Account.SignupSecond));
        }
    }

    [Fact]
    public void Campaign_accounts_stay_under_their_per_account_limit_and_rotate_proxy_ranges()
    {
        var scenario = TestScenarios.Small();
        var population = PopulationGenerator.Generate(scenario, 9, "t");
        var requests = AllRequests(population).Where(r => r.Account.Kind == AccountKind.Campaign).ToList();
        var limit = scenario.Campaigns[0].PerAccountLimitPerMinute;

        Assert.NotEmpty(requests);
        var perMinute = requests.GroupBy(r => (r.Account.Index, r.Second / 60)).Max(g => g.Count());
        Assert.True(perMinute <= limit, $"{perMinute} requests in a minute, limit {limit}");

        var proxies = population.Addresses.CampaignProxies[0].Select(n => n.ToString()).ToHashSet();
        Assert.All(requests, r => Assert.Contains(RangeOf(r.Ip), proxies));
        var rangesPerAccount = requests.GroupBy(r => r.Account.Index).Where(g => g.Count() >= 20).Select(g => g.Select(r => RangeOf(r.Ip)).Distinct().Count());
        Assert.All(rangesPerAccount, n => Assert.True(n >= 5, $"only {n} ranges"));
    }

    [Fact]
    public void Residential_users_keep_their_address_outside_mobile_sessions()
    {
        var scenario = WithoutMobile(TestScenarios.Small());
        var population = PopulationGenerator.Generate(scenario, 9, "t");
        var requests = AllRequests(population).Where(r => r.Account.HomeKind == HomeNetworkKind.ResidentialIpv4 && r.Account.Kind == AccountKind.Legitimate);

        Assert.All(requests, r => Assert.Equal(r.Account.SignupIp, r.Ip));
    }

    [Fact]
    public void Legitimate_users_are_human_sized_and_come_and_go()
    {
        var population = PopulationGenerator.Generate(TestScenarios.Small(durationMinutes: 120), 9, "t");
        var traffic = new TrafficGenerator(population, TestScenarios.WindowStart);
        var activePerStep = new List<int>();
        var requests = new List<SimRequest>();
        while (traffic.HasNextStep)
        {
            var step = traffic.NextStep();
            activePerStep.Add(step.Active.Count(a => a.Account.Kind == AccountKind.Legitimate));
            requests.AddRange(step.Requests.Where(r => r.Account.Kind == AccountKind.Legitimate));
        }

        var perAccountHour = requests.GroupBy(r => (r.Account.Index, r.Second / 3600)).Select(g => g.Count()).ToList();
        Assert.True(perAccountHour.Max() <= 150, $"a user sent {perAccountHour.Max()} requests in an hour");
        Assert.InRange(perAccountHour.Average(), 2, 40);

        // Sessions and idle periods: some users are active in the first half hour only, some in the last only.
        var early = requests.Where(r => r.Second < 1800).Select(r => r.Account.Index).ToHashSet();
        var late = requests.Where(r => r.Second >= 5400).Select(r => r.Account.Index).ToHashSet();
        Assert.NotEmpty(early.Except(late));
        Assert.NotEmpty(late.Except(early));
        Assert.All(activePerStep, n => Assert.InRange(n, 1, 299));
    }

    [Fact]
    public void After_the_release_campaigns_move_to_the_new_model_and_ramp_up()
    {
        var scenario = TestScenarios.Small(durationMinutes: 60);
        var population = PopulationGenerator.Generate(scenario, 9, "t");
        var requests = AllRequests(population).Where(r => r.Account.Kind == AccountKind.Campaign).ToList();
        var release = (long)(scenario.ModelRelease.AtMinute * 60);

        Assert.All(requests, r => Assert.Equal(r.Second >= release ? scenario.ModelRelease.NewModel : scenario.ModelRelease.PreviousModel, r.Model));
        var before = requests.Count(r => r.Second >= release - 600 && r.Second < release);
        var after = requests.Count(r => r.Second >= release + 600 && r.Second < release + 1200);
        Assert.True(after > before * 2.5, $"{before} requests in the 10 minutes before the release, {after} in 10 minutes after the ramp");
        var activeBefore = requests.Where(r => r.Second >= release - 600 && r.Second < release).Select(r => r.Account.Index).Distinct().Count();
        Assert.InRange(activeBefore, 15, 45); // activeShareBeforeRelease 0.5 of 60
    }

    [Fact]
    public void The_ramp_goes_from_the_active_share_before_the_release_to_everyone()
    {
        var scenario = TestScenarios.Small(durationMinutes: 60);
        var traffic = new TrafficGenerator(PopulationGenerator.Generate(scenario, 9, "t"), TestScenarios.WindowStart);
        var campaign = scenario.Campaigns[0];

        Assert.Equal((0.5, 1.0), traffic.RampAt(campaign, 0));
        Assert.Equal((0.5, 1.0), traffic.RampAt(campaign, 1799));
        Assert.Equal((0.75, 1.5), traffic.RampAt(campaign, 1800 + 150));
        Assert.Equal((1.0, 2.0), traffic.RampAt(campaign, 1800 + 300));
        Assert.Equal((1.0, 2.0), traffic.RampAt(campaign, 3000));
    }

    [Fact]
    public void Campaign_prompts_come_from_the_templates_with_some_ordinary_cover()
    {
        var scenario = TestScenarios.Small();
        var requests = AllRequests(PopulationGenerator.Generate(scenario, 9, "t")).Where(r => r.Account.Kind == AccountKind.Campaign).ToList();
        var templated = requests.Count(r => r.Prompt.EndsWith("with tests and explain each design decision.", StringComparison.Ordinal) || r.Prompt.StartsWith("Solve step by step and show all", StringComparison.Ordinal));
        var reasoning = requests.Count(r => r.Prompt.StartsWith("Solve step by step and show all", StringComparison.Ordinal));

        Assert.InRange((double)templated / requests.Count, 0.85, 0.95); // ordinaryShare 0.1
        Assert.InRange((double)reasoning / templated, 0.4, 0.6); // reasoningShare 0.5
    }

    [Fact]
    public void Payments_are_for_accounts_with_cards_and_campaign_cards_see_declines_and_chargebacks()
    {
        var (_, steps) = Generate(TestScenarios.Small(durationMinutes: 60), 9);
        var population = PopulationGenerator.Generate(TestScenarios.Small(durationMinutes: 60), 9, "t");
        var byId = population.Accounts.ToDictionary(a => a.Id);
        var payments = steps.SelectMany(s => s.Traffic.Payments).ToList();

        Assert.All(payments, p => Assert.Equal(byId[p.AccountId].PaymentFingerprint, p.PaymentFingerprint));
        var campaign = payments.Where(p => byId[p.AccountId].Kind == AccountKind.Campaign).ToList();
        Assert.Contains(campaign, p => p.Outcome == PaymentOutcome.Declined);
        Assert.Contains(campaign, p => p.Outcome == PaymentOutcome.Chargeback);
        Assert.True(campaign.Count(p => p.Outcome == PaymentOutcome.Succeeded) > campaign.Count / 2);
    }

    [Fact]
    public void Usage_events_are_per_account_per_second_with_the_requests_address()
    {
        var (_, steps) = Generate(TestScenarios.Small(), 9);
        foreach (var (traffic, events) in steps)
        {
            var usage = events.Where(e => e.Type == EventType.Usage).ToList();
            Assert.Equal(traffic.Requests.Count, usage.Sum(e => e.Requests!.Value));
            var distinctKeys = traffic.Requests.Select(r => (r.Account.Id, r.Second, r.Ip)).Distinct().Count();
            Assert.Equal(distinctKeys, usage.Count);
        }
    }

    [Fact]
    public void Steps_end_with_the_window()
    {
        var traffic = new TrafficGenerator(PopulationGenerator.Generate(TestScenarios.Small(), 9, "t"), TestScenarios.WindowStart);
        var steps = 0;
        while (traffic.HasNextStep)
        {
            traffic.NextStep();
            steps++;
        }

        Assert.Equal(30, steps);
        Assert.Equal(30, traffic.StepCount);
        Assert.Throws<InvalidOperationException>(() => traffic.NextStep());
    }

    private static Scenario WithoutMobile(Scenario s) => new()
    {
        Name = s.Name,
        DurationMinutes = s.DurationMinutes,
        StepSeconds = s.StepSeconds,
        ModelRelease = s.ModelRelease,
        Campaigns = s.Campaigns,
        Measurement = s.Measurement,
        Legitimate = new LegitimatePopulation
        {
            Accounts = s.Legitimate.Accounts,
            NewSignupShare = s.Legitimate.NewSignupShare,
            Activity = s.Legitimate.Activity,
            Network = new LegitimateNetwork
            {
                ResidentialRanges = s.Legitimate.Network.ResidentialRanges,
                Ipv6Share = s.Legitimate.Network.Ipv6Share,
                CarrierNat = s.Legitimate.Network.CarrierNat,
                Offices = s.Legitimate.Network.Offices,
                MobileSessionShare = 0,
            },
        },
    };

    private static string RangeOf(string ip)
    {
        var address = System.Net.IPAddress.Parse(ip);
        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? $"{MaskTo(address, 24)}/24"
            : $"{MaskTo(address, 64)}/64";
    }

    private static System.Net.IPAddress MaskTo(System.Net.IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new System.Net.IPAddress(bytes);
    }

    private static List<SimRequest> AllRequests(Population population)
    {
        var traffic = new TrafficGenerator(population, TestScenarios.WindowStart);
        var requests = new List<SimRequest>();
        while (traffic.HasNextStep)
        {
            requests.AddRange(traffic.NextStep().Requests);
        }

        return requests;
    }

    private static (IReadOnlyList<IngestEvent> Prior, List<(StepTraffic Traffic, List<IngestEvent> Events)> Steps) Generate(Scenario scenario, ulong seed)
    {
        var traffic = new TrafficGenerator(PopulationGenerator.Generate(scenario, seed, "t"), TestScenarios.WindowStart);
        var steps = new List<(StepTraffic, List<IngestEvent>)>();
        while (traffic.HasNextStep)
        {
            var step = traffic.NextStep();
            steps.Add((step, [.. step.Signups, .. _aggregator.Aggregate(step.Requests, traffic.TimeOf), .. step.Payments]));
        }

        return (traffic.PriorSignups(), steps);
    }

    private static string Run(Scenario scenario, ulong seed)
    {
        var (prior, steps) = Generate(scenario, seed);
        return JsonSerializer.Serialize(prior.Concat(steps.SelectMany(s => s.Events)));
    }
}
