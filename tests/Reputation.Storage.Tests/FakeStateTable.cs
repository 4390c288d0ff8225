using System.Globalization;
using Azure;
using Azure.Data.Tables;

namespace Reputation.Storage.Tests;

/// <summary>
/// A table in memory with Azure Table's rules for what the batcher relies on: a transaction is all
/// or nothing, an insert of an existing row is refused (409), a replace or delete whose ETag is not
/// the stored one is refused (412) or finds no row (404), and a refusal names the action that
/// caused it. A test can hold transactions at a gate (as a slow round trip would), make the next one
/// get no answer, refuse without naming a row, or change a row behind a grain's back.
/// </summary>
internal sealed class FakeStateTable : IStateTable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Partition, string Row), TableEntity> _rows = [];
    private readonly List<Transaction> _transactions = [];
    private readonly List<string> _violations = [];
    private TaskCompletionSource _gate = Open();
    private string? _noAnswerFor;
    private long _version;
    private int _atGate;
    private int _inFlight;
    private int _maxInFlight;

    public string Name => "Fake";

    /// <summary>Rows whose presence in a transaction makes the table refuse it without naming a row (as for a request too large).</summary>
    public HashSet<string> RefusedWithoutIndex { get; } = new(StringComparer.Ordinal);

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Every transaction submitted, in order: its rows and whether it was applied.</summary>
    public IReadOnlyList<Transaction> Transactions
    {
        get
        {
            lock (_lock)
            {
                return [.. _transactions];
            }
        }
    }

    /// <summary>Transactions Azure Table would have refused as malformed: more than 100 rows, two partitions, a row twice.</summary>
    public IReadOnlyList<string> Violations
    {
        get
        {
            lock (_lock)
            {
                return [.. _violations];
            }
        }
    }

    public IReadOnlyList<Transaction> Applied => [.. Transactions.Where(t => t.Applied)];

    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate.TrySetResult();

    /// <summary>The next transaction holding this row gets no answer: the caller cannot know its outcome (it is not applied).</summary>
    public void NoAnswerFor(string rowKey) => _noAnswerFor = rowKey;

    /// <summary>Waits until this many transactions are waiting at the gate.</summary>
    public Task AtGateAsync(int count) => Within.HoldsAsync(() => Volatile.Read(ref _atGate) >= count, $"{count} transactions at the gate");

    /// <summary>Another writer replaces the row: the ETag a grain holds is no longer the stored one.</summary>
    public void ChangeBehindTheGrain(string partitionKey, string rowKey, byte[] data)
    {
        lock (_lock)
        {
            var row = new TableEntity(partitionKey, rowKey);
            StateRows.Store(row, data);
            _rows[(partitionKey, rowKey)] = Stamp(row);
        }
    }

    public void Put(TableEntity entity)
    {
        lock (_lock)
        {
            _rows[(entity.PartitionKey, entity.RowKey)] = Stamp(new TableEntity(entity));
        }
    }

    public IReadOnlyList<TableEntity> Rows()
    {
        lock (_lock)
        {
            return [.. _rows.Values.Select(r => new TableEntity(r) { ETag = r.ETag })];
        }
    }

    public Task CreateIfNotExistsAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<TableEntity?> GetAsync(string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_rows.TryGetValue((partitionKey, rowKey), out var row) ? new TableEntity(row) { ETag = row.ETag } : null);
        }
    }

    public Task<bool> AnyAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_rows.Count > 0);
        }
    }

    public async Task<IReadOnlyList<string?>> SubmitAsync(IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        var transaction = new Transaction([.. actions.Select(a => a.Entity.RowKey)]);
        lock (_lock)
        {
            _transactions.Add(transaction);
            if (actions.Count > 100 || actions.Select(a => a.Entity.PartitionKey).Distinct().Count() > 1 || transaction.Rows.Distinct().Count() < transaction.Rows.Count)
            {
                _violations.Add(string.Join(",", transaction.Rows));
            }
        }

        var inFlight = Interlocked.Increment(ref _inFlight);
        InterlockedMax(ref _maxInFlight, inFlight);
        Interlocked.Increment(ref _atGate);
        try
        {
            await _gate.Task;
        }
        finally
        {
            Interlocked.Decrement(ref _atGate);
            Interlocked.Decrement(ref _inFlight);
        }

        if (_noAnswerFor is { } silent && transaction.Rows.Contains(silent) && Interlocked.CompareExchange(ref _noAnswerFor, null, silent) == silent)
        {
            throw new RequestFailedException("Connection refused (127.0.0.1:10102)");
        }

        lock (_lock)
        {
            if (transaction.Rows.Any(RefusedWithoutIndex.Contains))
            {
                throw new TableBatchRefusedException(null, 413, "RequestBodyTooLarge", new RequestFailedException(413, "refused"));
            }

            for (var i = 0; i < actions.Count; i++)
            {
                if (Refusal(actions[i]) is { } refusal)
                {
                    throw new TableBatchRefusedException(i, refusal.Status, refusal.Code, new RequestFailedException(refusal.Status, $"{i}:{refusal.Code}", refusal.Code, null));
                }
            }

            var etags = new List<string?>(actions.Count);
            foreach (var action in actions)
            {
                var key = (action.Entity.PartitionKey, action.Entity.RowKey);
                if (action.ActionType == TableTransactionActionType.Delete)
                {
                    _rows.Remove(key);
                    etags.Add(null);
                }
                else
                {
                    var row = Stamp(new TableEntity((TableEntity)action.Entity));
                    _rows[key] = row;
                    etags.Add(row.ETag.ToString());
                }
            }

            transaction.Applied = true;
            return etags;
        }
    }

    private (int Status, string Code)? Refusal(TableTransactionAction action)
    {
        var exists = _rows.TryGetValue((action.Entity.PartitionKey, action.Entity.RowKey), out var stored);
        return action.ActionType switch
        {
            TableTransactionActionType.Add when exists => (409, "EntityAlreadyExists"),
            TableTransactionActionType.Add => null,
            _ when !exists => (404, "ResourceNotFound"),
            _ when action.ETag != ETag.All && action.ETag != stored!.ETag => (412, "UpdateConditionNotSatisfied"),
            _ => null,
        };
    }

    private TableEntity Stamp(TableEntity row)
    {
        row.ETag = new ETag(string.Create(CultureInfo.InvariantCulture, $"W/\"{++_version}\""));
        return row;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    internal sealed class Transaction(IReadOnlyList<string> rows)
    {
        public IReadOnlyList<string> Rows { get; } = rows;

        public bool Applied { get; set; }
    }
}

internal static class Within
{
    /// <summary>Awaits a condition; fails naming it if it does not hold within the bound (for a stuck system, not a slow one).</summary>
    public static async Task HoldsAsync(Func<bool> condition, string what, TimeSpan? bound = null)
    {
        var limit = bound ?? TimeSpan.FromSeconds(10);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                Assert.Fail($"{what} did not happen within {limit.TotalSeconds:0} s");
            }

            await Task.Delay(2);
        }
    }
}
