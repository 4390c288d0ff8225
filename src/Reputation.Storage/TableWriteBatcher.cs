using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Reputation.Storage;

/// <summary>How the batcher forms and sends transactions.</summary>
/// <param name="Partitions">Partitions the rows are spread over; one transaction holds rows of one partition.</param>
/// <param name="MaxConcurrentBatches">Transactions in flight at once, over all partitions (at most one per partition).</param>
/// <param name="MaxRows">Rows per transaction: Azure Table takes at most 100.</param>
/// <param name="MaxBytes">
/// State bytes per transaction. A transaction's request may be at most 4 MiB and binary properties
/// travel as base64 (4/3 of their size), so 2 MiB of state leaves room for keys and framing.
/// </param>
internal sealed record BatchLimits(int Partitions, int MaxConcurrentBatches, int MaxRows = BatchLimits.TableMaxRows, int MaxBytes = 2 * 1024 * 1024)
{
    public const int TableMaxRows = 100;
}

/// <summary>
/// Group commit for grain state across grains: writes of many grains to one partition wait while a
/// transaction of that partition is in flight and then go, up to 100 at a time, in the next one
/// (an Azure Table entity-group transaction, all or nothing). A write completes only when the
/// transaction that carries it has been stored. A partition with nothing in flight sends at once,
/// so a lone write waits for nothing but its own round trip.
/// <para>
/// When the table refuses a transaction, nothing of it was stored: the row it names fails alone —
/// an ETag conflict as <see cref="InconsistentStateException"/>, for that grain only — and the rest
/// is sent again; when it names no row, the transaction is split in halves and each half is sent
/// again, so a bad row ends up failing only itself. When the outcome is unknown (the table did
/// not answer), every write of the transaction fails and its callers retry, as with one write per
/// grain. Writes of the same row keep their order: one transaction holds a row once, and a
/// partition has one transaction in flight at a time.
/// </para>
/// </summary>
internal sealed partial class TableWriteBatcher
{
    private readonly IStateTable _table;
    private readonly Func<int, string> _partitionKey;
    private readonly BatchLimits _limits;
    private readonly StorageMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Partition[] _partitions;
    private readonly Queue<Partition> _ready = new();
    private TaskCompletionSource? _drained;
    private int _inFlight;
    private int _pending;

    public TableWriteBatcher(IStateTable table, Func<int, string> partitionKey, BatchLimits limits, ILogger logger, StorageMetrics? metrics = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.Partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.MaxConcurrentBatches, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.MaxRows, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limits.MaxRows, BatchLimits.TableMaxRows);
        _table = table;
        _partitionKey = partitionKey;
        _limits = limits;
        _logger = logger;
        _metrics = metrics;
        _partitions = [.. Enumerable.Range(0, limits.Partitions).Select(i => new Partition(partitionKey(i)))];
    }

    /// <summary>Writes waiting for a transaction (not those in flight).</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _pending;
            }
        }
    }

    /// <summary>Completes when the row is stored; fails when it was not (see the class remarks).</summary>
    public Task WriteAsync(PendingRow row)
    {
        List<Batch>? start;
        lock (_gate)
        {
            var partition = _partitions[row.Partition];
            partition.Pending.Add(row);
            _pending++;
            MarkReady(partition);
            start = TakeBatches();
        }

        Start(start);
        return row.Done;
    }

    /// <summary>Completes when nothing is waiting or in flight (at silo shutdown: writes already asked for still go).</summary>
    public Task DrainAsync()
    {
        lock (_gate)
        {
            if (_pending == 0 && _inFlight == 0)
            {
                return Task.CompletedTask;
            }

            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task;
        }
    }

    private void MarkReady(Partition partition)
    {
        if (!partition.InFlight && !partition.Ready && partition.Pending.Count > 0)
        {
            partition.Ready = true;
            _ready.Enqueue(partition);
        }
    }

    /// <summary>Forms the transactions that may go now. Called under the lock.</summary>
    private List<Batch>? TakeBatches()
    {
        List<Batch>? batches = null;
        while (_inFlight < _limits.MaxConcurrentBatches && _ready.TryDequeue(out var partition))
        {
            partition.Ready = false;
            var rows = partition.Take(_limits);
            _pending -= rows.Count;
            partition.InFlight = true;
            _inFlight++;
            (batches ??= []).Add(new Batch(partition, rows));
        }

        return batches;
    }

    private void Start(List<Batch>? batches)
    {
        foreach (var batch in batches ?? [])
        {
            // On the thread pool: never on the scheduler of the grain whose write happened to start it.
            _ = Task.Run(() => RunAsync(batch));
        }
    }

    private async Task RunAsync(Batch batch)
    {
        try
        {
            await SubmitAsync(batch.Partition.Key, batch.Rows);
        }
        catch (Exception ex)
        {
            // SubmitAsync answers every row itself; this is a bug's safety net, so no caller hangs.
            LogUnexpected(_logger, ex);
            foreach (var row in batch.Rows)
            {
                row.Fail(ex);
            }
        }

        List<Batch>? next;
        TaskCompletionSource? drained = null;
        lock (_gate)
        {
            batch.Partition.InFlight = false;
            _inFlight--;
            MarkReady(batch.Partition);
            next = TakeBatches();
            if (_pending == 0 && _inFlight == 0)
            {
                (drained, _drained) = (_drained, null);
            }
        }

        drained?.TrySetResult();
        Start(next);
    }

    /// <summary>Sends the rows, splitting and re-sending after a refusal, until each is stored or has failed.</summary>
    private async Task SubmitAsync(string partitionKey, List<PendingRow> rows)
    {
        var work = new Stack<List<PendingRow>>();
        work.Push(rows);
        while (work.TryPop(out var part))
        {
            var sending = new List<PendingRow>(part.Count);
            var actions = new List<Azure.Data.Tables.TableTransactionAction>(part.Count);
            foreach (var row in part)
            {
                if (row.Action(partitionKey) is { } action)
                {
                    sending.Add(row);
                    actions.Add(action);
                }
                else
                {
                    // A delete of a row the grain never held.
                    row.Succeed(null);
                }
            }

            if (actions.Count == 0)
            {
                continue;
            }

            try
            {
                var etags = await _table.SubmitAsync(actions, CancellationToken.None);
                _metrics?.Transaction(sending.Count, StorageMetrics.Stored);
                for (var i = 0; i < sending.Count; i++)
                {
                    sending[i].Succeed(etags[i]);
                }
            }
            catch (TableBatchRefusedException refused) when (refused.FailedIndex is { } index && index >= 0 && index < sending.Count)
            {
                _metrics?.Transaction(sending.Count, StorageMetrics.Refused);
                var failed = sending[index];
                LogRowRefused(_logger, refused.Status, refused.ErrorCode, sending.Count, failed.Describe());
                failed.Fail(Failure(failed, refused));
                sending.RemoveAt(index);
                if (sending.Count > 0)
                {
                    work.Push(sending);
                }
            }
            catch (TableBatchRefusedException refused) when (sending.Count > 1)
            {
                _metrics?.Transaction(sending.Count, StorageMetrics.Refused);
                LogSplit(_logger, refused.Status, refused.ErrorCode, sending.Count);
                var half = sending.Count / 2;
                work.Push(sending[half..]);
                work.Push(sending[..half]);
            }
            catch (TableBatchRefusedException refused)
            {
                _metrics?.Transaction(1, StorageMetrics.Refused);
                sending[0].Fail(Failure(sending[0], refused));
            }
            catch (Exception ex)
            {
                // Unknown outcome (no answer, 5xx, timeout): its callers fail and retry, and so do
                // the parts not sent yet, rather than each waiting for the same storage in turn.
                _metrics?.Transaction(sending.Count, StorageMetrics.Failed);
                LogFailed(_logger, sending.Count, ex);
                foreach (var row in sending.Concat(work.SelectMany(p => p)))
                {
                    row.Fail(ex);
                }

                work.Clear();
            }
        }
    }

    private static Exception Failure(PendingRow row, TableBatchRefusedException refused) =>
        refused.IsConditionFailed
            ? new InconsistentStateException(
                $"The stored row of {row.Describe()} is not the one this activation read ({refused.Status} {refused.ErrorCode}).",
                storedEtag: null,
                currentEtag: row.ETagNow,
                refused.InnerException ?? refused)
            : refused.InnerException ?? refused;

    [LoggerMessage(4101, LogLevel.Warning, "Table storage refused a transaction of {Rows} rows ({Status} {ErrorCode}) because of the row of {Grain}; it fails alone and the rest is sent again")]
    private static partial void LogRowRefused(ILogger logger, int status, string? errorCode, int rows, string grain);

    [LoggerMessage(4102, LogLevel.Warning, "Table storage refused a transaction of {Rows} rows ({Status} {ErrorCode}) without naming a row; sent again in halves")]
    private static partial void LogSplit(ILogger logger, int status, string? errorCode, int rows);

    [LoggerMessage(4103, LogLevel.Warning, "A transaction of {Rows} rows got no answer from table storage; its writes fail and their callers retry")]
    private static partial void LogFailed(ILogger logger, int rows, Exception exception);

    [LoggerMessage(4104, LogLevel.Error, "Unexpected failure while storing a transaction; its writes fail")]
    private static partial void LogUnexpected(ILogger logger, Exception exception);

    private sealed record Batch(Partition Partition, List<PendingRow> Rows);

    private sealed class Partition(string key)
    {
        public string Key { get; } = key;

        public List<PendingRow> Pending { get; private set; } = [];

        public bool InFlight { get; set; }

        public bool Ready { get; set; }

        /// <summary>
        /// The next transaction's rows, oldest first: each row once, within the limits. A row already
        /// taken, or passed over once, keeps its later writes for a later transaction, in their order.
        /// </summary>
        public List<PendingRow> Take(BatchLimits limits)
        {
            var taken = new List<PendingRow>(Math.Min(Pending.Count, limits.MaxRows));
            var left = new List<PendingRow>();
            var inBatch = new HashSet<string>(StringComparer.Ordinal);
            HashSet<string>? deferred = null;
            long bytes = 0;
            foreach (var row in Pending)
            {
                var fits = taken.Count < limits.MaxRows && (taken.Count == 0 || bytes + row.Bytes <= limits.MaxBytes);
                if (fits && deferred?.Contains(row.RowKey) != true && inBatch.Add(row.RowKey))
                {
                    taken.Add(row);
                    bytes += row.Bytes;
                }
                else
                {
                    (deferred ??= new HashSet<string>(StringComparer.Ordinal)).Add(row.RowKey);
                    left.Add(row);
                }
            }

            Pending = left;
            return taken;
        }
    }
}
