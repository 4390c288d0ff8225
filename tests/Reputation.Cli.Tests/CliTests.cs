using System.Text.RegularExpressions;
using Reputation.Cli;
using Reputation.Client;
using Spectre.Console.Testing;

namespace Reputation.Cli.Tests;

/// <summary>The <c>reputation</c> commands against a running service, as an operator would type them.</summary>
[Collection(ServiceCollection.Name)]
public sealed partial class CliTests(ServiceFactory service)
{
    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    [Fact]
    public async Task Decide_request_shows_the_decision_and_its_reasons()
    {
        var account = Unique("cli");

        // A range of its own: the demo and the label tests sharing this service make theirs risky.
        var (code, output) = await service.RunAsync("decide", "request", account, "--ip", "198.18.70.7", "--key", ServiceFactory.ServiceKey);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains(account, output, StringComparison.Ordinal);
        Assert.Matches(@"decision\s+allow", output);
        Assert.Contains("NEW_ACCOUNT", output, StringComparison.Ordinal);
        Assert.Contains("requests per minute", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_seeds_a_scenario_whose_accounts_explain_graph_and_campaigns_then_show()
    {
        var (code, output) = await service.RunAsync("demo", "--key", ServiceFactory.OperatorKey);

        Assert.True(code == ExitCodes.Ok, output);
        Assert.Contains("Look at:", output, StringComparison.Ordinal);
        var held = DemoSharer().Match(output);
        Assert.True(held.Success, output);
        var sharer = held.Groups["account"].Value;
        var labelled = DemoGraph().Match(output).Groups["account"].Value;
        var ordinary = DemoOrdinary().Match(output).Groups["account"].Value;
        // The sharers of the labelled account's card and range are held; the ordinary user is not.
        Assert.Matches(@"of the other 11 are now held", output);
        Assert.DoesNotMatch(@" 0 of the other 11 are now held", output);

        var (explainCode, explained) = await service.RunAsync("explain", sharer, "--key", ServiceFactory.ServiceKey);
        Assert.Equal(ExitCodes.Ok, explainCode);
        Assert.DoesNotMatch(@"request decision\s+allow", explained);
        Assert.Contains("pf-demo-", explained, StringComparison.Ordinal);
        Assert.Contains("reasons", explained, StringComparison.Ordinal);

        var (graphCode, graph) = await service.RunAsync("graph", labelled, "--key", ServiceFactory.ServiceKey);
        Assert.Equal(ExitCodes.Ok, graphCode);
        Assert.Contains("fraud", graph, StringComparison.Ordinal);
        Assert.Contains("pf-demo-", graph, StringComparison.Ordinal);
        Assert.Contains(sharer, graph, StringComparison.Ordinal);
        Assert.Matches(@"\d+ nodes, \d+ links", graph);

        var (ordinaryCode, ordinaryView) = await service.RunAsync("explain", ordinary, "--key", ServiceFactory.ServiceKey);
        Assert.Equal(ExitCodes.Ok, ordinaryCode);
        Assert.Matches(@"request decision\s+allow", ordinaryView);

        var (campaignsCode, _) = await service.RunAsync("campaigns", "--key", ServiceFactory.ServiceKey);
        Assert.Equal(ExitCodes.Ok, campaignsCode);
    }

    [Fact]
    public async Task Explain_and_graph_of_an_unknown_account_exit_4()
    {
        var account = Unique("never-seen");

        var (explainCode, explained) = await service.RunAsync("explain", account, "--key", ServiceFactory.ServiceKey);
        var (graphCode, _) = await service.RunAsync("graph", account, "--key", ServiceFactory.ServiceKey);

        Assert.Equal(ExitCodes.NotFound, explainCode);
        Assert.Contains("not found", explained, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, graphCode);
    }

    [Fact]
    public async Task Label_needs_operate_exit_1_without_it_and_is_recorded_with_it()
    {
        var account = Unique("cli-label");
        await service.RunAsync("decide", "signup", account, "--ip", "192.0.2.80", "--key", ServiceFactory.ServiceKey);

        var (refusedCode, refused) = await service.RunAsync("label", "account", account, "--as", "fraud", "--reason", "cli test", "--key", ServiceFactory.ServiceKey);
        var (code, output) = await service.RunAsync("label", "account", account, "--as", "fraud", "--reason", "cli test", "--key", ServiceFactory.OperatorKey);
        var (_, explained) = await service.RunAsync("explain", account, "--key", ServiceFactory.ServiceKey);

        Assert.Equal(ExitCodes.Refused, refusedCode);
        Assert.Contains("403", refused, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("Labelled", output, StringComparison.Ordinal);
        Assert.Matches(@"labels\s+fraud", explained);
    }

    [Fact]
    public async Task Lists_and_audit_show_what_an_operator_did()
    {
        var account = Unique("cli-audit");
        await service.RunAsync("decide", "signup", account, "--ip", "192.0.2.81", "--key", ServiceFactory.ServiceKey);
        await service.RunAsync("label", "account", account, "--as", "trusted", "--reason", "cli audit test", "--key", ServiceFactory.OperatorKey);
        using (var http = service.CreateDefaultClient())
        {
            using var put = new HttpRequestMessage(HttpMethod.Put, $"/v1/lists/deny/account/{account}")
            {
                Content = new StringContent("""{"reason":"cli list test"}""", System.Text.Encoding.UTF8, "application/json"),
            };
            put.Headers.Add("X-Api-Key", ServiceFactory.OperatorKey);
            using var response = await http.SendAsync(put, TestContext.Current.CancellationToken);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        var (listCode, list) = await service.RunAsync("lists", "deny", "--key", ServiceFactory.OperatorKey);
        var (auditCode, audit) = await service.RunAsync("audit", "--target", $"account:{account}", "--key", ServiceFactory.OperatorKey);
        var (listAuditCode, listAudit) = await service.RunAsync("audit", "--action", "list.put", "--key", ServiceFactory.OperatorKey);
        var (refusedCode, _) = await service.RunAsync("audit", "--key", ServiceFactory.ServiceKey);

        Assert.Equal(ExitCodes.Ok, listCode);
        Assert.Contains(account, list, StringComparison.Ordinal);
        Assert.Contains("cli list test", list, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, auditCode);
        Assert.Contains("label.set", audit, StringComparison.Ordinal);
        Assert.Contains("dev-operator", audit, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, listAuditCode);
        Assert.Contains("list.put", listAudit, StringComparison.Ordinal);
        Assert.Contains(account, listAudit, StringComparison.Ordinal);
        Assert.DoesNotContain("label.set", listAudit, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Refused, refusedCode);
    }

    [Fact]
    public async Task Intel_import_reports_what_it_took_and_export_writes_a_bundle()
    {
        var dir = Directory.CreateTempSubdirectory("reputation-cli-test-");
        try
        {
            var indicator = $"indicator--{Guid.NewGuid()}";
            var bundleFile = Path.Combine(dir.FullName, "partner.json");
            await File.WriteAllTextAsync(bundleFile, $$"""
                {"type":"bundle","id":"bundle--{{Guid.NewGuid()}}","objects":[
                  {"type":"identity","spec_version":"2.1","id":"identity--b3f4c6a2-7d1e-4a0b-9c2d-1e5f7a9b3c4d","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"Lab B","identity_class":"organization"},
                  {"type":"indicator","spec_version":"2.1","id":"{{indicator}}","created_by_ref":"identity--b3f4c6a2-7d1e-4a0b-9c2d-1e5f7a9b3c4d","created":"2026-03-01T12:00:00.000Z","modified":"2026-03-01T12:00:00.000Z","pattern":"[ipv4-addr:value = '203.0.113.9']","pattern_type":"stix","valid_from":"2026-03-01T12:00:00.000Z","confidence":80},
                  {"type":"indicator","spec_version":"2.1","id":"indicator--{{Guid.NewGuid()}}","created":"2026-03-01T12:00:00.000Z","modified":"2026-03-01T12:00:00.000Z","pattern":"[file:name = 'x.exe']","pattern_type":"stix","valid_from":"2026-03-01T12:00:00.000Z"}
                ]}
                """, TestContext.Current.CancellationToken);

            var (code, imported) = await service.RunAsync("intel", "import", bundleFile, "--key", ServiceFactory.OperatorKey);
            var (againCode, again) = await service.RunAsync("intel", "import", bundleFile, "--key", ServiceFactory.OperatorKey);
            var exportFile = Path.Combine(dir.FullName, "ours.json");
            var (exportCode, exported) = await service.RunAsync("intel", "export", "--out", exportFile, "--key", ServiceFactory.ServiceKey);
            var (printCode, printed) = await service.RunAsync("intel", "export", "--key", ServiceFactory.ServiceKey);

            Assert.True(code == ExitCodes.Ok, imported);
            Assert.Matches(@"imported\s+1\b", imported);
            // The identity and the indicator of a file name: every object the service does not act on is counted.
            Assert.Matches(@"skipped\s+2\b", imported);
            Assert.Contains("skipped indicators", imported, StringComparison.Ordinal);
            Assert.Equal(ExitCodes.Ok, againCode);
            Assert.Matches(@"unchanged\s+1\b", again);
            Assert.Equal(ExitCodes.Ok, exportCode);
            Assert.Contains("Wrote", exported, StringComparison.Ordinal);
            Assert.Equal("bundle", (string?)System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(exportFile, TestContext.Current.CancellationToken))!["type"]);
            Assert.Equal(ExitCodes.Ok, printCode);
            Assert.Contains("\"type\": \"bundle\"", printed, StringComparison.Ordinal);

            var notJson = Path.Combine(dir.FullName, "notes.txt");
            await File.WriteAllTextAsync(notJson, "not a bundle", TestContext.Current.CancellationToken);
            Assert.Equal(ExitCodes.Usage, (await service.RunAsync("intel", "import", notJson, "--key", ServiceFactory.OperatorKey)).ExitCode);
            Assert.Equal(ExitCodes.Usage, (await service.RunAsync("intel", "import", Path.Combine(dir.FullName, "missing.json"), "--key", ServiceFactory.OperatorKey)).ExitCode);
            Assert.Equal(ExitCodes.Refused, (await service.RunAsync("intel", "import", bundleFile, "--key", ServiceFactory.ServiceKey)).ExitCode);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("decide request acct-1 --key k")]                                  // --ip missing
    [InlineData("decid request acct-1 --ip 192.0.2.1 --key k")]                    // unknown command
    [InlineData("label acount acct-1 --as fraud --reason r --key k")]             // unknown entity type
    [InlineData("graph acct-1 --depth two --key k")]                               // not a number
    public async Task A_wrong_command_line_exits_2_saying_what_is_wrong(string commandLine)
    {
        var (code, output) = await service.RunAsync(commandLine.Split(' '));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("error:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_key_it_exits_2()
    {
        var saved = Environment.GetEnvironmentVariable(ReputationCli.KeyVariable);
        Assert.True(string.IsNullOrEmpty(saved), $"{ReputationCli.KeyVariable} is set in the test's environment");

        var (code, output) = await service.RunAsync("explain", "acct-1");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(ReputationCli.KeyVariable, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_the_commands()
    {
        var (code, output) = await service.RunAsync("--help");

        Assert.Equal(ExitCodes.Ok, code);
        foreach (var command in new[] { "decide", "explain", "graph", "label", "lists", "audit", "intel", "campaigns", "demo" })
        {
            Assert.Contains(command, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_service_that_does_not_answer_exits_3_and_a_decision_says_it_is_the_fallback()
    {
        var closed = new Uri($"http://127.0.0.1:{ServiceFactory.FreePort()}");
        var console = new TestConsole();
        console.Profile.Width = 240;
        ReputationClient Connect(CliConnection c) => ReputationClient.Create(new HttpClient { BaseAddress = closed }, new ReputationClientOptions
        {
            BaseAddress = closed,
            ApiKey = c.ApiKey,
            DecisionTimeout = TimeSpan.FromSeconds(2),
            ReadTimeout = TimeSpan.FromSeconds(2),
        });

        var decide = await ReputationCli.RunAsync(["decide", "request", "acct-1", "--ip", "192.0.2.1", "--key", "k"], console, Connect, TestContext.Current.CancellationToken);
        var explain = await ReputationCli.RunAsync(["explain", "acct-1", "--key", "k"], console, Connect, TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Unavailable, decide);
        Assert.Contains("fallback", console.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Unavailable, explain);
        Assert.Contains("unavailable", console.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"reputation explain (?<account>demo-\S+)\s+why a sharer")]
    private static partial Regex DemoSharer();

    [GeneratedRegex(@"reputation graph (?<account>demo-\S+)")]
    private static partial Regex DemoGraph();

    [GeneratedRegex(@"reputation explain (?<account>demo-\S+-ordinary)")]
    private static partial Regex DemoOrdinary();
}
