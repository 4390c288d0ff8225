using Reputation.Simulator.Generation;
using Reputation.Simulator.Metrics;
using Reputation.Simulator.Reporting;
using Reputation.Simulator.Running;

namespace Reputation.Simulator.Tests;

/// <summary>The sweep table: figures over a scenario's runs, with the targets beside them.</summary>
public sealed class SweepSummaryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Figures_are_mean_min_and_max_over_the_runs_and_a_miss_is_marked()
    {
        var run = await RunAsync();
        var runs = new[] { (0.99, 0.001, 1.0), (0.95, 0.002, 0.96), (1.0, 0.004, 0.9) }
            .Select((x, i) => Vary(run, (ulong)(101 + i), recall: x.Item1, ordinaryHeld: x.Item2, teamAllowed: x.Item3))
            .ToList();

        var result = SweepSummary.Summarise(runs, [("small--104", "the service did not start")], "report");

        var scenario = Assert.Single(result.Scenarios);
        Assert.Equal([101UL, 102UL, 103UL], scenario.Seeds);
        var recall = scenario.Figures.Single(f => f.Figure == "campaign recall");
        Assert.Equal((0.98, 0.95, 1.0, 3, 2), (Math.Round(recall.Mean!.Value, 6), recall.Min, recall.Max, recall.Runs, recall.Met));
        Assert.Equal("≥ 97 %", recall.Target);
        var held = scenario.Figures.Single(f => f.Figure == "ordinary accounts held");
        Assert.Equal(("≤ 0.3 %", 2), (held.Target, held.Met));
        var team = scenario.Figures.Single(f => f.Figure == "team acme: members allowed");
        Assert.Equal(("≥ 95 %", 2), (team.Target, team.Met));
        Assert.Contains(scenario.Figures, f => f.Figure == "carrier NAT mobile: others allowed after the label" && f.Target == "≥ 95 %");
        Assert.Contains(scenario.Figures, f => f.Figure == "carrier NAT mobile: others allowed before the label" && f.Target is null && f.Runs == 3);
        Assert.Contains(scenario.Figures, f => f.Figure == "popular-tool users held" && f.Target == "≤ 0.3 %");
        Assert.Contains(scenario.Figures, f => f.Figure == "campaign recall after intel (end)" && f.Target == "> before");
        Assert.All(scenario.Figures.Where(f => f.Runs > 0), f => Assert.InRange(f.Mean!.Value, 0, 1));
        Assert.Equal("small--104: the service did not start", Assert.Single(scenario.FailedRuns));

        var markdown = SweepSummary.ToMarkdown(result);
        Assert.Contains("Targets (issue 11", markdown, StringComparison.Ordinal);
        Assert.Contains("| campaign recall | ≥ 97 % | 98 % | 95 % | 100 % | **2/3 — miss** |", markdown, StringComparison.Ordinal);
        Assert.Contains("| `small` | 3 (1 failed) | 98 % (95 %–100 %) |", markdown, StringComparison.Ordinal);
        Assert.Contains("Failed run: small--104", markdown, StringComparison.Ordinal);
        Assert.Contains("\"seedSet\": \"report\"", SweepSummary.ToJson(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recall_after_intel_must_rise_above_the_same_runs_recall_before_it()
    {
        var run = await RunAsync();
        var before = run.Checkpoints.Single(c => c.Name == "before intel");
        var rose = run with { Detection = run.Detection with { CampaignRecall = 0.8 }, Checkpoints = [before with { CampaignRecall = 0.5 }] };
        var fell = run with { Seed = 2, Detection = run.Detection with { CampaignRecall = 0.4 }, Checkpoints = [before with { CampaignRecall = 0.5 }] };

        var figure = SweepSummary.Summarise([rose, fell], [], "tuning").Scenarios[0].Figures.Single(f => f.Figure == "campaign recall after intel (end)");

        Assert.Equal((2, 1), (figure.Runs, figure.Met));
    }

    [Fact]
    public async Task The_summarize_command_reads_a_folder_of_reports_and_writes_the_tables()
    {
        var run = await RunAsync();
        var folder = Directory.CreateTempSubdirectory("sweep-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "small--1.json"), ReportPrinter.ToJson(run), Ct);
            await File.WriteAllTextAsync(Path.Combine(folder, "small--2.failed"), "exit code 1\nmore", Ct);
            var output = new StringWriter();

            var code = SummarizeCommand.Run(["--runs", folder, "--seed-set", "tuning", "--json", Path.Combine(folder, "out.json")], output, TextWriter.Null);

            Assert.Equal(0, code);
            Assert.Contains("#### `small` (tuning seeds 11)", output.ToString(), StringComparison.Ordinal);
            Assert.Contains("Failed run: small--2: exit code 1", output.ToString(), StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(folder, "out.json")));
            Assert.Equal(2, SummarizeCommand.Run(["--runs", Path.Combine(folder, "missing")], TextWriter.Null, TextWriter.Null));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static SimulationReport Vary(SimulationReport run, ulong seed, double recall, double ordinaryHeld, double teamAllowed) => run with
    {
        Seed = seed,
        Detection = run.Detection with { CampaignRecall = recall, FalsePositiveRate = ordinaryHeld },
        Populations = [.. run.Populations.Select(p => p.Name == PopulationFigures.Team("acme") ? p with { AllowedShare = teamAllowed, HeldShare = 1 - teamAllowed } : p)],
    };

    private static async Task<SimulationReport> RunAsync()
    {
        var scenario = OperatorActionTests.WithEverything();
        var service = new FakeService();
        var population = PopulationGenerator.Generate(scenario, scenario.Seed, "t");
        var http = new HttpClient(service) { BaseAddress = new Uri("http://reputation.test/") };
        var runner = new SimulationRunner(service.CreateClient(), population, new TrafficGenerator(population, DateTimeOffset.UtcNow.AddMinutes(-scenario.DurationMinutes)),
            new UsageAggregator(Fakes.Fingerprint, Fakes.Elicitation), new RunSettings { RunId = "t", ServiceUrl = http.BaseAddress }, TextWriter.Null,
            new OperatorCalls(http, http.BaseAddress, "test-key"));
        return await runner.RunAsync(Ct);
    }
}
