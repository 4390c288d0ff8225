using Azure;
using Azure.Data.Tables;

namespace Reputation.Storage;

/// <summary>
/// One grain's write (or delete) of its row, waiting for the transaction that carries it. The ETag
/// it is conditioned on is read when that transaction is formed, not when the write was asked for:
/// a second write of the same grain waits for the first and takes the ETag the first one stored.
/// </summary>
/// <param name="partition">The partition's index.</param>
/// <param name="rowKey">The row.</param>
/// <param name="data">The state's bytes; null deletes the row.</param>
/// <param name="etag">The ETag the caller holds (null or empty: it holds no row).</param>
/// <param name="stored">Called with the new ETag (null after a delete) before the caller is answered.</param>
/// <param name="describe">Names the grain in an error.</param>
internal sealed class PendingRow(int partition, string rowKey, ReadOnlyMemory<byte>? data, Func<string?> etag, Action<string?> stored, Func<string> describe)
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Partition { get; } = partition;

    public string RowKey { get; } = rowKey;

    public ReadOnlyMemory<byte>? Data { get; } = data;

    public Func<string> Describe { get; } = describe;

    /// <summary>Bytes it adds to a transaction (for the 4 MiB bound of one).</summary>
    public int Bytes => Data?.Length ?? 0;

    public Task Done => _done.Task;

    /// <summary>The ETag the transaction is conditioned on, as the caller holds it now.</summary>
    public string? ETagNow => etag();

    /// <summary>
    /// The action for a transaction: an insert when the caller holds no row, else a replace or a
    /// delete conditioned on its ETag. Null for a delete of a row the caller never held: there is
    /// nothing to do.
    /// </summary>
    public TableTransactionAction? Action(string partitionKey)
    {
        var held = ETagNow;
        var known = !string.IsNullOrEmpty(held);
        var entity = new TableEntity(partitionKey, RowKey);
        if (Data is not { } bytes)
        {
            return known ? new TableTransactionAction(TableTransactionActionType.Delete, entity, new ETag(held!)) : null;
        }

        StateRows.Store(entity, bytes);
        return known
            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, new ETag(held!))
            : new TableTransactionAction(TableTransactionActionType.Add, entity);
    }

    public void Succeed(string? newETag)
    {
        stored(newETag);
        _done.TrySetResult();
    }

    public void Fail(Exception exception) => _done.TrySetException(exception);
}
