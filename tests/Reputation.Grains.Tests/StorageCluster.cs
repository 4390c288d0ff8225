using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Reputation.Grains.Tests;

/// <summary>A one-silo cluster whose reputation storage is a test's own provider (gated, failing, …).</summary>
internal static class StorageCluster
{
    /// <param name="storage">Makes the provider from the silo's serializer.</param>
    /// <param name="services">Anything else the silo needs, before the grains are added.</param>
    public static async Task<InProcessTestCluster> DeployAsync(Func<Serializer, IGrainStorage> storage, Action<IServiceCollection>? services = null)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddKeyedSingleton(StorageNames.Reputation, (sp, _) => storage(sp.GetRequiredService<Serializer>()));
            services?.Invoke(silo.Services);
            silo.Services.AddReputationGrains();
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>The provider the cluster's silo stores reputation state with.</summary>
    public static T Storage<T>(this InProcessTestCluster cluster)
        where T : class, IGrainStorage =>
        cluster.Silos[0].SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Reputation) as T
            ?? throw new InvalidOperationException($"the cluster's storage is not a {typeof(T).Name}");

    public static async Task StopAsync(InProcessTestCluster cluster)
    {
        await cluster.StopAllSilosAsync();
        await cluster.DisposeAsync();
    }
}

/// <summary>
/// Grain storage for tests that keeps serialised copies of each state (so nothing is shared with the
/// activation); what a write or a removal does besides is the test storage's own.
/// </summary>
public abstract class SerializedRows(Serializer serializer) : IGrainStorage
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> _rows = new();

    protected Serializer Serializer => serializer;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_rows.TryGetValue(Key(stateName, grainId), out var bytes))
        {
            grainState.State = serializer.Deserialize<T>(bytes);
            grainState.RecordExists = true;
            grainState.ETag = "1";
        }

        return Task.CompletedTask;
    }

    public abstract Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState);

    public abstract Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState);

    /// <summary>Keeps <paramref name="bytes"/> as the row of the state, which now exists.</summary>
    protected void Store<T>(string stateName, GrainId grainId, IGrainState<T> grainState, byte[] bytes)
    {
        _rows[Key(stateName, grainId)] = bytes;
        grainState.RecordExists = true;
        grainState.ETag = "1";
    }

    /// <summary>Removes the row of the state.</summary>
    protected void Remove(string stateName, GrainId grainId) => _rows.TryRemove(Key(stateName, grainId), out _);

    private static string Key(string stateName, GrainId grainId) => $"{stateName}/{grainId}";
}
