using Reputation.Simulator.Scenarios;

namespace Reputation.Simulator.Generation;

/// <summary>
/// What the newer scenario options add to a population: on ordinary accounts the popular tool, returning
/// users and email addresses; on campaign accounts aged signups, sticky exits, elicitation blending and
/// emails; and the honest groups (teams, classes, resellers' clients, labelled carrier ranges) as new
/// accounts after all others. Each option draws from its own stream, so an option that is off changes
/// nothing and one that is on moves no draw of another.
/// </summary>
internal static class PopulationExtras
{
    // Real providers: the service classifies these as free-mail and disposable (only the kind and a keyed hash are kept).
    private static readonly string[] _freeMail =
        ["gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com", "proton.me", "gmx.de", "web.de", "orange.fr", "yahoo.co.jp", "naver.com", "qq.com"];

    private static readonly string[] _disposable = ["mailinator.com", "yopmail.com", "guerrillamail.com", "10minutemail.com", "temp-mail.org"];

    private const ulong ToolDraws = 0;
    private const ulong ReturningDraws = 1;
    private const ulong EmailDraws = 2;

    public static void Apply(Scenario scenario, ulong seed, string runId, AddressPlan plan, List<SimAccount> accounts, Func<string, string> newId)
    {
        var l = scenario.Legitimate;
        var workDomains = WorkDomains(seed, 0, l.Emails, l.Accounts);
        for (var i = 0; i < l.Accounts; i++)
        {
            accounts[i] = Ordinary(scenario, accounts[i], seed, (ulong)i, workDomains);
        }

        var next = l.Accounts;
        for (var c = 0; c < scenario.Campaigns.Count; c++)
        {
            var campaign = scenario.Campaigns[c];
            var campaignDomains = WorkDomains(seed, 1 + (ulong)c, campaign.Emails, campaign.Accounts);
            for (var k = 0; k < campaign.Accounts; k++, next++)
            {
                var r = SimRandom.For(seed, Streams.CampaignExtra, ((ulong)c << 32) | (uint)k);
                accounts[next] = CampaignExtras(campaign, plan.CampaignProxies[c], accounts[next], r, campaignDomains);
            }
        }

        var context = new CohortContext(scenario, seed, runId, plan, accounts, newId, workDomains);
        for (var t = 0; t < l.Teams.Count; t++)
        {
            AddTeam(context, l.Teams[t], t);
        }

        for (var c = 0; c < l.Classes.Count; c++)
        {
            AddClass(context, l.Classes[c], c);
        }

        if (l.Resellers is { } resellers)
        {
            AddResellers(context, resellers);
        }

        for (var n = 0; n < l.LabelledCarrierNats.Count; n++)
        {
            AddLabelledNat(context, l.LabelledCarrierNats[n], n);
        }
    }

    private static SimAccount Ordinary(Scenario scenario, SimAccount account, ulong seed, ulong i, IReadOnlyList<string> workDomains)
    {
        var l = scenario.Legitimate;
        if (l.PopularTool is { } tool)
        {
            var r = SimRandom.For(seed, Streams.Honest, (i << 2) | ToolDraws);
            if (r.Chance(tool.Share))
            {
                account = account with { ToolVersion = PickVersion(tool, r) };
            }
        }

        if (l.Returning is { } returning && !account.SignsUpInWindow)
        {
            var r = SimRandom.For(seed, Streams.Honest, (i << 2) | ReturningDraws);
            if (r.Chance(returning.Share))
            {
                var dormant = r.Uniform(returning.DormantDays.Min, returning.DormantDays.Max);

                // Away for months means signed up well before that: an account too young for its dormancy is made older.
                var signup = account.SignupSecond;
                if (-signup < (dormant + 30) * 86400)
                {
                    signup = -(long)((dormant + r.Uniform(30, 400)) * 86400);
                }

                account = account with
                {
                    Returning = true,
                    DormantDays = dormant,
                    SignupSecond = signup,
                    ReturnSecond = (long)r.Uniform(0, returning.ReturnWithinMinutes * 60),
                    NeverUsed = r.Chance(returning.NeverUsedShare),
                };
            }
        }

        if (l.Emails is { } emails)
        {
            account = account with { Email = Email(account.Id, emails, SimRandom.For(seed, Streams.Honest, (i << 2) | EmailDraws), workDomains) };
        }

        return account;
    }

    private static SimAccount CampaignExtras(Campaign campaign, IReadOnlyList<SimNetwork> pool, SimAccount account, SimRandom r, IReadOnlyList<string> workDomains)
    {
        if (campaign.Signup.AgedDays is { } aged)
        {
            // Bought or aged: signed up weeks ago, nothing since; the start of work is in the window.
            account = account with { SignupSecond = -(long)(r.Uniform(aged.Min, aged.Max) * 86400) };
        }

        if (campaign.Proxy.Sticky)
        {
            // A sticky session (static residential / ISP proxy): one exit address for the account's whole life.
            var ip = r.Pick(pool).Address(r);
            account = account with { StickyIp = ip, SignupIp = ip };
        }

        if (campaign.Prompts.Blend is { } blend)
        {
            account = account with { BlendsElicitation = r.Chance(blend.AccountShare) };
        }

        if (campaign.Emails is { } emails)
        {
            account = account with { Email = Email(account.Id, emails, r, workDomains) };
        }

        return account;
    }

    private static void AddTeam(CohortContext x, CompanyTeam team, int t)
    {
        var l = x.Scenario.Legitimate;
        var group = x.Random(CohortKind.Team, t, 0xFFFFF);
        var organization = $"org_{x.RunId}_{group.Hex(6)}";
        var card = $"pf_{x.RunId}_{group.Hex(8)}";
        var country = group.Pick(l.Countries);
        var office = x.Plan.Teams[t];
        for (var m = 0; m < team.Accounts; m++)
        {
            var r = x.Random(CohortKind.Team, t, m);
            var member = NewMember(x, r, new Cohort(CohortKind.Team, team.Name, t), team.SignupMinute, team.SignupSpreadMinutes, HomeNetworkKind.Office, office, country);
            x.Accounts.Add(member with
            {
                PaymentFingerprint = card,
                Email = $"{member.Id}@{team.EmailDomain}",
                OrganizationId = organization,
                OrganizationVerified = team.OrganizationVerified,
                ToolVersion = l.PopularTool is { } tool && r.Chance(team.PopularToolShare) ? PickVersion(tool, r) : -1,
            });
        }
    }

    private static void AddClass(CohortContext x, StudentClass course, int c)
    {
        var country = x.Random(CohortKind.Class, c, 0xFFFFF).Pick(x.Scenario.Legitimate.Countries);
        var campus = x.Plan.Classes[c];
        for (var m = 0; m < course.Accounts; m++)
        {
            var r = x.Random(CohortKind.Class, c, m);
            var member = NewMember(x, r, new Cohort(CohortKind.Class, course.Name, c), course.SignupMinute, course.SignupSpreadMinutes, HomeNetworkKind.Campus, campus, country);
            x.Accounts.Add(member with
            {
                RequestsPerClassHour = PopulationGenerator.DrawRate(course.RequestsPerClassHour, r),
                Email = $"{member.Id}@{(r.Chance(course.FreeMailShare) ? r.Pick(_freeMail) : course.SchoolDomain)}",
            });
        }
    }

    private static void AddResellers(CohortContext x, Resellers resellers)
    {
        for (var j = 0; j < resellers.Cards; j++)
        {
            var group = x.Random(CohortKind.Reseller, j, 0xFFFFF);
            var card = $"pf_{x.RunId}_{group.Hex(8)}";
            var count = (int)Math.Floor(group.Uniform(resellers.AccountsPerCard.Min, resellers.AccountsPerCard.Max + 1));
            for (var m = 0; m < count; m++)
            {
                // The clients are different people: their own homes, habits and countries; only the card is the reseller's.
                var r = x.Random(CohortKind.Reseller, j, m);
                x.Accounts.Add(OldOrdinary(x, r, card, new Cohort(CohortKind.Reseller, "resellers", j)));
            }
        }
    }

    private static void AddLabelledNat(CohortContext x, LabelledCarrierNat nat, int n)
    {
        var range = x.Plan.LabelledCarrierNats[n];
        var labelled = x.Random(CohortKind.LabelledCarrierNat, n, 0xFFFFF).Next(nat.Accounts);
        for (var m = 0; m < nat.Accounts; m++)
        {
            var r = x.Random(CohortKind.LabelledCarrierNat, n, m);
            var account = OldOrdinary(x, r, null, new Cohort(CohortKind.LabelledCarrierNat, nat.Name, n));
            x.Accounts.Add(account with
            {
                HomeKind = HomeNetworkKind.CarrierNat,
                Home = range,
                SignupIp = range.Address(r),
                LabelledFraud = m == labelled,
            });
        }
    }

    /// <summary>A member of a group that signs up together during the window, from the group's own network.</summary>
    private static SimAccount NewMember(CohortContext x, SimRandom r, Cohort cohort, double signupMinute, double spreadMinutes, HomeNetworkKind kind, SimNetwork network, string country) => new()
    {
        Index = -1,
        Id = x.NewId("u"),
        Kind = AccountKind.Legitimate,
        SignupSecond = x.InWindow((signupMinute + r.Uniform(0, spreadMinutes)) * 60),
        SignupIp = network.Address(r),
        Country = country,
        HomeKind = kind,
        Home = network,
        RequestsPerActiveHour = PopulationGenerator.DrawRate(x.Scenario.Legitimate.Activity.RequestsPerActiveHour, r),
        Cohort = cohort,
    };

    /// <summary>An account that signed up before the window, drawn like an ordinary user (home, age, card, habits).</summary>
    private static SimAccount OldOrdinary(CohortContext x, SimRandom r, string? card, Cohort cohort)
    {
        var l = x.Scenario.Legitimate;
        var (kind, home) = PopulationGenerator.DrawHome(l.Network, x.Plan, r);
        var id = x.NewId("u");
        return new SimAccount
        {
            Index = -1,
            Id = id,
            Kind = AccountKind.Legitimate,
            SignupSecond = -(long)(r.Uniform(l.ExistingAccountAgeDays.Min, l.ExistingAccountAgeDays.Max) * 86400),
            SignupIp = home.Address(r),
            PaymentFingerprint = card ?? (r.Chance(l.WithCardShare) ? $"pf_{x.RunId}_{r.Hex(8)}" : null),
            Country = r.Pick(l.Countries),
            HomeKind = kind,
            Home = home,
            RequestsPerActiveHour = PopulationGenerator.DrawRate(l.Activity.RequestsPerActiveHour, r),
            Cohort = cohort,
            Email = l.Emails is { } emails ? Email(id, emails, r, x.WorkDomains) : null,
            ToolVersion = l.PopularTool is { } tool && r.Chance(tool.Share) ? PickVersion(tool, r) : -1,
        };
    }

    private static int PickVersion(PopularTool tool, SimRandom r)
    {
        var roll = r.NextDouble();
        for (var v = 0; v < tool.VersionShares.Count - 1; v++)
        {
            roll -= tool.VersionShares[v];
            if (roll < 0)
            {
                return v;
            }
        }

        return tool.VersionShares.Count - 1;
    }

    private static string Email(string id, EmailAddresses emails, SimRandom r, IReadOnlyList<string> workDomains)
    {
        // The local part is the account id: unique, opaque, and it says nothing about the account.
        var roll = r.NextDouble();
        var domain = roll < emails.FreeMailShare ? r.Pick(_freeMail)
            : roll < emails.FreeMailShare + emails.DisposableShare ? r.Pick(_disposable)
            : r.Pick(workDomains);
        return $"{id}@{domain}";
    }

    /// <summary>Small companies' and people's own domains (reserved <c>.example</c> names), each shared by a few accounts.</summary>
    private static string[] WorkDomains(ulong seed, ulong group, EmailAddresses? emails, int accounts)
    {
        if (emails is null)
        {
            return [];
        }

        var count = Math.Max(1, (int)Math.Ceiling(accounts * (1 - emails.FreeMailShare - emails.DisposableShare) / emails.AccountsPerWorkDomain));
        var r = SimRandom.For(seed, Streams.Honest, (1UL << 62) | group);
        return [.. Enumerable.Range(0, count).Select(_ => $"w{r.Hex(4)}.example")];
    }

    private sealed record CohortContext(
        Scenario Scenario, ulong Seed, string RunId, AddressPlan Plan, List<SimAccount> Accounts, Func<string, string> NewId, IReadOnlyList<string> WorkDomains)
    {
        public SimRandom Random(CohortKind kind, int group, int member) =>
            SimRandom.For(Seed, Streams.Cohort, ((ulong)kind << 48) | ((ulong)group << 24) | (uint)member);

        public long InWindow(double second) => Math.Min((long)second, (long)(Scenario.DurationMinutes * 60) - 1);
    }
}
