using Reputation.Core.Scoring;

namespace Reputation.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class ListsGrainTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    private IListsGrain Lists => Grains.GetGrain<IListsGrain>(ListsGrain.Key);

    private ListCache Cache => (ListCache)fixture.Cluster.Silos[0].ServiceProvider.GetService(typeof(ListCache))!;

    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    private ListItem Entry(ListName list, ListEntity entity, string id, DateTimeOffset? expiresAt = null) => new()
    {
        List = list, Entity = entity, EntityId = id, Reason = "test", AddedBy = "grain-tests", AddedAt = Now, ExpiresAt = expiresAt,
    };

    [Fact]
    public async Task Entries_survive_the_grain_deactivating()
    {
        var id = $"list-persist-{Guid.NewGuid():N}";
        var put = await Lists.PutAsync(Entry(ListName.Allow, ListEntity.Account, id));
        Assert.Equal(ListPutStatus.Applied, put.Status);

        await fixture.Cluster.DeactivateAsync(Lists);
        var page = await Lists.GetPageAsync(ListName.Allow, after: null, limit: 1000);

        Assert.Contains(page.Entries, e => e.EntityId == id && e.AddedBy == "grain-tests");
        // The new activation has no observers until the silo renews its subscription; renew now for the other tests.
        await Cache.RenewAsync();
    }

    [Fact]
    public async Task An_entity_on_one_list_is_refused_on_the_other_and_keeps_its_entry()
    {
        var id = $"list-both-{Guid.NewGuid():N}";
        await Lists.PutAsync(Entry(ListName.Deny, ListEntity.PaymentInstrument, id));

        var put = await Lists.PutAsync(Entry(ListName.Allow, ListEntity.PaymentInstrument, id));

        Assert.Equal(ListPutStatus.OnOtherList, put.Status);
        Assert.Equal(ListName.Deny, put.Previous!.List);
        Assert.Null(put.Change);
    }

    [Fact]
    public async Task A_deny_listed_account_is_blocked_by_the_silos_copy_of_the_lists()
    {
        var id = $"list-deny-{Guid.NewGuid():N}";
        var account = Grains.GetGrain<IAccountGrain>(id);
        await account.SignupAsync(Events.Signup(Now.AddDays(-30), "198.18.250.0/24"));
        Assert.Equal((int)RequestOutcome.Allow, (await account.DecideRequestAsync(null)).Outcome);

        await Lists.PutAsync(Entry(ListName.Deny, ListEntity.Account, id));

        await Eventually.HoldsAsync(async () => (await account.DecideRequestAsync(null)).Outcome == (int)RequestOutcome.Block, "the deny entry reaching decisions", TimeSpan.FromSeconds(1));
        var decision = await account.DecideRequestAsync(null);
        Assert.Equal(1, decision.Score);
        Assert.Equal([ReasonCodes.ListDeny], decision.Reasons.Select(r => r.Code));

        await Lists.RemoveAsync(ListName.Deny, ListEntity.Account, id);
        await Eventually.HoldsAsync(async () => (await account.DecideRequestAsync(null)).Outcome == (int)RequestOutcome.Allow, "the removal reaching decisions", TimeSpan.FromSeconds(1));
    }
}
