using System.Net;
using Reputation.Simulator.Generation;
using Reputation.Simulator.Scenarios;

namespace Reputation.Simulator.Tests;

public sealed class PopulationGeneratorTests
{
    private static readonly IPNetwork _benchmark = IPNetwork.Parse("198.18.0.0/15");
    private static readonly IPNetwork _documentation = IPNetwork.Parse("2001:db8::/32");

    [Fact]
    public void The_same_seed_gives_the_same_accounts()
    {
        var a = PopulationGenerator.Generate(TestScenarios.Small(), 5, "run");
        var b = PopulationGenerator.Generate(TestScenarios.Small(), 5, "run");

        Assert.Equal(Describe(a), Describe(b));
    }

    [Fact]
    public void A_different_seed_gives_different_accounts()
    {
        var a = Describe(PopulationGenerator.Generate(TestScenarios.Small(), 5, "run"));
        var b = Describe(PopulationGenerator.Generate(TestScenarios.Small(), 6, "run"));

        Assert.Equal(a.Count, b.Count);
        Assert.NotEqual(a, b);
        Assert.Empty(a.Select(x => x.Split('|')[0]).Intersect(b.Select(x => x.Split('|')[0])));
    }

    [Fact]
    public void The_run_id_only_prefixes_ids_and_cards()
    {
        var a = PopulationGenerator.Generate(TestScenarios.Small(), 5, "one");
        var b = PopulationGenerator.Generate(TestScenarios.Small(), 5, "two");

        Assert.All(a.Accounts, x => Assert.StartsWith("one-", x.Id, StringComparison.Ordinal));
        Assert.All(b.Accounts, x => Assert.StartsWith("two-", x.Id, StringComparison.Ordinal));
        Assert.Equal(a.Accounts.Select(x => x.Id[4..]), b.Accounts.Select(x => x.Id[4..]));
        Assert.Equal(a.Accounts.Select(x => x.SignupIp), b.Accounts.Select(x => x.SignupIp));
        Assert.Equal(
            a.Accounts.Select(x => x.PaymentFingerprint?.Replace("_one_", "_", StringComparison.Ordinal)),
            b.Accounts.Select(x => x.PaymentFingerprint?.Replace("_two_", "_", StringComparison.Ordinal)));
    }

    [Fact]
    public void Populations_have_the_scenario_sizes_and_unique_ids()
    {
        var population = PopulationGenerator.Generate(TestScenarios.Small(), 5, "run");

        Assert.Equal(300, population.Legitimate.Count());
        Assert.Equal(60, population.Campaign.Count());
        Assert.Equal(population.Accounts.Count, population.Accounts.Select(a => a.Id).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, population.Accounts.Count), population.Accounts.Select(a => a.Index));
    }

    [Fact]
    public void Ids_do_not_give_campaign_accounts_away()
    {
        var population = PopulationGenerator.Generate(TestScenarios.Small(), 5, "run");

        Assert.All(population.Accounts, a => Assert.Matches("^run-u[0-9a-f]{12}$", a.Id));

        // Interleaved, not all campaign accounts at the end.
        var firstCampaign = population.Accounts.First(a => a.Kind == AccountKind.Campaign).Index;
        Assert.True(firstCampaign < population.Accounts.Count - 60);
    }

    [Fact]
    public void Every_address_is_in_the_benchmark_or_documentation_ranges()
    {
        var population = PopulationGenerator.Generate(TestScenarios.Small(), 5, "run");

        Assert.All(population.Accounts, a =>
        {
            var ip = IPAddress.Parse(a.SignupIp);
            Assert.True(_benchmark.Contains(ip) || _documentation.Contains(ip), a.SignupIp);
        });
        Assert.Contains(population.Accounts, a => a.SignupIp.Contains(':', StringComparison.Ordinal));
    }

    [Fact]
    public void Shared_cards_carry_the_given_number_of_accounts()
    {
        var population = PopulationGenerator.Generate(TestScenarios.Small(accountsPerCard: 5), 5, "run");
        var cards = population.Campaign.GroupBy(a => a.PaymentFingerprint).ToList();

        Assert.Equal(12, cards.Count);
        Assert.All(cards, c => Assert.Equal(5, c.Count()));
        Assert.DoesNotContain(population.Legitimate, a => cards.Any(c => c.Key == a.PaymentFingerprint));
    }

    [Fact]
    public void Without_shared_cards_each_campaign_card_has_one_account()
    {
        var population = PopulationGenerator.Generate(TestScenarios.Small(accountsPerCard: 0), 5, "run");
        var withCard = population.Campaign.Where(a => a.PaymentFingerprint is not null).ToList();

        Assert.InRange(withCard.Count, 15, 45); // ownCardShare 0.5 of 60
        Assert.Equal(withCard.Count, withCard.Select(a => a.PaymentFingerprint).Distinct().Count());
    }

    [Fact]
    public void Legitimate_users_have_their_own_cards()
    {
        var population = PopulationGenerator.Generate(TestScenarios.Small(), 5, "run");
        var cards = population.Legitimate.Where(a => a.PaymentFingerprint is not null).ToList();

        Assert.InRange(cards.Count, 130, 230); // withCardShare 0.6 of 300
        Assert.Equal(cards.Count, cards.Select(a => a.PaymentFingerprint).Distinct().Count());
    }

    [Fact]
    public void Carrier_nat_ranges_hold_many_users_and_residential_ranges_few()
    {
        var scenario = ScenarioLoader.LoadFile(Path.Combine(TestScenarios.RepositoryRoot(), "scenarios", "shared-cards.json"));
        var population = PopulationGenerator.Generate(scenario, scenario.Seed, "run");
        var byHome = population.Legitimate.GroupBy(a => (a.HomeKind, a.Home)).ToList();

        Assert.All(byHome.Where(g => g.Key.HomeKind == HomeNetworkKind.CarrierNat), g => Assert.InRange(g.Count(), 100, 400));
        Assert.All(byHome.Where(g => g.Key.HomeKind == HomeNetworkKind.Office), g => Assert.InRange(g.Count(), 5, 60));
        Assert.All(byHome.Where(g => g.Key.HomeKind == HomeNetworkKind.ResidentialIpv4), g => Assert.InRange(g.Count(), 1, 15));
        Assert.All(byHome.Where(g => g.Key.HomeKind == HomeNetworkKind.Ipv6), g => Assert.Single(g));
        Assert.Equal(3, byHome.Count(g => g.Key.HomeKind == HomeNetworkKind.CarrierNat));
    }

    [Fact]
    public void Campaign_signups_fall_in_their_spread_and_most_legitimate_signups_before_the_window()
    {
        var population = PopulationGenerator.Generate(TestScenarios.Small(), 5, "run");

        Assert.All(population.Campaign, a => Assert.InRange(a.SignupSecond, 120, 720));
        var inWindow = population.Legitimate.Count(a => a.SignsUpInWindow);
        Assert.InRange(inWindow, 10, 60); // newSignupShare 0.1 of 300
        Assert.All(population.Legitimate.Where(a => !a.SignsUpInWindow), a => Assert.True(a.SignupSecond <= -14 * 86400));
    }

    [Fact]
    public void Proxy_pools_and_legitimate_ranges_do_not_overlap()
    {
        var plan = new AddressPlan(TestScenarios.Small(), 5);
        var groups = new[] { plan.CarrierNat, plan.Offices, plan.Residential }.Concat(plan.CampaignProxies).ToList();
        var all = groups.SelectMany(g => g).ToList();

        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(2, plan.CarrierNat.Count);
        Assert.Equal(3, plan.Offices.Count);
        Assert.Equal(40, plan.Residential.Count);
        Assert.Equal(10, Assert.Single(plan.CampaignProxies).Count);
        Assert.Equal(2, plan.CampaignProxies[0].Count(n => n.IsIpv6));
    }

    [Fact]
    public void Networks_print_as_the_service_names_ranges()
    {
        Assert.Equal("198.18.0.0/24", SimNetwork.Ipv4Slot(0).ToString());
        Assert.Equal("198.19.255.0/24", SimNetwork.Ipv4Slot(511).ToString());
        Assert.Equal("2001:db8:1:2::/64", SimNetwork.Ipv6Subnet(0x0001_0002).ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => SimNetwork.Ipv4Slot(512));
    }

    [Fact]
    public void Addresses_stay_inside_their_network()
    {
        var random = new SimRandom(3);
        var v4 = SimNetwork.Ipv4Slot(300);
        var v6 = SimNetwork.Ipv6Subnet(77);
        for (var i = 0; i < 500; i++)
        {
            Assert.True(IPNetwork.Parse(v4.ToString()).Contains(IPAddress.Parse(v4.Address(random))));
            Assert.True(IPNetwork.Parse(v6.ToString()).Contains(IPAddress.Parse(v6.Address(random))));
        }
    }

    private static List<string> Describe(Population population) =>
        [.. population.Accounts.Select(a => $"{a.Id}|{a.Kind}|{a.CampaignIndex}|{a.SignupSecond}|{a.SignupIp}|{a.PaymentFingerprint}|{a.Country}|{a.HomeKind}|{a.Home}|{a.RequestsPerActiveHour}|{a.ActivationRank}")];
}
