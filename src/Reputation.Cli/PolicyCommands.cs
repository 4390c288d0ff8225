using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Reputation.Client;
using Spectre.Console;

namespace Reputation.Cli;

/// <summary>
/// <c>reputation policy get|history|diff|shadow|report|backtest|promote|rollback</c>: the safe way to change a
/// policy (docs/operations.md, "Changing a policy safely"), from the command line.
/// </summary>
internal static class PolicyCommands
{
    public static Command Build(Func<ParseResult, Func<ReputationClient, Task<int>>, CancellationToken, Task<int>> run, IAnsiConsole console)
    {
        var policy = new Command("policy", "Read a policy, compare a candidate with it, shadow it, promote it, roll back.");
        var name = new Argument<string>("name") { Description = "The policy's name (default is the live one).", DefaultValueFactory = _ => "default" };
        var file = new Argument<FileInfo>("file") { Description = "A whole policy as JSON (as get writes it)." };
        var output = new Option<FileInfo?>("--out") { Description = "Write the policy to this file instead of the terminal." };

        var get = new Command("get", "The current version of a policy.") { name, output };
        get.SetAction((parse, ct) => run(parse, async client =>
        {
            if (await client.GetPolicyAsync(parse.GetValue(name)!, ct) is not { } current)
            {
                return Render.NotFound(console, "policy", parse.GetValue(name)!);
            }

            var text = current.Policy.ToJsonString(JsonFile.Indented);
            if (parse.GetValue(output) is { } target)
            {
                await File.WriteAllTextAsync(target.FullName, text + "\n", ct);
                console.MarkupLine($"Wrote version {current.Version} of {Markup.Escape(parse.GetValue(name)!)} to {Markup.Escape(target.FullName)}.");
            }
            else
            {
                console.MarkupLine($"[bold]{Markup.Escape(parse.GetValue(name)!)}[/] version {current.Version}");
                console.Profile.Out.Writer.WriteLine(text);
            }

            return ExitCodes.Ok;
        }, ct));

        var history = new Command("history", "Saved versions, newest first, with who saved each and when.") { name };
        history.SetAction((parse, ct) => run(parse, async client =>
        {
            if (await client.GetPolicyHistoryAsync(parse.GetValue(name)!, ct) is not { } versions)
            {
                return Render.NotFound(console, "policy", parse.GetValue(name)!);
            }

            var table = new Table().AddColumn(new TableColumn("version").RightAligned()).AddColumn("saved by").AddColumn("at");
            foreach (var v in versions)
            {
                table.AddRow(v.Version.ToString(CultureInfo.InvariantCulture), Markup.Escape(v.By), v.At.ToString("u", CultureInfo.InvariantCulture));
            }

            console.Write(table);
            return ExitCodes.Ok;
        }, ct));

        var diff = new Command("diff", "What a candidate file changes against the current version, field by field.") { name, file };
        diff.SetAction((parse, ct) => run(parse, async client =>
        {
            if (!TryRead(console, parse.GetValue(file)!, out var candidate))
            {
                return ExitCodes.Usage;
            }

            if (await client.GetPolicyAsync(parse.GetValue(name)!, ct) is not { } current)
            {
                return Render.NotFound(console, "policy", parse.GetValue(name)!);
            }

            return Render.PolicyDiff(console, current.Version, Leaves(current.Policy), Leaves(candidate));
        }, ct));

        var shadow = new Command("shadow", "Set a candidate evaluated beside the live policy; no answer changes (only default).") { name, file };
        shadow.SetAction((parse, ct) => run(parse, async client =>
        {
            if (!TryRead(console, parse.GetValue(file)!, out var candidate))
            {
                return ExitCodes.Usage;
            }

            var set = await client.SetShadowPolicyAsync(parse.GetValue(name)!, candidate, ct);
            console.MarkupLine($"Candidate {set.ShadowId} set by {Markup.Escape(set.SetBy)} at {set.SetAt:u}: see [bold]reputation policy report[/].");
            return ExitCodes.Ok;
        }, ct));

        var report = new Command("report", "What the candidate would have decided since it was set.") { name };
        report.SetAction((parse, ct) => run(parse, async client =>
            await client.GetShadowReportAsync(parse.GetValue(name)!, ct) is { } r
                ? Render.ShadowReport(console, r)
                : Render.NotFound(console, "candidate policy for", parse.GetValue(name)!), ct));

        var backtest = new Command("backtest", "Decide the silos' samples of recent decisions again under a candidate file, beside the current version; nothing is saved.") { name, file };
        backtest.SetAction((parse, ct) => run(parse, async client =>
        {
            if (!TryRead(console, parse.GetValue(file)!, out var candidate))
            {
                return ExitCodes.Usage;
            }

            return await client.BacktestPolicyAsync(parse.GetValue(name)!, candidate, ct) is { } result
                ? Render.Backtest(console, result)
                : Render.NotFound(console, "policy", parse.GetValue(name)!);
        }, ct));

        var promote = new Command("promote", "Save a candidate file as the next version (it decides from then on).") { name, file };
        promote.SetAction((parse, ct) => run(parse, async client =>
        {
            if (!TryRead(console, parse.GetValue(file)!, out var candidate))
            {
                return ExitCodes.Usage;
            }

            var current = await client.GetPolicyAsync(parse.GetValue(name)!, ct);
            var saved = await client.SavePolicyAsync(parse.GetValue(name)!, candidate, current?.Version ?? 0, ct);
            console.MarkupLine($"Saved [bold]{Markup.Escape(parse.GetValue(name)!)}[/] version {saved.Version} (was {current?.Version ?? 0}).");
            return ExitCodes.Ok;
        }, ct));

        var version = new Argument<int>("version") { Description = "The version to return to (see history)." };
        var rollback = new Command("rollback", "Save an earlier version again as the next one (history is never rewritten).") { name, version };
        rollback.SetAction((parse, ct) => run(parse, async client =>
        {
            var wanted = parse.GetValue(version);
            var versions = await client.GetPolicyHistoryAsync(parse.GetValue(name)!, ct);
            if (versions?.FirstOrDefault(v => v.Version == wanted) is not { } earlier)
            {
                return Render.NotFound(console, "version", $"{wanted} of {parse.GetValue(name)}");
            }

            var current = versions.Max(v => v.Version);
            var saved = await client.SavePolicyAsync(parse.GetValue(name)!, earlier.Policy, current, ct);
            console.MarkupLine($"Saved version {wanted}'s policy as version {saved.Version} of [bold]{Markup.Escape(parse.GetValue(name)!)}[/].");
            return ExitCodes.Ok;
        }, ct));

        foreach (var command in new[] { get, history, diff, shadow, report, backtest, promote, rollback })
        {
            policy.Subcommands.Add(command);
        }

        return policy;
    }

    private static bool TryRead(IAnsiConsole console, FileInfo file, out JsonObject policy)
    {
        if (file.Exists && JsonFile.TryReadObject(file, out var read, out var problem))
        {
            policy = read;
            return true;
        }

        console.MarkupLine($"[red]error:[/] {Markup.Escape(file.FullName)} {(file.Exists ? "is not a JSON object" : "does not exist")}.");
        policy = [];
        return false;
    }

    /// <summary>Every leaf of a policy by its path (<c>request.throttle</c>), the service-set name and version left out.</summary>
    public static SortedDictionary<string, string> Leaves(JsonObject policy)
    {
        var leaves = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Walk(JsonNode? node, string path)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (key, value) in obj)
                    {
                        if (path.Length > 0 || key is not ("name" or "version"))
                        {
                            Walk(value, path.Length == 0 ? key : $"{path}.{key}");
                        }
                    }

                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        Walk(array[i], $"{path}[{i}]");
                    }

                    break;
                default:
                    leaves[path] = node?.ToJsonString() ?? "null";
                    break;
            }
        }

        Walk(policy, "");
        return leaves;
    }
}
