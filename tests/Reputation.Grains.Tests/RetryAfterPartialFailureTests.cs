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

/// <summary>
/// Confirmations of a silo's accounts gathered into one message per entity
/// (docs/decisions/0040-batched-confirmations.md): what reaches the entity must be what each account
/// would have sent, once, and a batch that is lost must leave every id in it held.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class BatchedConfirmationTests(ClusterFixture fixture)
{
    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    private static ulong Hash(string id) => Core.Collections.DedupWindow.Hash(id);

    [Fact]
    public async Task A_range_forgets_the_ids_of_the_accounts_in_a_batch_and_still_holds_those_of_a_lost_one()
    {
        const string range = "172.16.122.0/24";
        var rangeGrain = fixture.Grains.GetGrain<IIpRangeGrain>(range);
        var confirmed = Events.NewId("bc-confirmed");
        var lost = Events.NewId("bc-lost");
        var confirmedEntry = new RangeEntry { EventId = Events.NewId("bc-evt"), OccurredAt = Now, Requests = 3 };
        var lostEntry = new RangeEntry { EventId = Events.NewId("bc-evt"), OccurredAt = Now, Requests = 5 };
        await rangeGrain.RecordAsync(confirmed, [confirmedEntry]);
        await rangeGrain.RecordAsync(lost, [lostEntry]);
        var before = (await rangeGrain.GetSnapshotAsync())!.Usage.RequestsTotal;

        // The batch with the first account's confirmation arrives twice (a re-sent message); the one
        // with the second account's never does.
        AccountConfirmation[] batch = [new() { Account = Hash(confirmed), Ids = [confirmedEntry.DedupId()] }];
        await rangeGrain.ConfirmManyAsync(batch);
        await rangeGrain.ConfirmManyAsync(batch);
        for (var i = 0; i < 2 * Ranges.IpRangeState.DedupCapacity; i++)
        {
            await rangeGrain.RecordAsync($"bc-busy-{i}", [new RangeEntry { EventId = Events.NewId("bc-busy"), OccurredAt = Now, Requests = 1 }]);
        }

        // Re-sent as after a partial failure: the unconfirmed event counts once, the confirmed one is
        // the account's own ring's to recognise and no longer the range's.
        await rangeGrain.RecordAsync(lost, [lostEntry]);
        Assert.Equal(before + (2 * Ranges.IpRangeState.DedupCapacity), (await rangeGrain.GetSnapshotAsync())!.Usage.RequestsTotal);
        await rangeGrain.RecordAsync(confirmed, [confirmedEntry]);
        Assert.Equal(before + (2 * Ranges.IpRangeState.DedupCapacity) + 3, (await rangeGrain.GetSnapshotAsync())!.Usage.RequestsTotal);
    }

    [Fact]
    public async Task Confirmations_added_from_many_threads_reach_each_entity_once_in_one_message_per_flush()
    {
        var sent = new List<(string Kind, string Key, AccountConfirmation[] Batch)>();
        using var batcher = new ConfirmationBatcher(new ConfirmationSettings(TimeSpan.Zero, MaxIds: 1_000_000),
            (kind, key, batch) => { lock (sent) { sent.Add((kind, key, batch)); } }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        const int Accounts = 400;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            for (var a = worker; a < Accounts; a += 4)
            {
                batcher.Add(EntityGrains.IpRange, $"range-{a % 10}", (ulong)a, [(ulong)(a * 10), (ulong)((a * 10) + 1)]);
                batcher.Add(EntityGrains.PaymentInstrument, $"card-{a % 3}", (ulong)a, [(ulong)(a * 10)]);
            }
        }, TestContext.Current.CancellationToken)));
        batcher.Flush();
        batcher.Flush();

        Assert.Equal(13, sent.Count);
        Assert.Equal(13, sent.Select(s => (s.Kind, s.Key)).Distinct().Count());
        var ranges = sent.Where(s => s.Kind == EntityGrains.IpRange).SelectMany(s => s.Batch.Select(c => (s.Key, c.Account, Ids: string.Join(',', c.Ids)))).ToList();
        Assert.Equal(Accounts, ranges.Count);
        Assert.Equal(Accounts, ranges.Distinct().Count());
        Assert.All(ranges, r => Assert.Equal($"range-{r.Account % 10}", r.Key));
        Assert.All(ranges, r => Assert.Equal($"{r.Account * 10},{(r.Account * 10) + 1}", r.Ids));
        Assert.Equal(Accounts, sent.Where(s => s.Kind == EntityGrains.PaymentInstrument).Sum(s => s.Batch.Length));
    }

    [Fact]
    public async Task Confirmations_taken_along_with_another_accounts_call_are_applied_by_it()
    {
        const string range = "172.16.123.0/24";
        var rangeGrain = fixture.Grains.GetGrain<IIpRangeGrain>(range);
        var confirmed = Events.NewId("bc-along");
        var caller = Events.NewId("bc-caller");
        var confirmedEntry = new RangeEntry { EventId = Events.NewId("bc-evt"), OccurredAt = Now, Requests = 3 };
        var callerEntry = new RangeEntry { EventId = Events.NewId("bc-evt"), OccurredAt = Now, Requests = 5 };
        await rangeGrain.RecordAsync(confirmed, [confirmedEntry]);
        var before = (await rangeGrain.GetSnapshotAsync())!.Usage.RequestsTotal;

        // Another account's call carries the first account's confirmation; its own entry is held.
        await rangeGrain.RecordAsync(caller, [callerEntry], [new AccountConfirmation { Account = Hash(confirmed), Ids = [confirmedEntry.DedupId()] }]);
        for (var i = 0; i < 2 * Ranges.IpRangeState.DedupCapacity; i++)
        {
            await rangeGrain.RecordAsync($"bc-along-busy-{i}", [new RangeEntry { EventId = Events.NewId("bc-busy"), OccurredAt = Now, Requests = 1 }]);
        }

        await rangeGrain.RecordAsync(caller, [callerEntry]);
        Assert.Equal(before + 5 + (2 * Ranges.IpRangeState.DedupCapacity), (await rangeGrain.GetSnapshotAsync())!.Usage.RequestsTotal);
        await rangeGrain.RecordAsync(confirmed, [confirmedEntry]);
        Assert.Equal(before + 5 + (2 * Ranges.IpRangeState.DedupCapacity) + 3, (await rangeGrain.GetSnapshotAsync())!.Usage.RequestsTotal);
    }

    [Fact]
    public void Confirmations_taken_for_a_call_are_not_sent_again()
    {
        var sent = new List<AccountConfirmation[]>();
        using var batcher = new ConfirmationBatcher(new ConfirmationSettings(TimeSpan.Zero, MaxIds: 64), (_, _, batch) => sent.Add(batch),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Assert.Null(batcher.Take(EntityGrains.IpRange, "r"));
        batcher.Add(EntityGrains.IpRange, "r", 1, [1]);
        batcher.Add(EntityGrains.IpRange, "r", 2, [2]);
        batcher.Add(EntityGrains.PromptTemplate, "b", 1, [1]);

        Assert.Equal([1UL, 2UL], batcher.Take(EntityGrains.IpRange, "r")!.Select(c => c.Account));
        Assert.Null(batcher.Take(EntityGrains.IpRange, "r"));
        batcher.Flush();
        // Only the template's: the range's went with the call.
        Assert.Equal(1UL, Assert.Single(Assert.Single(sent)).Account);
    }

    [Fact]
    public void An_entity_with_as_many_ids_waiting_as_the_bound_gets_them_at_once()
    {
        var sent = new List<AccountConfirmation[]>();
        using var batcher = new ConfirmationBatcher(new ConfirmationSettings(TimeSpan.Zero, MaxIds: 4), (_, _, batch) => sent.Add(batch),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        batcher.Add(EntityGrains.IpRange, "r", 1, [1, 2]);
        batcher.Add(EntityGrains.IpRange, "r", 2, [3]);
        Assert.Empty(sent);

        batcher.Add(EntityGrains.IpRange, "r", 3, [4]);
        Assert.Equal([1UL, 2UL, 3UL], Assert.Single(sent).Select(c => c.Account));
        batcher.Flush();
        Assert.Single(sent);
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
