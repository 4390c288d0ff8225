using System.Globalization;
using Reputation.Client;
using Reputation.Contracts;
using Spectre.Console;

namespace Reputation.Cli;

/// <summary>How the commands show what the service answered. Every value from the service is escaped.</summary>
internal static class Render
{
    private static string E(string? text) => Markup.Escape(text ?? "");

    private static string Number(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    public static int Decision(IAnsiConsole console, DecisionResult<RequestDecisionResponse> result)
    {
        var r = result.Response;
        return Decision(console, result.FallbackCause, r.AccountId, r.Decision.ToString(), r.Score, r.PolicyVersion, r.Reasons,
            ("requests per minute", r.RequestsPerMinute.ToString(CultureInfo.InvariantCulture)), ("cache for", $"{r.CacheTtlSeconds} s"));
    }

    public static int Decision(IAnsiConsole console, DecisionResult<SignupDecisionResponse> result) =>
        Decision(console, result.FallbackCause, result.Response.AccountId, result.Response.Decision.ToString(), result.Response.Score, result.Response.PolicyVersion, result.Response.Reasons);

    public static int Decision(IAnsiConsole console, DecisionResult<BillingDecisionResponse> result) =>
        Decision(console, result.FallbackCause, result.Response.AccountId, result.Response.Decision.ToString(), result.Response.Score, result.Response.PolicyVersion, result.Response.Reasons);

    private static int Decision(IAnsiConsole console, string? fallbackCause, string account, string decision, double score, int policyVersion,
        IReadOnlyList<Reason> reasons, params (string Name, string Value)[] extra)
    {
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("[bold]account[/]", E(account));
        grid.AddRow("[bold]decision[/]", $"[bold]{E(decision.ToLowerInvariant())}[/]");
        grid.AddRow("[bold]score[/]", Number(score));
        foreach (var (name, value) in extra)
        {
            grid.AddRow($"[bold]{E(name)}[/]", E(value));
        }

        grid.AddRow("[bold]policy version[/]", policyVersion.ToString(CultureInfo.InvariantCulture));
        console.Write(grid);
        Reasons(console, reasons);
        if (fallbackCause is not null)
        {
            console.MarkupLine($"[yellow]This is the client's fallback decision ({E(fallbackCause)}), not the service's.[/]");
            return ExitCodes.Unavailable;
        }

        return ExitCodes.Ok;
    }

    public static void Reasons(IAnsiConsole console, IReadOnlyList<Reason> reasons)
    {
        if (reasons.Count == 0)
        {
            console.MarkupLine("[grey]No reason: nothing counts against it.[/]");
            return;
        }

        var table = new Table().Title("reasons").AddColumn("code").AddColumn(new TableColumn("contribution").RightAligned()).AddColumn("detail");
        foreach (var reason in reasons)
        {
            table.AddRow(E(reason.Code), Number(reason.Contribution), E(reason.Detail));
        }

        console.Write(table);
    }

    public static int Account(IAnsiConsole console, AccountView view)
    {
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("[bold]account[/]", E(view.AccountId));
        grid.AddRow("[bold]request decision[/]", $"[bold]{E(view.RequestDecision.ToString().ToLowerInvariant())}[/]");
        grid.AddRow("[bold]score[/]", Number(view.Score));
        grid.AddRow("[bold]labels[/]", view.Labels.Count == 0 ? "none" : E(string.Join(", ", view.Labels).ToLowerInvariant()));
        grid.AddRow("[bold]created[/]", view.CreatedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "unknown");
        grid.AddRow("[bold]payment instruments[/]", E(string.Join(", ", view.PaymentInstruments)));
        grid.AddRow("[bold]IP ranges[/]", E(string.Join(", ", view.IpRanges)));
        grid.AddRow("[bold]prompt buckets[/]", view.PromptBuckets.Count.ToString(CultureInfo.InvariantCulture));
        grid.AddRow("[bold]policy version[/]", view.PolicyVersion.ToString(CultureInfo.InvariantCulture));
        console.Write(grid);
        Reasons(console, view.Reasons);
        return ExitCodes.Ok;
    }

    public static int Graph(IAnsiConsole console, string account, GraphView view)
    {
        var nodes = view.Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var neighbours = view.Edges
            .SelectMany(e => new[] { (e.From, e.To, e.Kind), (From: e.To, To: e.From, e.Kind) })
            .GroupBy(e => e.From, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(e => e.To, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        var root = view.Nodes.FirstOrDefault(n => n.Type == EntityType.Account && n.Id.EndsWith(account, StringComparison.Ordinal)) ?? (view.Nodes.Count > 0 ? view.Nodes[0] : null);
        if (root is null)
        {
            console.MarkupLine("[grey]No node.[/]");
            return ExitCodes.Ok;
        }

        // Breadth first, so each entity hangs under the node nearest the account; seen once.
        var tree = new Tree(Node(root));
        var seen = new HashSet<string>(StringComparer.Ordinal) { root.Id };
        var queue = new Queue<(string Id, IHasTreeNodes Parent)>([(root.Id, tree)]);
        while (queue.TryDequeue(out var current))
        {
            foreach (var edge in neighbours.GetValueOrDefault(current.Id) ?? [])
            {
                if (seen.Add(edge.To) && nodes.TryGetValue(edge.To, out var node))
                {
                    var child = current.Parent.AddNode($"[grey]{E(edge.Kind)}[/] {Node(node)}");
                    queue.Enqueue((node.Id, child));
                }
            }
        }

        console.Write(tree);
        console.MarkupLine($"{view.Nodes.Count} nodes, {view.Edges.Count} links{(view.Truncated ? " [yellow](truncated: raise --limit)[/]" : "")}");
        return ExitCodes.Ok;
    }

    private static string Node(GraphNode node)
    {
        var labels = node.Labels.Count == 0 ? "" : $" [red]{E(string.Join(", ", node.Labels).ToLowerInvariant())}[/]";
        return $"[bold]{E(node.Id)}[/] score {Number(node.Score)}{labels}";
    }

    public static int Campaigns(IAnsiConsole console, CampaignPage page)
    {
        if (page.Campaigns.Count == 0)
        {
            console.MarkupLine("[grey]No campaign has formed.[/]");
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumn("campaign").AddColumn(new TableColumn("size").RightAligned()).AddColumn("first seen").AddColumn("shared").AddColumn("evidence");
        foreach (var c in page.Campaigns)
        {
            table.AddRow(E(c.CampaignId), c.Size.ToString(CultureInfo.InvariantCulture), c.FirstSeenAt.ToString("u", CultureInfo.InvariantCulture),
                E(string.Join(", ", c.SharedEntities.Select(s => $"{s.Type}:{s.Id}"))), E(string.Join(", ", c.Evidence.Select(v => v.Code))));
        }

        console.Write(table);
        return ExitCodes.Ok;
    }

    public static int List(IAnsiConsole console, ListKind list, ListPage page)
    {
        var name = list == ListKind.Allow ? "allow" : "deny";
        if (page.Entries.Count == 0)
        {
            console.MarkupLine($"[grey]The {name} list is empty.[/]");
            return ExitCodes.Ok;
        }

        var table = new Table().Title($"{name} list").AddColumn("entity").AddColumn("reason").AddColumn("added by").AddColumn("added").AddColumn("expires");
        foreach (var e in page.Entries)
        {
            table.AddRow($"{E(e.EntityType.ToString())}:{E(e.EntityId)}", E(e.Reason), E(e.AddedBy), e.AddedAt.ToString("u", CultureInfo.InvariantCulture),
                e.ExpiresAt?.ToString("u", CultureInfo.InvariantCulture) ?? "never");
        }

        console.Write(table);
        if (page.Next is not null)
        {
            console.MarkupLine("[grey]More entries follow: raise --limit.[/]");
        }

        return ExitCodes.Ok;
    }

    public static int Audit(IAnsiConsole console, AuditPage page)
    {
        if (page.Records.Count == 0)
        {
            console.MarkupLine("[grey]No audit record matches.[/]");
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumn(new TableColumn("#").RightAligned()).AddColumn("at").AddColumn("key").AddColumn("action").AddColumn("target").AddColumn(new TableColumn("status").RightAligned());
        foreach (var r in page.Records)
        {
            table.AddRow(r.Sequence.ToString(CultureInfo.InvariantCulture), r.At.ToString("u", CultureInfo.InvariantCulture), E(r.KeyName), E(r.Action), E(r.Target),
                r.Status.ToString(CultureInfo.InvariantCulture));
        }

        console.Write(table);
        return ExitCodes.Ok;
    }

    public static int Import(IAnsiConsole console, StixImportResult result)
    {
        var grid = new Grid().AddColumn().AddColumn(new GridColumn().RightAligned());
        grid.AddRow("[bold]bundle[/]", E(result.BundleId));
        foreach (var (name, count) in new[] { ("imported", result.Imported), ("updated", result.Updated), ("unchanged", result.Unchanged),
            ("revoked", result.Revoked), ("skipped", result.Skipped), ("held in all", result.Held) })
        {
            grid.AddRow($"[bold]{name}[/]", count.ToString(CultureInfo.InvariantCulture));
        }

        console.Write(grid);
        if (result.SkippedIndicators.Count > 0)
        {
            var table = new Table().Title("skipped indicators").AddColumn("indicator").AddColumn("why");
            foreach (var skipped in result.SkippedIndicators)
            {
                table.AddRow(E(skipped.Id), E(skipped.Reason));
            }

            console.Write(table);
        }

        return ExitCodes.Ok;
    }

    public static int PolicyDiff(IAnsiConsole console, int version, IReadOnlyDictionary<string, string> current, IReadOnlyDictionary<string, string> candidate)
    {
        var paths = current.Keys.Union(candidate.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Where(p => current.GetValueOrDefault(p) != candidate.GetValueOrDefault(p)).ToList();
        if (paths.Count == 0)
        {
            console.MarkupLine($"The candidate is the same as version {version}.");
            return ExitCodes.Ok;
        }

        var table = new Table().Title($"against version {version}").AddColumn("field").AddColumn("current").AddColumn("candidate");
        foreach (var path in paths)
        {
            table.AddRow(E(path), E(current.GetValueOrDefault(path) ?? "(absent)"), E(candidate.GetValueOrDefault(path) ?? "(absent)"));
        }

        console.Write(table);
        return ExitCodes.Ok;
    }

    public static int ShadowReport(IAnsiConsole console, ShadowReport report)
    {
        console.MarkupLine($"Candidate {report.ShadowId}, set by {E(report.SetBy)} at {report.SetAt:u}: {report.Decisions} decisions, {report.Changed} would change.");
        var table = new Table().AddColumn("kind").AddColumn("live").AddColumn("candidate").AddColumn(new TableColumn("count").RightAligned());
        void Rows<T>(string kind, IEnumerable<ShadowCell<T>> cells) where T : struct, Enum
        {
            foreach (var cell in cells)
            {
                table.AddRow(kind, E(cell.Live.ToString().ToLowerInvariant()), E(cell.Shadow.ToString().ToLowerInvariant()), cell.Count.ToString(CultureInfo.InvariantCulture));
            }
        }

        Rows("signup", report.Signup);
        Rows("request", report.Request);
        Rows("billing", report.Billing);
        console.Write(table);
        ChangedAccounts(console, report.ChangedAccounts);
        return ExitCodes.Ok;
    }

    public static int Backtest(IAnsiConsole console, BacktestResult result)
    {
        console.MarkupLine($"{result.Sampled} sampled decisions on {result.Silos} silo(s), decided under {E(result.Policy)} version {result.CurrentVersion} and the candidate: {result.Changed} would change.");
        var table = new Table().AddColumn("kind").AddColumn("current").AddColumn("candidate").AddColumn(new TableColumn("count").RightAligned());
        var changed = new List<string>();
        void Rows<T>(string kind, BacktestKind<T> part) where T : struct, Enum
        {
            foreach (var cell in part.Table)
            {
                table.AddRow(kind, E(cell.Current.ToString().ToLowerInvariant()), E(cell.Candidate.ToString().ToLowerInvariant()), cell.Count.ToString(CultureInfo.InvariantCulture));
            }

            changed.AddRange(part.ChangedAccounts.Select(c => c.AccountId));
        }

        Rows("signup", result.Signup);
        Rows("request", result.Request);
        Rows("billing", result.Billing);
        console.Write(table);
        ChangedAccounts(console, changed.Distinct(StringComparer.Ordinal).ToList());
        return ExitCodes.Ok;
    }

    private static void ChangedAccounts(IAnsiConsole console, IReadOnlyList<string> accounts)
    {
        if (accounts.Count > 0)
        {
            console.MarkupLine($"Accounts whose decision would change: {E(string.Join(", ", accounts.Take(20)))}{(accounts.Count > 20 ? ", ..." : "")}");
        }
    }

    public static int NotFound(IAnsiConsole console, string what, string id)
    {
        console.MarkupLine($"[red]not found:[/] the service has never seen {E(what)} {E(id)}.");
        return ExitCodes.NotFound;
    }
}
