using Orleans.Runtime;

namespace Reputation.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class GrainReferencesTests(ClusterFixture fixture)
{
    [Fact]
    public void A_reference_built_from_the_cached_types_is_the_one_GetGrain_gives()
    {
        var viaGetGrain = fixture.Grains.GetGrain<IAccountGrain>("refs-account");
        var viaRef = fixture.Grains.Ref<IAccountGrain>("refs-account");

        Assert.Equal(viaGetGrain.GetGrainId(), viaRef.GetGrainId());
        Assert.Equal(viaGetGrain, viaRef);
        Assert.NotEqual(fixture.Grains.Ref<IIpRangeGrain>("refs-account").GetGrainId(), viaRef.GetGrainId());
    }

    [Fact]
    public async Task Calls_through_it_reach_the_grain()
    {
        var decision = await fixture.Grains.Ref<IAccountGrain>("refs-caller").DecideRequestAsync("198.51.100.0/24");
        var again = await fixture.Grains.GetGrain<IAccountGrain>("refs-caller").DecideRequestAsync("198.51.100.0/24");

        Assert.Equal(again.Outcome, decision.Outcome);
        Assert.Equal(again.Score, decision.Score);
    }
}
