using Reputation.Client;
using Reputation.Contracts;
using Reputation.Simulator.Generation;
using Reputation.Simulator.Scenarios;

namespace Reputation.Simulator.Tests;

/// <summary>The aged, sticky, paraphrasing, blending, lockstep campaign of issue 11, as the scenario files ship it.</summary>
public sealed class HardCampaignTests
{
    private static readonly Lazy<Generated> _aged = new(() => Generated.Of(Generated.Load("aged-sticky-campaign.json")));

    private static Generated Aged => _aged.Value;

    private static Campaign Sticky => Aged.Scenario.Campaigns[0];

    [Fact]
    public void The_same_seed_gives_the_same_campaign_and_another_seed_another()
    {
        var scenario = Generated.Load("aged-sticky-campaign.json");

        var a = ShippedScenarioTrafficTests.Digest(scenario, 601);
        var b = ShippedScenarioTrafficTests.Digest(scenario, 601);
        var c = ShippedScenarioTrafficTests.Digest(scenario, 602);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void A_dozen_templates_a_third_of_them_paraphrased()
    {
        var entries = Sticky.Prompts.Templates.Concat(Sticky.Prompts.ReasoningTemplates).ToList();

        Assert.Equal(12, entries.Count);
        Assert.Equal(4, entries.Count(e => e.IsParaphrased));
        Assert.All(entries.Where(e => e.IsParaphrased), e => Assert.True(e.Variants.Count >= 3));
    }

    [Fact]
    public void Paraphrases_of_one_template_are_beyond_the_bucket_radius_while_fills_of_one_wording_stay_within_it()
    {
        var prompts = Sticky.Prompts;
        var r = new SimRandom(3);
        var across = new List<int>();
        var within = new List<int>();
        foreach (var entry in prompts.Templates.Concat(prompts.ReasoningTemplates).Where(e => e.IsParaphrased))
        {
            for (var fill = 0; fill < 20; fill++)
            {
                // The same slot values in every wording: only the paraphrase differs.
                var values = prompts.Slots.ToDictionary(s => s.Key, s => (IReadOnlyList<string>)[r.Pick(s.Value)]);
                var texts = entry.Variants.Select(v => PromptTemplate.Fill(v, values, r)).ToList();
                for (var i = 0; i < texts.Count; i++)
                {
                    for (var j = i + 1; j < texts.Count; j++)
                    {
                        across.Add(Generated.Distance(texts[i], texts[j]));
                    }

                    within.Add(Generated.Distance(texts[i], PromptTemplate.Fill(entry.Variants[i], prompts.Slots, r)));
                }
            }
        }

        Assert.Equal(4 * 20 * 6, across.Count);
        Assert.True(across.Min() > 3, $"two paraphrases of a fill are {across.Min()} bits apart");
        TestContext.Current.SendDiagnosticMessage(
            $"paraphrases of one fill: min {across.Min()}, median {Median(across)} bits; two fills of one wording: median {Median(within)}, {within.Count(d => d <= 3)} of {within.Count} within 3");
        Assert.True(Median(within) < Median(across), $"fills of one wording are a median {Median(within)} bits apart, paraphrases {Median(across)}");
    }

    private static int Median(List<int> values) => values.Order().ElementAt(values.Count / 2);

    [Fact]
    public void Accounts_were_bought_or_aged_weeks_before_the_window_and_have_no_usage_history()
    {
        var campaign = Aged.Population.Campaign.ToList();
        var aged = Sticky.Signup.AgedDays!;

        Assert.All(campaign, a => Assert.InRange(-a.SignupSecond / 86400.0, aged.Min, aged.Max));
        var ids = campaign.Select(a => a.Id).ToHashSet();
        Assert.DoesNotContain(Aged.Prior.Usage, u => ids.Contains(u.Account.Id));
        Assert.All(Aged.Prior.Payments.Where(p => ids.Contains(p.AccountId)), p => Assert.EndsWith("-r0", p.Id, StringComparison.Ordinal));
        Assert.Equal(campaign.Count, Aged.PriorSignups.Count(s => ids.Contains(s.AccountId)));
        Assert.Equal(campaign.Count, campaign.Select(a => a.PaymentFingerprint).Distinct().Count());
    }

    [Fact]
    public void Each_account_keeps_one_sticky_exit_in_ranges_ordinary_residential_users_live_in()
    {
        var requests = Aged.Requests.Where(r => r.Account.Kind == AccountKind.Campaign).ToList();
        var ordinaryRanges = Aged.Population.Accounts.Where(a => a.Kind == AccountKind.Legitimate && a.HomeKind == HomeNetworkKind.ResidentialIpv4)
            .Select(a => Generated.RangeOf(a.SignupIp)).ToHashSet();

        Assert.NotEmpty(requests);
        Assert.All(requests.GroupBy(r => r.Account.Id), g => Assert.Single(g.Select(r => r.Ip).Distinct()));
        Assert.All(requests, r => Assert.Equal(r.Account.StickyIp, r.Ip));
        Assert.All(Aged.Population.Campaign, a => Assert.Equal(a.StickyIp, a.SignupIp));
        var exitRanges = requests.Select(r => Generated.RangeOf(r.Ip)).ToHashSet();
        Assert.Equal(Sticky.Proxy.ResidentialRanges, exitRanges.Count);
        Assert.Subset(ordinaryRanges, exitRanges);
    }

    [Fact]
    public void The_fleet_works_in_lockstep_bins_and_never_outside_them()
    {
        var schedule = Sticky.Schedule!;
        var requests = Aged.Requests.Where(r => r.Account.Kind == AccountKind.Campaign).ToList();
        var accounts = Aged.Population.Campaign.Count();

        Assert.All(requests, r => Assert.True(Lockstep.IsOn(schedule, r.Second), $"a request at second {r.Second}, outside the on-bins"));
        var bins = requests.GroupBy(r => (long)((r.Second - (schedule.StartMinute * 60)) / ((schedule.OnMinutes + schedule.OffMinutes) * 60))).ToList();
        Assert.True(bins.Count >= 4);
        foreach (var bin in bins)
        {
            // Every account works in every bin, starting within the jitter of the bin's start.
            Assert.Equal(accounts, bin.Select(r => r.Account.Id).Distinct().Count());
            var binStart = (schedule.StartMinute * 60) + (bin.Key * (schedule.OnMinutes + schedule.OffMinutes) * 60);
            var firsts = bin.GroupBy(r => r.Account.Id).Select(g => g.Min(r => r.Second) - binStart).ToList();
            Assert.True(firsts.Max() <= schedule.JitterSeconds + 1, $"an account started {firsts.Max()} s into its bin");
        }
    }

    [Fact]
    public void Blending_accounts_elicit_reasoning_at_an_ordinary_rate_and_the_others_do_not()
    {
        var templated = Aged.Requests.Where(r => r.Account.Kind == AccountKind.Campaign).ToList();
        double Eliciting(bool blends)
        {
            var mine = templated.Where(r => r.Account.BlendsElicitation == blends).ToList();
            return (double)mine.Count(r => ReasoningElicitation.Score(r.Prompt) > 0) / mine.Count;
        }

        var blendShare = Aged.Population.Campaign.Count(a => a.BlendsElicitation) / (double)Aged.Population.Campaign.Count();
        Assert.InRange(blendShare, 0.4, 0.6);
        Assert.InRange(Eliciting(blends: true), 0, 0.1);
        Assert.InRange(Eliciting(blends: false), 0.3, 0.6);

        var ordinary = Aged.Requests.Where(r => r.Account.IsOrdinary && !r.Account.UsesTool).ToList();
        var ordinaryShare = (double)ordinary.Count(r => ReasoningElicitation.Score(r.Prompt) > 0) / ordinary.Count;
        Assert.True(Eliciting(blends: true) <= ordinaryShare * 2, $"blending accounts elicit {Eliciting(true):P1}, ordinary users {ordinaryShare:P1}");
    }

    [Fact]
    public void After_the_release_the_pivoting_campaign_moves_most_of_its_traffic_to_the_new_model_within_the_pivot()
    {
        var generated = Generated.Of(Generated.Load("release-pivot.json"));
        var release = generated.Scenario.ModelRelease;
        var pivot = generated.Scenario.Campaigns[0].Pivot!;
        var campaign = generated.Requests.Where(r => r.Account.Kind == AccountKind.Campaign).ToList();
        double NewShare(IEnumerable<SimRequest> rs) => rs.Average(r => r.Model == release.NewModel ? 1.0 : 0.0);

        Assert.Equal(0, NewShare(campaign.Where(r => r.Second < release.AtMinute * 60)));
        Assert.InRange(NewShare(campaign.Where(r => r.Second >= (release.AtMinute + pivot.Minutes) * 60)), pivot.Share - 0.05, pivot.Share + 0.05);
        var ordinary = generated.Requests.Where(r => r.Account.IsOrdinary && !r.Account.UsesTool && r.Second >= (release.AtMinute + pivot.Minutes) * 60).ToList();
        Assert.InRange(NewShare(ordinary), release.LegitimateAdoptionShare - 0.05, release.LegitimateAdoptionShare + 0.05);
    }

    [Fact]
    public void In_the_release_pivot_scenario_the_popular_tool_moves_all_its_users_tool_requests_on_release_day_and_nothing_else()
    {
        var generated = Generated.Of(Generated.Load("release-pivot.json"));
        var release = generated.Scenario.ModelRelease;
        Assert.Equal(1.0, generated.Scenario.Legitimate.PopularTool!.NewModelShare);
        var users = generated.Requests.Where(r => r.Account.IsOrdinary && r.Account.UsesTool).ToList();
        bool ViaTool(SimRequest r) => r.Prompt.StartsWith(ToolPrompts.SystemPrompt(r.Account.ToolVersion), StringComparison.Ordinal);
        double NewShare(IEnumerable<SimRequest> rs) => rs.Average(r => r.Model == release.NewModel ? 1.0 : 0.0);

        Assert.Equal(0, NewShare(users.Where(r => r.Second < release.AtMinute * 60)));
        Assert.Equal(1, NewShare(users.Where(r => r.Second >= release.AtMinute * 60 && ViaTool(r))));
        // Their own prompts are adopted like everyone's.
        Assert.InRange(NewShare(users.Where(r => r.Second >= release.AtMinute * 60 && !ViaTool(r))), release.LegitimateAdoptionShare - 0.06, release.LegitimateAdoptionShare + 0.06);
    }

    [Fact]
    public void A_workspace_ring_puts_each_cards_accounts_in_an_unverified_organisation_of_their_own_as_its_signups_say()
    {
        var ring = Generated.Of(Generated.Load("workspace-ring.json"));
        var campaign = ring.Population.Campaign.ToList();
        var perCard = ring.Scenario.Campaigns[0].Cards.AccountsPerCard;

        var cards = campaign.GroupBy(a => a.PaymentFingerprint).ToList();
        Assert.Equal((campaign.Count + perCard - 1) / perCard, cards.Count);
        Assert.All(cards, card => Assert.Single(card.Select(a => a.OrganizationId).Distinct()));
        Assert.Equal(cards.Count, campaign.Select(a => a.OrganizationId).Distinct().Count());
        Assert.All(campaign, a => Assert.False(a.OrganizationVerified));
        var signups = ring.Signups.Where(s => s.Type == EventType.Signup).ToDictionary(s => s.AccountId);
        Assert.All(campaign, a => Assert.Equal(a.OrganizationId, signups[a.Id].OrganizationId));
        Assert.All(campaign, a => Assert.False(signups[a.Id].OrganizationVerified));

        // Beside it, honest unverified startups on their company cards.
        Assert.Contains(ring.Scenario.Legitimate.Teams, t => !t.OrganizationVerified);
    }
}
