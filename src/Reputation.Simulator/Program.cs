using System.Globalization;
using Reputation.Client;
using Reputation.Simulator;
using Reputation.Simulator.Generation;
using Reputation.Simulator.Reporting;
using Reputation.Simulator.Running;
using Reputation.Simulator.Scenarios;

if (args.Length > 0 && args[0] == "summarize")
{
    return SummarizeCommand.Run(args[1..], Console.Out, Console.Error);
}

var arguments = SimulatorArguments.Parse(args, out var error);
if (arguments is null)
{
    Console.Error.WriteLine($"error: {error}");
    Console.Error.WriteLine();
    Console.Error.WriteLine(SimulatorArguments.Usage);
    return 2;
}

if (arguments.Help)
{
    Console.WriteLine(SimulatorArguments.Usage);
    return 0;
}

Scenario scenario;
try
{
    scenario = ScenarioLoader.LoadFile(arguments.ScenarioPath);
}
catch (ScenarioException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}

if (arguments.PrintSeeds is { } set)
{
    var seeds = set == "tuning" ? scenario.TuningSeeds : scenario.ReportSeeds;
    if (seeds.Count == 0)
    {
        Console.Error.WriteLine($"error: {arguments.ScenarioPath} names no {set} seeds (tuningSeeds, reportSeeds)");
        return 2;
    }

    Console.WriteLine(string.Join(' ', seeds));
    return 0;
}

var seed = arguments.Seed ?? scenario.Seed;
var runId = arguments.RunId ?? "r" + DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString("x", CultureInfo.InvariantCulture);

// The window ends now: no event is ever dated after the moment the run starts.
var windowEnd = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
var windowStart = windowEnd.AddMinutes(-scenario.DurationMinutes);
var population = PopulationGenerator.Generate(scenario, seed, runId);
var traffic = new TrafficGenerator(population, windowStart);

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Math.Max(arguments.Concurrency, arguments.IngestConcurrency) + 4 };
using var http = new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(2) };
var client = ReputationClient.Create(http, new ReputationClientOptions
{
    BaseAddress = arguments.Url,
    ApiKey = arguments.Key,
    DecisionTimeout = TimeSpan.FromMilliseconds(arguments.DecisionTimeoutMs),

    // An overloaded service answers 503 and acknowledges nothing; a usage pipeline retries, which is
    // safe because events are idempotent by id, so the run waits (backing off) rather than give up.
    IngestTimeout = TimeSpan.FromSeconds(120),
    IngestMaxRetries = arguments.IngestRetries,
    IngestRetryDelay = TimeSpan.FromSeconds(1),
});

Console.WriteLine($"Scenario {scenario.Name}: {population.Legitimate.Count():N0} legitimate and {population.Campaign.Count():N0} campaign accounts, "
    + $"{scenario.DurationMinutes:0.#} simulated minutes in {traffic.StepCount} steps of {scenario.StepSeconds} s; seed {seed}, run id {runId}, service {arguments.Url}");

var runner = new SimulationRunner(
    client,
    population,
    traffic,
    UsageAggregator.Default,
    new RunSettings
    {
        RunId = runId,
        ServiceUrl = arguments.Url,
        Concurrency = arguments.Concurrency,
        IngestConcurrency = arguments.IngestConcurrency,
    },
    Console.Out,
    new OperatorCalls(http, arguments.Url, arguments.Key));

SimulationReport report;
try
{
    report = await runner.RunAsync(cancel.Token);
}
catch (SimulationFailedException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine($"progress when it failed: {runner.ProgressLine()}");
    return 1;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled; no report.");
    return 130;
}

Console.WriteLine();
Console.Write(ReportPrinter.Format(report));
if (arguments.ReportPath is { } reportPath)
{
    try
    {
        await File.WriteAllTextAsync(reportPath, ReportPrinter.ToJson(report) + Environment.NewLine);
        Console.WriteLine($"Report written to {reportPath}");
    }
    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"error: cannot write the report to {reportPath}: {ex.Message}");
        return 1;
    }
}

return report.Events.Rejected > 0 ? 3 : 0;
