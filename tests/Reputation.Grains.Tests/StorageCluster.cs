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
