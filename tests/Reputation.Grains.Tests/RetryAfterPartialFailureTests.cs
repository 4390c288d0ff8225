using Reputation.Grains.State;

namespace Reputation.Grains.Tests;

/// <summary>
/// An account's call that failed after some of its entities stored their share is retried by the
/// caller; those entities must count the share once however many other accounts' events came in
/// between (docs/decisions/0012-durability.md, "A retry after a partial failure").
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RetryAfterPartialFailureTests(ClusterFixture fixture)
{
    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    [Fact]
    public async Task A_range_counts_a_retried_event_once_after_more_events_than_its_ring_holds()
    {
        const string range = "172.16.120.0/24";
        var usage = Events.Usage(Now, range, requests: 5);
        var rangeGrain = fixture.Grains.GetGrain<IIpRangeGrain>(range);
        // The account's call reached the range, which stored its share; then the account's own write
        // failed, so the event was never acknowledged and the account never confirmed it.
        await rangeGrain.RecordAsync("retry-victim", [new RangeEntry { EventId = usage.EventId, OccurredAt = Now, Requests = 5 }]);
        for (var i = 0; i < 2 * Ranges.IpRangeState.DedupCapacity; i++)
        {
            await rangeGrain.RecordAsync($"busy-{i}", [new RangeEntry { EventId = $"busy-evt-{i}", OccurredAt = Now, Requests = 1 }]);
        }

        // The caller's retry goes through the account as usual.
        var statuses = await fixture.Grains.GetGrain<IAccountGrain>("retry-victim").RecordAsync([usage]);

        Assert.Equal([EventStatus.Accepted], statuses);
        var snapshot = await rangeGrain.GetSnapshotAsync();
        Assert.Equal(5 + (2 * Ranges.IpRangeState.DedupCapacity), snapshot!.Usage.RequestsTotal);
        var account = await fixture.Grains.GetGrain<IAccountGrain>("retry-victim").GetSnapshotAsync();
        Assert.Equal(5, account!.Usage.RequestsTotal);
    }

    [Fact]
    public async Task A_card_and_a_template_count_a_retried_event_once_too()
    {
        var card = fixture.Grains.GetGrain<IPaymentInstrumentGrain>("pf-retry-1");
        var template = fixture.Grains.GetGrain<IPromptTemplateGrain>("b0:7e7e");
        await card.RecordAsync("card-retry", [new InstrumentEntry { EventId = "card-retry-1", OccurredAt = Now, Outcome = PaymentKind.Declined }]);
        await template.RecordAsync("tpl-retry", [new TemplateEntry { EventId = "tpl-retry-1", OccurredAt = Now, Fingerprint = 0x7e7e_0000_0000_0001, Requests = 3 }]);
        for (var i = 0; i < 300; i++)
        {
            await card.RecordAsync($"card-busy-{i}", [new InstrumentEntry { EventId = $"card-busy-evt-{i}", OccurredAt = Now, Requests = 1 }]);
            await template.RecordAsync($"tpl-busy-{i}", [new TemplateEntry { EventId = $"tpl-busy-evt-{i}", OccurredAt = Now, Fingerprint = 0x7e7e_0000_0000_0001, Requests = 1 }]);
        }

        var cardSignals = await card.RecordAsync("card-retry", [new InstrumentEntry { EventId = "card-retry-1", OccurredAt = Now, Outcome = PaymentKind.Declined }]);
        var before = (await template.GetSnapshotAsync())!.Usage.RequestsTotal;
        await template.RecordAsync("tpl-retry", [new TemplateEntry { EventId = "tpl-retry-1", OccurredAt = Now, Fingerprint = 0x7e7e_0000_0000_0001, Requests = 3 }]);

        Assert.Equal(1, cardSignals.Declines);
        Assert.Equal(before, (await template.GetSnapshotAsync())!.Usage.RequestsTotal);
    }

    [Fact]
    public async Task Once_the_account_confirms_its_write_the_range_no_longer_holds_the_id()
    {
        // What confirmation does, seen from outside: a confirmed id is the account's own ring's to
        // recognise, so the range forgets it with its recent ring (a direct re-send, which the account
        // never makes after storing the event, then counts again).
        const string range = "172.16.121.0/24";
        var rangeGrain = fixture.Grains.GetGrain<IIpRangeGrain>(range);
        var entry = new RangeEntry { EventId = "confirmed-1", OccurredAt = Now, Requests = 7 };
        await rangeGrain.RecordAsync("confirming", [entry]);
        await rangeGrain.ConfirmAsync("confirming", [entry.DedupId()]);
        for (var i = 0; i < Ranges.IpRangeState.DedupCapacity; i++)
        {
            await rangeGrain.RecordAsync($"after-{i}", [new RangeEntry { EventId = $"after-evt-{i}", OccurredAt = Now, Requests = 1 }]);
        }

        await rangeGrain.RecordAsync("confirming", [entry]);

        Assert.Equal(14 + Ranges.IpRangeState.DedupCapacity, (await rangeGrain.GetSnapshotAsync())!.Usage.RequestsTotal);
    }
}

public sealed class UnconfirmedStateTests
{
    private static readonly DateTimeOffset s_now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Held_ids_are_recognised_until_their_account_confirms_them()
    {
        var held = new UnconfirmedState();
        held.Hold(1, [10, 11], s_now);
        held.Hold(2, [20], s_now);

        Assert.True(held.Contains(10));
        Assert.True(held.Confirm(1, [10, 11]));
        Assert.False(held.Contains(10));
        Assert.False(held.Contains(11));
        Assert.True(held.Contains(20));
        // Another account cannot confirm them away.
        Assert.False(held.Confirm(1, [20]));
        Assert.True(held.Contains(20));
    }

    [Fact]
    public void Ids_whose_confirmation_was_lost_age_out()
    {
        var held = new UnconfirmedState();
        held.Hold(1, [10], s_now);
        held.Hold(2, [20], s_now + UnconfirmedState.MaxAge + TimeSpan.FromSeconds(1));

        Assert.False(held.Contains(10));
        Assert.True(held.Contains(20));
        Assert.Equal(1, held.Count);
    }

    [Fact]
    public void At_most_capacity_ids_are_held_the_oldest_leaving_first()
    {
        var held = new UnconfirmedState();
        for (ulong i = 0; i < UnconfirmedState.Capacity + 10; i++)
        {
            held.Hold(i, [i], s_now);
        }

        Assert.Equal(UnconfirmedState.Capacity, held.Count);
        Assert.False(held.Contains(9));
        Assert.True(held.Contains(10));
        Assert.True(held.Contains(UnconfirmedState.Capacity + 9));
    }
}
