namespace Reputation.Grains;

/// <summary>One audited operate call. Before and after are JSON text as the API showed them.</summary>
[GenerateSerializer, Immutable, Alias("reputation.AuditEntry")]
public sealed class AuditEntry
{
    /// <summary>Assigned by the log on append; 0 in what the caller passes in.</summary>
    [Id(0)] public long Sequence { get; init; }
    [Id(1)] public required DateTimeOffset At { get; init; }
    [Id(2)] public required string KeyName { get; init; }
    [Id(3)] public required string Action { get; init; }
    [Id(4)] public string? Target { get; init; }
    [Id(5)] public required int Status { get; init; }
    [Id(6)] public string? Before { get; init; }
    [Id(7)] public string? After { get; init; }
    // Never renumber an Id; a new member takes the next one.
}

/// <summary>The audit log's head: the single writer that hands out sequence numbers.</summary>
[Alias("reputation.IAuditLogGrain")]
public interface IAuditLogGrain : IGrainWithStringKey
{
    /// <summary>The one head every host uses.</summary>
    public const string Key = "head";

    /// <summary>Appends to the current page; returns the record's sequence once it is in storage.</summary>
    [Alias("Append")]
    ValueTask<long> AppendAsync(AuditEntry entry);

    /// <summary>The sequence the next record will get (records so far have 1 .. this - 1, with gaps where a write failed).</summary>
    [Alias("GetNextSequence"), ReadOnly]
    ValueTask<long> GetNextSequenceAsync();

    /// <summary>The oldest page still held: pages before it were removed by retention (<see cref="Audit.AuditRetention"/>).</summary>
    [Alias("GetFirstPage"), ReadOnly]
    ValueTask<long> GetFirstPageAsync();
}

/// <summary>
/// One page of the audit log: the records whose sequence is in
/// <c>[page * PageSize + 1, (page + 1) * PageSize]</c>, oldest first. Keyed by page number.
/// </summary>
[Alias("reputation.IAuditPageGrain")]
public interface IAuditPageGrain : IGrainWithIntegerKey
{
    /// <summary>Records per page: a page row stays well inside a table entity's size.</summary>
    public const int PageSize = 256;

    [Alias("Append")]
    ValueTask AppendAsync(AuditEntry entry);

    [Alias("GetRecords"), ReadOnly]
    ValueTask<AuditEntry[]> GetRecordsAsync();

    /// <summary>
    /// An erased account's id replaced by <paramref name="replacement"/> in each record's target, before
    /// and after (<see cref="Core.Privacy.Redaction"/>); the records redacted. The only change a record ever sees.
    /// </summary>
    [Alias("Redact")]
    ValueTask<int> RedactAsync(string accountId, string replacement);

    /// <summary>Removes the page and its storage record (retention).</summary>
    [Alias("Remove")]
    ValueTask RemoveAsync();

    public static long PageOf(long sequence) => (sequence - 1) / PageSize;
}
