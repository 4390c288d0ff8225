namespace Reputation.Grains.Audit;

/// <summary>A slice of the audit log, newest first, and the cursor for the next older slice (null at the beginning).</summary>
public sealed record AuditSlice(IReadOnlyList<AuditEntry> Records, long? Next);

/// <summary>Reads the log newest first straight from its pages, so reads never queue behind appends in the head.</summary>
public static class AuditReader
{
    /// <summary>
    /// Pages read per call at most. A filter that matches little stops there and answers fewer than
    /// <c>limit</c> records with a cursor to go on from, so one call costs a bounded amount.
    /// </summary>
    public const int MaxPagesPerRead = 16;

    /// <summary>Records with sequence below <paramref name="before"/> (all when null) that match the filters, newest first.</summary>
    public static async Task<AuditSlice> ReadAsync(IGrainFactory grains, long? before, int limit, string? action = null, string? target = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var log = grains.GetGrain<IAuditLogGrain>(IAuditLogGrain.Key);
        var next = await log.GetNextSequenceAsync();
        var first = await log.GetFirstPageAsync();
        var upper = before is { } b && b < next ? b : next;
        var found = new List<AuditEntry>(Math.Min(limit, 64));
        if (upper <= 1)
        {
            return new AuditSlice(found, null);
        }

        var page = IAuditPageGrain.PageOf(upper - 1);
        for (var read = 0; page >= first && read < MaxPagesPerRead; read++, page--)
        {
            var records = await grains.GetGrain<IAuditPageGrain>(page).GetRecordsAsync();
            for (var i = records.Length - 1; i >= 0; i--)
            {
                var r = records[i];
                if (r.Sequence >= upper
                    || (action is not null && !string.Equals(r.Action, action, StringComparison.Ordinal))
                    || (target is not null && !string.Equals(r.Target, target, StringComparison.Ordinal)))
                {
                    continue;
                }

                found.Add(r);
                if (found.Count == limit)
                {
                    return new AuditSlice(found, r.Sequence > 1 ? r.Sequence : null);
                }
            }
        }

        // Out of pages: the beginning (or what retention left of it). Out of budget: go on below the last page read.
        return new AuditSlice(found, page < first ? null : ((page + 1) * IAuditPageGrain.PageSize) + 1);
    }
}
