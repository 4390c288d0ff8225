using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Orleans.TestingHost;
using Reputation.Grains;
using Reputation.Grains.State;

namespace Reputation.Storage.Tests;

/// <summary>One in-process silo whose reputation storage is the batched provider over an in-memory table.</summary>
public sealed class BatchedSiloFixture : IAsyncLifetime
{
    /// <summary>The service id the rows are keyed by (the test cluster's).</summary>
    public static string ServiceId { get; private set; } = "";

    internal FakeStateTable Table { get; } = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IServiceProvider Services => Cluster.Silos[0].SiloHost.Services;

    internal BatchedTableGrainStorage Storage => (BatchedTableGrainStorage)Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Reputation);

    public async ValueTask InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddGrainStorage(StorageNames.Reputation, (sp, name) => Create(sp, name, Table));
            // The service's grain services, its state serializer among them.
            silo.Services.AddReputationGrains();
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        ServiceId = Services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId;
    }

    public async ValueTask DisposeAsync()
    {
        Table.Release();
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    internal static BatchedTableGrainStorage Create(IServiceProvider services, string name, IStateTable table, int partitions = 4) =>
        new(
            name,
            new BatchedTableStorageOptions { Partitions = partitions, MaxConcurrentBatches = 4 },
            table,
            services.GetRequiredService<IGrainStorageSerializer>(),
            services.GetRequiredService<IActivatorProvider>(),
            services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId,
            NullLogger<BatchedTableGrainStorage>.Instance,
            metrics: null);
}

public sealed class BatchedStorageTests(BatchedSiloFixture silo) : IClassFixture<BatchedSiloFixture>
{
    private IGrainFactory Grains => silo.Cluster.Client;

    private FakeStateTable Table => silo.Table;

    [Fact]
    public async Task Writes_of_fifty_grains_while_storage_is_busy_share_one_transaction_and_each_call_returns_only_when_stored()
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        var before = Table.Transactions.Count;
        Table.Hold();
        // Grains of one partition: one transaction can carry them all.
        var keys = SamePartition(run, 51);
        var first = Grains.GetGrain<ICounterGrain>(keys[0]).SetAsync(1);
        await Table.AtGateAsync(1);

        var fifty = keys[1..];
        var calls = fifty.Select((key, i) => Grains.GetGrain<ICounterGrain>(key).SetAsync(100 + i)).ToList();
        await Within.HoldsAsync(() => silo.Storage.WritesWaiting == 50, "fifty writes waiting");
        Assert.False(first.IsCompleted || calls.Any(c => c.IsCompleted), "a call returned before its write was stored");

        Table.Release();
        await Task.WhenAll(calls.Append(first));

        Assert.Equal([1, 50], Table.Transactions.Skip(before).Select(t => t.Rows.Count));
        for (var i = 0; i < fifty.Count; i++)
        {
            Assert.Equal((100 + i, true), await Grains.GetGrain<ICounterGrain>(fifty[i]).ReadBackAsync());
        }
    }

    [Fact]
    public async Task A_grain_whose_row_changed_behind_it_fails_its_own_write_with_InconsistentStateException_only()
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        var partition = SamePartition(run, 4);
        var keys = partition[..3];
        await Task.WhenAll(keys.Select(k => Grains.GetGrain<ICounterGrain>(k).SetAsync(1)));
        var victim = Grains.GetGrain<ICounterGrain>(keys[1]);
        var row = RowOf(keys[1]);
        Table.ChangeBehindTheGrain(row.PartitionKey, row.RowKey, Serializer.SerializeToArray(new CounterState { Value = 99 }));

        Table.Hold();
        var blocker = Grains.GetGrain<ICounterGrain>(partition[3]).SetAsync(1);
        await Table.AtGateAsync(1);
        var writes = keys.Select(k => Grains.GetGrain<ICounterGrain>(k).SetAsync(2)).ToList();
        await Within.HoldsAsync(() => silo.Storage.WritesWaiting == 3, "three writes waiting");
        Table.Release();
        await blocker;

        await Assert.ThrowsAsync<InconsistentStateException>(() => writes[1]);
        await writes[0];
        await writes[2];
        Assert.Equal((2, true), await Grains.GetGrain<ICounterGrain>(keys[0]).ReadBackAsync());
        Assert.Equal((2, true), await Grains.GetGrain<ICounterGrain>(keys[2]).ReadBackAsync());

        // Orleans deactivates the grain whose state is inconsistent; its next activation reads what is stored.
        Assert.Equal((99, true), await victim.ReadBackAsync());
    }

    [Fact]
    public async Task Two_writes_of_one_grain_while_storage_is_busy_are_stored_in_order()
    {
        var grain = Grains.GetGrain<ICounterGrain>(Guid.NewGuid().ToString("N"));
        await grain.SetAsync(1);

        Table.Hold();
        var first = grain.SetAsync(2);
        await Table.AtGateAsync(1);
        var second = grain.SetAsync(3);
        Table.Release();
        await Task.WhenAll(first, second);

        Assert.Equal((3, true), await grain.ReadBackAsync());
    }

    [Fact]
    public async Task State_is_stored_with_the_services_state_serializer()
    {
        var key = Guid.NewGuid().ToString("N");
        await Grains.GetGrain<ICounterGrain>(key).SetAsync(42);

        var stored = StateRows.Load(Table.Rows().Single(r => r.RowKey == RowOf(key).RowKey));
        Assert.IsType<StateSerializer>(silo.Services.GetRequiredService<IGrainStorageSerializer>());
        Assert.Equal(Serializer.SerializeToArray(new CounterState { Value = 42 }), stored);
    }

    [Fact]
    public async Task A_cleared_grain_has_no_row_and_reads_as_new()
    {
        var grain = Grains.GetGrain<ICounterGrain>(Guid.NewGuid().ToString("N"));
        await grain.SetAsync(5);
        Assert.Equal((5, true), await grain.ReadBackAsync());

        await grain.ClearAsync();

        Assert.DoesNotContain(Table.Rows(), r => r.RowKey == RowOf(grain.GetPrimaryKeyString()).RowKey);
        Assert.Equal((0, false), await grain.ReadBackAsync());
        await grain.SetAsync(6);
        Assert.Equal((6, true), await grain.ReadBackAsync());
    }

    [Fact]
    public async Task A_state_larger_than_a_row_holds_is_refused_naming_its_size_and_the_stored_state_stays()
    {
        var grain = Grains.GetGrain<ICounterGrain>(Guid.NewGuid().ToString("N"));
        await grain.SetAsync(7);

        // Orleans wraps what a storage provider throws, unless it is one of its own exceptions.
        var refused = await Assert.ThrowsAsync<OrleansException>(() => grain.SetNoteAsync(new string('x', StateRows.MaxStateBytes + 1)));

        var tooLarge = Assert.IsType<ArgumentOutOfRangeException>(refused.InnerException);
        Assert.Contains("a table row holds at most 983,040", tooLarge.Message, StringComparison.Ordinal);
        Assert.Equal((7, true), await grain.ReadBackAsync());
    }

    [Fact]
    public async Task A_state_of_several_properties_is_stored_and_read_whole()
    {
        var grain = Grains.GetGrain<ICounterGrain>(Guid.NewGuid().ToString("N"));
        var note = string.Concat(Enumerable.Range(0, 70_000).Select(i => (char)('a' + (i % 26))));

        await grain.SetNoteAsync(note);

        var row = Table.Rows().Single(r => r.RowKey == RowOf(grain.GetPrimaryKeyString()).RowKey);
        Assert.True(row.ContainsKey("Data1"), "a state over 64 KiB spans more than one property");
        var stored = Serializer.Deserialize<CounterState>(StateRows.Load(row));
        Assert.Equal(note, stored!.Note);
    }

    [Fact]
    public async Task A_table_of_the_per_grain_provider_is_still_read_and_each_grain_moves_to_its_own_row_on_first_read()
    {
        var table = new FakeStateTable();
        var grainId = GrainId.Create("counter", "old-1");
        // As Orleans' per-grain provider wrote it: partition "<service>_<grain id>" with '/' as '_', row = state name.
        table.Put(new TableEntity($"{BatchedSiloFixture.ServiceId}_counter_old-1", "counter") { ["Data"] = Serializer.SerializeToArray(new CounterState { Value = 17 }) });
        var storage = BatchedSiloFixture.Create(silo.Services, "old", table);
        await storage.OpenAsync(CancellationToken.None);

        var read = new GrainState<CounterState>();
        await storage.ReadStateAsync("counter", grainId, read);

        Assert.Equal(17, read.State!.Value);
        Assert.True(read.RecordExists);
        var own = StateRows.RowKey("counter", grainId);
        Assert.Equal(read.ETag, table.Rows().Single(r => r.RowKey == own).ETag.ToString());

        // Its writes go to its own row, conditioned on the copy's ETag.
        read.State!.Value = 18;
        await storage.WriteStateAsync("counter", grainId, read);
        var again = new GrainState<CounterState>();
        await storage.ReadStateAsync("counter", grainId, again);
        Assert.Equal(18, again.State!.Value);

        // A grain that never was in the table is new.
        var none = new GrainState<CounterState>();
        await storage.ReadStateAsync("counter", GrainId.Create("counter", "never"), none);
        Assert.False(none.RecordExists);
    }

    [Fact]
    public async Task A_table_records_its_partition_count_and_refuses_to_open_with_another()
    {
        var table = new FakeStateTable();
        var first = BatchedSiloFixture.Create(silo.Services, "layout", table, partitions: 8);
        await first.OpenAsync(CancellationToken.None);
        await BatchedSiloFixture.Create(silo.Services, "layout", table, partitions: 8).OpenAsync(CancellationToken.None);

        var other = BatchedSiloFixture.Create(silo.Services, "layout", table, partitions: 16);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => other.OpenAsync(CancellationToken.None));

        Assert.Contains("holds grain state in 8 partitions, but 16 are configured", refused.Message, StringComparison.Ordinal);
        Assert.Equal(8, await StateLayout.StoredPartitionsAsync(table, BatchedSiloFixture.ServiceId, CancellationToken.None));
    }

    private Serializer Serializer => silo.Services.GetRequiredService<Serializer>();

    private static (string PartitionKey, string RowKey) RowOf(string key, int partitions = 4)
    {
        var rowKey = StateRows.RowKey("counter", GrainId.Create("counter", key));
        return (StateRows.PartitionKey(BatchedSiloFixture.ServiceId, StateRows.Partition(rowKey, partitions)), rowKey);
    }

    /// <summary>Keys of counter grains whose rows fall in one partition.</summary>
    private static List<string> SamePartition(string prefix, int count)
    {
        var partition = RowOf(prefix + "-0").PartitionKey;
        return [.. Enumerable.Range(0, 10_000).Select(i => $"{prefix}-{i}").Where(k => RowOf(k).PartitionKey == partition).Take(count)];
    }
}
