using Microsoft.Extensions.Logging;
using Reputation.Core.Privacy;

namespace Reputation.Grains.Audit;

[GenerateSerializer, Alias("reputation.AuditLogState")]
public sealed class AuditLogState
{
    /// <summary>Sequence of the next record; starts at 1.</summary>
    [Id(0)] public long NextSequence { get; set; } = 1;
    /// <summary>The oldest page held; those before it were removed by retention.</summary>
    [Id(1)] public long FirstPage { get; set; }
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
public sealed partial class AuditLogGrain(
    [PersistentState("auditlog", StorageNames.Reputation)] IPersistentState<AuditLogState> state,
    AuditRetention retention,
    ReputationClock time,
    ILogger<AuditLogGrain> logger) : Grain, IAuditLogGrain
{
    private DateTimeOffset? _prunedAt;

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
        try
        {
            await PruneAsync(IAuditPageGrain.PageOf(sequence));
        }
        catch (Exception ex)
        {
            // The record is in; old pages wait for the next prune.
            LogPruneFailed(logger, ex.GetType().Name, ex);
        }

        return sequence;
    }

    ValueTask<long> IAuditLogGrain.GetNextSequenceAsync() => ValueTask.FromResult(state.State.NextSequence);

    ValueTask<long> IAuditLogGrain.GetFirstPageAsync() => ValueTask.FromResult(state.State.FirstPage);

    /// <summary>
    /// Removes whole pages, oldest first, whose newest record is older than the retention; never the
    /// page being written. At most once per <see cref="AuditRetention.PruneEvery"/> and
    /// <see cref="AuditRetention.MaxPagesPerPrune"/> pages at a time, so an append's cost stays bounded.
    /// </summary>
    private async Task PruneAsync(long currentPage)
    {
        var now = time.UtcNow;
        if (retention.MaxAge is not { } maxAge || (_prunedAt is { } last && now - last < AuditRetention.PruneEvery))
        {
            return;
        }

        _prunedAt = now;
        var cutoff = now - maxAge;
        var removed = 0;
        while (state.State.FirstPage < currentPage && removed < AuditRetention.MaxPagesPerPrune)
        {
            var page = GrainFactory.GetGrain<IAuditPageGrain>(state.State.FirstPage);
            var records = await page.GetRecordsAsync();
            if (records.Length > 0 && records[^1].At >= cutoff)
            {
                break;
            }

            await page.RemoveAsync();
            state.State.FirstPage++;
            removed++;
        }

        if (removed > 0)
        {
            await state.WriteStateAsync();
        }
    }

    [LoggerMessage(3301, LogLevel.Warning, "Old audit pages could not be removed ({ExceptionType}); the next prune tries again")]
    private static partial void LogPruneFailed(ILogger logger, string exceptionType, Exception exception);
}

/// <summary>
/// Append-only: records are added in sequence order and never changed or removed, except that an
/// erasure redacts an account's id in them and retention removes whole pages.
/// </summary>
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

    async ValueTask<int> IAuditPageGrain.RedactAsync(string accountId, string replacement)
    {
        var records = state.State.Records;
        var redacted = 0;
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            var target = r.Target is null ? null : Redaction.Text(r.Target, accountId, replacement);
            var before = r.Before is null ? null : Redaction.Json(r.Before, accountId, replacement);
            var after = r.After is null ? null : Redaction.Json(r.After, accountId, replacement);
            if (ReferenceEquals(target, r.Target) && ReferenceEquals(before, r.Before) && ReferenceEquals(after, r.After))
            {
                continue;
            }

            records[i] = new AuditEntry
            {
                Sequence = r.Sequence,
                At = r.At,
                KeyName = r.KeyName,
                Action = r.Action,
                Target = target,
                Status = r.Status,
                Before = before,
                After = after,
            };
            redacted++;
        }

        if (redacted > 0)
        {
            await state.WriteStateAsync();
        }

        return redacted;
    }

    async ValueTask IAuditPageGrain.RemoveAsync()
    {
        await state.ClearStateAsync();
        DeactivateOnIdle();
    }
}

/// <summary>
/// How long audit records are kept (<c>Reputation:Audit:RetentionDays</c>; docs/security.md, "Retention"):
/// null keeps them all. Removed a page of <see cref="IAuditPageGrain.PageSize"/> at a time, once its
/// newest record is older than this.
/// </summary>
public sealed record AuditRetention(TimeSpan? MaxAge)
{
    public static readonly AuditRetention Unbounded = new((TimeSpan?)null);

    internal static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(10);

    internal const int MaxPagesPerPrune = 16;
}
