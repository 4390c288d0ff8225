using Reputation.Core.Prompts;
using Reputation.Core.Scoring;
using Reputation.Grains.Audit;
using Reputation.Grains.Erasure;
using Reputation.Grains.Provenance;

namespace Reputation.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class ErasureTests(ClusterFixture fixture)
{
    // 192.168.200.0/24 is this class's: no other test class uses it.
    private const string Range = "192.168.200.0/24";

    private IGrainFactory Grains => fixture.Grains;

    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    [Fact]
    public async Task Erasure_removes_the_id_from_every_sample_list_and_audit_record_and_keeps_the_counts_anonymous()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var victim = $"erase-victim-{suffix}";
        var other = $"erase-other-{suffix}";
        var card = $"pf-erase-{suffix}";
        var prompt = (ulong)Random.Shared.NextInt64();
        foreach (var account in new[] { victim, other })
        {
            await Grains.GetGrain<IAccountGrain>(account).RecordAsync(
            [
                Events.Signup(Now, Range, card),
                new UsageEvent { EventId = Events.NewId(), OccurredAt = Now, IpRange = Range, Requests = 5, PromptFingerprints = [prompt] },
            ]);
        }

        await Grains.GetGrain<IAccountGrain>(victim).SetLabelAsync(new LabelChange { Label = Label.Fraud, Reason = $"{victim} resold keys", By = "tests", At = Now });
        var range = Grains.GetGrain<IIpRangeGrain>(Range);
        var instrument = Grains.GetGrain<IPaymentInstrumentGrain>(card);
        await Eventually.HoldsAsync(async () => (await range.GetFlaggedAccountsAsync()).Contains(victim) && (await instrument.GetFlaggedAccountsAsync()).Contains(victim),
            "the fraud label reaches the range and the card");
        var bucket = PromptBands.BucketKeys(prompt).First();
        var template = Grains.GetGrain<IPromptTemplateGrain>(bucket);
        var rangeBefore = (await range.GetSnapshotAsync())!;
        var cardBefore = (await instrument.GetSnapshotAsync())!;
        var templateBefore = (await template.GetSnapshotAsync())!;
        Assert.Contains(victim, rangeBefore.RecentAccounts);
        Assert.Contains(victim, cardBefore.RecentAccounts);
        Assert.Contains(victim, templateBefore.RecentAccounts);
        await Grains.GetGrain<IListsGrain>(ListsGrain.Key).PutAsync(new ListItem
        {
            List = ListName.Deny, Entity = ListEntity.Account, EntityId = victim, Reason = "resale", AddedBy = "tests", AddedAt = Now,
        });
        var log = Grains.GetGrain<IAuditLogGrain>(IAuditLogGrain.Key);
        var labelled = await log.AppendAsync(new AuditEntry
        {
            At = Now, KeyName = "ops", Action = "label.set", Target = $"account:{victim}", Status = 200,
            After = $$"""{"entityId":"{{victim}}","reason":"{{victim}} resold keys","note":"{{victim}}2 is someone else"}""",
        });

        var report = await AccountErasure.EraseAsync(Grains, victim, "erased-test");

        Assert.NotNull(report);
        Assert.Equal(1, report.IpRanges);
        Assert.Equal(1, report.PaymentInstruments);
        Assert.True(report.PromptTemplates >= 1, $"templates {report.PromptTemplates}");
        Assert.Equal(1, report.ListEntries);
        Assert.True(report.AuditRecords >= 1, $"audit records {report.AuditRecords}");
        Assert.Null(await Grains.GetGrain<IAccountGrain>(victim).GetSnapshotAsync());

        var rangeAfter = (await range.GetSnapshotAsync())!;
        var cardAfter = (await instrument.GetSnapshotAsync())!;
        var templateAfter = (await template.GetSnapshotAsync())!;
        Assert.DoesNotContain(victim, rangeAfter.RecentAccounts);
        Assert.Contains(other, rangeAfter.RecentAccounts);
        Assert.DoesNotContain(victim, cardAfter.RecentAccounts);
        Assert.DoesNotContain(victim, templateAfter.RecentAccounts);
        Assert.Contains(other, templateAfter.RecentAccounts);
        // Counts stay: distinct accounts, requests, and the fraud it carried, now anonymous.
        Assert.Equal(rangeBefore.DistinctAccounts, rangeAfter.DistinctAccounts);
        Assert.Equal(rangeBefore.Usage.RequestsTotal, rangeAfter.Usage.RequestsTotal);
        Assert.Equal(rangeBefore.Risk, rangeAfter.Risk);
        Assert.Equal(cardBefore.Risk, cardAfter.Risk);
        Assert.Equal(templateBefore.SharingAccounts, templateAfter.SharingAccounts);
        Assert.DoesNotContain(victim, await range.GetFlaggedAccountsAsync());
        Assert.DoesNotContain(await range.GetFlaggedAccountsAsync(), ErasedAccounts.IsPlaceholder);
        Assert.DoesNotContain(victim, await instrument.GetFlaggedAccountsAsync());
        Assert.Null((await Grains.GetGrain<IListsGrain>(ListsGrain.Key).GetPageAsync(ListName.Deny, null, 1000)).Entries.FirstOrDefault(e => e.EntityId == victim));

        var record = (await Grains.GetGrain<IAuditPageGrain>(IAuditPageGrain.PageOf(labelled)).GetRecordsAsync()).Single(r => r.Sequence == labelled);
        Assert.Equal("account:erased-test", record.Target);
        Assert.Contains("\"entityId\":\"erased-test\"", record.After!, StringComparison.Ordinal);
        Assert.Contains("erased-test resold keys", record.After!, StringComparison.Ordinal);
        Assert.Contains($"{victim}2 is someone else", record.After!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_account_never_seen_or_already_erased_is_not_erased_and_events_sent_later_start_a_new_account()
    {
        var account = $"erase-again-{Guid.NewGuid():N}";
        Assert.Null(await AccountErasure.EraseAsync(Grains, account, "erased-never"));

        var first = Now;
        await Grains.GetGrain<IAccountGrain>(account).RecordAsync([Events.Signup(first, Range)]);
        await Grains.GetGrain<IAccountGrain>(account).SetLabelAsync(new LabelChange { Label = Label.Trusted, Reason = "test", By = "tests", At = first });
        Assert.NotNull(await AccountErasure.EraseAsync(Grains, account, "erased-again"));
        Assert.Null(await AccountErasure.EraseAsync(Grains, account, "erased-again"));

        fixture.Time.Advance(TimeSpan.FromMinutes(1));
        await Grains.GetGrain<IAccountGrain>(account).RecordAsync([Events.Usage(Now, Range, 3)]);
        var reborn = await Grains.GetGrain<IAccountGrain>(account).GetSnapshotAsync();

        Assert.NotNull(reborn);
        Assert.Null(reborn.Label);
        Assert.Null(reborn.CreatedAt);
        Assert.Equal(3, reborn.Usage.RequestsTotal);
    }
    [Fact]
    public async Task Erasure_takes_the_accounts_events_out_of_every_journal_slot_of_the_keys_that_sent_them_and_leaves_others()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var victim = $"erase-journal-{suffix}";
        var other = $"erase-journal-other-{suffix}";
        var gateway = $"gateway-{suffix}";
        var partner = $"partner-{suffix}";
        var hour = JournalPolicy.HourOf(Now);
        // As the API does after each call: the accepted events go to the sender's slot of the hour of arrival.
        async Task SendAsync(string account, string key, long atHour, params AccountEvent[] events)
        {
            var sent = events.Select(e => Stamp(e, key)).ToArray();
            var recorded = await Grains.GetGrain<IAccountGrain>(account).RecordSentAsync(sent);
            var arrived = DateTimeOffset.FromUnixTimeSeconds(atHour * 3600);
            await Grains.GetGrain<IKeyJournalGrain>(JournalPolicy.ShardKey(key, atHour))
                .AppendAsync(atHour, [.. JournalEntry.Of(account, sent, recorded, arrived)]);
        }

        await SendAsync(victim, gateway, hour, Events.Signup(Now, Range), Events.Usage(Now, Range, 2));
        await SendAsync(other, gateway, hour, Events.Usage(Now, Range, 1));
        // Arrival stamped by the API after the account answered: possibly the next hour.
        await SendAsync(victim, partner, hour + 1, Events.Usage(Now, Range, 3));

        var report = await AccountErasure.EraseAsync(Grains, victim, "erased-journal");

        Assert.NotNull(report);
        Assert.Equal(3, report.JournalEntries);
        var gatewayHour = await Grains.GetGrain<IKeyJournalGrain>(JournalPolicy.ShardKey(gateway, hour)).ReadAsync(hour);
        var partnerHour = await Grains.GetGrain<IKeyJournalGrain>(JournalPolicy.ShardKey(partner, hour + 1)).ReadAsync(hour + 1);
        Assert.Equal([other], gatewayHour.Entries.Select(e => e.AccountId));
        Assert.Equal(2, gatewayHour.Erased);
        Assert.Empty(partnerHour.Entries);
        Assert.Equal(1, partnerHour.Erased);
        foreach (var key in new[] { gateway, partner })
        {
            for (var h = hour - JournalPolicy.RetentionHours; h <= hour + 1; h++)
            {
                var slot = Grains.GetGrain<IKeyJournalGrain>(JournalPolicy.ShardKey(key, h));
                Assert.DoesNotContain((await slot.ReadAsync(h)).Entries, e => e.AccountId == victim);
            }
        }
    }

    private static AccountEvent Stamp(AccountEvent e, string sender) => e switch
    {
        UsageEvent u => new UsageEvent { EventId = u.EventId, OccurredAt = u.OccurredAt, IpRange = u.IpRange, Requests = u.Requests, Sender = sender },
        SignupEvent s => new SignupEvent { EventId = s.EventId, OccurredAt = s.OccurredAt, IpRange = s.IpRange, PaymentFingerprint = s.PaymentFingerprint, Sender = sender },
        _ => e,
    };
}
