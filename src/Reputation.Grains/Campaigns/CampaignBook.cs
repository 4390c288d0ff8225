using Reputation.Core.Campaigns;
using Reputation.Core.Scoring;
using Reputation.Core.Sketches;

namespace Reputation.Grains.Campaigns;

/// <summary>What one hub report did to the registry.</summary>
/// <param name="CampaignId">The campaign the hub belongs to now.</param>
/// <param name="Formed">The report founded a new campaign.</param>
/// <param name="Merged">Campaigns merged into <paramref name="CampaignId"/> by this report.</param>
/// <param name="Retell">Hubs of the merged campaigns: their campaign id changed.</param>
/// <param name="Evicted">A campaign dropped to make room, if any.</param>
internal sealed record HubOutcome(string CampaignId, bool Formed, IReadOnlyList<string> Merged, IReadOnlyList<(string Type, string Id)> Retell, string? Evicted);

/// <summary>
/// The registry's rules over its state (docs/decisions/0018-campaigns.md): a hub joins every campaign
/// it overlaps (it was told the campaign's id before, or its sampled flagged accounts share
/// <see cref="CampaignRules.MinOverlap"/> with a campaign's sample); campaigns a hub joins together
/// merge into the oldest (union-find with the alias list as its parent links); a hub that overlaps
/// none founds a campaign named after itself. Everything kept is capped.
/// </summary>
internal sealed class CampaignBook(CampaignRegistryState state)
{
    public const int MaxCampaigns = 64;
    public const int MaxHubs = 16;
    public const int MemberSample = 64;
    public const int MaxAliases = 256;
    public const int ModelsPerHub = 4;

    public HubOutcome Apply(HubReport report, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(report);
        var joined = Overlapping(report);
        string? evicted = null;
        CampaignRecord target;
        var merged = new List<string>();
        var retell = new List<(string Type, string Id)>();
        if (joined.Count == 0)
        {
            // A hub whose campaign was evicted keeps its id: callers that saw the id can still use it.
            var id = CampaignRules.IsId(report.CampaignId) ? report.CampaignId! : CampaignRules.IdOf(report.Type, report.Id);
            if (state.Campaigns.Count >= MaxCampaigns)
            {
                evicted = Evict();
            }

            state.Aliases.RemoveAll(a => a.From == id);
            target = new CampaignRecord { Id = id, FirstSeenAt = now, Sequence = ++state.Formed };
            state.Campaigns.Add(target);
        }
        else
        {
            // The oldest survives, so a campaign keeps the id it was first listed under.
            target = joined.OrderBy(c => c.FirstSeenAt).ThenBy(c => c.Sequence).ThenBy(c => c.Id, StringComparer.Ordinal).First();
            foreach (var other in joined.Where(c => c != target))
            {
                Merge(target, other);
                merged.Add(other.Id);
                retell.AddRange(other.Hubs.Where(h => !h.Is(report.Type, report.Id)).Select(h => (h.Type, h.Id)));
            }
        }

        Upsert(target, report, now);
        return new HubOutcome(target.Id, joined.Count == 0, merged, retell, evicted);
    }

    /// <summary>A campaign by its id, or by the id of a campaign merged into it.</summary>
    public CampaignRecord? Find(string? id)
    {
        for (var hops = 0; id is not null && hops <= MaxAliases; hops++)
        {
            foreach (var c in state.Campaigns)
            {
                if (c.Id == id)
                {
                    return c;
                }
            }

            id = state.Aliases.Find(a => a.From == id)?.To;
        }

        return null;
    }

    /// <summary>Largest first, then newest, then by id: the order of <c>GET /v1/campaigns</c>.</summary>
    public List<CampaignRecord> Ordered() =>
        [.. state.Campaigns.OrderByDescending(Size).ThenByDescending(c => c.FirstSeenAt).ThenByDescending(c => c.Sequence).ThenBy(c => c.Id, StringComparer.Ordinal)];

    public static long Size(CampaignRecord campaign) =>
        Math.Max(HyperLogLog.Wrap(campaign.Sketch).Estimate(), campaign.Members.Count);

    public static CampaignSnapshot Snapshot(CampaignRecord c)
    {
        var models = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var hub in c.Hubs)
        {
            foreach (var (model, requests) in hub.RequestsByModel)
            {
                models[model] = models.GetValueOrDefault(model) + requests;
            }
        }

        return new CampaignSnapshot
        {
            Id = c.Id,
            Size = Size(c),
            Members = [.. c.Members],
            Hubs = [.. c.Hubs.Select(h => new CampaignHubSnapshot { Type = h.Type, Id = h.Id, Flagged = h.Flagged, Accounts = h.Accounts })],
            Evidence = Evidence(c),
            FirstSeenAt = c.FirstSeenAt,
            UpdatedAt = c.UpdatedAt,
            RequestsByModel = models,
            HubsJoined = c.HubsJoined,
        };
    }

    /// <summary>
    /// Per kind of hub, the strongest one's flagged share (with the signal's reason code); confirmed
    /// fraud and synchronised starts where a hub saw them. Largest value first.
    /// </summary>
    public static IReadOnlyList<CampaignEvidenceItem> Evidence(CampaignRecord c)
    {
        var items = new List<CampaignEvidenceItem>();
        foreach (var kind in c.Hubs.GroupBy(h => h.Type, StringComparer.Ordinal))
        {
            var strongest = kind.OrderByDescending(h => CampaignRules.FlaggedShare(h.Flagged, h.Accounts)).ThenByDescending(h => h.Flagged).First();
            var (code, noun) = kind.Key switch
            {
                "prompt-template" => (ReasonCodes.PromptTemplateShared, "prompt-template buckets"),
                "payment-instrument" => (ReasonCodes.PaymentInstrumentShared, "payment instruments"),
                _ => (CampaignCodes.IpRangeShared, "IP ranges"),
            };
            items.Add(Item(code, CampaignRules.FlaggedShare(strongest.Flagged, strongest.Accounts),
                $"{kind.Count()} {noun} whose accounts are mostly flagged; the strongest, {strongest.Id}, has {strongest.Flagged} flagged of {strongest.Accounts} accounts"));
        }

        var confirmed = c.Hubs.Where(h => h.ConfirmedFraud > 0).OrderByDescending(h => h.ConfirmedFraud / (double)Math.Max(h.Accounts, h.ConfirmedFraud)).FirstOrDefault();
        if (confirmed is not null)
        {
            items.Add(Item(ReasonCodes.LabelFraud, confirmed.ConfirmedFraud / (double)Math.Max(confirmed.Accounts, confirmed.ConfirmedFraud),
                $"{confirmed.ConfirmedFraud} of the {confirmed.Accounts} accounts of {confirmed.Id} are labelled fraud by an operator"));
        }

        var synchronised = c.Hubs.Where(h => h.PeakActivations >= CampaignRules.MinFlaggedAccounts && h.Accounts > 0)
            .OrderByDescending(h => h.PeakActivations / (double)h.Accounts).FirstOrDefault();
        if (synchronised is not null)
        {
            items.Add(Item(ReasonCodes.SynchronisedActivity, synchronised.PeakActivations / (double)Math.Max(synchronised.Accounts, synchronised.PeakActivations),
                $"{synchronised.PeakActivations} accounts of {synchronised.Id} became active within the same five minutes"));
        }

        items.Sort(static (a, b) => b.Value.CompareTo(a.Value));
        return items;
    }

    private static CampaignEvidenceItem Item(string code, double value, string detail) =>
        new() { Code = code, Value = Math.Round(Math.Clamp(value, 0, 1), 4), Detail = detail };

    /// <summary>The campaigns the hub belongs to: the one it was told, those listing it, those its sample overlaps.</summary>
    private List<CampaignRecord> Overlapping(HubReport report)
    {
        var joined = new List<CampaignRecord>();
        if (Find(report.CampaignId) is { } told)
        {
            joined.Add(told);
        }

        var sample = new HashSet<string>(report.Sample, StringComparer.Ordinal);
        foreach (var c in state.Campaigns)
        {
            if (!joined.Contains(c)
                && (c.Hubs.Exists(h => h.Is(report.Type, report.Id)) || c.Members.Count(sample.Contains) >= CampaignRules.MinOverlap))
            {
                joined.Add(c);
            }
        }

        return joined;
    }

    private void Merge(CampaignRecord target, CampaignRecord other)
    {
        foreach (var hub in other.Hubs)
        {
            var mine = target.Hubs.FindIndex(h => h.Is(hub.Type, hub.Id));
            if (mine < 0)
            {
                target.Hubs.Add(hub);
            }
            else if (hub.ReportedAt > target.Hubs[mine].ReportedAt)
            {
                target.Hubs[mine] = hub;
            }
        }

        CapHubs(target);
        target.Members = CampaignRules.BottomK(target.Members.Concat(other.Members), MemberSample);
        HyperLogLog.Wrap(target.Sketch).Merge(HyperLogLog.Wrap(other.Sketch));
        target.FirstSeenAt = other.FirstSeenAt < target.FirstSeenAt ? other.FirstSeenAt : target.FirstSeenAt;
        target.HubsJoined += other.HubsJoined;
        state.Campaigns.Remove(other);
        foreach (var alias in state.Aliases.Where(a => a.To == other.Id))
        {
            alias.To = target.Id;
        }

        state.Aliases.Add(new CampaignAlias { From = other.Id, To = target.Id });
        if (state.Aliases.Count > MaxAliases)
        {
            state.Aliases.RemoveRange(0, state.Aliases.Count - MaxAliases);
        }
    }

    private static void Upsert(CampaignRecord target, HubReport report, DateTimeOffset now)
    {
        var hub = target.Hubs.Find(h => h.Is(report.Type, report.Id));
        if (hub is null)
        {
            hub = new CampaignHub { Type = report.Type, Id = report.Id };
            target.Hubs.Add(hub);
            target.HubsJoined++;
        }

        hub.Flagged = report.Flagged;
        hub.Accounts = report.Accounts;
        hub.ConfirmedFraud = report.ConfirmedFraud;
        hub.Risk = report.Risk;
        hub.PeakActivations = report.PeakActivations;
        hub.ReportedAt = now;
        hub.RequestsByModel = report.RequestsByModel.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(ModelsPerHub).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        CapHubs(target);
        target.Members = CampaignRules.BottomK(target.Members.Concat(report.Sample), MemberSample);
        if (report.FlaggedSketch is { } sketch && sketch.Length == target.Sketch.Length)
        {
            HyperLogLog.Wrap(target.Sketch).Merge(HyperLogLog.Wrap(sketch));
        }
        else
        {
            var hll = HyperLogLog.Wrap(target.Sketch);
            foreach (var account in report.Sample)
            {
                hll.Add(account);
            }
        }

        target.UpdatedAt = now;
    }

    /// <summary>Keeps the hubs with the most flagged accounts: the ones labelling a campaign reaches.</summary>
    private static void CapHubs(CampaignRecord c)
    {
        if (c.Hubs.Count > MaxHubs)
        {
            c.Hubs = [.. c.Hubs.OrderByDescending(h => h.Flagged).ThenBy(h => h.ReportedAt).Take(MaxHubs)];
        }
    }

    /// <summary>Drops the campaign no hub reported to for the longest; its aliases go with it.</summary>
    private string Evict()
    {
        var victim = state.Campaigns.OrderBy(c => c.UpdatedAt).ThenBy(c => c.Id, StringComparer.Ordinal).First();
        state.Campaigns.Remove(victim);
        state.Aliases.RemoveAll(a => a.To == victim.Id);
        return victim.Id;
    }
}
