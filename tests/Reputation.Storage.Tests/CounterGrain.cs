using Orleans.Concurrency;
using Reputation.Grains;

namespace Reputation.Storage.Tests;

[GenerateSerializer, Alias("storage-tests.CounterState")]
public sealed class CounterState
{
    [Id(0)] public int Value { get; set; }

    [Id(1)] public string Note { get; set; } = "";
}

/// <summary>A grain with one persistent state in the reputation storage, to drive the provider through Orleans.</summary>
[Alias("storage-tests.ICounterGrain")]
public interface ICounterGrain : IGrainWithStringKey
{
    [Alias("Set")] Task SetAsync(int value);

    [Alias("Get")] Task<int> GetAsync();

    /// <summary>The state as storage holds it now (read again), and whether a record exists.</summary>
    [Alias("ReadBack")] Task<(int Value, bool Exists)> ReadBackAsync();

    [Alias("Clear")] Task ClearAsync();

    [Alias("Note")] Task SetNoteAsync(string note);
}

// Reentrant so that a second call can write while the first one's write waits for storage.
[Reentrant]
public sealed class CounterGrain([PersistentState("counter", StorageNames.Reputation)] IPersistentState<CounterState> state) : Grain, ICounterGrain
{
    public async Task SetAsync(int value)
    {
        state.State.Value = value;
        await state.WriteStateAsync();
    }

    public Task<int> GetAsync() => Task.FromResult(state.State.Value);

    public async Task<(int Value, bool Exists)> ReadBackAsync()
    {
        await state.ReadStateAsync();
        return (state.State.Value, state.RecordExists);
    }

    public Task ClearAsync() => state.ClearStateAsync();

    public async Task SetNoteAsync(string note)
    {
        state.State.Note = note;
        await state.WriteStateAsync();
    }
}
