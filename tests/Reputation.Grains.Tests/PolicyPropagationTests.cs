using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Reputation.Core.Policies;
using Reputation.Core.Scoring;
using Reputation.Grains.Policies;

namespace Reputation.Grains.Tests;

/// <summary>Two silos of their own: a saved policy and a shadow candidate reach both.</summary>
public sealed class PolicyPropagationTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(StorageNames.Reputation);
            silo.Services.AddReputationGrains();
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }

    private IPolicyCache[] Caches => [.. _cluster.Silos.Select(s => s.SiloHost.Services.GetRequiredService<IPolicyCache>())];

    [Fact]
    public async Task Every_silo_applies_a_saved_default_before_the_save_answers_and_the_shadow_too()
    {
        Assert.Equal(2, _cluster.Silos.Count);
        var grain = _cluster.Client.GetGrain<IPolicyGrain>(PolicyGrain.DefaultName);
        // Both silos subscribe when they become active.
        await Eventually.HoldsAsync(
            () => Task.FromResult(_cluster.Silos.All(s => s.SiloHost.Services.GetRequiredService<SiloPolicyCache>().IsSubscribed)), "both silos subscribed");
        Assert.All(Caches, c => Assert.Equal(1, c.Current.Version));

        var changed = ScoringPolicy.Default with { Request = ScoringPolicy.Default.Request with { Throttle = 0.4 } };
        var result = await grain.SaveAsync(PolicyJson.Serialize(changed), expectedVersion: 1, by: "tests");

        // No waiting: the save answers only after every subscribed silo was told.
        Assert.Equal(2, result.Saved?.Version);
        Assert.All(Caches, c => Assert.Equal((2, 0.4), (c.Current.Version, c.Current.Request.Throttle)));

        await grain.SetShadowAsync(PolicyJson.Serialize(changed with { Request = changed.Request with { Throttle = 0.3 } }), "tests");
        Assert.All(Caches, c => Assert.Equal(0.3, c.Shadow?.Request.Throttle));
        await grain.ClearShadowAsync();
        Assert.All(Caches, c => Assert.Null(c.Shadow));
    }
}
