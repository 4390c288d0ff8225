using Microsoft.Extensions.Logging;
using Orleans.Utilities;

namespace Reputation.Grains;

/// <summary>
/// The allow and deny lists (docs/decisions/0007-lists.md). One activation in the cluster; every
/// silo keeps a copy (<see cref="ListCache"/>) that this grain tells of each change, so decisions
/// never call it. Expired entries are treated as absent and dropped at the next write.
/// Kept alive: its observers are in memory, and a new activation has none until each silo renews
/// its subscription (<see cref="ListCache.RenewEvery"/>).
/// </summary>
[KeepAlive]
public sealed class ListsGrain(
    [PersistentState("lists", StorageNames.Reputation)] IPersistentState<ListsState> state,
    ReputationClock time,
    ILogger<ListsGrain> logger) : Grain, IListsGrain
{
    public const string Key = "lists";

    /// <summary>
    /// Both lists live in one storage row; an Azure table row holds about 1 MB, and an entry with a
    /// long reason is about 0.8 KB, so 1,000 per list keeps the worst case inside it.
    /// </summary>
    public const int MaxEntriesPerList = 1_000;

    internal static readonly TimeSpan ObserverExpiry = TimeSpan.FromMinutes(2);

    private readonly ObserverManager<IListObserver> _observers = new(ObserverExpiry, logger);

    async ValueTask<ListPutResult> IListsGrain.PutAsync(ListItem entry)
    {
        var now = time.UtcNow;
        var entries = state.State.Entries;
        var previous = entries.TryGetValue(entry.Key, out var p) && p.AppliesAt(now) ? p : null;
        if (previous is not null && previous.List != entry.List)
        {
            return new ListPutResult { Status = ListPutStatus.OnOtherList, Previous = previous };
        }

        if (previous is null && entries.Values.Count(e => e.List == entry.List && e.AppliesAt(now)) >= MaxEntriesPerList)
        {
            return new ListPutResult { Status = ListPutStatus.Full };
        }

        // Idempotent: the same entry again keeps when it was first added.
        var stored = previous is not null && previous.Reason == entry.Reason && previous.ExpiresAt == entry.ExpiresAt
            ? previous
            : entry;
        if (ReferenceEquals(stored, previous))
        {
            return new ListPutResult { Status = ListPutStatus.Applied, Previous = previous };
        }

        var change = await WriteAsync(entry.Key, stored);
        return new ListPutResult { Status = ListPutStatus.Applied, Previous = previous, Change = change };
    }

    async ValueTask<ListRemoveResult> IListsGrain.RemoveAsync(ListName list, ListEntity entity, string entityId)
    {
        var key = ListItem.KeyOf(entity, entityId);
        if (!state.State.Entries.TryGetValue(key, out var previous) || previous.List != list || !previous.AppliesAt(time.UtcNow))
        {
            return new ListRemoveResult();
        }

        return new ListRemoveResult { Previous = previous, Change = await WriteAsync(key, null) };
    }

    ValueTask<ListItemPage> IListsGrain.GetPageAsync(ListName list, string? after, int limit)
    {
        var now = time.UtcNow;
        var page = state.State.Entries.Values
            .Where(e => e.List == list && e.AppliesAt(now) && (after is null || string.CompareOrdinal(PageKey(e), after) > 0))
            .OrderBy(PageKey, StringComparer.Ordinal)
            .Take(limit + 1)
            .ToList();
        var more = page.Count > limit;
        if (more)
        {
            page.RemoveAt(limit);
        }

        return ValueTask.FromResult(new ListItemPage { Entries = page, Next = more ? PageKey(page[^1]) : null });
    }

    ValueTask<ListSnapshot?> IListsGrain.SubscribeAsync(IListObserver observer, long knownVersion)
    {
        _observers.Subscribe(observer, observer);
        return ValueTask.FromResult(knownVersion == state.State.Version ? null : Snapshot());
    }

    ValueTask IListsGrain.UnsubscribeAsync(IListObserver observer)
    {
        _observers.Unsubscribe(observer);
        return ValueTask.CompletedTask;
    }

    /// <summary>The paging key: the entity type's REST name and the id, so pages come in the order a reader expects.</summary>
    internal static string PageKey(ListItem e) => $"{EntityName(e.Entity)}/{e.EntityId}";

    internal static string EntityName(ListEntity entity) => entity switch
    {
        ListEntity.Account => "account",
        ListEntity.PaymentInstrument => "payment-instrument",
        ListEntity.IpRange => "ip-range",
        _ => "prompt-template",
    };

    private ListSnapshot Snapshot()
    {
        var now = time.UtcNow;
        return new ListSnapshot { Version = state.State.Version, Entries = [.. state.State.Entries.Values.Where(e => e.AppliesAt(now))] };
    }

    private async Task<ListChange> WriteAsync(string key, ListItem? entry)
    {
        var s = state.State;
        var before = new Dictionary<string, ListItem>(s.Entries, StringComparer.Ordinal);
        var version = s.Version;
        var now = time.UtcNow;
        foreach (var expired in s.Entries.Where(e => !e.Value.AppliesAt(now)).Select(e => e.Key).ToList())
        {
            s.Entries.Remove(expired);
        }

        if (entry is null)
        {
            s.Entries.Remove(key);
        }
        else
        {
            s.Entries[key] = entry;
        }

        s.Version++;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Nothing half-applied: memory goes back to what storage holds.
            s.Entries = before;
            s.Version = version;
            throw;
        }

        var change = new ListChange { Key = key, Entry = entry, Version = s.Version };
        // One-way calls: this does not wait for the silos to apply the change.
        await _observers.Notify(o => o.ChangedAsync(change));
        return change;
    }
}
