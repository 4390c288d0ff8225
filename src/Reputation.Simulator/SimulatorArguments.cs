using System.Globalization;
using System.Text.RegularExpressions;

namespace Reputation.Simulator;

/// <summary>The command line, parsed.</summary>
internal sealed partial record SimulatorArguments
{
    public const string DefaultUrl = "http://127.0.0.1:5080";
    public const string DefaultKey = "dev-operator-key";

    public const string Usage = """
        Usage: dotnet run --project src/Reputation.Simulator -c Release -- --scenario <file.json> [options]
               dotnet run --project src/Reputation.Simulator -c Release -- summarize --runs <dir> [options]

        Drives a running Reputation service through Reputation.Client with a simulated population of
        legitimate users and distillation campaigns, and reports what the service caught.
        "summarize" turns a folder of run reports into the sweep table (see ./detect.sh).

        Options:
          --scenario <file>          scenario JSON (see scenarios/); required
          --url <url>                service address (default http://127.0.0.1:5080)
          --key <key>                API key with the decide and ingest scopes (default dev-operator-key)
          --seed <n>                 seed for the population and traffic (default: the scenario's seed)
          --report <file>            also write the report as JSON to this file
          --run-id <id>              prefix of every account, card and event id (default: one per run,
                                     so runs against the same service do not mix; letters, digits, '-')
          --decision-timeout-ms <n>  client deadline of one decision (default 2000)
          --concurrency <n>          decisions in flight (default 32)
          --ingest-concurrency <n>   event batches in flight (default 4)
          --ingest-retries <n>       retries of a batch the service could not take (408, 429, 5xx,
                                     timeout), backing off from 1 s; 0 to 10 (default 10)
          --print-seeds <set>        print the scenario's tuning or report seeds and exit
          -h, --help                 show this help

        summarize options:
          --runs <dir>               folder of run reports (*.json) and failures (*.failed)
          --seed-set <name>          which seeds the runs used, for the table's text (default report)
          --markdown <file>          write the table as Markdown (default: print it)
          --json <file>              also write it as JSON
          --order <a,b,...>          scenario order in the table (default: by name)

        Exit codes: 0 done; 1 the run failed (service unreachable, refused a call); 2 bad arguments or
        scenario; 3 done, but the service rejected events.
        """;

    public string ScenarioPath { get; init; } = "";
    public Uri Url { get; init; } = new(DefaultUrl);
    public string Key { get; init; } = DefaultKey;
    public ulong? Seed { get; init; }
    public string? ReportPath { get; init; }
    public string? RunId { get; init; }
    public int DecisionTimeoutMs { get; init; } = 2000;
    public int Concurrency { get; init; } = 32;
    public int IngestConcurrency { get; init; } = 4;
    public int IngestRetries { get; init; } = 10;
    public bool Help { get; init; }

    /// <summary>tuning or report: print those seeds of the scenario and exit.</summary>
    public string? PrintSeeds { get; init; }

    /// <summary>Parses the arguments; <paramref name="error"/> says what is wrong when it returns null.</summary>
    public static SimulatorArguments? Parse(IReadOnlyList<string> args, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var result = new SimulatorArguments();
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                return result with { Help = true };
            }

            if (!name.StartsWith("--", StringComparison.Ordinal))
            {
                error = $"unexpected argument '{name}'";
                return null;
            }

            if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                error = $"{name} needs a value";
                return null;
            }

            var value = args[++i];
            switch (name)
            {
                case "--scenario":
                    result = result with { ScenarioPath = value };
                    break;
                case "--url":
                    if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                    {
                        error = $"--url must be an absolute http(s) address, not '{value}'";
                        return null;
                    }

                    result = result with { Url = url };
                    break;
                case "--key":
                    result = result with { Key = value };
                    break;
                case "--seed":
                    if (!ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seed))
                    {
                        error = $"--seed must be a whole number from 0 to {ulong.MaxValue}, not '{value}'";
                        return null;
                    }

                    result = result with { Seed = seed };
                    break;
                case "--report":
                    result = result with { ReportPath = value };
                    break;
                case "--run-id":
                    if (!RunIdPattern().IsMatch(value))
                    {
                        error = $"--run-id may hold only letters, digits and '-' (1 to 24), not '{value}'";
                        return null;
                    }

                    result = result with { RunId = value };
                    break;
                case "--decision-timeout-ms":
                    if (!TryPositive(value, 60_000, out var timeout))
                    {
                        error = $"--decision-timeout-ms must be a whole number from 1 to 60000, not '{value}'";
                        return null;
                    }

                    result = result with { DecisionTimeoutMs = timeout };
                    break;
                case "--concurrency":
                    if (!TryPositive(value, 1024, out var concurrency))
                    {
                        error = $"--concurrency must be a whole number from 1 to 1024, not '{value}'";
                        return null;
                    }

                    result = result with { Concurrency = concurrency };
                    break;
                case "--ingest-concurrency":
                    if (!TryPositive(value, 64, out var ingest))
                    {
                        error = $"--ingest-concurrency must be a whole number from 1 to 64, not '{value}'";
                        return null;
                    }

                    result = result with { IngestConcurrency = ingest };
                    break;
                case "--ingest-retries":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var retries) || retries > 10)
                    {
                        error = $"--ingest-retries must be a whole number from 0 to 10, not '{value}'";
                        return null;
                    }

                    result = result with { IngestRetries = retries };
                    break;
                case "--print-seeds":
                    if (value is not ("tuning" or "report"))
                    {
                        error = $"--print-seeds takes tuning or report, not '{value}'";
                        return null;
                    }

                    result = result with { PrintSeeds = value };
                    break;
                default:
                    error = $"unknown option '{name}'";
                    return null;
            }
        }

        if (string.IsNullOrWhiteSpace(result.ScenarioPath))
        {
            error = "--scenario is required";
            return null;
        }

        if (string.IsNullOrWhiteSpace(result.Key))
        {
            error = "--key must not be empty";
            return null;
        }

        return result;
    }

    private static bool TryPositive(string value, int max, out int result) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out result) && result >= 1 && result <= max;

    [GeneratedRegex("^[A-Za-z0-9-]{1,24}$")]
    private static partial Regex RunIdPattern();
}
