using Reputation.Client;
using Reputation.Contracts;
using Reputation.Simulator.Generation;
using Reputation.Simulator.Scenarios;

namespace Reputation.Simulator.Tests;

/// <summary>The honest populations of the newer scenarios, as the scenario files ship them: what each must look like.</summary>
public sealed class HonestPopulationTests
{
    private static readonly Lazy<Generated> _team = new(() => Generated.Of(Generated.Load("company-team.json")));
    private static readonly Lazy<Generated> _tool = new(() => Generated.Of(Generated.Load("popular-tool.json")));

    public static TheoryData<string> NewScenarios => new(
        "popular-tool.json", "company-team.json", "carrier-nat-label.json", "students.json", "reseller.json",
        "aged-sticky-campaign.json", "release-pivot.json", "partner-intel.json", "workspace-ring.json", "fresh-deployment.json");

    [Theory]
    [MemberData(nameof(NewScenarios))]
    public void Each_new_scenario_is_deterministic_per_seed(string file)
    {
        var scenario = Generated.Load(file);

        Assert.Equal(Fingerprint(scenario, scenario.ReportSeeds[0]), Fingerprint(scenario, scenario.ReportSeeds[0]));
        Assert.NotEqual(Fingerprint(scenario, scenario.ReportSeeds[0]), Fingerprint(scenario, scenario.ReportSeeds[1]));
    }

    [Fact]
    public void A_fresh_deployment_is_sent_no_past_only_each_accounts_dated_signup()
    {
        var g = Generated.Of(Generated.Load("fresh-deployment.json"));

        Assert.Null(g.Scenario.Legitimate.History);
        Assert.Empty(g.Prior.Usage);
        // The campaign's bought accounts were charged at their signup; no ordinary customer renews before the window.
        var campaign = g.Population.Accounts.Where(a => a.Kind == AccountKind.Campaign).Select(a => a.Id).ToHashSet();
        Assert.All(g.Prior.Payments, p => Assert.Contains(p.AccountId, campaign));
        Assert.Contains(g.PriorSignups, e => e.OccurredAt < TestScenarios.WindowStart.AddDays(-14));
        Assert.Contains(g.Population.Accounts, a => a.Kind == AccountKind.Campaign && !a.SignsUpInWindow);
        Assert.Contains(g.Population.Accounts, a => a.Kind == AccountKind.Campaign && a.SignsUpInWindow);
    }

    [Fact]
    public void History_is_dated_before_the_window_one_summary_per_active_day_from_the_users_home()
    {
        var g = _team.Value;
        var history = g.Scenario.Legitimate.History!;

        Assert.NotEmpty(g.Prior.Usage);
        Assert.All(g.Prior.Usage, u => Assert.True(u.Second < 0, $"{u.Id} at second {u.Second}"));
        Assert.All(g.Prior.Usage, u => Assert.True(u.Second > u.Account.SignupSecond, $"{u.Id} before its account's signup"));
        Assert.All(g.Prior.Usage, u => Assert.True(u.Second >= HistoryGenerator.HistoryEnd(u.Account) - ((history.Days + 1) * 86400L)));
        Assert.All(g.Prior.Usage, u => Assert.True(u.Account.Kind == AccountKind.Legitimate && !u.Account.SignsUpInWindow));
        Assert.All(g.Prior.Usage.GroupBy(u => (u.Account.Id, Day: Math.Floor((HistoryGenerator.HistoryEnd(u.Account) - u.Second) / 86400.0))), day => Assert.Single(day));
        Assert.All(g.Prior.Usage.Where(u => u.Account.HomeKind == HomeNetworkKind.ResidentialIpv4), u => Assert.Equal(u.Account.SignupIp, u.Ip));
        Assert.All(g.Prior.Payments, p => Assert.True(p.OccurredAt < TestScenarios.WindowStart));

        // Most old accounts have a past; accounts with a card renew monthly, on the same day of the month.
        var old = g.Population.Accounts.Where(a => a.IsOrdinary && !a.SignsUpInWindow).ToList();
        Assert.True(g.Prior.Usage.Select(u => u.Account.Id).Distinct().Count() >= old.Count * 0.8);
        var renewals = g.Prior.Payments.GroupBy(p => p.AccountId).ToList();
        Assert.All(renewals, r => Assert.InRange(r.Count(), 1, history.RenewalMonths));
        Assert.All(renewals.Where(r => r.Count() >= 2), r => Assert.InRange((r.Max(p => p.OccurredAt) - r.Min(p => p.OccurredAt)).TotalDays % 30, -0.01, 0.01));
    }

    [Fact]
    public void Returning_users_went_quiet_months_ago_and_come_back_early_in_the_window()
    {
        var g = _team.Value;
        var returning = g.Population.Accounts.Where(a => a.Returning).ToList();
        var options = g.Scenario.Legitimate.Returning!;

        Assert.InRange(returning.Count, 30, 100); // 5 % of 1200
        Assert.All(returning, a => Assert.InRange(a.DormantDays, options.DormantDays.Min, options.DormantDays.Max));
        Assert.All(g.Prior.Usage.Where(u => u.Account.Returning), u => Assert.True(u.Second < -u.Account.DormantDays * 86400));
        var requests = g.Requests.Where(r => r.Account.Returning).ToList();
        Assert.All(requests, r => Assert.True(r.Second >= r.Account.ReturnSecond));
        Assert.True(requests.Select(r => r.Account.Id).Distinct().Count() >= returning.Count * 0.8, "most returning users come back with requests");
    }

    [Fact]
    public void Some_returning_users_never_used_their_account_before_and_the_service_has_no_past_of_them()
    {
        var g = _team.Value;
        var returning = g.Population.Accounts.Where(a => a.Returning).ToList();
        var neverUsed = returning.Where(a => a.NeverUsed).ToList();

        // Two in five of them, give or take the draw.
        Assert.InRange(neverUsed.Count, returning.Count / 5, returning.Count * 3 / 5);
        Assert.All(neverUsed, a => Assert.True(a.SignupSecond < -a.DormantDays * 86400, $"{a.Id} signed up before it went quiet"));
        Assert.DoesNotContain(g.Prior.Usage, u => u.Account.NeverUsed);
        Assert.DoesNotContain(g.Prior.Payments, p => neverUsed.Any(a => a.Id == p.AccountId));
        // They start in the window, like the other returning users.
        Assert.True(g.Requests.Where(r => r.Account.NeverUsed).Select(r => r.Account.Id).Distinct().Count() >= neverUsed.Count * 0.8);
    }

    [Fact]
    public void A_team_shares_one_card_one_office_range_one_domain_and_a_verified_organisation()
    {
        var g = _team.Value;
        var team = g.Scenario.Legitimate.Teams[0];
        var members = g.Population.Accounts.Where(a => a.Cohort is { Kind: CohortKind.Team } c && c.Name == team.Name).ToList();

        Assert.Equal(team.Accounts, members.Count);
        Assert.Single(members.Select(a => a.PaymentFingerprint).Distinct());
        Assert.Single(members.Select(a => Generated.RangeOf(a.SignupIp)).Distinct());
        Assert.All(members, a => Assert.EndsWith("@" + team.EmailDomain, a.Email, StringComparison.Ordinal));
        Assert.Single(members.Select(a => a.OrganizationId).Distinct());
        Assert.All(members, a => Assert.True(a.OrganizationVerified));
        Assert.All(members, a => Assert.InRange(a.SignupSecond / 60.0, team.SignupMinute, team.SignupMinute + team.SignupSpreadMinutes));

        // The signup events carry it all, and nobody else is on the card or in the office range.
        var signups = g.Signups.Where(s => members.Any(m => m.Id == s.AccountId)).ToList();
        Assert.All(signups, s => Assert.True(s.OrganizationVerified == true && s.OrganizationId == members[0].OrganizationId && s.Email!.EndsWith(team.EmailDomain, StringComparison.Ordinal)));
        Assert.Equal(team.Accounts, g.Population.Accounts.Count(a => a.PaymentFingerprint == members[0].PaymentFingerprint));
        Assert.All(g.Requests.Where(r => members.Contains(r.Account) && !IsMobile(g, r)), r => Assert.Equal(Generated.RangeOf(members[0].SignupIp), Generated.RangeOf(r.Ip)));
    }

    [Fact]
    public void Popular_tool_users_send_most_requests_through_it_with_near_identical_fingerprints()
    {
        var g = _tool.Value;
        var tool = g.Scenario.Legitimate.PopularTool!;
        var ordinary = g.Population.Accounts.Where(a => a.IsOrdinary && a.Cohort is null).ToList();
        var users = ordinary.Where(a => a.UsesTool).ToList();

        Assert.InRange((double)users.Count / ordinary.Count, tool.Share - 0.04, tool.Share + 0.04);
        var requests = g.Requests.Where(r => r.Account.UsesTool).ToList();
        var viaTool = requests.Where(r => r.Prompt.StartsWith(ToolPrompts.SystemPrompt(r.Account.ToolVersion), StringComparison.Ordinal)).ToList();
        Assert.InRange((double)viaTool.Count / requests.Count, tool.RequestShare - 0.03, tool.RequestShare + 0.03);
        Assert.All(viaTool, r => Assert.True(r.InputTokens > ToolPrompts.FixedInputTokens));

        // Two requests of one version are mostly within the bucket radius (measured: 88 % for the first version, whose
        // fixed text is shortest, 100 % for the others), at most a few bits apart; all versions are in use.
        var r0 = new SimRandom(4);
        for (var version = 0; version < tool.VersionShares.Count; version++)
        {
            var distances = Enumerable.Range(0, 200).Select(_ => Generated.Distance(ToolPrompts.Next(version, r0), ToolPrompts.Next(version, r0))).ToList();
            TestContext.Current.SendDiagnosticMessage($"tool version {version}: {distances.Count(d => d <= 3)} of 200 pairs within 3 bits, max {distances.Max()}");
            Assert.True(distances.Count(d => d <= 3) >= 160, $"version {version}: {distances.Count(d => d <= 3)} of 200 pairs within 3 bits");
            Assert.True(distances.Max() <= 12, $"version {version}: two requests {distances.Max()} bits apart");
            Assert.Contains(users, u => u.ToolVersion == version);
        }
    }

    [Fact]
    public void A_class_signs_up_in_one_hour_from_campus_and_works_the_same_assignment_in_lockstep()
    {
        var g = Generated.Of(Generated.Load("students.json"));
        var course = g.Scenario.Legitimate.Classes[0];
        var students = g.Population.Accounts.Where(a => a.Cohort is { Kind: CohortKind.Class }).ToList();
        var (from, to) = ((long)(course.ClassStartMinute * 60), (long)((course.ClassStartMinute + course.ClassMinutes) * 60));

        Assert.Equal(course.Accounts, students.Count);
        Assert.All(students, a => Assert.InRange(a.SignupSecond / 60.0, course.SignupMinute, course.SignupMinute + course.SignupSpreadMinutes));
        Assert.Single(students.Select(a => Generated.RangeOf(a.SignupIp)).Distinct());
        Assert.All(students, a => Assert.Null(a.PaymentFingerprint));
        Assert.Contains(students, a => a.Email!.EndsWith("@" + course.SchoolDomain, StringComparison.Ordinal));

        var inClass = g.Requests.Where(r => students.Contains(r.Account) && r.Second >= from && r.Second < to).ToList();
        Assert.True(inClass.Select(r => r.Account.Id).Distinct().Count() >= course.Accounts - 1, "nearly every student works during class");
        Assert.All(inClass, r => Assert.Equal(Generated.RangeOf(students[0].SignupIp), Generated.RangeOf(r.Ip)));
        var assignment = inClass.Count(r => r.Prompt.Contains("Homework 3", StringComparison.Ordinal));
        Assert.InRange((double)assignment / inClass.Count, course.AssignmentShare - 0.1, course.AssignmentShare + 0.1);

        // The pasted question dominates: two students' requests for one question are within the bucket radius.
        var byQuestion = inClass.Where(r => r.Prompt.Contains("light bulbs", StringComparison.Ordinal)).Take(40).ToList();
        var close = byQuestion.Skip(1).Count(r => Generated.Distance(r.Prompt, byQuestion[0].Prompt) <= 3);
        Assert.True(close >= (byQuestion.Count - 1) * 0.5, $"{close} of {byQuestion.Count - 1} within 3 bits");
    }

    [Fact]
    public void A_reseller_pays_for_five_to_ten_accounts_of_different_people()
    {
        var g = Generated.Of(Generated.Load("reseller.json"));
        var clients = g.Population.Accounts.Where(a => a.Cohort is { Kind: CohortKind.Reseller }).GroupBy(a => a.PaymentFingerprint).ToList();

        Assert.Equal(g.Scenario.Legitimate.Resellers!.Cards, clients.Count);
        Assert.All(clients, c => Assert.InRange(c.Count(), 5, 10));
        Assert.All(clients, c => Assert.True(c.Select(a => Generated.RangeOf(a.SignupIp)).Distinct().Count() >= c.Count() - 1, "each client has a home of their own"));
        Assert.All(clients.SelectMany(c => c), a => Assert.False(a.SignsUpInWindow));
        var renewals = g.Prior.Payments.Where(p => clients.Any(c => c.Key == p.PaymentFingerprint)).ToList();
        Assert.True(renewals.Select(p => p.AccountId).Distinct().Count() >= clients.Sum(c => c.Count()) * 0.8, "the reseller's card renews its clients' plans");
    }

    [Fact]
    public void A_labelled_carrier_range_holds_forty_mobile_accounts_one_of_which_is_labelled()
    {
        var g = Generated.Of(Generated.Load("carrier-nat-label.json"));
        var nat = g.Scenario.Legitimate.LabelledCarrierNats[0];
        var members = g.Population.Accounts.Where(a => a.Cohort is { Kind: CohortKind.LabelledCarrierNat }).ToList();

        Assert.Equal(nat.Accounts, members.Count);
        Assert.Single(members, a => a.LabelledFraud);
        Assert.DoesNotContain(g.Population.Accounts, a => a.LabelledFraud && a.Cohort is null);
        var range = Generated.RangeOf(members[0].SignupIp);
        Assert.All(members, a => Assert.Equal(range, Generated.RangeOf(a.SignupIp)));
        var requests = g.Requests.Where(r => members.Contains(r.Account)).ToList();
        Assert.All(requests, r => Assert.Equal(range, Generated.RangeOf(r.Ip)));
        Assert.True(requests.Select(r => r.Ip).Distinct().Count() > requests.Count / 2, "an address per connection");
        Assert.Equal(nat.Accounts, g.Population.Accounts.Count(a => Generated.RangeOf(a.SignupIp) == range));
    }

    [Fact]
    public void Emails_are_mostly_free_mail_and_never_reveal_the_account_kind()
    {
        var g = _team.Value;
        var ordinary = g.Population.Accounts.Where(a => a.IsOrdinary && a.Cohort is null).ToList();

        Assert.All(g.Population.Accounts, a => Assert.StartsWith(a.Id + "@", a.Email, StringComparison.Ordinal));
        var freeMail = ordinary.Count(a => !a.Email!.EndsWith(".example", StringComparison.Ordinal));
        Assert.InRange((double)freeMail / ordinary.Count, 0.7, 0.8);
        Assert.All(g.Signups, s => Assert.NotNull(s.Email));
    }

    private static bool IsMobile(Generated g, SimRequest r) => g.Population.Addresses.CarrierNat.Any(n => n.ToString() == Generated.RangeOf(r.Ip));

    private static string Fingerprint(Scenario scenario, ulong seed)
    {
        var g = Generated.Of(scenario, seed);
        var hash = new System.IO.Hashing.XxHash64();
        void Add(string s) => hash.Append(System.Text.Encoding.UTF8.GetBytes(s + "\n"));
        foreach (var e in g.Signups.Concat(g.Prior.Payments).Concat(g.Steps.SelectMany(s => s.Payments)))
        {
            Add($"{e.Id}|{e.OccurredAt:O}|{e.Ip}|{e.PaymentFingerprint}|{e.Email}|{e.OrganizationId}|{e.Outcome}");
        }

        foreach (var u in g.Prior.Usage)
        {
            Add($"{u.Id}|{u.Second}|{u.Ip}|{u.Requests}|{string.Join('/', u.Prompts)}");
        }

        foreach (var r in g.Requests)
        {
            Add($"{r.Account.Id}|{r.Second}|{r.Ip}|{r.Model}|{r.Prompt}");
        }

        return Convert.ToHexStringLower(hash.GetCurrentHash());
    }
}
