using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Reputation.Grains.Tests;

/// <summary>
/// Grain storage that keeps serialised copies (so nothing is shared with the activation) and whose
/// writes a test can hold at a gate, as a slow storage round trip would, and count.
/// </summary>
public sealed class GatedStorage(Serializer serializer) : SerializedRows(serializer)
{
    private TaskCompletionSource _gate = Open();

    private int _writes;

    public int Writes => Volatile.Read(ref _writes);

    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate.TrySetResult();

    public override async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // Serialise when the write starts, as a real provider does; finish when the gate opens.
        var bytes = Serializer.SerializeToArray(grainState.State);
        await _gate.Task;
        Store(stateName, grainId, grainState, bytes);
        Interlocked.Increment(ref _writes);
    }

    public override Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        Remove(stateName, grainId);
        return Task.CompletedTask;
    }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }
}

public sealed class GroupCommitTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    private GatedStorage Storage => _cluster.Storage<GatedStorage>();

    public async ValueTask InitializeAsync() => _cluster = await StorageCluster.DeployAsync(serializer => new GatedStorage(serializer));

    public async ValueTask DisposeAsync()
    {
        Storage.Release();
        await StorageCluster.StopAsync(_cluster);
    }

    [Fact]
    public async Task Changes_made_while_a_write_is_in_flight_go_to_storage_in_one_write_and_every_caller_waits_for_it()
    {
        var range = _cluster.Client.GetGrain<IIpRangeGrain>("100.64.9.0/24");
        var now = DateTimeOffset.UtcNow;
        await range.RecordAsync("warm-up", [new RangeEntry { EventId = "warm-up", OccurredAt = now, Requests = 1 }]);
        var before = Storage.Writes;

        // A slow storage: the first write is held, and fifty accounts' events arrive meanwhile.
        Storage.Hold();
        var first = range.RecordAsync("acct-0", [new RangeEntry { EventId = "e-0", OccurredAt = now, Requests = 1 }]).AsTask();
        var rest = Enumerable.Range(1, 50)
            .Select(i => range.RecordAsync($"acct-{i}", [new RangeEntry { EventId = $"e-{i}", OccurredAt = now, Requests = 1 }]).AsTask())
            .ToList();

        // All of them are applied in memory (the grain is reentrant), none is answered yet.
        await Eventually.HoldsAsync(async () => (await range.GetSnapshotAsync())!.Usage.RequestsTotal == 52, "all 51 events applied");
        Assert.False(first.IsCompleted || rest.Any(t => t.IsCompleted), "a caller was answered before its write was stored");

        Storage.Release();
        await Task.WhenAll(rest.Append(first));

        // One write for the first event, one for the fifty that came while it was in flight.
        Assert.Equal(2, Storage.Writes - before);

        // What is stored is all of it.
        var stored = new GrainState<Ranges.IpRangeState>();
        await Storage.ReadStateAsync("range", range.GetGrainId(), stored);
        Assert.Equal(52, stored.State!.RequestsTotal);
    }
}
