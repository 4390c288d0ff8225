using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Storage;
using Reputation.Contracts;
using Reputation.Storage;

namespace Reputation.Integration.Tests;

/// <summary>
/// Batched grain storage (docs/decisions/0019-batched-table-storage.md) on the real Azurite: entity-group
/// transactions, ETags from their answers, a conflict refused for one row only, the table's layout
/// row, and a table of the per-grain provider taken over by the service without losing its state.
/// </summary>
public sealed class BatchedTableStorageTests
{
    [Fact]
    public async Task Concurrent_writes_of_many_grains_share_transactions_and_a_row_changed_behind_its_grain_fails_alone()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = new TableClient(Azurite.ConnectionString, Azurite.UniqueTable("Batch"));
        await client.CreateIfNotExistsAsync(ct);
        var table = new CountingTable(new AzureStateTable(client));
        var batcher = new TableWriteBatcher(table, p => $"p{p}", new BatchLimits(Partitions: 4, MaxConcurrentBatches: 2), NullLogger.Instance);
        var rows = Enumerable.Range(0, 400).Select(i => new Row(string.Create(CultureInfo.InvariantCulture, $"grain-{i}"))).ToList();

        await Task.WhenAll(rows.Select(r => batcher.WriteAsync(r.Write(1))));

        // 400 writes asked for at once: the first two went alone (two in flight at most), the rest up to 100 a transaction.
        Assert.InRange(table.Transactions, 6, 16);
        foreach (var row in rows)
        {
            var stored = (await client.GetEntityAsync<TableEntity>(row.PartitionKey, row.RowKey, cancellationToken: ct)).Value;
            Assert.Equal(row.ETag, stored.ETag.ToString());
            Assert.Equal(Row.Data(1), StateRows.Load(stored));
        }

        // Another writer replaces one row: only that grain's next write fails, as a conflict.
        var changed = rows[7];
        var other = new TableEntity(changed.PartitionKey, changed.RowKey) { ["Data"] = new byte[] { 42 } };
        await client.UpsertEntityAsync(other, TableUpdateMode.Replace, ct);
        var writes = rows.Select(r => batcher.WriteAsync(r.Write(2))).ToList();

        await Assert.ThrowsAsync<InconsistentStateException>(() => writes[7]);
        await Task.WhenAll(writes.Where((_, i) => i != 7));
        Assert.Equal([42], StateRows.Load((await client.GetEntityAsync<TableEntity>(changed.PartitionKey, changed.RowKey, cancellationToken: ct)).Value));
        foreach (var row in rows.Where(r => r != changed))
        {
            Assert.Equal(Row.Data(2), StateRows.Load((await client.GetEntityAsync<TableEntity>(row.PartitionKey, row.RowKey, cancellationToken: ct)).Value));
        }

        await client.DeleteAsync(ct);
    }

    [Fact]
    public async Task The_service_refuses_to_start_with_another_partition_count_than_its_table_records()
    {
        var ct = TestContext.Current.CancellationToken;
        var table = Azurite.UniqueTable("Layout");
        await using (var first = ServiceProcess.Start(ServiceProcess.Ports.Free(), Azurite.ConnectionString, table, settings: Partitions(32)))
        {
            await first.WaitUntilReadyAsync(ct);
        }

        await using var second = ServiceProcess.Start(ServiceProcess.Ports.Free(), Azurite.ConnectionString, table, settings: Partitions(16));
        var exitCode = await second.WaitForExitAsync(ct);

        Assert.Equal(1, exitCode);
        var line = second.RefusalLine();
        Assert.Contains("32 partitions but Reputation:Storage:Partitions is 16", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task State_written_one_row_per_grain_is_kept_when_the_service_switches_to_batched_writes()
    {
        var ct = TestContext.Current.CancellationToken;
        var ports = ServiceProcess.Ports.Free();
        var table = Azurite.UniqueTable("Switch");
        var now = DateTimeOffset.UtcNow;
        var batch = new EventBatch
        {
            Events =
            [
                new IngestEvent { Id = "sw-1", Type = EventType.Signup, AccountId = "switch-1", OccurredAt = now, Ip = "198.51.100.60", PaymentFingerprint = "pf-switch-1" },
                new IngestEvent { Id = "sw-2", Type = EventType.Usage, AccountId = "switch-1", OccurredAt = now, Ip = "198.51.100.60", Requests = 12 },
                new IngestEvent { Id = "sw-3", Type = EventType.Usage, AccountId = "switch-2", OccurredAt = now, Ip = "198.51.100.61", Requests = 3 },
            ],
        };

        AccountView before;
        await using (var perGrain = ServiceProcess.Start(ports, Azurite.ConnectionString, table, settings: Writes("PerGrain")))
        {
            await perGrain.WaitUntilReadyAsync(ct);
            Assert.Equal(3, (await perGrain.CreateClient().IngestAsync(batch, ct)).Accepted);
            before = (await perGrain.CreateClient().GetAccountAsync("switch-1", ct))!;
            perGrain.Terminate();
            Assert.Equal(0, await perGrain.WaitForExitAsync(ct));
        }

        await using var batched = ServiceProcess.Start(ports, Azurite.ConnectionString, table, settings: Writes("Batched"));
        await batched.WaitUntilReadyAsync(ct);
        var client = batched.CreateClient();

        var after = await client.GetAccountAsync("switch-1", ct);
        Assert.NotNull(after);
        Assert.Equal(12, after.Usage.RequestsTotal);
        Assert.Equal(before.PaymentInstruments, after.PaymentInstruments);
        Assert.Equal(before.IpRanges, after.IpRanges);
        Assert.Equal(15, (await client.GetIpRangeAsync("198.51.100.0", 24, ct))!.Usage.RequestsTotal);

        // The ids the per-grain rows remembered still count once; new events are stored in the new rows.
        var resent = await client.IngestAsync(batch, ct);
        Assert.Equal(0, resent.Accepted);
        Assert.Equal(3, resent.Duplicates);
        Assert.Equal(1, (await client.IngestAsync(new EventBatch
        {
            Events = [new IngestEvent { Id = "sw-4", Type = EventType.Usage, AccountId = "switch-1", OccurredAt = now, Ip = "198.51.100.60", Requests = 1 }],
        }, ct)).Accepted);

        await batched.KillAsync();
        await using var restarted = ServiceProcess.Start(ports, Azurite.ConnectionString, table, settings: Writes("Batched"));
        await restarted.WaitUntilReadyAsync(ct);
        Assert.Equal(13, (await restarted.CreateClient().GetAccountAsync("switch-1", ct))!.Usage.RequestsTotal);
    }

    private static Dictionary<string, string> Writes(string writes) => new() { ["Reputation__Storage__Writes"] = writes };

    private static Dictionary<string, string> Partitions(int partitions) =>
        new() { ["Reputation__Storage__Writes"] = "Batched", ["Reputation__Storage__Partitions"] = partitions.ToString(CultureInfo.InvariantCulture) };

    /// <summary>Counts the transactions sent to the table it wraps.</summary>
    private sealed class CountingTable(IStateTable inner) : IStateTable
    {
        private int _transactions;

        public int Transactions => Volatile.Read(ref _transactions);

        public string Name => inner.Name;

        public Task CreateIfNotExistsAsync(CancellationToken cancellationToken) => inner.CreateIfNotExistsAsync(cancellationToken);

        public Task<TableEntity?> GetAsync(string partitionKey, string rowKey, CancellationToken cancellationToken) => inner.GetAsync(partitionKey, rowKey, cancellationToken);

        public Task<bool> AnyAsync(CancellationToken cancellationToken) => inner.AnyAsync(cancellationToken);

        public Task<IReadOnlyList<string?>> SubmitAsync(IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _transactions);
            return inner.SubmitAsync(actions, cancellationToken);
        }
    }

    /// <summary>A grain's row as the grain holds it: the ETag it last stored.</summary>
    private sealed class Row(string key)
    {
        private const int Partitions = 4;

        public string RowKey { get; } = key;

        public string PartitionKey => $"p{StateRows.Partition(RowKey, Partitions)}";

        public string? ETag { get; private set; }

        /// <summary>About 2 KB, like a small grain state.</summary>
        public static byte[] Data(byte version) => [.. Enumerable.Range(0, 2_000).Select(i => (byte)(i + version))];

        public PendingRow Write(byte version) =>
            new(StateRows.Partition(RowKey, Partitions), RowKey, Data(version), () => ETag, e => ETag = e, () => RowKey);
    }
}
