using Microsoft.Extensions.DependencyInjection;
using Reputation.Grains.Provenance;

namespace Reputation.Grains.Tests;

/// <summary>Which key sent an account's events, the key journal, and taking a key's events back.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ProvenanceTests(ClusterFixture fixture)
{
    // 192.168.210.0/24 is this class's: no other test class uses it.
    private const string Range = "192.168.210.0/24";

    private static string Id(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private static T From<T>(T e, string sender) where T : AccountEvent => e switch
    {
        PaymentEvent p => (T)(AccountEvent)new PaymentEvent { EventId = p.EventId, OccurredAt = p.OccurredAt, PaymentFingerprint = p.PaymentFingerprint, Outcome = p.Outcome, IpRange = p.IpRange, Sender = sender },
        UsageEvent u => (T)(AccountEvent)new UsageEvent { EventId = u.EventId, OccurredAt = u.OccurredAt, IpRange = u.IpRange, Requests = u.Requests, Sender = sender },
        SignupEvent s => (T)(AccountEvent)new SignupEvent { EventId = s.EventId, OccurredAt = s.OccurredAt, IpRange = s.IpRange, PaymentFingerprint = s.PaymentFingerprint, Sender = sender },
        _ => e,
    };

    [Fact]
    public async Task A_rogue_keys_payment_is_taken_back_from_the_account_and_its_card_once()
    {
        var now = fixture.Time.GetUtcNow();
        var victim = fixture.Grains.GetGrain<IAccountGrain>(Id("victim"));
        var card = Id("card");
        await victim.RecordSentAsync([From(Events.Signup(now.AddMinutes(-30), Range), "gateway"), From(Events.Usage(now.AddMinutes(-20), Range, 4), "gateway")]);
        AccountEvent[] attack = [From(Events.Payment(now.AddMinutes(-1), card, PaymentKind.Chargeback), "rogue")];

        var recorded = await victim.RecordSentAsync(attack);
        var attacked = (await victim.GetSnapshotAsync())!;

        Assert.Equal([EventStatus.Accepted], recorded.Statuses);
        var link = Assert.Single(recorded.Created);
        Assert.Equal((attack[0].EventId, LinkOrigin.Instrument + card), (link.EventId, link.Link));
        Assert.Contains(card, attacked.PaymentInstruments);
        Assert.Equal(1, attacked.Payments.Chargebacks);
        Assert.Equal([("gateway", 2L), ("rogue", 1L)], attacked.Senders.Select(s => (s.Key, s.Events)).Order());

        var entries = JournalEntry.Of(victim.GetPrimaryKeyString(), attack, recorded, now).ToArray();
        var voided = await victim.VoidAsync(entries);
        var again = await victim.VoidAsync(entries);
        var after = (await victim.GetSnapshotAsync())!;
        var instrument = (await fixture.Grains.GetGrain<IPaymentInstrumentGrain>(card).GetSnapshotAsync())!;

        Assert.Equal((1, 0), (voided.Events, again.Events));
        Assert.Equal([LinkOrigin.Instrument + card], voided.Unlinked);
        Assert.DoesNotContain(card, after.PaymentInstruments);
        Assert.Contains(Range, after.IpRanges);
        Assert.Equal(0, after.Payments.Chargebacks);
        Assert.Equal(4, after.Usage.RequestsTotal);
        Assert.Equal((1L, 1L), after.Senders.Where(s => s.Key == "rogue").Select(s => (s.Events, s.Voided)).Single());
        Assert.Equal(0, instrument.Payments.Chargebacks);
        Assert.Empty(instrument.RecentAccounts);
        Assert.Equal(0, instrument.DistinctAccounts);
    }

    [Fact]
    public async Task A_voided_usage_event_leaves_the_account_and_its_range_counters_as_without_it()
    {
        var now = fixture.Time.GetUtcNow();
        var account = fixture.Grains.GetGrain<IAccountGrain>(Id("usage"));
        var range = "192.168.210.0/24";
        var rangeBefore = (await fixture.Grains.GetGrain<IIpRangeGrain>(range).GetSnapshotAsync())?.Usage.RequestsTotal ?? 0;
        await account.RecordSentAsync([From(Events.Usage(now.AddMinutes(-3), range, 5), "gateway")]);
        AccountEvent[] rogue = [From(Events.Usage(now.AddMinutes(-2), range, 1000), "rogue")];
        var recorded = await account.RecordSentAsync(rogue);

        await account.VoidAsync([.. JournalEntry.Of(account.GetPrimaryKeyString(), rogue, recorded, now)]);

        var after = (await account.GetSnapshotAsync())!;
        Assert.Equal((5, 5), (after.Usage.RequestsTotal, after.Usage.RequestsLastHour));
        Assert.Empty(recorded.Created);
        Assert.Contains(range, after.IpRanges);
        Assert.Equal(rangeBefore + 5, (await fixture.Grains.GetGrain<IIpRangeGrain>(range).GetSnapshotAsync())!.Usage.RequestsTotal);
    }

    [Fact]
    public async Task A_voided_signup_no_longer_makes_the_account_a_verified_organisations_member_while_another_keys_later_signup_stands()
    {
        var now = fixture.Time.GetUtcNow();
        var account = fixture.Grains.GetGrain<IAccountGrain>(Id("org"));
        AccountEvent[] rogue =
        [
            new SignupEvent { EventId = Id("evt"), OccurredAt = now.AddMinutes(-30), IpRange = Range, OrganizationId = "org-rogue", OrganizationVerified = true, Country = "ZZ", Sender = "rogue" },
        ];
        var recorded = await account.RecordSentAsync(rogue);
        var before = (await account.GetSnapshotAsync())!;
        Assert.Equal(("org-rogue", true), (before.OrganizationId, before.OrganizationVerified));

        await account.VoidAsync([.. JournalEntry.Of(account.GetPrimaryKeyString(), rogue, recorded, now)]);

        var after = (await account.GetSnapshotAsync())!;
        Assert.Equal((null, false), (after.OrganizationId, after.OrganizationVerified));

        // A signup of the platform's own gateway after a rogue one: voiding the rogue one leaves it.
        var other = fixture.Grains.GetGrain<IAccountGrain>(Id("org"));
        AccountEvent[] first = [new SignupEvent { EventId = Id("evt"), OccurredAt = now.AddMinutes(-20), IpRange = Range, OrganizationId = "org-fake", OrganizationVerified = true, Sender = "rogue" }];
        var firstRecorded = await other.RecordSentAsync(first);
        await other.RecordSentAsync([new SignupEvent { EventId = Id("evt"), OccurredAt = now.AddMinutes(-10), IpRange = Range, OrganizationId = "org-real", OrganizationVerified = false, Sender = "gateway" }]);
        await other.VoidAsync([.. JournalEntry.Of(other.GetPrimaryKeyString(), first, firstRecorded, now)]);
        var kept = (await other.GetSnapshotAsync())!;
        Assert.Equal(("org-real", false), (kept.OrganizationId, kept.OrganizationVerified));
    }

    /// <summary>The account as stored: the device is kept but shown nowhere.</summary>
    private async Task<Accounts.AccountState> StoredAsync(IAccountGrain account)
    {
        var storage = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(StorageNames.Reputation);
        var stored = new GrainState<Accounts.AccountState>();
        await storage.ReadStateAsync("account", account.GetGrainId(), stored);
        return stored.State!;
    }

    [Fact]
    public async Task A_voided_backdated_signup_no_longer_makes_the_account_look_old_and_its_device_is_forgotten_while_another_keys_creation_stands()
    {
        var now = fixture.Time.GetUtcNow();
        var account = fixture.Grains.GetGrain<IAccountGrain>(Id("backdated"));
        AccountEvent[] rogue = [new SignupEvent { EventId = Id("evt"), OccurredAt = now.AddDays(-400), IpRange = Range, DeviceId = "device-rogue", Sender = "rogue" }];
        var recorded = await account.RecordSentAsync(rogue);
        Assert.Equal(now.AddDays(-400), (await account.GetSnapshotAsync())!.CreatedAt);
        Assert.Equal("device-rogue", (await StoredAsync(account)).DeviceId);

        await account.VoidAsync([.. JournalEntry.Of(account.GetPrimaryKeyString(), rogue, recorded, now)]);

        Assert.Null((await account.GetSnapshotAsync())!.CreatedAt);
        Assert.Null((await StoredAsync(account)).DeviceId);

        // The gateway's signup came first: its creation time stands; the rogue's later device goes,
        // and a device a later signup of the gateway set stays.
        var other = fixture.Grains.GetGrain<IAccountGrain>(Id("backdated"));
        await other.RecordSentAsync([new SignupEvent { EventId = Id("evt"), OccurredAt = now.AddMinutes(-30), IpRange = Range, DeviceId = "device-real", Sender = "gateway" }]);
        AccountEvent[] later = [new SignupEvent { EventId = Id("evt"), OccurredAt = now.AddMinutes(-10), IpRange = Range, DeviceId = "device-rogue", Sender = "rogue" }];
        var laterRecorded = await other.RecordSentAsync(later);
        await other.VoidAsync([.. JournalEntry.Of(other.GetPrimaryKeyString(), later, laterRecorded, now)]);
        Assert.Equal(now.AddMinutes(-30), (await other.GetSnapshotAsync())!.CreatedAt);
        Assert.Null((await StoredAsync(other)).DeviceId);

        var third = fixture.Grains.GetGrain<IAccountGrain>(Id("backdated"));
        AccountEvent[] first = [new SignupEvent { EventId = Id("evt"), OccurredAt = now.AddMinutes(-30), IpRange = Range, DeviceId = "device-rogue", Sender = "rogue" }];
        var firstRecorded = await third.RecordSentAsync(first);
        await third.RecordSentAsync([new SignupEvent { EventId = Id("evt"), OccurredAt = now.AddMinutes(-20), IpRange = Range, DeviceId = "device-real", Sender = "gateway" }]);
        await third.VoidAsync([.. JournalEntry.Of(third.GetPrimaryKeyString(), first, firstRecorded, now)]);
        Assert.Equal("device-real", (await StoredAsync(third)).DeviceId);
    }

    [Fact]
    public async Task A_voided_usage_event_is_taken_back_from_the_card_it_counted_against()
    {
        var now = fixture.Time.GetUtcNow();
        var account = fixture.Grains.GetGrain<IAccountGrain>(Id("card-usage"));
        var card = fixture.Grains.GetGrain<IPaymentInstrumentGrain>(Id("card"));
        await account.RecordSentAsync([From(Events.Signup(now.AddMinutes(-30), Range, card.GetPrimaryKeyString()), "gateway")]);
        await account.RecordSentAsync([From(Events.Usage(now.AddMinutes(-3), Range, 5), "gateway")]);
        AccountEvent[] rogue = [From(Events.Usage(now.AddMinutes(-2), Range, 1000), "rogue")];
        var recorded = await account.RecordSentAsync(rogue);
        Assert.Equal(1005, (await card.GetSnapshotAsync())!.Usage.RequestsTotal);

        await account.VoidAsync([.. JournalEntry.Of(account.GetPrimaryKeyString(), rogue, recorded, now)]);
        await account.VoidAsync([.. JournalEntry.Of(account.GetPrimaryKeyString(), rogue, recorded, now)]);

        var usage = (await card.GetSnapshotAsync())!.Usage;
        Assert.Equal((5, 5), (usage.RequestsTotal, usage.RequestsLastHour));
    }

    private static UsageEvent Prompted(DateTimeOffset at, long requests, ulong fingerprint, string sender) => new()
    {
        EventId = Events.NewId("usage"),
        OccurredAt = at,
        IpRange = Range,
        Requests = requests,
        PromptFingerprints = [fingerprint],
        Model = "model-x",
        Sender = sender,
    };

    /// <summary>
    /// A harvest template two campaign accounts share, and a rogue key's usage event that puts a
    /// victim among its sharers with a near-duplicate prompt: the victim, the bucket (its first band)
    /// and the rogue events.
    /// </summary>
    private async Task<(IAccountGrain Victim, IPromptTemplateGrain Bucket, ulong Near, AccountEvent[] Rogue, RecordedEvents Recorded)> VictimInHarvestTemplateAsync(DateTimeOffset now)
    {
        var harvest = (ulong)Random.Shared.NextInt64() | 1UL << 63;
        // One bit off in the last band: the same bucket in the first three bands.
        var near = harvest ^ 1;
        foreach (var campaign in new[] { Id("campaign"), Id("campaign") })
        {
            await fixture.Grains.GetGrain<IAccountGrain>(campaign).RecordSentAsync([Prompted(now.AddMinutes(-10), 30, harvest, "gateway")]);
        }

        var victim = fixture.Grains.GetGrain<IAccountGrain>(Id("template-victim"));
        await victim.RecordSentAsync([From(Events.Signup(now.AddMinutes(-30), Range), "gateway")]);
        AccountEvent[] rogue = [Prompted(now.AddMinutes(-2), 40, near, "rogue")];
        var recorded = await victim.RecordSentAsync(rogue);
        return (victim, fixture.Grains.GetGrain<IPromptTemplateGrain>(Core.Prompts.PromptBands.BucketKey(harvest, 0)), near, rogue, recorded);
    }

    [Fact]
    public async Task A_voided_usage_event_is_taken_back_once_from_the_template_buckets_it_reached_and_the_victim_leaves_their_sharers()
    {
        var now = fixture.Time.GetUtcNow();
        var (victim, bucket, near, rogue, recorded) = await VictimInHarvestTemplateAsync(now);
        var victimId = victim.GetPrimaryKeyString();
        var attacked = (await bucket.GetSnapshotAsync())!;
        Assert.Contains(victimId, attacked.RecentAccounts);
        Assert.Contains(Core.Prompts.SimHash.ToHex(near), attacked.Fingerprints);
        // The first campaign account shared before it knew (it is counted, not sampled); the second and the victim are sampled.
        Assert.Equal((2, 3L), (attacked.SampledSharers, attacked.SharingAccounts));
        Assert.Contains(LinkOrigin.Template + bucket.GetPrimaryKeyString(), recorded.Created.Select(c => c.Link));

        var entries = JournalEntry.Of(victimId, rogue, recorded, now).ToArray();
        var voided = await victim.VoidAsync(entries);
        var after = (await bucket.GetSnapshotAsync())!;

        Assert.Equal(1, voided.Events);
        Assert.Empty(voided.KeptByTemplates);
        Assert.DoesNotContain(victimId, after.RecentAccounts);
        Assert.DoesNotContain(Core.Prompts.SimHash.ToHex(near), after.Fingerprints);
        Assert.Equal((1, 2L), (after.SampledSharers, after.SharingAccounts));
        Assert.Equal((attacked.Usage.RequestsTotal - 40, attacked.Usage.RequestsLastHour - 40), (after.Usage.RequestsTotal, after.Usage.RequestsLastHour));
        Assert.DoesNotContain(bucket.GetPrimaryKeyString(), (await victim.GetSnapshotAsync())!.PromptBuckets);

        // Voided again through the account, or the bucket asked again directly (a retry after the
        // account's write failed): nothing more is taken back.
        var again = await victim.VoidAsync(entries);
        var retried = await bucket.VoidUsageAsync(victimId, [new VoidedContribution { EventId = rogue[0].EventId, OccurredAt = rogue[0].OccurredAt, Requests = 40 }], unlink: false);
        var twice = (await bucket.GetSnapshotAsync())!;
        Assert.Equal(0, again.Events);
        Assert.Empty(retried);
        Assert.Equal((after.Usage.RequestsTotal, after.Usage.RequestsLastHour, after.SampledSharers, after.SharingAccounts),
            (twice.Usage.RequestsTotal, twice.Usage.RequestsLastHour, twice.SampledSharers, twice.SharingAccounts));
    }

    [Fact]
    public async Task A_voided_usage_event_the_journal_kept_no_fingerprints_of_is_taken_back_from_the_buckets_its_account_links()
    {
        var now = fixture.Time.GetUtcNow();
        var (victim, bucket, _, rogue, recorded) = await VictimInHarvestTemplateAsync(now);
        var victimId = victim.GetPrimaryKeyString();
        var attacked = (await bucket.GetSnapshotAsync())!;

        // Past the hour's fingerprint budget, or journaled before fingerprints were kept.
        var voided = await victim.VoidAsync([.. JournalEntry.Of(victimId, rogue, recorded, now).Select(e => e.WithoutFingerprints())]);
        var after = (await bucket.GetSnapshotAsync())!;

        Assert.Equal(1, voided.Events);
        Assert.Empty(voided.KeptByTemplates);
        Assert.DoesNotContain(victimId, after.RecentAccounts);
        Assert.Equal((1, 2L), (after.SampledSharers, after.SharingAccounts));
        Assert.Equal(attacked.Usage.RequestsTotal - 40, after.Usage.RequestsTotal);
    }

    [Fact]
    public async Task A_journal_hour_keeps_prompt_fingerprints_up_to_its_budget_and_the_entries_past_it_without_them()
    {
        var hour = JournalPolicy.HourOf(fixture.Time.GetUtcNow());
        var journal = fixture.Grains.GetGrain<IKeyJournalGrain>(JournalPolicy.ShardKey(Id("key"), hour));
        const int PerEvent = 64;
        JournalEntry Entry(int i) => new()
        {
            AccountId = "a" + (i % 7),
            Event = new UsageEvent { EventId = $"e{i}", OccurredAt = fixture.Time.GetUtcNow(), Requests = 1, PromptFingerprints = [.. Enumerable.Range(1, PerEvent).Select(f => (ulong)f)] },
            ArrivedAt = fixture.Time.GetUtcNow(),
        };

        await journal.AppendAsync(hour, [.. Enumerable.Range(0, (JournalPolicy.FingerprintsPerHour / PerEvent) + 2).Select(Entry)]);
        var read = await journal.ReadAsync(hour);

        Assert.Equal((JournalPolicy.FingerprintsPerHour / PerEvent) + 2, read.Entries.Length);
        Assert.Equal(JournalPolicy.FingerprintsPerHour, read.Entries.Sum(e => ((UsageEvent)e.Event).PromptFingerprints.Length));
        Assert.Empty(((UsageEvent)read.Entries[^1].Event).PromptFingerprints);
        Assert.Equal(1, read.Entries[^1].Event is UsageEvent { Requests: var r } ? r : 0);
    }

    [Fact]
    public async Task A_bucket_that_no_longer_holds_a_voided_event_keeps_counting_it_and_the_void_says_so()
    {
        var now = fixture.Time.GetUtcNow();
        var (victim, bucket, near, rogue, recorded) = await VictimInHarvestTemplateAsync(now);
        var victimId = victim.GetPrimaryKeyString();
        // The campaign goes on: the bucket's counted events move past the victim's.
        var busy = fixture.Grains.GetGrain<IAccountGrain>(Id("campaign"));
        var harvest = near ^ 1;
        await busy.RecordSentAsync([.. Enumerable.Range(0, Templates.CountedEvents.Capacity).Select(_ => (AccountEvent)Prompted(now.AddMinutes(-1), 1, harvest, "gateway"))]);
        var attacked = (await bucket.GetSnapshotAsync())!;

        var voided = await victim.VoidAsync([.. JournalEntry.Of(victimId, rogue, recorded, now)]);
        var after = (await bucket.GetSnapshotAsync())!;

        Assert.Equal(1, voided.Events);
        Assert.Equal([rogue[0].EventId], voided.KeptByTemplates);
        Assert.Equal((attacked.Usage.RequestsTotal, attacked.SampledSharers), (after.Usage.RequestsTotal, after.SampledSharers));
        // The link the event created goes all the same.
        Assert.DoesNotContain(victimId, after.RecentAccounts);
        Assert.DoesNotContain(bucket.GetPrimaryKeyString(), (await victim.GetSnapshotAsync())!.PromptBuckets);
    }

    [Fact]
    public async Task The_journal_keeps_an_hour_of_a_key_once_per_event_up_to_its_capacity_and_drops_it_a_week_later()
    {
        var key = Id("key");
        var hour = JournalPolicy.HourOf(fixture.Time.GetUtcNow());
        var journal = fixture.Grains.GetGrain<IKeyJournalGrain>(JournalPolicy.ShardKey(key, hour));
        JournalEntry Entry(int i) => new() { AccountId = "a" + (i % 7), Event = Events.Usage(fixture.Time.GetUtcNow(), null, 1, $"e{i}"), ArrivedAt = fixture.Time.GetUtcNow() };

        await journal.AppendAsync(hour, [.. Enumerable.Range(0, 100).Select(Entry)]);
        await journal.AppendAsync(hour, [.. Enumerable.Range(50, JournalPolicy.EntriesPerHour).Select(Entry)]);
        await journal.MarkVoidedAsync(hour, [("a0", "e0")]);
        var read = await journal.ReadAsync(hour);

        Assert.Equal(JournalPolicy.EntriesPerHour, read.Entries.Length);
        // 100, then 4,096 of which 50 were there already: 4,146 distinct, 50 past the capacity.
        Assert.Equal(50, read.Unjournaled);
        Assert.Equal(["e0"], read.Entries.Where(e => e.Voided).Select(e => e.Event.EventId));
        Assert.Equal(JournalPolicy.ShardKey(key, hour), JournalPolicy.ShardKey(key, hour + JournalPolicy.RetentionHours));

        var weekLater = hour + JournalPolicy.RetentionHours;
        await journal.AppendAsync(weekLater, [Entry(9999)]);

        Assert.Empty((await journal.ReadAsync(hour)).Entries);
        Assert.Equal(["e9999"], (await journal.ReadAsync(weekLater)).Entries.Select(e => e.Event.EventId));
    }
    [Fact]
    public async Task A_slot_forgets_an_erased_account_whatever_hour_it_holds_and_drops_an_hour_past_the_journal()
    {
        var key = Id("key");
        var hour = JournalPolicy.HourOf(fixture.Time.GetUtcNow());
        var current = fixture.Grains.GetGrain<IKeyJournalGrain>(JournalPolicy.ShardKey(key, hour));
        var stale = fixture.Grains.GetGrain<IKeyJournalGrain>(JournalPolicy.ShardKey(key, hour - 1));
        JournalEntry Entry(string account, string id) => new() { AccountId = account, Event = Events.Usage(fixture.Time.GetUtcNow(), null, 1, id), ArrivedAt = fixture.Time.GetUtcNow() };
        await current.AppendAsync(hour, [Entry("gone", "e1"), Entry("kept", "e2"), Entry("gone", "e3")]);
        // The hour before, a week ago: past the journal, its slot never reused since.
        await stale.AppendAsync(hour - 1 - JournalPolicy.RetentionHours, [Entry("kept", "e4")]);
        var oldest = hour - JournalPolicy.RetentionHours + 1;

        Assert.Equal(2, await current.ForgetAccountAsync("gone", oldest));
        Assert.Equal(0, await current.ForgetAccountAsync("gone", oldest));
        Assert.Equal(0, await stale.ForgetAccountAsync("gone", oldest));
        await current.AppendAsync(hour, [Entry("gone", "e1")]);

        var read = await current.ReadAsync(hour);
        Assert.Equal([("kept", "e2"), ("gone", "e1")], read.Entries.Select(e => (e.AccountId, e.Event.EventId)));
        Assert.Equal(2, read.Erased);
        Assert.Empty((await stale.ReadAsync(hour - 1 - JournalPolicy.RetentionHours)).Entries);
    }

    [Fact]
    public void Erasure_visits_the_slots_of_a_keys_span_an_hour_either_side_and_every_slot_once_it_spans_a_week()
    {
        Assert.Equal(["k/4", "k/5", "k/6", "k/7"], JournalSpan.Slots("k", 5, 6));
        Assert.Equal(["k/167", "k/0", "k/1"], JournalSpan.Slots("k", 168, 168));
        var week = JournalSpan.Slots("k", 1000, 1000 + JournalPolicy.RetentionHours).ToArray();
        Assert.Equal(JournalPolicy.RetentionHours, week.Distinct().Count());
        Assert.Equal(JournalPolicy.RetentionHours, JournalSpan.Slots("k", 10, 100_000).Count());
    }
}
