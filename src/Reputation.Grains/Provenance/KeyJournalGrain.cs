using Orleans.Concurrency;
using Reputation.Grains.State;

namespace Reputation.Grains.Provenance;

/// <summary>One slot of a key's journal (key <see cref="JournalPolicy.ShardKey"/>): the events it sent in one hour.</summary>
[Alias("reputation.IKeyJournalGrain")]
public interface IKeyJournalGrain : IGrainWithStringKey
{
    /// <summary>Adds accepted events of <paramref name="hour"/>; an event already journaled is not added again.</summary>
    [Alias("Append")]
    Task AppendAsync(long hour, JournalEntry[] entries);

    [Alias("Read"), ReadOnly]
    ValueTask<JournalHour> ReadAsync(long hour);

    /// <summary>Marks events voided (by account and event id), so that a second void does not take them back twice.</summary>
    [Alias("MarkVoided")]
    Task MarkVoidedAsync(long hour, (string AccountId, string EventId)[] events);

    /// <summary>
    /// Erasure: takes the account's entries out of the slot, whatever hour it holds, counting them as
    /// <see cref="JournalHour.Erased"/>; a slot holding an hour before <paramref name="oldestHour"/>
    /// (past the journal, never read again) drops everything. How many entries named the account.
    /// </summary>
    [Alias("ForgetAccount")]
    Task<int> ForgetAccountAsync(string accountId, long oldestHour);
}

/// <summary>
/// Bounded: at most <see cref="JournalPolicy.EntriesPerHour"/> entries, and the slot is reused for
/// the same hour of the next week, dropping what it held. Appends of concurrent ingest calls go to
/// storage together (group commit).
/// </summary>
[Reentrant] // group commit: concurrent batches of one key share one write
public sealed class KeyJournalGrain(
    [PersistentState("keyjournal", StorageNames.Reputation)] IPersistentState<KeyJournalState> state) : Grain, IKeyJournalGrain
{
    private GroupCommit? _commit;
    private HashSet<(string, string)>? _ids;

    Task IKeyJournalGrain.AppendAsync(long hour, JournalEntry[] entries)
    {
        var s = state.State;
        if (s.Hour != hour)
        {
            if (hour < s.Hour)
            {
                // A call held up for a week: its hour has gone from this slot.
                return Task.CompletedTask;
            }

            s.Hour = hour;
            s.Entries.Clear();
            s.Unjournaled = 0;
            s.Erased = 0;
            s.Fingerprints = 0;
            _ids = null;
        }

        var ids = Ids();
        foreach (var entry in entries)
        {
            if (!ids.Add((entry.AccountId, entry.Event.EventId)))
            {
                continue;
            }

            if (s.Entries.Count >= JournalPolicy.EntriesPerHour)
            {
                s.Unjournaled++;
                continue;
            }

            var fingerprints = (entry.Event as UsageEvent)?.PromptFingerprints.Length ?? 0;
            if (fingerprints > 0 && s.Fingerprints + fingerprints > JournalPolicy.FingerprintsPerHour)
            {
                // Past the slot's budget: the entry stays voidable, its buckets found through its account's links.
                s.Entries.Add(entry.WithoutFingerprints());
                continue;
            }

            s.Fingerprints += fingerprints;
            s.Entries.Add(entry);
        }

        return WriteAsync();
    }

    ValueTask<JournalHour> IKeyJournalGrain.ReadAsync(long hour)
    {
        var s = state.State;
        return ValueTask.FromResult(s.Hour != hour
            ? new JournalHour { Entries = [] }
            : new JournalHour { Entries = [.. s.Entries], Unjournaled = s.Unjournaled, Erased = s.Erased });
    }

    async Task<int> IKeyJournalGrain.ForgetAccountAsync(string accountId, long oldestHour)
    {
        var s = state.State;
        var removed = s.Entries.RemoveAll(e => e.AccountId == accountId);
        if (s.Hour < oldestHour && s.Entries.Count > 0)
        {
            // Past the journal: what is left is never read again, so it goes too.
            s.Entries.Clear();
        }
        else if (removed == 0)
        {
            return 0;
        }

        s.Erased += removed;
        s.Fingerprints = s.Entries.Sum(e => (e.Event as UsageEvent)?.PromptFingerprints.Length ?? 0);
        _ids = null;
        await WriteAsync();
        return removed;
    }

    Task IKeyJournalGrain.MarkVoidedAsync(long hour, (string AccountId, string EventId)[] events)
    {
        var s = state.State;
        if (s.Hour != hour)
        {
            return Task.CompletedTask;
        }

        var marked = events.ToHashSet();
        foreach (var entry in s.Entries)
        {
            if (marked.Contains((entry.AccountId, entry.Event.EventId)))
            {
                entry.Voided = true;
            }
        }

        return WriteAsync();
    }

    private HashSet<(string, string)> Ids() =>
        _ids ??= [.. state.State.Entries.Select(e => (e.AccountId, e.Event.EventId))];

    private Task WriteAsync() => (_commit ??= new GroupCommit(state.WriteStateAsync, () =>
    {
        _ids = null;
        DeactivateOnIdle();
    })).WriteAsync();
}
