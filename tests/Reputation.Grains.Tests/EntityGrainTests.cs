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

    [Fact]
    public async Task An_entity_never_seen_has_no_snapshot()
    {
        Assert.Null(await fixture.Grains.GetGrain<IIpRangeGrain>("192.0.2.0/24").GetSnapshotAsync());
        Assert.Null(await fixture.Grains.GetGrain<IPaymentInstrumentGrain>("pf-never").GetSnapshotAsync());
    }
}
