using System.Globalization;
using Azure;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Storage;

namespace Reputation.Storage.Tests;

public sealed class TableWriteBatcherTests
{
    private readonly FakeStateTable _table = new();

    [Fact]
    public async Task Writes_arriving_while_a_transaction_is_in_flight_go_together_in_the_next_and_each_completes_only_when_stored()
    {
        var batcher = Batcher(partitions: 1);
        _table.Hold();
        var first = Grain("first");
        var firstDone = batcher.WriteAsync(first.Write(1));
        await _table.AtGateAsync(1);

        var rest = Enumerable.Range(0, 150).Select(i => Grain($"g{i}")).ToList();
        var restDone = rest.Select(g => batcher.WriteAsync(g.Write(1))).ToList();

        // Nothing is answered while its transaction is not stored.
        Assert.False(firstDone.IsCompleted || restDone.Any(t => t.IsCompleted));
        Assert.Single(_table.Transactions);

        _table.Release();
        await Task.WhenAll(restDone.Append(firstDone));

        // The lone first write went at once; the 150 that waited behind it went 100 and 50.
        Assert.Equal([1, 100, 50], _table.Transactions.Select(t => t.Rows.Count));
        Assert.All(rest.Append(first), g => Assert.False(string.IsNullOrEmpty(g.ETag)));
        Assert.Equal(151, _table.Rows().Count);
        Assert.Empty(_table.Violations);
    }

    [Fact]
    public async Task A_row_whose_etag_is_stale_fails_alone_with_InconsistentStateException_and_the_rest_is_stored()
    {
        var batcher = Batcher(partitions: 1);
        var grains = Enumerable.Range(0, 10).Select(i => Grain($"g{i}")).ToList();
        await Task.WhenAll(grains.Select(g => batcher.WriteAsync(g.Write(1))));
        var stale = grains[4];
        _table.ChangeBehindTheGrain(stale.PartitionKey, stale.RowKey, [9, 9, 9]);
        var staleETag = stale.ETag;

        var blocker = await OccupyAsync(batcher);
        var writes = grains.Select(g => batcher.WriteAsync(g.Write(2))).ToList();
        _table.Release();
        await blocker;

        var failure = await Assert.ThrowsAsync<InconsistentStateException>(() => writes[4]);
        Assert.Equal(staleETag, failure.CurrentEtag);
        Assert.Equal(staleETag, stale.ETag);
        await Task.WhenAll(writes.Where((_, i) => i != 4));

        // The refused transaction, then the nine others again in one.
        var tail = _table.Transactions.TakeLast(2).ToList();
        Assert.False(tail[0].Applied);
        Assert.Equal(10, tail[0].Rows.Count);
        Assert.True(tail[1].Applied);
        Assert.Equal(9, tail[1].Rows.Count);
        Assert.DoesNotContain(stale.RowKey, tail[1].Rows);

        Assert.Equal([9, 9, 9], Stored(stale));
        Assert.All(grains.Where(g => g != stale), g => Assert.Equal([2], Stored(g)));
    }

    [Fact]
    public async Task An_insert_of_a_row_another_activation_created_fails_that_write_only()
    {
        var batcher = Batcher(partitions: 1);
        var other = Grain("twin");
        await batcher.WriteAsync(other.Write(1));
        var twin = Grain("twin");
        var bystander = Grain("bystander");

        var blocker = await OccupyAsync(batcher);
        var twinWrite = batcher.WriteAsync(twin.Write(2));
        var bystanderWrite = batcher.WriteAsync(bystander.Write(2));
        _table.Release();

        await Assert.ThrowsAsync<InconsistentStateException>(() => twinWrite);
        await bystanderWrite;
        await blocker;
        Assert.Equal([1], Stored(other));
        Assert.Equal([2], Stored(bystander));
    }

    [Fact]
    public async Task A_refusal_that_names_no_row_is_split_until_the_bad_row_fails_alone()
    {
        var batcher = Batcher(partitions: 1);
        var grains = Enumerable.Range(0, 16).Select(i => Grain($"g{i}")).ToList();
        var bad = grains[11];
        _table.RefusedWithoutIndex.Add(bad.RowKey);

        var blocker = await OccupyAsync(batcher);
        var writes = grains.Select(g => batcher.WriteAsync(g.Write(1))).ToList();
        _table.Release();
        await blocker;

        var failure = await Assert.ThrowsAsync<RequestFailedException>(() => writes[11]);
        Assert.Equal(413, failure.Status);
        await Task.WhenAll(writes.Where((_, i) => i != 11));
        Assert.All(grains.Where(g => g != bad), g => Assert.Equal([1], Stored(g)));

        // Halves of halves: 16 → 8 → 4 → 2 → 1, each refused once on the bad row's side.
        var refused = _table.Transactions.Where(t => !t.Applied).Select(t => t.Rows.Count).ToList();
        Assert.Equal([16, 8, 4, 2, 1], refused);
        Assert.Empty(_table.Violations);
    }

    [Fact]
    public async Task A_transaction_without_an_answer_fails_its_writes_and_the_partition_keeps_working()
    {
        var batcher = Batcher(partitions: 1);
        var blocker = await OccupyAsync(batcher);
        var grains = Enumerable.Range(0, 5).Select(i => Grain($"g{i}")).ToList();
        var writes = grains.Select(g => batcher.WriteAsync(g.Write(1))).ToList();
        _table.NoAnswerFor(grains[0].RowKey);
        _table.Release();
        await blocker;

        // The five shared one transaction, which got no answer: each of them failed, none is stored.
        foreach (var write in writes)
        {
            await Assert.ThrowsAsync<RequestFailedException>(() => write);
        }

        Assert.All(grains, g => Assert.Null(g.ETag));
        Assert.Single(_table.Rows());

        // Sent again, as their callers do, they are stored: nothing is left stuck.
        await Task.WhenAll(grains.Select(g => batcher.WriteAsync(g.Write(2))));
        Assert.All(grains, g => Assert.Equal([2], Stored(g)));
    }

    [Fact]
    public async Task Two_writes_of_one_row_are_stored_in_the_order_asked_and_the_second_uses_the_first_ones_etag()
    {
        var batcher = Batcher(partitions: 1);
        var grain = Grain("twice");
        await batcher.WriteAsync(grain.Write(1));

        _table.Hold();
        var first = batcher.WriteAsync(grain.Write(2));
        await _table.AtGateAsync(1);
        var second = batcher.WriteAsync(grain.Write(3));
        var bystander = batcher.WriteAsync(Grain("bystander").Write(3));
        _table.Release();
        await Task.WhenAll(first, second, bystander);

        Assert.Equal([3], Stored(grain));
        var withRow = _table.Transactions.Where(t => t.Rows.Contains(grain.RowKey)).ToList();
        Assert.Equal(3, withRow.Count);
        Assert.All(withRow, t => Assert.True(t.Applied));
        Assert.Empty(_table.Violations);
    }

    [Fact]
    public async Task Writes_of_one_row_queued_behind_each_other_never_share_a_transaction_and_keep_their_order()
    {
        var batcher = Batcher(partitions: 1);
        var grain = Grain("often");
        var others = Enumerable.Range(0, 3).Select(i => Grain($"o{i}")).ToList();
        var blocker = await OccupyAsync(batcher);

        var writes = new List<Task>();
        for (byte value = 1; value <= 4; value++)
        {
            writes.Add(batcher.WriteAsync(grain.Write(value)));
            writes.AddRange(others.Select(o => batcher.WriteAsync(o.Write(value))));
        }

        _table.Release();
        await Task.WhenAll(writes.Append(blocker));

        Assert.Equal([4], Stored(grain));
        Assert.All(others, o => Assert.Equal([4], Stored(o)));
        Assert.Empty(_table.Violations);
        Assert.Equal(5, _table.Transactions.Count);
    }

    [Fact]
    public async Task A_transaction_holds_at_most_the_byte_bound_and_a_row_larger_than_it_goes_alone()
    {
        var batcher = new TableWriteBatcher(_table, PartitionKey, new BatchLimits(1, 1, MaxBytes: 1000), NullLogger.Instance);
        var blocker = await OccupyAsync(batcher);
        var writes = new[] { 400, 400, 400, 1500, 100 }
            .Select((size, i) => batcher.WriteAsync(Grain($"g{i}").Write(new byte[size]))).ToList();
        _table.Release();
        await Task.WhenAll(writes.Append(blocker));

        // 400 + 400, and the 100 behind the two that did not fit; then the third 400; then the 1500 alone.
        Assert.Equal([["blocker~s"], ["g0~s", "g1~s", "g4~s"], ["g2~s"], ["g3~s"]], _table.Transactions.Select(t => t.Rows));
    }

    [Fact]
    public async Task Partitions_are_sent_side_by_side_up_to_the_concurrency_bound_and_no_further()
    {
        var batcher = Batcher(partitions: 8, concurrent: 3);
        _table.Hold();
        var writes = Enumerable.Range(0, 64).Select(i => batcher.WriteAsync(Grain($"g{i}", partitions: 8).Write(1))).ToList();
        await _table.AtGateAsync(3);
        Assert.Equal(3, _table.Transactions.Count);

        _table.Release();
        await Task.WhenAll(writes);
        Assert.Equal(3, _table.MaxInFlight);
        Assert.Empty(_table.Violations);
        Assert.Equal(64, _table.Rows().Count);
    }

    [Fact]
    public async Task A_delete_removes_the_row_and_a_delete_of_a_row_never_held_sends_nothing()
    {
        var batcher = Batcher(partitions: 1);
        var grain = Grain("gone");
        await batcher.WriteAsync(grain.Write(1));
        await batcher.WriteAsync(grain.Delete());
        Assert.Null(grain.ETag);
        Assert.Empty(_table.Rows());

        var before = _table.Transactions.Count;
        await batcher.WriteAsync(Grain("never").Delete());
        Assert.Equal(before, _table.Transactions.Count);
    }

    [Fact]
    public async Task Draining_waits_for_writes_already_asked_for()
    {
        var batcher = Batcher(partitions: 2);
        _table.Hold();
        var writes = Enumerable.Range(0, 10).Select(i => batcher.WriteAsync(Grain($"g{i}", partitions: 2).Write(1))).ToList();
        var drained = batcher.DrainAsync();
        await _table.AtGateAsync(2);
        Assert.False(drained.IsCompleted);

        _table.Release();
        await drained;
        Assert.All(writes, w => Assert.True(w.IsCompletedSuccessfully));
        Assert.True(batcher.DrainAsync().IsCompleted);
    }

    /// <summary>
    /// Holds the table and puts one write in flight (a partition has one transaction in flight at a
    /// time), so that the writes asked for next wait together for the next transaction.
    /// </summary>
    private async Task<Task> OccupyAsync(TableWriteBatcher batcher)
    {
        _table.Hold();
        var blocker = batcher.WriteAsync(Grain("blocker").Write(0));
        await _table.AtGateAsync(1);
        return blocker;
    }

    private static string PartitionKey(int partition) => string.Create(CultureInfo.InvariantCulture, $"p{partition}");

    private TableWriteBatcher Batcher(int partitions, int concurrent = 4) =>
        new(_table, PartitionKey, new BatchLimits(partitions, concurrent), NullLogger.Instance);

    private static GrainRow Grain(string key, int partitions = 1) => new(key, partitions);

    private byte[] Stored(GrainRow grain) =>
        _table.Rows().Single(r => r.RowKey == grain.RowKey) is var row ? StateRows.Load(row) : [];

    /// <summary>What a grain holds of its row: the ETag it last stored.</summary>
    private sealed class GrainRow(string key, int partitions)
    {
        public string RowKey { get; } = key + "~s";

        public int Partition => StateRows.Partition(RowKey, partitions);

        public string PartitionKey => TableWriteBatcherTests.PartitionKey(Partition);

        public string? ETag { get; private set; }

        public PendingRow Write(byte value) => Write([value]);

        public PendingRow Write(byte[] data) => new(Partition, RowKey, data, () => ETag, e => ETag = e, () => RowKey);

        public PendingRow Delete() => new(Partition, RowKey, null, () => ETag, e => ETag = e, () => RowKey);
    }
}
