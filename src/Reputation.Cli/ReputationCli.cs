using System.CommandLine;
using System.Net;
using Reputation.Client;
using Reputation.Contracts;
using Spectre.Console;

namespace Reputation.Cli;

/// <summary>Where the service is and the key to call it with.</summary>
public sealed record CliConnection(Uri Url, string ApiKey);

/// <summary>
/// The <c>reputation</c> operator command line on <see cref="ReputationClient"/>: the commands, their
/// output (Spectre.Console tables and trees) and their exit codes (<see cref="ExitCodes"/>). The
/// console and the client are given, so tests drive it against an in-process service.
/// </summary>
public static class ReputationCli
{
    public const string UrlVariable = "REPUTATION_URL";
    public const string KeyVariable = "REPUTATION_API_KEY";

    /// <summary>Entity types as the REST contract spells them.</summary>
    private static readonly Dictionary<string, EntityType> EntityTypes = new(StringComparer.Ordinal)
    {
        ["account"] = EntityType.Account,
        ["payment-instrument"] = EntityType.PaymentInstrument,
        ["ip-range"] = EntityType.IpRange,
        ["prompt-template"] = EntityType.PromptTemplate,
        ["campaign"] = EntityType.Campaign,
    };

    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, Func<CliConnection, ReputationClient> connect, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(console);
        var root = Build(console, connect);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                console.MarkupLine($"[red]error:[/] {Markup.Escape(error.Message)}");
            }

            console.MarkupLine("Run [bold]reputation --help[/] for the commands.");
            return ExitCodes.Usage;
        }

        var writer = console.Profile.Out.Writer;
        return await parse.InvokeAsync(new InvocationConfiguration { Output = writer, Error = writer, EnableDefaultExceptionHandler = false }, cancellationToken);
    }

    public static RootCommand Build(IAnsiConsole console, Func<CliConnection, ReputationClient> connect)
    {
        var url = new Option<Uri>("--url")
        {
            Description = $"The service's base URL (default: ${UrlVariable}, else http://127.0.0.1:5080).",
            Recursive = true,
            DefaultValueFactory = _ => new Uri(Environment.GetEnvironmentVariable(UrlVariable) is { Length: > 0 } u ? u : "http://127.0.0.1:5080"),
        };
        var key = new Option<string?>("--key")
        {
            Description = $"The API key (default: ${KeyVariable}). In Development: dev-operator-key.",
            Recursive = true,
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(KeyVariable),
        };
        var context = new CommandContext(console, connect, url, key);

        var root = new RootCommand("Operate the Reputation service: decisions, explanations, the graph, labels, campaigns and a demo.");
        root.Options.Add(url);
        root.Options.Add(key);
        root.Subcommands.Add(DecideCommand(context));
        root.Subcommands.Add(ExplainCommand(context));
        root.Subcommands.Add(GraphCommand(context));
        root.Subcommands.Add(LabelCommand(context));
        root.Subcommands.Add(ListsCommand(context));
        root.Subcommands.Add(AuditCommand(context));
        root.Subcommands.Add(IntelCommand(context));
        root.Subcommands.Add(PolicyCommands.Build(context.RunAsync, console));
        root.Subcommands.Add(CampaignsCommand(context));
        root.Subcommands.Add(DemoCommand(context));
        return root;
    }

    private static Command DecideCommand(CommandContext context)
    {
        var decide = new Command("decide", "Ask for a decision as the signup flow, the rate limiter or billing would (the signup is recorded).");
        var ip = new Option<string>("--ip") { Description = "The caller's IP address.", Required = true };
        var model = new Option<string?>("--model") { Description = "The model asked for." };
        var card = new Option<string?>("--card") { Description = "The payment fingerprint." };
        var email = new Option<string?>("--email") { Description = "The signup email (hashed by the service, never stored)." };
        var account = new Argument<string>("account") { Description = "The account id." };

        var request = new Command("request", "A rate-limiter decision (read-only).") { account, ip, model };
        request.SetAction((parse, ct) => context.RunAsync(parse, async client =>
        {
            var request = new RequestDecisionRequest { AccountId = parse.GetValue(account)!, Ip = parse.GetValue(ip)!, Model = parse.GetValue(model) };
            return Render.Decision(context.Console, await client.DecideRequestAsync(request, ct));
        }, ct));

        var signup = new Command("signup", "A signup decision; records the signup.") { account, ip, card, email };
        signup.SetAction((parse, ct) => context.RunAsync(parse, async client =>
        {
            var request = new SignupDecisionRequest
            {
                AccountId = parse.GetValue(account)!,
                Ip = parse.GetValue(ip)!,
                PaymentFingerprint = parse.GetValue(card),
                Email = parse.GetValue(email),
            };
            return Render.Decision(context.Console, await client.DecideSignupAsync(request, ct));
        }, ct));

        var billingCard = new Option<string>("--card") { Description = "The payment fingerprint.", Required = true };
        var amount = new Option<long>("--amount") { Description = "The amount in minor units (cents).", Required = true };
        var currency = new Option<string>("--currency") { Description = "ISO 4217 currency code.", DefaultValueFactory = _ => "USD" };
        var billing = new Command("billing", "A billing decision for a charge.") { account, billingCard, amount, currency };
        billing.SetAction((parse, ct) => context.RunAsync(parse, async client =>
        {
            var request = new BillingDecisionRequest
            {
                AccountId = parse.GetValue(account)!,
                PaymentFingerprint = parse.GetValue(billingCard)!,
                AmountMinor = parse.GetValue(amount),
                Currency = parse.GetValue(currency)!,
            };
            return Render.Decision(context.Console, await client.DecideBillingAsync(request, ct));
        }, ct));

        decide.Subcommands.Add(request);
        decide.Subcommands.Add(signup);
        decide.Subcommands.Add(billing);
        return decide;
    }

    private static Command ExplainCommand(CommandContext context)
    {
        var account = new Argument<string>("account") { Description = "The account id." };
        var explain = new Command("explain", "Why an account is decided as it is: score, reasons as a table, labels, links, usage.") { account };
        explain.SetAction((parse, ct) => context.RunAsync(parse, async client =>
        {
            var view = await client.GetAccountAsync(parse.GetValue(account)!, ct);
            return view is null ? Render.NotFound(context.Console, "account", parse.GetValue(account)!) : Render.Account(context.Console, view);
        }, ct));
        return explain;
    }

    private static Command GraphCommand(CommandContext context)
    {
        var account = new Argument<string>("account") { Description = "The account id." };
        var depth = new Option<int>("--depth") { Description = "Hops from the account (1-3).", DefaultValueFactory = _ => 2 };
        var limit = new Option<int>("--limit") { Description = "Nodes at most (1-1000).", DefaultValueFactory = _ => 200 };
        var graph = new Command("graph", "The entities linked to an account, as a tree.") { account, depth, limit };
        graph.SetAction((parse, ct) => context.RunAsync(parse, async client =>
        {
            var view = await client.GetAccountGraphAsync(parse.GetValue(account)!, parse.GetValue(depth), parse.GetValue(limit), ct);
            return view is null ? Render.NotFound(context.Console, "account", parse.GetValue(account)!) : Render.Graph(context.Console, parse.GetValue(account)!, view);
        }, ct));
        return graph;
    }

    private static Command LabelCommand(CommandContext context)
    {
        var type = new Argument<EntityType>("type")
        {
            Description = "account, payment-instrument, ip-range, prompt-template or campaign.",
            CustomParser = result =>
            {
                var text = result.Tokens.Single().Value;
                if (EntityTypes.TryGetValue(text, out var parsed))
                {
                    return parsed;
                }

                result.AddError($"'{text}' is not an entity type: {string.Join(", ", EntityTypes.Keys)}.");
                return default;
            },
        };
        var id = new Argument<string>("id") { Description = "The entity's id (an IP range as network/prefix)." };
        var verdict = new Option<LabelKind>("--as") { Description = "Fraud, Trusted or Cleared.", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why (kept with the label, no personal data).", Required = true };
        var label = new Command("label", "Label an entity (operate scope); the label propagates to what it is linked to.") { type, id, verdict, reason };
        label.SetAction((parse, ct) => context.RunAsync(parse, async client =>
        {
            var result = await client.SetLabelAsync(new LabelRequest
            {
                EntityType = parse.GetValue(type),
                EntityId = parse.GetValue(id)!,
                Label = parse.GetValue(verdict),
                Reason = parse.GetValue(reason)!,
            }, ct);
            context.Console.MarkupLine($"[green]Labelled[/] {Markup.Escape(result.EntityType.ToString())} [bold]{Markup.Escape(result.EntityId)}[/] "
                + $"{Markup.Escape(result.Label.ToString().ToLowerInvariant())} by {Markup.Escape(result.LabelledBy)} at {result.LabelledAt:u}"
                + (result.AccountsLabelled is { } n ? $" ({n} accounts)" : ""));
            return ExitCodes.Ok;
        }, ct));
        return label;
    }

    private static Command ListsCommand(CommandContext context)
    {
        var list = new Argument<ListKind>("list") { Description = "allow or deny." };
        var limit = new Option<int?>("--limit") { Description = "Entries at most (the service's page size when not given)." };
        var lists = new Command("lists", "The entries of the allow or deny list (operate scope).") { list, limit };
        lists.SetAction((parse, ct) => context.RunAsync(parse, async client =>
            Render.List(context.Console, parse.GetValue(list), await client.ListEntriesAsync(parse.GetValue(list), parse.GetValue(limit), cancellationToken: ct)), ct));
        return lists;
    }

    private static Command AuditCommand(CommandContext context)
    {
        var action = new Option<string?>("--action") { Description = "Only this action, e.g. label.set, policy.put, list.put." };
        var target = new Option<string?>("--target") { Description = "Only this target, e.g. account:acct-1." };
        var limit = new Option<int>("--limit") { Description = "Records at most (1-500).", DefaultValueFactory = _ => 20 };
        var audit = new Command("audit", "The audit log, newest first: who changed what, and refused calls (operate scope).") { action, target, limit };
        audit.SetAction((parse, ct) => context.RunAsync(parse, async client =>
            Render.Audit(context.Console, await client.GetAuditAsync(parse.GetValue(limit), action: parse.GetValue(action), target: parse.GetValue(target), cancellationToken: ct)), ct));
        return audit;
    }

    private static Command IntelCommand(CommandContext context)
    {
        var intel = new Command("intel", "STIX 2.1 threat-intel bundles: import a partner's, export this deployment's.");

        var file = new Argument<FileInfo>("file") { Description = "The bundle, a JSON file." };
        var import = new Command("import", "Import a STIX 2.1 bundle (operate scope); prints what was imported and skipped.") { file };
        import.SetAction((parse, ct) => context.RunAsync(parse, async client =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                context.Console.MarkupLine($"[red]error:[/] no file {Markup.Escape(path.FullName)}.");
                return ExitCodes.Usage;
            }

            if (JsonFile.TryReadObject(path, out var bundle, out var problem))
            {
                return Render.Import(context.Console, await client.ImportStixAsync(bundle, ct));
            }

            context.Console.MarkupLine($"[red]error:[/] {Markup.Escape(path.Name)} is not a JSON object: {Markup.Escape(problem)}");
            return ExitCodes.Usage;
        }, ct));

        var since = new Option<DateTimeOffset?>("--since") { Description = "Every indicator modified since (RFC 3339), revoked ones included." };
        var output = new Option<FileInfo?>("--out") { Description = "Write the bundle to this file instead of the terminal." };
        var export = new Command("export", "Export this deployment's indicators as one STIX 2.1 bundle (intel or read scope).") { since, output };
        export.SetAction((parse, ct) => context.RunAsync(parse, async client =>
        {
            var bundle = await client.ExportStixAsync(parse.GetValue(since), ct);
            var text = bundle.ToJsonString(JsonFile.Indented);
            var indicators = bundle["objects"] is System.Text.Json.Nodes.JsonArray objects ? objects.Count(o => (string?)o?["type"] == "indicator") : 0;
            if (parse.GetValue(output) is { } target)
            {
                await File.WriteAllTextAsync(target.FullName, text + "\n", ct);
                context.Console.MarkupLine($"Wrote {indicators} indicators to {Markup.Escape(target.FullName)}.");
            }
            else
            {
                context.Console.Profile.Out.Writer.WriteLine(text);
            }

            return ExitCodes.Ok;
        }, ct));

        intel.Subcommands.Add(import);
        intel.Subcommands.Add(export);
        return intel;
    }

    private static Command CampaignsCommand(CommandContext context)
    {
        var limit = new Option<int>("--limit") { Description = "Campaigns at most (1-100).", DefaultValueFactory = _ => 20 };
        var campaigns = new Command("campaigns", "The campaigns the service has formed, largest first.") { limit };
        campaigns.SetAction((parse, ct) => context.RunAsync(parse, async client =>
            Render.Campaigns(context.Console, await client.ListCampaignsAsync(parse.GetValue(limit), cancellationToken: ct)), ct));
        return campaigns;
    }

    private static Command DemoCommand(CommandContext context)
    {
        var demo = new Command("demo", "Seed a running service with a small scenario (a card and a range shared by a burst of new accounts, "
            + "one of them confirmed fraud, and an ordinary user) and print what to look at. Starts nothing itself.");
        demo.SetAction((parse, ct) => context.RunAsync(parse, client => Demo.RunAsync(context.Console, client, ct), ct));
        return demo;
    }

    /// <summary>What every command needs, and the one place a call's failure becomes an exit code.</summary>
    private sealed record CommandContext(IAnsiConsole Console, Func<CliConnection, ReputationClient> Connect, Option<Uri> Url, Option<string?> Key)
    {
        public async Task<int> RunAsync(ParseResult parse, Func<ReputationClient, Task<int>> command, CancellationToken cancellationToken)
        {
            if (parse.GetValue(Key) is not { Length: > 0 } key)
            {
                Console.MarkupLine($"[red]error:[/] no API key: pass --key or set {KeyVariable}.");
                return ExitCodes.Usage;
            }

            var url = parse.GetValue(Url)!;
            try
            {
                return await command(Connect(new CliConnection(url, key)));
            }
            catch (ReputationApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                Console.MarkupLine($"[red]not found:[/] {Markup.Escape(e.Problem?.Detail ?? e.Message)}");
                return ExitCodes.NotFound;
            }
            catch (ReputationApiException e) when ((int)e.StatusCode >= 500)
            {
                Console.MarkupLine($"[red]unavailable:[/] {Markup.Escape(e.Message)}");
                return ExitCodes.Unavailable;
            }
            catch (ReputationApiException e)
            {
                Console.MarkupLine($"[red]refused ({(int)e.StatusCode}):[/] {Markup.Escape(e.Message)}");
                return ExitCodes.Refused;
            }
            catch (Exception e) when (e is HttpRequestException or TimeoutException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                Console.MarkupLine($"[red]unavailable:[/] {Markup.Escape(url.ToString())} did not answer ({Markup.Escape(e.Message)}).");
                return ExitCodes.Unavailable;
            }
        }
    }
}
