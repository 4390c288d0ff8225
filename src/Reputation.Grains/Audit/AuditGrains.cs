namespace Reputation.Grains.Audit;

[GenerateSerializer, Alias("reputation.AuditLogState")]
public sealed class AuditLogState
{
    /// <summary>Sequence of the next record; starts at 1.</summary>
    [Id(0)] public long NextSequence { get; set; } = 1;
    // Never renumber an Id; a new member takes the next one.
}

[GenerateSerializer, Alias("reputation.AuditPageState")]
public sealed class AuditPageState
{
    /// <summary>Oldest first; at most <see cref="IAuditPageGrain.PageSize"/>.</summary>
    [Id(0)] public List<AuditEntry> Records { get; set; } = [];
    // Never renumber an Id; a new member takes the next one.
}

/// <summary>
/// Hands out sequence numbers one call at a time (not reentrant: the order of appends is the order
/// of sequences). The sequence is reserved in storage before the record is written, so a failure
/// leaves a gap, never two records with one sequence.
/// </summary>
public sealed class AuditLogGrain(
    [PersistentState("auditlog", StorageNames.Reputation)] IPersistentState<AuditLogState> state) : Grain, IAuditLogGrain
{
    async ValueTask<long> IAuditLogGrain.AppendAsync(AuditEntry entry)
    {
        var sequence = state.State.NextSequence;
        state.State.NextSequence = sequence + 1;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Storage may or may not hold the reservation: reload rather than guess.
            DeactivateOnIdle();
            throw;
        }

        await GrainFactory.GetGrain<IAuditPageGrain>(IAuditPageGrain.PageOf(sequence)).AppendAsync(new AuditEntry
        {
            Sequence = sequence,
            At = entry.At,
            KeyName = entry.KeyName,
            Action = entry.Action,
            Target = entry.Target,
            Status = entry.Status,
            Before = entry.Before,
            After = entry.After,
        });
        return sequence;
    }

    ValueTask<long> IAuditLogGrain.GetNextSequenceAsync() => ValueTask.FromResult(state.State.NextSequence);
}

/// <summary>Append-only: records are added in sequence order and never changed or removed.</summary>
public sealed class AuditPageGrain(
    [PersistentState("auditpage", StorageNames.Reputation)] IPersistentState<AuditPageState> state) : Grain, IAuditPageGrain
{
    async ValueTask IAuditPageGrain.AppendAsync(AuditEntry entry)
    {
        var records = state.State.Records;
        if (IAuditPageGrain.PageOf(entry.Sequence) != this.GetPrimaryKeyLong())
        {
            throw new ArgumentException($"sequence {entry.Sequence} does not belong on page {this.GetPrimaryKeyLong()}", nameof(entry));
        }

        if (records.Count > 0 && records[^1].Sequence >= entry.Sequence)
        {
            throw new ArgumentException($"sequence {entry.Sequence} is not after {records[^1].Sequence}", nameof(entry));
        }

        records.Add(entry);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            records.RemoveAt(records.Count - 1);
            DeactivateOnIdle();
            throw;
        }
    }

    ValueTask<AuditEntry[]> IAuditPageGrain.GetRecordsAsync() => ValueTask.FromResult(state.State.Records.ToArray());
}
