using Microsoft.Extensions.Logging;
using Orleans.Utilities;
using Reputation.Core.Intel;

namespace Reputation.Grains;

/// <summary>
/// Threat intel (docs/intel-sharing.md). Imported indicators live in one state row, bounded by
/// <see cref="MaxIndicators"/>; every silo keeps a copy (<see cref="IntelCache"/>) that this grain
/// tells of each change, so decisions never call it. Indicators past valid_until stop matching at
/// once (the copies compare against the clock) and are pruned here at the next write or prune tick.
/// The export registry (this deployment's entities labelled fraud, deny-listed or over the export
/// threshold) is a second state row, bounded by <see cref="MaxLocalEntries"/>.
/// Kept alive: its observers are in memory (as for <see cref="ListsGrain"/>).
/// </summary>
[KeepAlive]
public sealed partial class IntelGrain(
    [PersistentState("intel", StorageNames.Reputation)] IPersistentState<IntelState> state,
    [PersistentState("intel-local", StorageNames.Reputation)] IPersistentState<LocalIntelState> local,
    ReputationClock time,
    ILogger<IntelGrain> logger) : Grain, IIntelGrain
{
    public const string Key = "intel";

    /// <summary>
    /// One storage row holds them all; an Azure table row holds about 1 MB and an indicator with a
    /// long name and 16 values about 0.9 KB, so 1,000 keeps the worst case inside it.
    /// </summary>
    public const int MaxIndicators = 1_000;

    /// <summary>This deployment's entities the export registry tracks (confirmed, or revoked within <see cref="RevokedKeptFor"/>).</summary>
    public const int MaxLocalEntries = 1_000;

    /// <summary>How long a revoked local indicator is still exported (revoked: true) to readers asking <c>since</c>.</summary>
    public static readonly TimeSpan RevokedKeptFor = TimeSpan.FromDays(30);

    /// <summary>Confidence of an indicator exported for its risk alone: what scores infer is less sure than what an operator confirmed (95) or listed (90).</summary>
    public const int RiskConfidenceCap = 85;

    internal static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(10);

    private readonly ObserverManager<IIntelObserver> _observers = new(IntelCache.ObserverExpiry, logger);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(PruneAsync, new GrainTimerCreationOptions(PruneEvery, PruneEvery));
        return Task.CompletedTask;
    }

    async ValueTask<IntelImportResult> IIntelGrain.ImportAsync(IntelImport import)
    {
        var now = time.UtcNow;
        var held = new Dictionary<string, IntelIndicator>(state.State.Indicators, StringComparer.Ordinal);
        var pruned = Prune(held, now);
        var outcomes = new Dictionary<string, IntelOutcome>(StringComparer.Ordinal);
        foreach (var revocation in import.Revoke)
        {
            if (held.TryGetValue(revocation.Id, out var existing) && !SameProducer(existing.Producer, revocation.Producer))
            {
                outcomes[revocation.Id] = IntelOutcome.OtherProducer;
            }
            else if (existing is not null && existing.Modified > revocation.Modified)
            {
                outcomes[revocation.Id] = IntelOutcome.Older;
            }
            else
            {
                outcomes[revocation.Id] = held.Remove(revocation.Id) ? IntelOutcome.Revoked : IntelOutcome.NotHeld;
            }
        }

        foreach (var indicator in import.Put)
        {
            if (!held.TryGetValue(indicator.Id, out var existing))
            {
                held[indicator.Id] = indicator;
                outcomes[indicator.Id] = IntelOutcome.Imported;
            }
            else if (!SameProducer(existing.Producer, indicator.Producer))
            {
                outcomes[indicator.Id] = IntelOutcome.OtherProducer;
            }
            else if (indicator.Modified < existing.Modified)
            {
                outcomes[indicator.Id] = IntelOutcome.Older;
            }
            else if (indicator.Modified == existing.Modified && Same(indicator, existing))
            {
                outcomes[indicator.Id] = IntelOutcome.Unchanged;
            }
            else
            {
                held[indicator.Id] = indicator with { ImportedAt = existing.ImportedAt };
                outcomes[indicator.Id] = IntelOutcome.Updated;
            }
        }

        if (held.Count > MaxIndicators && held.Count > state.State.Indicators.Count - pruned)
        {
            return new IntelImportResult { Status = IntelImportStatus.Full, Outcomes = outcomes, Version = state.State.Version, Held = state.State.Indicators.Count };
        }

        var changed = pruned > 0 || outcomes.Values.Any(o => o is IntelOutcome.Imported or IntelOutcome.Updated or IntelOutcome.Revoked);
        if (changed)
        {
            await WriteAsync(held);
        }

        return new IntelImportResult { Status = IntelImportStatus.Applied, Outcomes = outcomes, Version = state.State.Version, Held = held.Count };
    }

    ValueTask<IntelSnapshot?> IIntelGrain.SubscribeAsync(IIntelObserver observer, long knownVersion)
    {
        _observers.Subscribe(observer, observer);
        return ValueTask.FromResult(knownVersion == state.State.Version ? null
            : new IntelSnapshot { Version = state.State.Version, Indicators = [.. state.State.Indicators.Values] });
    }

    ValueTask IIntelGrain.UnsubscribeAsync(IIntelObserver observer)
    {
        _observers.Unsubscribe(observer);
        return ValueTask.CompletedTask;
    }

    async ValueTask<IntelIdentity> IIntelGrain.GetIdentityAsync() => await IdentityAsync();

    async Task IIntelGrain.ReportLocalAsync(LocalIntelReport report)
    {
        var now = time.UtcNow;
        var entries = local.State.Entries;
        if (!entries.TryGetValue(report.Key, out var entry))
        {
            var confirmed = report.LabelledFraud == true || report.DenyListed == true || report.Risk > 0;
            if (!confirmed)
            {
                return;
            }

            if (entries.Count >= MaxLocalEntries && !MakeRoom())
            {
                LogRegistryFull(logger, MaxLocalEntries);
                return;
            }

            entry = new LocalIntelEntry { Key = report.Key, Values = [.. report.Values], Created = now, Modified = now };
            entries[report.Key] = entry;
        }

        if (report.Values.Count > 0)
        {
            entry.Values = [.. report.Values];
        }

        if (report.LabelledFraud is not null && report.CampaignId != entry.CampaignId)
        {
            // Only entity grains say which campaign; a published indicator changes with it (readers asking since see it).
            entry.CampaignId = report.CampaignId;
            if (entry.Published)
            {
                entry.Modified = now;
            }
        }

        entry.LabelledFraud = report.LabelledFraud ?? entry.LabelledFraud;
        entry.Risk = report.Risk ?? entry.Risk;
        if (report.DenyListed is { } denied)
        {
            entry.DenyListed = denied;
            entry.DenyExpiresAt = denied ? report.DenyExpiresAt : null;
        }

        entry.TouchedAt = now;
        await local.WriteStateAsync();
    }

    async ValueTask<IntelExport> IIntelGrain.GetExportAsync(DateTimeOffset? since, double exportThreshold)
    {
        var identity = await IdentityAsync();
        var now = StixTime.Truncate(time.UtcNow);
        var changed = false;
        var exported = new List<LocalIntelExport>();
        foreach (var entry in local.State.Entries.Values)
        {
            var deny = entry.DenyListed && (entry.DenyExpiresAt is not { } expires || expires > now);
            var risky = entry.Risk >= exportThreshold;
            var confirmed = entry.LabelledFraud || deny || risky;
            var confidence = Math.Max(entry.LabelledFraud ? 95 : 0, Math.Max(deny ? 90 : 0, risky ? Math.Min(RiskConfidenceCap, (int)Math.Round(entry.Risk * 100)) : 0));
            // Only a deny entry with an end and nothing else behind it ends; labels and risk have no end of their own.
            DateTimeOffset? validUntil = deny && !entry.LabelledFraud && !risky ? entry.DenyExpiresAt : null;
            if (confirmed != entry.Published || (confirmed && (confidence != entry.Confidence || validUntil != entry.ValidUntil)))
            {
                if (confirmed && entry.Revoked)
                {
                    entry.Generation++;
                    entry.Created = now;
                }

                entry.Revoked = entry.Published && !confirmed;
                entry.Published = confirmed;
                entry.Modified = now;
                if (confirmed)
                {
                    entry.Confidence = confidence;
                    entry.ValidUntil = validUntil;
                }

                changed = true;
            }

            if ((since is null && entry.Published) || (since is { } s && entry.Modified >= s))
            {
                exported.Add(new LocalIntelExport
                {
                    Key = entry.Key,
                    Generation = entry.Generation,
                    Values = entry.Values,
                    Created = StixTime.Truncate(entry.Created),
                    Modified = StixTime.Truncate(entry.Modified),
                    Confidence = entry.Confidence,
                    ValidUntil = entry.ValidUntil,
                    Revoked = !entry.Published,
                    Reason = entry.LabelledFraud ? "labelled fraud by an operator" : entry.DenyListed ? "on the deny list" : "risk over the export threshold",
                    CampaignId = entry.CampaignId,
                });
            }
        }

        if (changed)
        {
            await local.WriteStateAsync();
        }

        return new IntelExport { Identity = identity, Indicators = exported };
    }

    /// <summary>Frees a slot: the least recently reported entry that is not confirmed (a revocation readers may already have).</summary>
    private bool MakeRoom()
    {
        var victim = local.State.Entries.Values
            .Where(e => !e.LabelledFraud && !e.DenyListed && !e.Published)
            .OrderBy(e => e.TouchedAt)
            .FirstOrDefault();
        if (victim is null)
        {
            return false;
        }

        local.State.Entries.Remove(victim.Key);
        return true;
    }

    private async Task<IntelIdentity> IdentityAsync()
    {
        if (state.State.Identity is { } identity)
        {
            return identity;
        }

        state.State.Identity = new IntelIdentity { Id = StixIds.Random("identity"), Created = StixTime.Truncate(time.UtcNow) };
        await state.WriteStateAsync();
        return state.State.Identity;
    }

    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        var held = new Dictionary<string, IntelIndicator>(state.State.Indicators, StringComparer.Ordinal);
        var now = time.UtcNow;
        if (Prune(held, now) > 0)
        {
            await WriteAsync(held);
        }

        var stale = local.State.Entries.Values
            .Where(e => !e.Published && !e.LabelledFraud && !e.DenyListed && e.Modified < now - RevokedKeptFor)
            .Select(e => e.Key).ToList();
        if (stale.Count > 0)
        {
            stale.ForEach(k => local.State.Entries.Remove(k));
            await local.WriteStateAsync(cancellationToken);
        }
    }

    private static int Prune(Dictionary<string, IntelIndicator> held, DateTimeOffset now)
    {
        var expired = held.Values.Where(i => i.ExpiredAt(now)).Select(i => i.Id).ToList();
        foreach (var id in expired)
        {
            held.Remove(id);
        }

        return expired.Count;
    }

    /// <summary>
    /// STIX lets only an object's creator issue new versions of it (or revoke it): an object id that
    /// arrives with another created_by_ref (or none, where one was held) is someone else's claim about it.
    /// </summary>
    private static bool SameProducer(string? held, string? arriving) => string.Equals(held, arriving, StringComparison.Ordinal);

    private static bool Same(IntelIndicator a, IntelIndicator b) =>
        a.Values.SequenceEqual(b.Values) && a.Confidence == b.Confidence && a.ValidFrom == b.ValidFrom && a.ValidUntil == b.ValidUntil
        && a.Producer == b.Producer && a.Tlp == b.Tlp && a.Name == b.Name && a.IndicatorTypes.SequenceEqual(b.IndicatorTypes);

    private async Task WriteAsync(Dictionary<string, IntelIndicator> held)
    {
        var s = state.State;
        var before = s.Indicators;
        var version = s.Version;
        s.Indicators = held;
        s.Version++;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Nothing half-applied: memory goes back to what storage holds.
            s.Indicators = before;
            s.Version = version;
            throw;
        }

        var current = s.Version;
        await _observers.Notify(o => o.ChangedAsync(current));
    }

    [LoggerMessage(3101, LogLevel.Warning, "The threat-intel export registry holds its maximum of {Max} entries; a newly confirmed entity is not exported")]
    private static partial void LogRegistryFull(ILogger logger, int max);
}
