using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using Reputation.Grains;

namespace Reputation.Grains.Tests;

/// <summary>One in-process silo on memory storage with a movable reputation clock; subclasses add services.</summary>
public abstract class SiloFixture : IAsyncLifetime
{
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async ValueTask InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(Silos);
        var clock = new ReputationClock(Time);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(StorageNames.Reputation);
            silo.Services.AddSingleton(clock);
            ConfigureServices(silo.Services);
            silo.Services.AddReputationGrains();
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Silos in the cluster.</summary>
    protected virtual short Silos => 1;

    /// <summary>
    /// As a deployment that has sent every account's usage for years: which test sends the earliest
    /// usage must not decide which accounts are dormant (UsageObservationTests learn it).
    /// </summary>
    protected void WatchedForYears(IServiceCollection services) =>
        services.AddSingleton(new UsageSinceSetting(Time.GetUtcNow().AddYears(-10)));

    /// <summary>Services registered before the grains' defaults, which they replace.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }
}

/// <summary>The silo most grain tests share.</summary>
public sealed class ClusterFixture : SiloFixture
{
    protected override void ConfigureServices(IServiceCollection services) => WatchedForYears(services);
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
