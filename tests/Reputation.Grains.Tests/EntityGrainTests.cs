using Microsoft.Extensions.DependencyInjection;
using Reputation.Core.Sketches;

namespace Reputation.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class EntityGrainTests(ClusterFixture fixture)
{
    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    [Fact]
    public async Task A_range_with_many_accounts_keeps_bounded_state_and_an_approximate_count()
    {
        // A range no other test class of the shared cluster uses.
        var range = fixture.Grains.GetGrain<IIpRangeGrain>("198.51.100.0/24");
        for (var i = 0; i < 2000; i++)
        {
            await range.RecordAsync($"nat-user-{i}", [new RangeEntry { EventId = $"nat-{i}", OccurredAt = Now, Requests = 1 }]);
        }

        var snapshot = await range.GetSnapshotAsync();

        Assert.Equal(Ranges.IpRangeState.RecentAccountCapacity, snapshot!.RecentAccounts.Length);
        Assert.Equal("nat-user-1999", snapshot.RecentAccounts[0]);
        Assert.InRange(snapshot.DistinctAccounts, 1800, 2200);
        Assert.Equal(2000, snapshot.Usage.RequestsTotal);
    }

    [Fact]
    public async Task An_instrument_counts_payment_outcomes_once_per_event()
    {
        var instrument = fixture.Grains.GetGrain<IPaymentInstrumentGrain>("pf-entity-1");
        var entries = new[]
        {
            new InstrumentEntry { EventId = "p-1", OccurredAt = Now, Outcome = PaymentKind.Declined },
            new InstrumentEntry { EventId = "p-2", OccurredAt = Now, Outcome = PaymentKind.Chargeback },
            new InstrumentEntry { EventId = "p-3", OccurredAt = Now, Outcome = PaymentKind.Succeeded },
        };

        await instrument.RecordAsync("acct-a", entries);
        var signals = await instrument.RecordAsync("acct-a", entries);

        Assert.Equal(1, signals.Declines);
        Assert.Equal(1, signals.Chargebacks);
        Assert.Equal(1, signals.DistinctAccounts);
        var snapshot = await instrument.GetSnapshotAsync();
        Assert.Equal(1, snapshot!.Payments.Succeeded);
    }

    private Orleans.Storage.IGrainStorage Storage =>
        fixture.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(StorageNames.Reputation);

    private async Task<T> StoredAsync<T>(string name, IAddressable grain)
    {
        var stored = new GrainState<T>();
        await Storage.ReadStateAsync(name, grain.GetGrainId(), stored);
        return stored.State!;
    }

    [Fact]
    public async Task A_card_of_a_few_accounts_stores_its_account_sketch_sparse_and_counts_as_in_full()
    {
        var card = fixture.Grains.GetGrain<IPaymentInstrumentGrain>("pf-sparse-1");
        var full = new HyperLogLog();
        InstrumentSignals? signals = null;
        for (var i = 0; i < 3; i++)
        {
            signals = await card.RecordAsync($"sparse-acct-{i}", [new InstrumentEntry { EventId = $"sparse-{i}", OccurredAt = Now }]);
            full.Add($"sparse-acct-{i}");
        }

        Assert.Equal(3, signals!.DistinctAccounts);
        // Three bytes per account's register, not the full 1 KiB.
        Assert.Equal(9, (await StoredAsync<Instruments.PaymentInstrumentState>("instrument", card)).AccountSketch.Length);

        for (var i = 3; i < 1_000; i++)
        {
            signals = await card.RecordAsync($"sparse-acct-{i}", [new InstrumentEntry { EventId = $"sparse-{i}", OccurredAt = Now }]);
            full.Add($"sparse-acct-{i}");
            Assert.Equal(full.Estimate(), signals.DistinctAccounts);
        }

        Assert.Equal(full.Registers, (await StoredAsync<Instruments.PaymentInstrumentState>("instrument", card)).AccountSketch);
    }

    [Fact]
    public async Task A_range_and_a_template_bucket_store_their_sparse_sketch_as_it_grows()
    {
        var range = fixture.Grains.GetGrain<IIpRangeGrain>("198.18.46.0/24");
        await range.RecordAsync("grow-acct-1", [new RangeEntry { EventId = "grow-1", OccurredAt = Now, Requests = 1 }]);
        await range.RecordAsync("grow-acct-2", [new RangeEntry { EventId = "grow-2", OccurredAt = Now, Requests = 1 }]);
        // Two bucket keys' worth of the same fingerprint: the second account's prompt is the first's.
        var template = fixture.Grains.GetGrain<IPromptTemplateGrain>("b0:5eed");
        await template.RecordAsync("grow-acct-1", [new TemplateEntry { EventId = "grow-t1", OccurredAt = Now, Fingerprint = 0x5eed_0000_0000_0001, Requests = 1 }]);
        var signals = await template.RecordAsync("grow-acct-2", [new TemplateEntry { EventId = "grow-t2", OccurredAt = Now, Fingerprint = 0x5eed_0000_0000_0003, Requests = 1 }]);

        var rangeSketch = HyperLogLog.Wrap((await StoredAsync<Ranges.IpRangeState>("range", range)).AccountSketch, HyperLogLog.DefaultPrecision);
        var templateSketch = HyperLogLog.Wrap((await StoredAsync<Templates.PromptTemplateState>("template", template)).SharingSketch, HyperLogLog.DefaultPrecision);

        Assert.True(rangeSketch.IsSparse);
        Assert.Equal(2, rangeSketch.Estimate());
        Assert.Equal(2, signals.SharingAccounts);
        Assert.True(templateSketch.IsSparse);
        Assert.Equal(2, templateSketch.Estimate());
    }

    [Fact]
    public async Task A_range_stored_by_an_earlier_build_with_its_account_sketch_in_full_goes_on_counting_in_full()
    {
        // A range no other test uses, stored before it is first activated.
        var range = fixture.Grains.GetGrain<IIpRangeGrain>("198.18.45.0/24");
        var full = new HyperLogLog();
        for (var i = 0; i < 5; i++)
        {
            full.Add($"earlier-acct-{i}");
        }

        var earlier = new Ranges.IpRangeState { FirstSeenAt = Now, LastSeenAt = Now, AccountSketch = [.. full.Registers] };
        await Storage.WriteStateAsync("range", range.GetGrainId(), new GrainState<Ranges.IpRangeState>(earlier));

        var signals = await range.RecordAsync("earlier-acct-5", [new RangeEntry { EventId = "earlier-5", OccurredAt = Now, Requests = 1 }]);
        full.Add("earlier-acct-5");

        Assert.Equal(6, signals.DistinctAccounts);
        Assert.Equal(full.Registers, (await StoredAsync<Ranges.IpRangeState>("range", range)).AccountSketch);
    }

    [Fact]
    public async Task An_entity_never_seen_has_no_snapshot()
    {
        Assert.Null(await fixture.Grains.GetGrain<IIpRangeGrain>("192.0.2.0/24").GetSnapshotAsync());
        Assert.Null(await fixture.Grains.GetGrain<IPaymentInstrumentGrain>("pf-never").GetSnapshotAsync());
    }
}
