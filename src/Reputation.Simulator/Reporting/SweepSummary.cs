using System.Globalization;
using System.Text;
using System.Text.Json;
using Reputation.Simulator.Metrics;

namespace Reputation.Simulator.Reporting;

/// <summary>A target of issue 11's "Done when", as a test of a run's figure.</summary>
internal sealed record SweepTarget(string Text, Func<double, double?, bool> IsMet)
{
    public static SweepTarget AtLeast(double share) => new(string.Create(CultureInfo.InvariantCulture, $"≥ {Pct(share)}"), (v, _) => v >= share - 1e-12);

    public static SweepTarget AtMost(double share) => new(string.Create(CultureInfo.InvariantCulture, $"≤ {Pct(share)}"), (v, _) => v <= share + 1e-12);

    /// <summary>Above the same run's figure before (the second argument).</summary>
    public static SweepTarget RisesFrom(string before) => new($"> {before}", (v, b) => b is { } x && v > x + 1e-12);

    public static string Pct(double share) => share < 0.01 && share > 0
        ? share.ToString("0.0# %", CultureInfo.InvariantCulture)
        : share.ToString("0.# %", CultureInfo.InvariantCulture);
}

/// <summary>One figure of a scenario over its runs.</summary>
internal sealed record SweepFigure(string Figure, string? Target, double? Mean, double? Min, double? Max, int Runs, int? Met);

internal sealed record SweepScenario(string Scenario, IReadOnlyList<ulong> Seeds, IReadOnlyList<SweepFigure> Figures, IReadOnlyList<string> FailedRuns);

internal sealed record SweepResult(string SeedSet, IReadOnlyList<string> Targets, IReadOnlyList<SweepScenario> Scenarios);

/// <summary>
/// The table of a sweep: for each scenario, over its runs (one seed each, each on a fresh service), the
/// mean, min and max of campaign recall, campaign requests answered allow, ordinary accounts held and
/// each population's held or allowed share, with issue 11's targets beside them so a miss shows.
/// </summary>
internal static class SweepSummary
{
    public static readonly IReadOnlyList<string> Targets =
    [
        "campaign recall ≥ 97 %",
        "campaign requests answered allow ≤ 5 %",
        "ordinary accounts held ≤ 0.3 %",
        "popular-tool users held ≤ 0.3 %",
        "team members allowed ≥ 95 %",
        "the others in a 40-account carrier range with one confirmed member allowed ≥ 95 %",
        "after partner intel: recall rises, ordinary accounts held ≤ 0.5 %",
    ];

    private static readonly JsonSerializerOptions _json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Reads the run reports (<c>*.json</c>) and failures (<c>*.failed</c>: first line the reason) of a folder.</summary>
    public static SweepResult FromFolder(string folder, string seedSet, IReadOnlyList<string>? order = null)
    {
        var reports = Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal)
            .Select(f => JsonSerializer.Deserialize<SimulationReport>(File.ReadAllText(f), ReportPrinter.Json)
                ?? throw new InvalidDataException($"{f}: not a simulation report"))
            .ToList();
        var failed = Directory.EnumerateFiles(folder, "*.failed").Order(StringComparer.Ordinal)
            .Select(f => (Name: Path.GetFileNameWithoutExtension(f), Reason: File.ReadLines(f).FirstOrDefault() ?? "failed"))
            .ToList();
        return Summarise(reports, failed, seedSet, order);
    }

    public static SweepResult Summarise(IReadOnlyList<SimulationReport> reports, IReadOnlyList<(string Name, string Reason)> failed, string seedSet, IReadOnlyList<string>? order = null)
    {
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentNullException.ThrowIfNull(failed);
        var names = reports.Select(r => r.Scenario)
            .Concat(failed.Select(f => f.Name.Split("--")[0]))
            .Distinct(StringComparer.Ordinal)
            .OrderBy(n => order is null ? 0 : IndexOr(order, n))
            .ThenBy(n => n, StringComparer.Ordinal)
            .ToList();
        var scenarios = names.Select(name =>
        {
            var runs = reports.Where(r => r.Scenario == name).OrderBy(r => r.Seed).ToList();
            return new SweepScenario(
                name,
                [.. runs.Select(r => r.Seed)],
                Figures(runs),
                [.. failed.Where(f => f.Name.Split("--")[0] == name).Select(f => $"{f.Name}: {f.Reason}")]);
        }).ToList();
        return new SweepResult(seedSet, Targets, scenarios);
    }

    public static string ToJson(SweepResult result) => JsonSerializer.Serialize(result, _json);

    public static string ToMarkdown(SweepResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var b = new StringBuilder();
        b.AppendLine(CultureInfo.InvariantCulture, $"Targets (issue 11, \"Done when\"): {string.Join("; ", result.Targets)}.");
        b.AppendLine(CultureInfo.InvariantCulture, $"Every figure is over the {result.SeedSet} seeds of the scenario, one fresh service per run: mean, and min–max.");
        b.AppendLine();
        b.AppendLine("| scenario | runs | campaign recall | campaign requests allowed | ordinary held | targets missed |");
        b.AppendLine("|---|---|---|---|---|---|");
        foreach (var s in result.Scenarios)
        {
            var misses = s.Figures.Where(f => f.Met is { } met && met < f.Runs).Select(f => f.Figure).ToList();
            b.AppendLine(CultureInfo.InvariantCulture,
                $"| `{s.Scenario}` | {s.Seeds.Count}{(s.FailedRuns.Count > 0 ? $" ({s.FailedRuns.Count} failed)" : "")} | {Spread(s, Recall)} | {Spread(s, CampaignAllowed)} | {Spread(s, OrdinaryHeld)} | {(misses.Count == 0 ? "none" : string.Join(", ", misses))} |");
        }

        foreach (var s in result.Scenarios)
        {
            b.AppendLine();
            b.AppendLine(CultureInfo.InvariantCulture, $"#### `{s.Scenario}` ({result.SeedSet} seeds {string.Join(", ", s.Seeds)})");
            b.AppendLine();
            b.AppendLine("| figure | target | mean | min | max | runs meeting it |");
            b.AppendLine("|---|---|---|---|---|---|");
            foreach (var f in s.Figures)
            {
                var met = f.Met is not { } m ? "" : m == f.Runs ? $"{m}/{f.Runs}" : $"**{m}/{f.Runs} — miss**";
                b.AppendLine(CultureInfo.InvariantCulture, $"| {f.Figure} | {f.Target ?? "—"} | {Show(f.Mean)} | {Show(f.Min)} | {Show(f.Max)} | {met} |");
            }

            foreach (var failure in s.FailedRuns)
            {
                b.AppendLine();
                b.AppendLine(CultureInfo.InvariantCulture, $"Failed run: {failure}");
            }
        }

        return b.ToString();
    }

    private const string Recall = "campaign recall";
    private const string CampaignAllowed = "campaign requests answered allow";
    private const string OrdinaryHeld = "ordinary accounts held";

    private static List<SweepFigure> Figures(IReadOnlyList<SimulationReport> runs)
    {
        // Each figure is a function of one run; a run without the figure (a population it lacks) is left out of it.
        var rows = new List<(string Name, SweepTarget? Target, Func<SimulationReport, double?> Value, Func<SimulationReport, double?>? Before)>
        {
            (Recall, SweepTarget.AtLeast(0.97), r => r.Detection.CampaignRecall, null),
            (CampaignAllowed, SweepTarget.AtMost(0.05), r => r.Detection.CampaignRequestsAllowedShare, null),
            (OrdinaryHeld, SweepTarget.AtMost(0.003), r => r.Detection.FalsePositiveRate, null),
        };

        var populations = runs.SelectMany(r => r.Populations).Select(p => (p.Name, p.Kind)).Distinct().ToList();
        var campaigns = populations.Count(p => p.Kind == PopulationFigures.CampaignKind);
        foreach (var (name, kind) in populations)
        {
            if (name == PopulationFigures.Ordinary)
            {
                continue;
            }

            if (kind == PopulationFigures.CampaignKind)
            {
                if (campaigns > 1)
                {
                    rows.Add(($"{name}: recall", null, r => Population(r, name)?.HeldShare, null));
                }

                continue;
            }

            if (name == PopulationFigures.PopularTool)
            {
                rows.Add(($"{name} held", SweepTarget.AtMost(0.003), r => Population(r, name)?.HeldShare, null));
            }
            else if (name.StartsWith("team ", StringComparison.Ordinal))
            {
                rows.Add(($"{name}: members allowed", SweepTarget.AtLeast(0.95), r => Population(r, name)?.AllowedShare, null));
            }
            else if (name.StartsWith("carrier NAT ", StringComparison.Ordinal) && kind == PopulationFigures.OrdinaryKind)
            {
                var nat = name["carrier NAT ".Length..name.LastIndexOf(':')];
                var checkpoint = $"before label {nat}";
                rows.Add(($"{name} allowed before the label", null, r => Population(r, name, checkpoint)?.AllowedShare, null));
                rows.Add(($"{name} allowed after the label", SweepTarget.AtLeast(0.95), r => Population(r, name)?.AllowedShare, null));
            }
            else if (kind == PopulationFigures.LabelledKind)
            {
                rows.Add(($"{name} held", null, r => Population(r, name)?.HeldShare, null));
            }
            else
            {
                rows.Add(($"{name} held", null, r => Population(r, name)?.HeldShare, null));
            }
        }

        if (runs.Any(r => CheckpointOf(r, "before intel") is not null))
        {
            rows.Add(("campaign recall before intel", null, r => CheckpointOf(r, "before intel")?.CampaignRecall, null));
            rows.Add(("campaign recall after intel (end)", SweepTarget.RisesFrom("before"), r => r.Detection.CampaignRecall, r => CheckpointOf(r, "before intel")?.CampaignRecall));
            rows.Add(("ordinary held before intel", null, r => CheckpointOf(r, "before intel")?.OrdinaryHeld, null));
            rows.Add(("ordinary held after intel (end)", SweepTarget.AtMost(0.005), r => r.Detection.FalsePositiveRate, null));
        }

        return [.. rows.Select(row =>
        {
            var values = runs.Select(r => (Value: row.Value(r), Before: row.Before?.Invoke(r))).Where(v => v.Value is not null).ToList();
            if (values.Count == 0)
            {
                return new SweepFigure(row.Name, row.Target?.Text, null, null, null, 0, null);
            }

            var numbers = values.Select(v => v.Value!.Value).ToList();
            int? met = row.Target is { } target ? values.Count(v => target.IsMet(v.Value!.Value, v.Before)) : null;
            return new SweepFigure(row.Name, row.Target?.Text, numbers.Average(), numbers.Min(), numbers.Max(), values.Count, met);
        })];
    }

    private static PopulationRate? Population(SimulationReport r, string name, string? checkpoint = null) =>
        (checkpoint is null ? r.Populations : CheckpointOf(r, checkpoint)?.Populations ?? [])
            .FirstOrDefault(p => p.Name == name);

    private static Checkpoint? CheckpointOf(SimulationReport r, string prefix) =>
        r.Checkpoints.FirstOrDefault(c => c.Name.StartsWith(prefix, StringComparison.Ordinal) || c.Name.Contains(", " + prefix["before ".Length..], StringComparison.Ordinal));

    private static string Spread(SweepScenario s, string figure) =>
        s.Figures.FirstOrDefault(f => f.Figure == figure) is { Mean: { } mean } f
            ? $"{Show(mean)} ({Show(f.Min)}–{Show(f.Max)})"
            : "n/a";

    private static string Show(double? share) => share is { } s ? SweepTarget.Pct(s) : "n/a";

    private static int IndexOr(IReadOnlyList<string> order, string name)
    {
        for (var i = 0; i < order.Count; i++)
        {
            if (order[i] == name)
            {
                return i;
            }
        }

        return order.Count;
    }
}
