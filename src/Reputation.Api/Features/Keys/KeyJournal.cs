using Reputation.Grains;
using Reputation.Grains.Provenance;

namespace Reputation.Api.Features.Keys;

/// <summary>
/// Writes what a key's accepted events did to its journal (docs/decisions/0021-event-provenance.md):
/// one call per ingest batch or signup decision, after the accounts answered.
/// </summary>
public sealed class KeyJournal(IGrainFactory grains, ReputationClock time)
{
    /// <summary>When the journal's hours are counted: the wall clock (arrival), never the events' own times, which the sender chooses.</summary>
    public DateTimeOffset Now => time.WallNow;

    public Task AppendAsync(string? keyName, DateTimeOffset arrivedAt, IReadOnlyList<JournalEntry> entries)
    {
        if (string.IsNullOrEmpty(keyName) || entries.Count == 0)
        {
            return Task.CompletedTask;
        }

        var hour = JournalPolicy.HourOf(arrivedAt);
        return grains.Ref<IKeyJournalGrain>(JournalPolicy.ShardKey(keyName, hour)).AppendAsync(hour, [.. entries]);
    }
}
