using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;
using Reputation.Core.Scoring;
using Reputation.Grains.State;

namespace Reputation.Grains.Tests;

/// <summary>
/// Write-behind of events applied from the write-ahead log (docs/decisions/0039-write-ahead-log-ingest.md):
/// nothing is stored on the apply path, the checkpoint's call stores it, and an account written for
/// another caller stores the entities its deferred events reached first.
/// </summary>
public sealed class WriteBehindTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private InProcessTestCluster _cluster = null!;

    private IServiceProvider Silo => _cluster.Silos[0].SiloHost.Services;

    private GatedStorage Storage => _cluster.Storage<GatedStorage>();

    public async ValueTask InitializeAsync() =>
        _cluster = await StorageCluster.DeployAsync(serializer => new GatedStorage(serializer), services => services.AddSingleton(new WriteBehind { Enabled = true }));

    public async ValueTask DisposeAsync() => await StorageCluster.StopAsync(_cluster);

    [Fact]
    public async Task Applying_logged_events_stores_nothing_until_the_checkpoint_asks_entities_first_then_the_account()
    {
        var account = _cluster.Client.GetGrain<IAccountGrain>("wb-1");
        var range = _cluster.Client.GetGrain<IIpRangeGrain>("100.64.21.0/24");
        using (WriteBehind.Applying())
        {
            await account.RecordSentAsync([Events.Usage(Now, "100.64.21.0/24", 7), Events.Usage(Now, "100.64.21.0/24", 5)]);
        }

        // (Grains other than accounts and their entities, such as the usage-observation grain, still write.)
        Assert.Equal(0, (await StoredAccountAsync("wb-1")).RequestsTotal);
        Assert.Equal(0, (await StoredRangeAsync("100.64.21.0/24")).RequestsTotal);
        var dirty = Silo.GetRequiredService<WriteBehind>().Snapshot();
        Assert.Equal([range.GetGrainId(), account.GetGrainId()], dirty.Select(d => d.Key));
        Assert.Equal([false, true], dirty.Select(d => d.Value.Account));

        foreach (var (grain, mark) in dirty)
        {
            await _cluster.Client.GetGrain<IWriteBehindGrain>(grain).StoreDeferredAsync();
            Silo.GetRequiredService<WriteBehind>().Stored(grain, mark);
        }

        Assert.Equal(12, (await StoredAccountAsync("wb-1")).RequestsTotal);
        Assert.Equal(12, (await StoredRangeAsync("100.64.21.0/24")).RequestsTotal);
        Assert.Equal(0, Silo.GetRequiredService<WriteBehind>().Count);

        // Asked again with nothing deferred: no write.
        var stored = Storage.Writes;
        await _cluster.Client.GetGrain<IWriteBehindGrain>(account.GetGrainId()).StoreDeferredAsync();
        Assert.Equal(stored, Storage.Writes);
    }

    [Fact]
    public async Task An_account_written_for_another_caller_stores_the_entities_its_deferred_events_reached_first()
    {
        var account = _cluster.Client.GetGrain<IAccountGrain>("wb-2");
        using (WriteBehind.Applying())
        {
            await account.RecordSentAsync([Events.Usage(Now, "100.64.22.0/24", 9)]);
        }

        Assert.Equal(0, (await StoredRangeAsync("100.64.22.0/24")).RequestsTotal);

        // A label is written at once (not a logged event): the range is stored before the account.
        await account.SetLabelAsync(new LabelChange { Label = Label.Trusted, Reason = "test", By = "tests", At = Now });

        Assert.Equal(9, (await StoredRangeAsync("100.64.22.0/24")).RequestsTotal);
        Assert.Equal(9, (await StoredAccountAsync("wb-2")).RequestsTotal);
    }

    [Fact]
    public async Task Without_the_mark_an_account_and_its_entities_store_before_answering_as_before()
    {
        var account = _cluster.Client.GetGrain<IAccountGrain>("wb-3");

        await account.RecordSentAsync([Events.Usage(Now, "100.64.23.0/24", 4)]);

        Assert.Equal(4, (await StoredAccountAsync("wb-3")).RequestsTotal);
        Assert.Equal(4, (await StoredRangeAsync("100.64.23.0/24")).RequestsTotal);
        Assert.Equal(0, Silo.GetRequiredService<WriteBehind>().Count);
    }

    private async Task<Accounts.AccountState> StoredAccountAsync(string id)
    {
        var state = new GrainState<Accounts.AccountState>(new Accounts.AccountState());
        await Storage.ReadStateAsync("account", _cluster.Client.GetGrain<IAccountGrain>(id).GetGrainId(), state);
        return state.State!;
    }

    private async Task<Ranges.IpRangeState> StoredRangeAsync(string key)
    {
        var state = new GrainState<Ranges.IpRangeState>(new Ranges.IpRangeState());
        await Storage.ReadStateAsync("range", _cluster.Client.GetGrain<IIpRangeGrain>(key).GetGrainId(), state);
        return state.State!;
    }
}
