using System.Globalization;
using System.Text.Json.Nodes;
using Reputation.Cli;

namespace Reputation.Cli.Tests;

/// <summary>A service of its own: these tests change the live policy.</summary>
[CollectionDefinition(Name)]
public sealed class PolicyServiceCollection : ICollectionFixture<ServiceFactory>
{
    public const string Name = "cli-policy-service";
}

/// <summary>get, diff, shadow, report, promote, history and rollback, in the order an operator would use them.</summary>
[Collection(PolicyServiceCollection.Name)]
public sealed class PolicyCliTests(ServiceFactory service)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_candidate_is_compared_shadowed_promoted_and_rolled_back()
    {
        var dir = Directory.CreateTempSubdirectory("reputation-cli-policy-");
        try
        {
            var currentFile = Path.Combine(dir.FullName, "current.json");
            var (getCode, got) = await service.RunAsync("policy", "get", "default", "--out", currentFile, "--key", ServiceFactory.ServiceKey);
            Assert.True(getCode == ExitCodes.Ok, got);
            Assert.Contains("Wrote version 1 of default", got, StringComparison.Ordinal);
            var policy = JsonNode.Parse(await File.ReadAllTextAsync(currentFile, Ct))!.AsObject();
            var throttle = policy["request"]!["throttle"]!.GetValue<double>();
            var lowered = Math.Round(throttle - 0.05, 2);
            policy["request"]!["throttle"] = lowered;
            var candidateFile = Path.Combine(dir.FullName, "candidate.json");
            await File.WriteAllTextAsync(candidateFile, policy.ToJsonString(), Ct);

            var (diffCode, diff) = await service.RunAsync("policy", "diff", "default", candidateFile, "--key", ServiceFactory.ServiceKey);
            Assert.Equal(ExitCodes.Ok, diffCode);
            Assert.Contains("request.throttle", diff, StringComparison.Ordinal);
            Assert.Contains(lowered.ToString(CultureInfo.InvariantCulture), diff, StringComparison.Ordinal);
            Assert.Single(diff.Split('\n'), l => l.Contains('│') && l.Contains('.', StringComparison.Ordinal) && !l.Contains("field", StringComparison.Ordinal));

            var (shadowCode, shadowed) = await service.RunAsync("policy", "shadow", "default", candidateFile, "--key", ServiceFactory.OperatorKey);
            Assert.True(shadowCode == ExitCodes.Ok, shadowed);
            await service.RunAsync("decide", "request", $"cli-policy-{Guid.NewGuid():N}", "--ip", "192.0.2.90", "--key", ServiceFactory.ServiceKey);
            var (reportCode, report) = await service.RunAsync("policy", "report", "default", "--key", ServiceFactory.ServiceKey);
            Assert.Equal(ExitCodes.Ok, reportCode);
            Assert.Contains("would change", report, StringComparison.Ordinal);

            var (promoteCode, promoted) = await service.RunAsync("policy", "promote", "default", candidateFile, "--key", ServiceFactory.OperatorKey);
            Assert.True(promoteCode == ExitCodes.Ok, promoted);
            Assert.Contains("version 2 (was 1)", promoted, StringComparison.Ordinal);

            var (historyCode, history) = await service.RunAsync("policy", "history", "default", "--key", ServiceFactory.ServiceKey);
            Assert.Equal(ExitCodes.Ok, historyCode);
            Assert.Contains("dev-operator", history, StringComparison.Ordinal);

            var (rollbackCode, rolledBack) = await service.RunAsync("policy", "rollback", "default", "1", "--key", ServiceFactory.OperatorKey);
            Assert.True(rollbackCode == ExitCodes.Ok, rolledBack);
            Assert.Contains("version 1's policy as version 3", rolledBack, StringComparison.Ordinal);
            var (_, now) = await service.RunAsync("policy", "diff", "default", currentFile, "--key", ServiceFactory.ServiceKey);
            Assert.Contains("The candidate is the same as version 3", now, StringComparison.Ordinal);

            // A policy the service refuses: exit 1, the field named, nothing saved.
            policy["request"]!["throttle"] = 5;
            await File.WriteAllTextAsync(candidateFile, policy.ToJsonString(), Ct);
            var (badCode, bad) = await service.RunAsync("policy", "promote", "default", candidateFile, "--key", ServiceFactory.OperatorKey);
            Assert.Equal(ExitCodes.Refused, badCode);
            Assert.Contains("request.throttle", bad, StringComparison.Ordinal);
            Assert.Equal(ExitCodes.Usage, (await service.RunAsync("policy", "diff", "default", Path.Combine(dir.FullName, "missing.json"), "--key", ServiceFactory.ServiceKey)).ExitCode);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_backtest_prints_the_table_and_the_accounts_that_would_change()
    {
        var dir = Directory.CreateTempSubdirectory("reputation-cli-backtest-");
        try
        {
            var currentFile = Path.Combine(dir.FullName, "current.json");
            var (getCode, got) = await service.RunAsync("policy", "get", "default", "--out", currentFile, "--key", ServiceFactory.ServiceKey);
            Assert.True(getCode == ExitCodes.Ok, got);
            var policy = JsonNode.Parse(await File.ReadAllTextAsync(currentFile, Ct))!.AsObject();
            policy["request"]!["throttle"] = 0.05; // a new account (NEW_ACCOUNT 0.15) is throttled
            var candidateFile = Path.Combine(dir.FullName, "candidate.json");
            await File.WriteAllTextAsync(candidateFile, policy.ToJsonString(), Ct);
            var account = $"cli-backtest-{Guid.NewGuid():N}";
            var (decideCode, decided) = await service.RunAsync("decide", "request", account, "--ip", "192.0.2.91", "--key", ServiceFactory.ServiceKey);
            Assert.True(decideCode == ExitCodes.Ok, decided);

            var (code, output) = await service.RunAsync("policy", "backtest", "default", candidateFile, "--key", ServiceFactory.OperatorKey);

            Assert.True(code == ExitCodes.Ok, output);
            Assert.Contains("would change", output, StringComparison.Ordinal);
            Assert.Contains(output.Split('\n'), l => l.Contains("request", StringComparison.Ordinal) && l.Contains("allow", StringComparison.Ordinal) && l.Contains("throttle", StringComparison.Ordinal));
            Assert.Contains(account, output, StringComparison.Ordinal);
            var (missingCode, missing) = await service.RunAsync("policy", "backtest", "never-saved", candidateFile, "--key", ServiceFactory.OperatorKey);
            Assert.True(missingCode == ExitCodes.NotFound, missing);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
