using Reputation.Contracts;
using Reputation.Simulator.Generation;
using Reputation.Simulator.Reporting;
using Reputation.Simulator.Scenarios;

namespace Reputation.Simulator.Metrics;

/// <summary>One account's decision and the code of its top reason.</summary>
internal sealed record AccountDecision(SimAccount Account, RequestDecision Decision, string TopReason)
{
    /// <summary>The decision's reasons, strongest first (final decisions; empty where not kept).</summary>
    public IReadOnlyList<Reason> Reasons { get; init; } = [];

    public double Score { get; init; }
}

/// <summary>
/// Held and allowed shares per population, so that a figure over all ordinary accounts cannot hide a
/// group the service treats badly (every user of a popular tool, a whole company team, a carrier range).
/// Names are fixed (the sweep summary finds populations by them); a population the scenario does not
/// have is left out.
/// </summary>
internal static class PopulationFigures
{
    public const string Ordinary = "ordinary";
    public const string PopularTool = "popular-tool users";
    public const string Returning = "returning users";
    public const string NeverUsed = "first use months after signup";
    public const string Resellers = "reseller accounts";
    public const string OrdinaryKind = "ordinary";
    public const string LabelledKind = "labelled";
    public const string CampaignKind = "campaign";

    public static string Team(string name) => $"team {name}";

    public static string Class(string name) => $"class {name}";

    public static string NatOthers(string name) => $"carrier NAT {name}: others";

    public static string NatLabelled(string name) => $"carrier NAT {name}: labelled member";

    public static string Campaign(string name) => $"campaign {name}";

    public static IReadOnlyList<PopulationRate> Compute(Scenario scenario, IReadOnlyList<AccountDecision> decisions)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(decisions);
        var l = scenario.Legitimate;
        var result = new List<PopulationRate>
        {
            Rate(Ordinary, OrdinaryKind, decisions.Where(d => d.Account.IsOrdinary)),
        };
        if (l.PopularTool is not null || l.Teams.Any(t => t.PopularToolShare > 0))
        {
            result.Add(Rate(PopularTool, OrdinaryKind, decisions.Where(d => d.Account.IsOrdinary && d.Account.UsesTool)));
        }

        if (l.Returning is not null)
        {
            result.Add(Rate(Returning, OrdinaryKind, decisions.Where(d => d.Account.IsOrdinary && d.Account.Returning)));
            if (l.Returning.NeverUsedShare > 0)
            {
                result.Add(Rate(NeverUsed, OrdinaryKind, decisions.Where(d => d.Account.IsOrdinary && d.Account.NeverUsed)));
            }
        }

        foreach (var team in l.Teams)
        {
            result.Add(Rate(Team(team.Name), OrdinaryKind, decisions.Where(d => d.Account.Cohort is { Kind: CohortKind.Team } c && c.Name == team.Name)));
        }

        foreach (var course in l.Classes)
        {
            result.Add(Rate(Class(course.Name), OrdinaryKind, decisions.Where(d => d.Account.Cohort is { Kind: CohortKind.Class } c && c.Name == course.Name)));
        }

        if (l.Resellers is not null)
        {
            result.Add(Rate(Resellers, OrdinaryKind, decisions.Where(d => d.Account.Cohort is { Kind: CohortKind.Reseller })));
        }

        foreach (var nat in l.LabelledCarrierNats)
        {
            var members = decisions.Where(d => d.Account.Cohort is { Kind: CohortKind.LabelledCarrierNat } c && c.Name == nat.Name).ToList();
            result.Add(Rate(NatOthers(nat.Name), OrdinaryKind, members.Where(d => !d.Account.LabelledFraud)));
            result.Add(Rate(NatLabelled(nat.Name), LabelledKind, members.Where(d => d.Account.LabelledFraud)));
        }

        for (var i = 0; i < scenario.Campaigns.Count; i++)
        {
            var index = i;
            result.Add(Rate(Campaign(scenario.Campaigns[i].Name), CampaignKind, decisions.Where(d => d.Account.Kind == AccountKind.Campaign && d.Account.CampaignIndex == index)));
        }

        return result;
    }

    private static PopulationRate Rate(string name, string kind, IEnumerable<AccountDecision> decisions)
    {
        var list = decisions.ToList();
        var held = list.Where(d => DetectionMetrics.IsHeld(d.Decision)).ToList();
        double? Share(int n) => list.Count == 0 ? null : (double)n / list.Count;
        return new PopulationRate(name, kind, list.Count, held.Count, Share(held.Count), Share(list.Count - held.Count), ReportFigures.Tally(held.Select(d => d.TopReason)))
        {
            HeldSample = kind == CampaignKind || held.Count == 0
                ? null
                : [.. held.OrderBy(d => d.Account.Id, StringComparer.Ordinal).Take(HeldSampleSize).Select(d => new HeldAccount(
                    d.Account.Id, d.Decision.ToString(), d.Score,
                    [.. d.Reasons.Where(r => r.Contribution > 0).Take(4).Select(r => $"{r.Code} {r.Contribution:0.00}: {r.Detail}")]))],
        };
    }

    /// <summary>Held accounts of an honest population shown with their reasons in the report.</summary>
    public const int HeldSampleSize = 3;
}
