namespace Reputation.Simulator.Tests;

public sealed class SimulatorArgumentsTests
{
    [Fact]
    public void Only_the_scenario_is_required()
    {
        var args = SimulatorArguments.Parse(["--scenario", "scenarios/shared-cards.json"], out var error);

        Assert.Null(error);
        Assert.NotNull(args);
        Assert.Equal("scenarios/shared-cards.json", args.ScenarioPath);
        Assert.Equal(new Uri("http://127.0.0.1:5080"), args.Url);
        Assert.Equal("dev-operator-key", args.Key);
        Assert.Null(args.Seed);
        Assert.Null(args.ReportPath);
        Assert.Null(args.RunId);
        Assert.Equal(10, args.IngestRetries);
    }

    [Fact]
    public void Every_option_is_read()
    {
        var args = SimulatorArguments.Parse(
            ["--scenario", "s.json", "--url", "http://127.0.0.1:5180", "--key", "k", "--seed", "18446744073709551615", "--report", "out.json",
             "--run-id", "abc-1", "--decision-timeout-ms", "500", "--concurrency", "8", "--ingest-concurrency", "2", "--ingest-retries", "0"],
            out var error);

        Assert.Null(error);
        Assert.Equal(new Uri("http://127.0.0.1:5180"), args!.Url);
        Assert.Equal("k", args.Key);
        Assert.Equal(ulong.MaxValue, args.Seed);
        Assert.Equal("out.json", args.ReportPath);
        Assert.Equal("abc-1", args.RunId);
        Assert.Equal(500, args.DecisionTimeoutMs);
        Assert.Equal(8, args.Concurrency);
        Assert.Equal(2, args.IngestConcurrency);
        Assert.Equal(0, args.IngestRetries);
    }

    [Theory]
    [InlineData(new[] { "--url", "http://x" }, "--scenario is required")]
    [InlineData(new[] { "--scenario" }, "--scenario needs a value")]
    [InlineData(new[] { "--scenario", "s.json", "--seed", "-1" }, "--seed must be")]
    [InlineData(new[] { "--scenario", "s.json", "--seed", "abc" }, "--seed must be")]
    [InlineData(new[] { "--scenario", "s.json", "--url", "ftp://host" }, "--url must be")]
    [InlineData(new[] { "--scenario", "s.json", "--url", "not a url" }, "--url must be")]
    [InlineData(new[] { "--scenario", "s.json", "--run-id", "has/slash" }, "--run-id may hold")]
    [InlineData(new[] { "--scenario", "s.json", "--concurrency", "0" }, "--concurrency must be")]
    [InlineData(new[] { "--scenario", "s.json", "--ingest-retries", "11" }, "--ingest-retries must be")]
    [InlineData(new[] { "--scenario", "s.json", "--frobnicate", "1" }, "unknown option '--frobnicate'")]
    [InlineData(new[] { "s.json" }, "unexpected argument 's.json'")]
    [InlineData(new[] { "--scenario", "--url", "http://x" }, "--scenario needs a value")]
    public void Bad_arguments_are_explained(string[] argv, string expected)
    {
        var args = SimulatorArguments.Parse(argv, out var error);

        Assert.Null(args);
        Assert.NotNull(error);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_wins_over_everything_else()
    {
        var args = SimulatorArguments.Parse(["--help"], out var error);

        Assert.Null(error);
        Assert.True(args!.Help);
        Assert.Contains("--scenario", SimulatorArguments.Usage, StringComparison.Ordinal);
    }
}
