using Mediator;
using Reputation.Api.Errors;
using Reputation.Contracts;
using Reputation.Grains;
using CoreLabel = Reputation.Core.Scoring.Label;

namespace Reputation.Api.Features.Graph;

public sealed record GetGraph(string AccountId, int Depth, int Limit) : IRequest<GraphView?>, IValidatable
{
    public const int MaxDepth = 4;
    public const int MaxLimit = 1000;
    public const int DefaultLimit = 200;

    /// <summary>
    /// What a call costs against the key's read rate limit: the nodes it may visit (its <c>limit</c>),
    /// each a grain call, not one. A <c>limit</c> that is not a number in range costs one (it is a 400).
    /// </summary>
    public static int Cost(HttpContext http)
    {
        var limit = http.Request.Query["limit"];
        return limit.Count == 0 ? DefaultLimit
            : int.TryParse(limit[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var nodes) && nodes is >= 1 and <= MaxLimit ? nodes
            : 1;
    }

    public void Validate(ValidationErrors errors)
    {
        Fields.Id(errors, "accountId", AccountId);
        if (Depth is < 1 or > MaxDepth)
        {
            errors.Add("depth", $"must be 1 to {MaxDepth}");
        }

        if (Limit is < 1 or > MaxLimit)
        {
            errors.Add("limit", $"must be 1 to {MaxLimit}");
        }
    }
}

/// <summary>
/// Breadth-first over links: depth 1 is the account's entities, depth 2 their other (most recent)
/// accounts, and so on. Stops at <c>limit</c> nodes; each level is fetched in parallel.
/// </summary>
public sealed class GetGraphHandler(IGrainFactory grains) : IRequestHandler<GetGraph, GraphView?>
{
    private readonly record struct Key(EntityType Type, string Id);

    public async ValueTask<GraphView?> Handle(GetGraph request, CancellationToken cancellationToken)
    {
        var root = await grains.GetGrain<IAccountGrain>(request.AccountId).GetSnapshotAsync();
        if (root is null)
        {
            return null;
        }

        var nodes = new List<GraphNode>();
        var edges = new List<GraphEdge>();
        var seen = new HashSet<Key> { new(EntityType.Account, root.AccountId) };
        var truncated = false;
        var frontier = new List<Key>();
        nodes.Add(AccountNode(root));
        frontier.AddRange(Link(root.AccountId, EntityType.Account, Neighbours(root), edges));

        for (var level = 1; level <= request.Depth && frontier.Count > 0; level++)
        {
            var next = frontier.Where(seen.Add).ToList();
            if (nodes.Count + next.Count > request.Limit)
            {
                next = next.Take(request.Limit - nodes.Count).ToList();
                truncated = true;
            }

            var fetched = await Task.WhenAll(next.Select(FetchAsync));
            frontier = [];
            foreach (var (node, neighbours) in fetched)
            {
                if (node is null)
                {
                    continue;
                }

                nodes.Add(node);
                Link(node.Id, node.Type, neighbours, edges);
                if (level < request.Depth)
                {
                    frontier.AddRange(neighbours);
                }
            }

            if (truncated)
            {
                break;
            }
        }

        // Keep only edges whose ends are both in the graph.
        var accounts = nodes.Where(n => n.Type == EntityType.Account).Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        var entities = nodes.Where(n => n.Type != EntityType.Account).Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        var kept = edges.Where(e => accounts.Contains(e.From) && entities.Contains(e.To)).Distinct().ToList();
        return new GraphView { Nodes = nodes, Edges = kept, Truncated = truncated };

        async Task<(GraphNode? Node, List<Key> Neighbours)> FetchAsync(Key key)
        {
            switch (key.Type)
            {
                case EntityType.Account:
                    var account = await grains.GetGrain<IAccountGrain>(key.Id).GetSnapshotAsync();
                    return account is null ? (null, []) : (AccountNode(account), Neighbours(account));
                case EntityType.PaymentInstrument:
                    var instrument = await grains.GetGrain<IPaymentInstrumentGrain>(key.Id).GetSnapshotAsync();
                    return instrument is null ? (null, [])
                        : (new GraphNode(key.Id, key.Type, instrument.Risk, Labels(instrument.Label)), Accounts(instrument.RecentAccounts));
                case EntityType.IpRange:
                    var range = await grains.GetGrain<IIpRangeGrain>(key.Id).GetSnapshotAsync();
                    return range is null ? (null, [])
                        : (new GraphNode(key.Id, key.Type, range.Risk, Labels(range.Label)), Accounts(range.RecentAccounts));
                default:
                    var template = await grains.GetGrain<IPromptTemplateGrain>(key.Id).GetSnapshotAsync();
                    return template is null ? (null, [])
                        : (new GraphNode(key.Id, key.Type, template.Risk, Labels(template.Label)), Accounts(template.RecentAccounts));
            }
        }
    }

    private static List<Key> Accounts(string[] ids) => [.. ids.Select(id => new Key(EntityType.Account, id))];

    private static List<Key> Neighbours(AccountSnapshot account) =>
    [
        .. account.PaymentInstruments.Select(id => new Key(EntityType.PaymentInstrument, id)),
        .. account.IpRanges.Select(id => new Key(EntityType.IpRange, id)),
        .. account.PromptBuckets.Select(id => new Key(EntityType.PromptTemplate, id)),
    ];

    /// <summary>Edges from a node to its neighbours, always written account → entity.</summary>
    private static List<Key> Link(string id, EntityType type, List<Key> neighbours, List<GraphEdge> edges)
    {
        foreach (var n in neighbours)
        {
            edges.Add(type == EntityType.Account
                ? new GraphEdge(id, n.Id, EdgeKind(n.Type))
                : new GraphEdge(n.Id, id, EdgeKind(type)));
        }

        return neighbours;
    }

    private static GraphNode AccountNode(AccountSnapshot s) =>
        new(s.AccountId, EntityType.Account, s.RequestDecision.Score, Labels(s.Label));

    internal static IReadOnlyList<LabelKind> Labels(LabelInfo? label) => label?.Label switch
    {
        CoreLabel.Fraud => [LabelKind.Fraud],
        CoreLabel.Trusted => [LabelKind.Trusted],
        _ => [],
    };

    private static string EdgeKind(EntityType type) => type switch
    {
        EntityType.PaymentInstrument => "uses-payment-instrument",
        EntityType.IpRange => "seen-in-ip-range",
        _ => "shares-prompt-template",
    };
}
