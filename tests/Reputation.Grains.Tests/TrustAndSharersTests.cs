using Reputation.Core.Prompts;
using Reputation.Core.Scoring;
using Reputation.Grains.Accounts;

namespace Reputation.Grains.Tests;

/// <summary>
/// Populations the repository's first scenarios did not hold: a verified team on one corporate card,
/// a popular tool's template shared by established customers, a carrier range with one labelled
/// member, against the campaign shapes that look like them (docs/detection.md).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TrustAndSharersTests(ClusterFixture fixture)
{
    private static int s_next;

    private IGrainFactory Grains => fixture.Grains;

    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    /// <summary>An id no other test of the shared cluster uses: one counter for the whole assembly, so two classes cannot make the same card or account.</summary>
    private static string Unique(string prefix) => Events.NewId(prefix);

    /// <summary>Ranges of 172.20.0.0/14 to 172.31.0.0/16, which no other test class of the shared cluster uses.</summary>
    private static string UniqueRange()
    {
        var n = Interlocked.Increment(ref s_next);
        return $"172.{20 + (n / 256 % 12)}.{n % 256}.0/24";
    }

    private static SignupEvent Signup(DateTimeOffset at, string range, string? card, string? organization = null, string? workDomain = null, bool verified = true) => new()
    {
        EventId = Events.NewId("signup"),
        OccurredAt = at,
        IpRange = range,
        PaymentFingerprint = card,
        OrganizationId = organization,
        OrganizationVerified = organization is not null && verified,
        EmailDomainHash = workDomain,
        EmailDomainKind = workDomain is null ? Core.Privacy.EmailDomainKind.Unknown : Core.Privacy.EmailDomainKind.Other,
    };

    private async Task<List<DecisionResult>> TeamAsync(string? organization, string? workDomain = null, bool verified = true)
    {
        var card = Unique("pf-corporate");
        var office = UniqueRange();
        var ids = Enumerable.Range(0, 25).Select(_ => Unique("team")).ToList();
        for (var i = 0; i < ids.Count; i++)
        {
            // Onboarded within half an hour from the office, all on the company's card.
            await Grains.GetGrain<IAccountGrain>(ids[i]).SignupAsync(Signup(Now.AddMinutes(-30 + i), office, card, organization, workDomain, verified));
            await Grains.GetGrain<IAccountGrain>(ids[i]).RecordAsync([Events.Usage(Now.AddMinutes(-29 + i), office, requests: 5)]);
        }

        return [.. await Task.WhenAll(ids.Select(id => Grains.GetGrain<IAccountGrain>(id).DecideRequestAsync(office).AsTask()))];
    }

    [Fact]
    public async Task A_verified_team_onboarding_on_one_corporate_card_from_its_office_is_allowed()
    {
        var team = await TeamAsync(Unique("org"));
        Assert.All(team, d => Assert.True(d.Outcome == (int)RequestOutcome.Allow,
            $"score {d.Score}: {string.Join(", ", d.Reasons.Select(r => $"{r.Code} {r.Contribution}"))}"));
        Assert.All(team, d => Assert.DoesNotContain(d.Reasons, r => r.Code is ReasonCodes.PaymentInstrumentShared or ReasonCodes.IpRangeSignupVelocity));
    }

    [Fact]
    public async Task A_shared_work_domain_without_a_verified_organisation_does_not_make_a_card_one_owner()
    {
        var team = await TeamAsync(organization: null, workDomain: Unique("domain-hash"));
        Assert.Contains(team[^1].Reasons, r => r.Code == ReasonCodes.PaymentInstrumentShared);
    }

    [Fact]
    public async Task The_same_25_accounts_without_a_verified_organisation_are_a_card_sharing_ring()
    {
        var ring = await TeamAsync(organization: null);
        var last = ring[^1];
        Assert.NotEqual((int)RequestOutcome.Allow, last.Outcome);
        Assert.Contains(last.Reasons, r => r.Code == ReasonCodes.PaymentInstrumentShared);
    }

    [Fact]
    public async Task An_unverified_team_naming_its_organisation_is_one_owner_of_its_card_and_one_signup_of_its_office()
    {
        var team = await TeamAsync(Unique("org"), verified: false);
        Assert.All(team, d => Assert.True(d.Outcome == (int)RequestOutcome.Allow,
            $"score {d.Score}: {string.Join(", ", d.Reasons.Select(r => $"{r.Code} {r.Contribution}"))}"));
        Assert.All(team, d => Assert.DoesNotContain(d.Reasons, r => r.Code is ReasonCodes.PaymentInstrumentShared or ReasonCodes.IpRangeSignupVelocity && r.Contribution > 0));
    }

    [Fact]
    public async Task Chargebacks_on_a_teams_own_card_are_read_in_proportion_to_its_members_not_whole_by_each()
    {
        // A 12-person startup the platform has not verified, onboarding within the hour on its card from its office.
        var organization = Unique("org-startup");
        var card = Unique("pf-startup");
        var office = UniqueRange();
        var members = Enumerable.Range(0, 12).Select(_ => Unique("startup")).ToList();
        for (var i = 0; i < members.Count; i++)
        {
            await Grains.GetGrain<IAccountGrain>(members[i]).RecordAsync(
                [Signup(Now.AddMinutes(-50 + i), office, card, organization, verified: false), Events.Usage(Now.AddMinutes(-45 + i), office, requests: 5)]);
        }

        var before = await Task.WhenAll(members.Select(id => Grains.GetGrain<IAccountGrain>(id).DecideRequestAsync(office).AsTask()));
        Assert.All(before, d => Assert.Equal((int)RequestOutcome.Allow, d.Outcome));

        // Two of the company's charges are disputed (on a card of one customer, two chargebacks hold its account).
        await Grains.GetGrain<IAccountGrain>(members[3]).RecordAsync([Events.Payment(Now.AddMinutes(-6), card, PaymentKind.Chargeback)]);
        await Grains.GetGrain<IAccountGrain>(members[7]).RecordAsync([Events.Payment(Now.AddMinutes(-5), card, PaymentKind.Chargeback)]);
        await Eventually.HoldsAsync(async () => (await Grains.GetGrain<IPaymentInstrumentGrain>(card).GetSignalsAsync()).Chargebacks == 2, "the card counted the chargebacks");

        // A chargeback moves no risk, so members read it when their cached card signals age out.
        fixture.Time.Advance(AccountGrain.SignalsMaxAge + TimeSpan.FromSeconds(1));

        // Every member reads them as a sixth of a dispute: its score rises a little and it stays allowed,
        // so no member is flagged and nothing reaches the office range.
        for (var i = 0; i < members.Count; i++)
        {
            var member = Grains.GetGrain<IAccountGrain>(members[i]);
            await Eventually.HoldsAsync(async () => (await member.DecideRequestAsync(office)).Score > before[i].Score, $"{members[i]} read the chargeback");
            var after = await member.DecideRequestAsync(office);
            Assert.True(after.Outcome == (int)RequestOutcome.Allow, $"score {after.Score}: {string.Join(", ", after.Reasons.Select(r => $"{r.Code} {r.Contribution}"))}");
        }

        Assert.Equal(0, (await Grains.GetGrain<IIpRangeGrain>(office).GetSnapshotAsync())!.Risk);

        // Two unrelated new customers on one card with the same dispute each read it whole.
        var shared = Unique("pf-two-owners");
        var first = Grains.GetGrain<IAccountGrain>(Unique("two-owners"));
        var second = Grains.GetGrain<IAccountGrain>(Unique("two-owners"));
        await first.RecordAsync([Signup(Now.AddMinutes(-30), UniqueRange(), shared)]);
        await second.RecordAsync([Signup(Now.AddMinutes(-20), UniqueRange(), shared), Events.Payment(Now.AddMinutes(-5), shared, PaymentKind.Chargeback)]);
        fixture.Time.Advance(AccountGrain.SignalsMaxAge + TimeSpan.FromSeconds(1));
        await Eventually.HoldsAsync(async () => (await first.DecideRequestAsync(null)).Reasons
            .Any(r => r.Code == ReasonCodes.PaymentChargebacks && r.Detail == "1 chargebacks on a linked payment instrument" && r.Contribution > 0.2), "a card-mate reads the whole chargeback");
    }

    [Fact]
    public async Task In_one_workspace_on_one_card_a_members_flag_is_its_owners_own_but_a_confirmed_member_holds_the_others()
    {
        var plain = await FlaggedCardAsync(organization: null, members: 6, flagged: 3, risk: 0.3);
        var workspace = await FlaggedCardAsync(Unique("org-ring"), members: 6, flagged: 3, risk: 0.3);
        Assert.Equal(1, (await workspace.Card.GetSignalsAsync()).DistinctOwners);

        // On a card of six owners, the quiet members read their card-mates' flags.
        await Eventually.HoldsAsync(async () => (await Grains.GetGrain<IAccountGrain>(plain.Members[^1]).DecideRequestAsync(UniqueRange())).Reasons
            .Any(r => r.Code == ReasonCodes.LinkedRisk && r.Contribution > 0), "a card-mate of flagged accounts reads their risk");

        // In one workspace the flagged members are the owner itself, not its neighbours.
        var quiet = Grains.GetGrain<IAccountGrain>(workspace.Members[^1]);
        var before = await quiet.DecideRequestAsync(UniqueRange());
        Assert.DoesNotContain(before.Reasons, r => r.Code == ReasonCodes.LinkedRisk && r.Contribution > 0);

        // An operator confirms one member: its card-mates are held, as on any card.
        await Grains.GetGrain<IAccountGrain>(workspace.Members[0]).SetLabelAsync(new LabelChange { Label = Label.Fraud, Reason = "confirmed", By = "tests", At = Now });
        await Eventually.HoldsAsync(async () => (await quiet.DecideRequestAsync(UniqueRange())).Outcome != (int)RequestOutcome.Allow, "a card-mate of a confirmed member is held");
        Assert.Contains((await quiet.DecideRequestAsync(UniqueRange())).Reasons, r => r.Code == ReasonCodes.LinkedRisk && r.Contribution > 0);
    }

    [Fact]
    public async Task A_confirmation_on_a_workspace_card_its_flags_already_saturate_still_reaches_the_quiet_members()
    {
        // Four of five members flagged: the card's risk is at its ceiling before anyone is confirmed,
        // so a confirmation barely moves it, yet it is what the workspace's other members read.
        var (members, _) = await FlaggedCardAsync(Unique("org-saturated"), members: 5, flagged: 4, risk: 0.85);
        var quiet = Grains.GetGrain<IAccountGrain>(members[^1]);
        Assert.Equal((int)RequestOutcome.Allow, (await quiet.DecideRequestAsync(UniqueRange())).Outcome);

        // No clock moves here: the quiet member learns of the confirmation only by being told.
        await Grains.GetGrain<IAccountGrain>(members[0]).SetLabelAsync(new LabelChange { Label = Label.Fraud, Reason = "confirmed", By = "tests", At = Now });
        await Eventually.HoldsAsync(async () => (await quiet.DecideRequestAsync(UniqueRange())).Outcome != (int)RequestOutcome.Allow, "the quiet member of a card with a confirmed member is held");
    }

    /// <summary>
    /// A card of <paramref name="members"/> unverified accounts (one workspace when <paramref name="organization"/>
    /// is given) with its first <paramref name="flagged"/> flagged on their own evidence, as their scores
    /// would report it; returns once the card's risk is above <paramref name="risk"/>.
    /// </summary>
    private async Task<(List<string> Members, IPaymentInstrumentGrain Card)> FlaggedCardAsync(string? organization, int members, int flagged, double risk)
    {
        var card = Unique("pf-workspace");
        var ids = Enumerable.Range(0, members).Select(_ => Unique("ws")).ToList();
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            await Grains.GetGrain<IAccountGrain>(id).SignupAsync(Signup(Now.AddDays(-3).AddMinutes(i), UniqueRange(), card, organization, verified: false));
        }

        var instrument = Grains.GetGrain<IPaymentInstrumentGrain>(card);
        foreach (var id in ids.Take(flagged))
        {
            await instrument.AccountRiskChangedAsync(new AccountRisk { AccountId = id, Flagged = true });
        }

        await Eventually.HoldsAsync(async () => (await instrument.GetSignalsAsync()).Risk > risk, "the card's risk from its flagged members");
        return (ids, instrument);
    }

    /// <summary>
    /// An established customer (made 200 days ago, used on several past days) or a bought or aged
    /// account (made 40 days ago, never used until today) in <paramref name="home"/>.
    /// </summary>
    private async Task<IAccountGrain> CustomerOrSleeperAsync(string id, string home, bool established)
    {
        var account = Grains.GetGrain<IAccountGrain>(id);
        if (established)
        {
            await account.RecordAsync([Signup(Now.AddDays(-200), home, card: null)]);
            await account.RecordAsync([.. Enumerable.Range(3, 5).Select(d => (AccountEvent)Events.Usage(Now.AddDays(-d * 4), home, requests: 10))]);
        }
        else
        {
            await account.RecordAsync([Signup(Now.AddDays(-40), home, card: null)]);
        }

        return account;
    }

    private async Task<List<string>> TemplateSharersAsync(string prefix, int accounts, ulong template, bool established)
    {
        var ids = new List<string>();
        for (var i = 0; i < accounts; i++)
        {
            var id = Unique(prefix);
            ids.Add(id);
            var home = UniqueRange();
            var account = await CustomerOrSleeperAsync(id, home, established);

            // Both send most of their traffic with one shared template: a tool's prompt, or a harvest template.
            await account.RecordAsync([Events.Prompted(Now.AddMinutes(-20), home, requests: 30, template ^ (1UL << (i % 64)))]);
        }

        return ids;
    }

    [Fact]
    public async Task A_template_shared_by_established_customers_holds_none_of_them()
    {
        var ids = await TemplateSharersAsync("tool", 30, 0x5a5a_1234_8765_a5a5, established: true);
        foreach (var id in ids.Skip(1))
        {
            var d = await Grains.GetGrain<IAccountGrain>(id).DecideRequestAsync(null);
            Assert.True(d.Outcome == (int)RequestOutcome.Allow, $"{id}: score {d.Score}: {string.Join(", ", d.Reasons.Select(r => $"{r.Code} {r.Contribution}"))}");
        }
    }

    [Fact]
    public async Task The_same_template_shared_by_dormant_accounts_spread_over_ranges_holds_them()
    {
        var ids = await TemplateSharersAsync("aged", 30, 0x3c3c_4321_5678_c3c3, established: false);
        foreach (var id in ids.Skip(3))
        {
            var d = await Grains.GetGrain<IAccountGrain>(id).DecideRequestAsync(null);
            Assert.True(d.Outcome != (int)RequestOutcome.Allow, $"{id}: score {d.Score}");
            Assert.Contains(d.Reasons, r => r.Code == ReasonCodes.PromptTemplateShared);
        }
    }

    /// <summary>
    /// A class's, a team's or a tool's own prompt can agree with a campaign's harvest template on one
    /// 16-bit band and on nothing else: that band's bucket then holds both groups. Eight established
    /// customers (or four: fewer than a cohort, still their own prompt's sharers) whose prompt agrees
    /// with thirty dormant accounts' template on band 3 only are judged there by their own company, and
    /// read as sharing it their own group's share of the bucket; the dormant accounts keep what their
    /// template's other bands say.
    /// </summary>
    [Theory]
    [InlineData(8)]
    [InlineData(4)]
    public async Task Customers_whose_prompt_falls_into_a_campaigns_bucket_by_one_band_are_judged_by_their_own_prompt(int customerCount)
    {
        // Each case its own pair of prompts (the same bits apart, agreeing on one band, another value of it).
        var harvest = 0x9d41_e6b2_3c87_d21eUL ^ ((ulong)customerCount << 4);
        var customersPrompt = 0x26be_193d_c478_d21eUL ^ ((ulong)customerCount << 4);
        Assert.True(System.Numerics.BitOperations.PopCount(harvest ^ customersPrompt) > 3 * PromptBands.Bands);
        var shared = PromptBands.BucketKey(harvest, 3);
        Assert.Equal(shared, PromptBands.BucketKey(customersPrompt, 3));

        var campaign = new List<string>();
        var customers = new List<string>();
        var homes = new Dictionary<string, string>();
        // The customers have used their prompt for a while when the campaign's accounts wake up.
        foreach (var i in Enumerable.Range(30, customerCount).Concat(Enumerable.Range(0, 30)))
        {
            var established = i >= 30;
            var id = Unique(established ? "band-customer" : "band-dormant");
            (established ? customers : campaign).Add(id);
            var home = homes[id] = UniqueRange();
            var account = await CustomerOrSleeperAsync(id, home, established);

            // Near-duplicates of each group's prompt: one bit apart, never in the band they share.
            var prompt = (established ? customersPrompt : harvest) ^ (1UL << (16 + (i % 48)));
            await account.RecordAsync([Events.Prompted(Now.AddMinutes(established ? -40 : -20), home, requests: 30, prompt)]);
        }

        // The customers go on using their prompt: what each learns of the bucket is its answer then.
        for (var i = 30; i < 30 + customerCount; i++)
        {
            var prompt = customersPrompt ^ (1UL << (16 + (i % 48)));
            await Grains.GetGrain<IAccountGrain>(customers[i - 30]).RecordAsync([Events.Prompted(Now.AddMinutes(-5), homes[customers[i - 30]], requests: 10, prompt)]);
        }

        // The bucket as a whole is mostly the campaign's...
        var view = await Grains.GetGrain<IPromptTemplateGrain>(shared).GetSignalsAsync();
        Assert.True(view.SharingAccounts >= 30, $"sharing {view.SharingAccounts}");
        Assert.True(view.Suspicion >= 0.7, $"suspicion {view.Suspicion}");
        // What each reads of it when it refreshes its signals: its own group's suspicion.
        var customersRead = await Grains.GetGrain<IPromptTemplateGrain>(shared).GetSignalsForAsync(customers[^1]);
        Assert.Equal(0, customersRead.Suspicion);
        Assert.InRange(customersRead.SharingAccounts, customerCount, customerCount + 1);
        Assert.Equal(1, (await Grains.GetGrain<IPromptTemplateGrain>(shared).GetSignalsForAsync(campaign[^1])).Suspicion);
        var own = await Grains.GetGrain<IPromptTemplateGrain>(PromptBands.BucketKey(harvest, 0)).GetSignalsAsync();
        Assert.True(own.Suspicion >= 0.8, $"the harvest template's own band: suspicion {own.Suspicion}");

        // ...but the customers are judged there by their own prompt's sharers, and the campaign's accounts by theirs.
        foreach (var id in customers.Skip(1))
        {
            var d = await Grains.GetGrain<IAccountGrain>(id).DecideRequestAsync(null);
            Assert.True(d.Outcome == (int)RequestOutcome.Allow, $"{id}: score {d.Score}: {string.Join(", ", d.Reasons.Select(r => $"{r.Code} {r.Contribution}"))}");
            Assert.DoesNotContain(d.Reasons, r => r.Code == ReasonCodes.PromptTemplateShared);
        }

        foreach (var id in campaign.Skip(3))
        {
            var d = await Grains.GetGrain<IAccountGrain>(id).DecideRequestAsync(null);
            Assert.True(d.Outcome != (int)RequestOutcome.Allow, $"{id}: score {d.Score}");
            Assert.Contains(d.Reasons, r => r.Code == ReasonCodes.PromptTemplateShared);
        }
    }

    /// <summary>
    /// Four customers whose prompt agrees with a campaign's harvest template on one band, crowded out
    /// of that bucket's sample (its latest 64 sharers) by seventy of the campaign's accounts: the
    /// sample holds none of their prompt's family, so nothing it says is about their prompt.
    /// </summary>
    [Fact]
    public async Task Customers_crowded_out_of_a_campaigns_bucket_sample_are_not_judged_by_the_campaign()
    {
        const ulong harvest = 0x9d41_e6b2_3c87_d2beUL;
        const ulong customersPrompt = 0x26be_193d_c478_d2beUL;
        var shared = PromptBands.BucketKey(harvest, 3);
        Assert.Equal(shared, PromptBands.BucketKey(customersPrompt, 3));
        var customers = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var id = Unique("crowded-customer");
            customers.Add(id);
            var home = UniqueRange();
            var account = await CustomerOrSleeperAsync(id, home, established: true);
            await account.RecordAsync([Events.Prompted(Now.AddMinutes(-40), home, requests: 30, customersPrompt ^ (1UL << (16 + i)))]);
        }

        for (var i = 0; i < 70; i++)
        {
            var home = UniqueRange();
            var account = await CustomerOrSleeperAsync(Unique("crowding-dormant"), home, established: false);
            await account.RecordAsync([Events.Prompted(Now.AddMinutes(-20), home, requests: 30, harvest ^ (1UL << (16 + (i % 48))))]);
        }

        var bucket = Grains.GetGrain<IPromptTemplateGrain>(shared);
        var view = await bucket.GetSnapshotAsync();
        Assert.Equal(64, view!.SampledSharers);
        Assert.True(view.Suspicion >= 0.9, $"suspicion {view.Suspicion}");
        var read = await bucket.GetSignalsForAsync(customers[0]);
        Assert.Equal(0, read.Suspicion);
        Assert.Equal(0, read.RequestsLastHour);

        foreach (var id in customers)
        {
            var d = await Grains.GetGrain<IAccountGrain>(id).DecideRequestAsync(null);
            Assert.True(d.Outcome == (int)RequestOutcome.Allow, $"{id}: score {d.Score}: {string.Join(", ", d.Reasons.Select(r => $"{r.Code} {r.Contribution}"))}");
            Assert.DoesNotContain(d.Reasons, r => r.Code == ReasonCodes.PromptTemplateShared);
        }
    }

    /// <summary>
    /// Thirty aged accounts the service knows nothing against and has no history of (made eight days
    /// ago, first used a day and a half ago: neither established nor dormant — every customer looks so
    /// on the first day of a deployment that was not sent its customers' past), each sending a shared
    /// template: in sessions at times of their own over the last five hours, or all on one schedule of
    /// twenty minutes on and ten off for the last three.
    /// </summary>
    private async Task<List<string>> UnwatchedSharersAsync(string prefix, ulong template, bool onOneSchedule)
    {
        var random = new Random(prefix.Length * 7919);
        var bin = new DateTimeOffset(Now.UtcTicks - (Now.UtcTicks % Lockstep.Bin.Ticks), TimeSpan.Zero);
        var ids = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var id = Unique(prefix);
            ids.Add(id);
            var home = UniqueRange();
            var account = Grains.GetGrain<IAccountGrain>(id);
            await account.RecordAsync([Signup(Now.AddDays(-8), home, card: null)]);
            await account.RecordAsync([Events.Usage(Now.AddHours(-36), home, requests: 3)]);
            // Minutes with use: in step, every shift's twenty minutes; on their own, one or two sessions
            // of ten to thirty minutes begun at any minute of the last five hours, each minute used
            // with chance one half. Counted from the start of the current five-minute bin, so that
            // the bins are the same whatever the shared cluster's clock reads.
            IEnumerable<int> minutes = onOneSchedule
                ? new[] { -180, -150, -120, -90, -60, -30 }.SelectMany(start => Enumerable.Range(start, 20).Where((_, k) => k % 5 == 1))
                : Enumerable.Range(0, random.Next(1, 3)).SelectMany(_ =>
                {
                    var start = random.Next(-300, -30);
                    return Enumerable.Range(start, random.Next(10, 31));
                }).Distinct().Where(_ => random.NextDouble() < 0.5);
            var usage = minutes.Select(m => (AccountEvent)Events.Prompted(bin.AddMinutes(m), home, requests: 1, template ^ (1UL << (i % 64))));
            await account.RecordAsync([.. usage]);
        }

        return ids;
    }

    // The two templates below share no 16-bit band with another test's fingerprint: a bucket is one
    // band's value, and the shared cluster keeps every test's buckets (PropagationTests' flagged
    // "fanout" cluster once shared band 0 with the first, and its risk held these honest accounts
    // whenever that test ran first).
    [Fact]
    public async Task A_template_shared_by_aged_accounts_without_a_history_at_their_own_hours_holds_none_of_them()
    {
        var ids = await UnwatchedSharersAsync("unwatched-tool", 0x71c3_a94e_d62b_58f7, onOneSchedule: false);
        var view = await Grains.GetGrain<IPromptTemplateGrain>(PromptBands.BucketKeys(0x71c3_a94e_d62b_58f7).First()).GetSignalsAsync();
        Assert.True(view.Suspicion <= 0.2, $"suspicion {view.Suspicion}");
        foreach (var id in ids.Skip(1))
        {
            var d = await Grains.GetGrain<IAccountGrain>(id).DecideRequestAsync(null);
            Assert.True(d.Outcome == (int)RequestOutcome.Allow, $"{id}: score {d.Score}: {string.Join(", ", d.Reasons.Select(r => $"{r.Code} {r.Contribution}"))}");
        }
    }

    [Fact]
    public async Task The_same_accounts_working_one_shift_schedule_make_the_template_suspect()
    {
        await UnwatchedSharersAsync("unwatched-shift", 0x8e1d_47b2_c5a9_3f60, onOneSchedule: true);
        var view = await Grains.GetGrain<IPromptTemplateGrain>(PromptBands.BucketKeys(0x8e1d_47b2_c5a9_3f60).First()).GetSignalsAsync();
        Assert.True(view.Suspicion >= 0.8, $"suspicion {view.Suspicion}");
    }

    /// <summary>
    /// Four of <paramref name="ids"/> each send one prompt of <paramref name="template"/> now (a small
    /// bucket of four sharers: too few to judge their timing there), and that bucket's suspicion.
    /// </summary>
    private async Task<double> FewShareAsync(List<string> ids, ulong template)
    {
        var bin = new DateTimeOffset(Now.UtcTicks - (Now.UtcTicks % Lockstep.Bin.Ticks), TimeSpan.Zero);
        for (var i = 0; i < 4; i++)
        {
            var account = Grains.GetGrain<IAccountGrain>(ids[i]);
            var range = (await account.GetSnapshotAsync())!.IpRanges[0];
            await account.RecordAsync([Events.Prompted(bin, range, requests: 1, template ^ (1UL << i))]);
        }

        return (await Grains.GetGrain<IPromptTemplateGrain>(PromptBands.BucketKeys(template).First()).GetSignalsAsync()).Suspicion;
    }

    [Fact]
    public async Task Accounts_found_in_step_on_one_template_stop_vouching_for_another_too_small_to_judge_their_timing()
    {
        // A campaign's prompts spread over many small buckets: one big enough finds them in step.
        var shift = await UnwatchedSharersAsync("in-step-big", 0x5b9e_2d74_a1c6_e803, onOneSchedule: true);
        // Aged accounts at their own hours, as a tool's customers on a deployment's first day.
        var own = await UnwatchedSharersAsync("own-hours-big", 0x2a6d_f391_0c84_b75e, onOneSchedule: false);

        // Four of each also share another template. Without what the big one found, four aged
        // accounts without a history vouch for it (suspicion 0); told, the shift's do not.
        await Eventually.HoldsAsync(async () => await FewShareAsync(shift, 0x3f17_c8a2_96d5_4e1b) >= 0.75,
            "the small template the shift's accounts share is suspect");
        Assert.Equal(0, await FewShareAsync(own, 0x4c58_e1b3_7d2a_96f0));
    }

    [Fact]
    public async Task Templates_judged_after_an_accounts_requests_judge_the_hour_that_came_before()
    {
        // Six templates, one request each, from five aged accounts without a history, each in a
        // five-minute bin of its own: too little timing to judge, so they vouch for the templates.
        ulong[] templates = [.. Enumerable.Range(0, 6).Select(t => 0x1d83_6fa5_c2e7_094bUL ^ ((ulong)t * 0x0202_0202_0202_0202UL))];
        var bin = new DateTimeOffset(Now.UtcTicks - (Now.UtcTicks % Lockstep.Bin.Ticks), TimeSpan.Zero);
        var early = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var id = Unique("judged-later");
            early.Add(id);
            var home = UniqueRange();
            var account = Grains.GetGrain<IAccountGrain>(id);
            await account.RecordAsync([Signup(Now.AddDays(-8), home, card: null)]);
            await account.RecordAsync([Events.Usage(Now.AddHours(-36), home, requests: 3)]);
            await account.RecordAsync([.. templates.Select(t => (AccountEvent)Events.Prompted(bin.AddMinutes(-50 + (10 * i)), home, requests: 1, t ^ (1UL << i)))]);
        }

        var last = Grains.GetGrain<IAccountGrain>(early[^1]);
        var before = await last.DecideRequestAsync(null);
        Assert.True(before.Outcome == (int)RequestOutcome.Allow, $"score {before.Score}: {string.Join(", ", before.Reasons.Select(r => $"{r.Code} {r.Contribution}"))}");

        // Then twenty new accounts use the same six templates: none of them vouches.
        for (var i = 0; i < 20; i++)
        {
            var home = UniqueRange();
            var account = Grains.GetGrain<IAccountGrain>(Unique("judged-later-new"));
            await account.RecordAsync([Signup(Now.AddDays(-1), home, card: null)]);
            await account.RecordAsync([.. templates.Select(t => (AccountEvent)Events.Prompted(bin, home, requests: 1, t ^ (1UL << (8 + i))))]);
        }

        // The last early account sent nothing since; once its cached signals are refreshed, the six
        // requests it sent while the templates looked benign are weighed at what they are now.
        fixture.Time.Advance(AccountGrain.SignalsMaxAge + TimeSpan.FromSeconds(1));
        await Eventually.HoldsAsync(async () =>
        {
            var d = await last.DecideRequestAsync(null);
            return d.Outcome != (int)RequestOutcome.Allow
                && d.Reasons.Any(r => r.Code == ReasonCodes.PromptTemplateShared && r.Detail.Contains("young or dormant", StringComparison.Ordinal));
        }, "the early account's hour of templated requests is weighed at the templates' suspicion now");
    }

    [Fact]
    public async Task Dormant_accounts_spreading_their_first_requests_over_many_shared_templates_are_held_after_a_handful()
    {
        // Six harvest templates, one request each, per account: no template is much of any account's
        // traffic, and no account has sent many requests yet; together they are all its traffic.
        ulong[] templates = [.. Enumerable.Range(0, 6).Select(t => 0x6b6b_2d2d_7171_1919UL ^ ((ulong)t * 0x0101_0101_0101_0101UL))];
        var ids = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var id = Unique("spread");
            ids.Add(id);
            var home = UniqueRange();
            var account = Grains.GetGrain<IAccountGrain>(id);
            await account.RecordAsync([Signup(Now.AddDays(-40), home, card: null)]);
            await account.RecordAsync([.. templates.Select((t, j) => (AccountEvent)Events.Prompted(Now.AddMinutes(-20 + (3 * j)), home, requests: 1, t ^ (1UL << (i % 64))))]);
        }

        foreach (var id in ids.Skip(5))
        {
            var d = await Grains.GetGrain<IAccountGrain>(id).DecideRequestAsync(null);
            Assert.True(d.Outcome != (int)RequestOutcome.Allow, $"{id}: score {d.Score}: {string.Join(", ", d.Reasons.Select(r => $"{r.Code} {r.Contribution}"))}");
            Assert.Contains(d.Reasons, r => r.Code == ReasonCodes.PromptTemplateShared && r.Detail.Contains("young or dormant", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task The_first_account_of_a_template_counts_its_earlier_requests_once_others_turn_out_to_share_it()
    {
        // A campaign's first account sends its three harvest templates before any other account has:
        // nobody shares them yet, so they count as nothing.
        ulong[] templates = [.. Enumerable.Range(0, 3).Select(t => 0x9e37_79b9_7f4a_7c15UL ^ ((ulong)t * 0x0101_0101_0101_0101UL))];
        var first = Grains.GetGrain<IAccountGrain>(Unique("first"));
        var home = UniqueRange();
        await first.RecordAsync([Signup(Now.AddDays(-40), home, card: null)]);
        await first.RecordAsync([.. templates.Select((t, j) => (AccountEvent)Events.Prompted(Now.AddMinutes(-20 + (3 * j)), home, requests: 1, t))]);
        var alone = await first.DecideRequestAsync(null);
        Assert.Equal((int)RequestOutcome.Allow, alone.Outcome);

        // Then a dozen dormant accounts from other ranges send the same templates.
        for (var i = 0; i < 12; i++)
        {
            var other = Grains.GetGrain<IAccountGrain>(Unique("later"));
            var range = UniqueRange();
            await other.RecordAsync([Signup(Now.AddDays(-30), range, card: null)]);
            await other.RecordAsync([.. templates.Select((t, j) => (AccountEvent)Events.Prompted(Now.AddMinutes(-10 + j), range, requests: 1, t ^ (1UL << (i + 1))))]);
        }

        // Once its cached view of those buckets is refreshed, the first account's three requests count
        // as the suspect templated traffic they were, at the time they were sent.
        fixture.Time.Advance(TimeSpan.FromSeconds(31));
        await Eventually.HoldsAsync(
            async () =>
            {
                var last = await first.DecideRequestAsync(null);
                return last.Outcome != (int)RequestOutcome.Allow
                    && last.Reasons.Any(r => r.Code == ReasonCodes.PromptTemplateShared && r.Detail.Contains("young or dormant", StringComparison.Ordinal));
            },
            "the first account held for its earlier templated requests");
    }

    [Fact]
    public async Task A_dormant_accounts_first_request_in_a_suspect_template_holds_it_where_a_customers_does_not()
    {
        // A dozen bought accounts, each behind its own residential block, already share a harvest template.
        const ulong template = 0x6b3e_a9d4_217c_e58fUL;
        for (var i = 0; i < 12; i++)
        {
            var range = UniqueRange();
            var bought = Grains.GetGrain<IAccountGrain>(Unique("bought"));
            await bought.RecordAsync([Signup(Now.AddDays(-30), range, card: null)]);
            await bought.RecordAsync([Events.Prompted(Now.AddMinutes(-10), range, requests: 2, template ^ (1UL << (i + 1)))]);
        }

        // One more aged account with no history sends its very first request with that template; so
        // does a customer of months, who has used the service on many days.
        var dormantHome = UniqueRange();
        var dormant = Grains.GetGrain<IAccountGrain>(Unique("woken"));
        await dormant.RecordAsync([Signup(Now.AddDays(-45), dormantHome, card: null)]);
        await dormant.RecordAsync([Events.Prompted(Now.AddMinutes(-1), dormantHome, requests: 1, template ^ (1UL << 20))]);
        var customerHome = UniqueRange();
        var customer = Grains.GetGrain<IAccountGrain>(Unique("customer"));
        await customer.RecordAsync([Signup(Now.AddDays(-200), customerHome, card: null)]);
        await customer.RecordAsync([.. Enumerable.Range(3, 5).Select(d => (AccountEvent)Events.Usage(Now.AddDays(-d * 4), customerHome, requests: 10))]);
        await customer.RecordAsync([Events.Prompted(Now.AddMinutes(-1), customerHome, requests: 1, template ^ (1UL << 21))]);

        // The dormant account has nothing to weigh its one request against: it is held for it.
        await Eventually.HoldsAsync(
            async () =>
            {
                var d = await dormant.DecideRequestAsync(null);
                return d.Outcome != (int)RequestOutcome.Allow
                    && d.Reasons.Any(r => r.Code == ReasonCodes.PromptTemplateShared && r.Detail.Contains("young or dormant", StringComparison.Ordinal));
            },
            "the dormant account held on its first suspect request");

        // The customer's one request among its history is a single request: little evidence.
        var c = await customer.DecideRequestAsync(null);
        Assert.True(c.Outcome == (int)RequestOutcome.Allow, $"score {c.Score}: {string.Join(", ", c.Reasons.Select(r => $"{r.Code} {r.Contribution}"))}");
    }

    [Fact]
    public async Task A_prompt_shared_with_a_classs_assignment_and_near_a_campaigns_counts_as_the_classs()
    {
        // Bands, high to low: b0 b1 b2 b3. Six students of one campus range send the assignment
        // (their prompts differ in b3 only); a dozen bought accounts spread over ranges send a harvest
        // prompt that differs from the assignment in three bits of b0 and b1, so it meets the
        // assignment's b2 and b3 buckets, not its b0 and b1.
        const ulong assignment = 0x2f6d_91c3_58e0_b4a7UL;
        var campus = UniqueRange();
        for (var i = 0; i < 6; i++)
        {
            var student = Grains.GetGrain<IAccountGrain>(Unique("student"));
            await student.RecordAsync([Signup(Now.AddMinutes(-50), campus, card: null)]);
            await student.RecordAsync([Events.Prompted(Now.AddMinutes(-30), campus, requests: 3, assignment ^ (1UL << i))]);
        }

        var bought = new List<IAccountGrain>();
        for (var j = 0; j < 12; j++)
        {
            var range = UniqueRange();
            var account = Grains.GetGrain<IAccountGrain>(Unique("bought"));
            bought.Add(account);
            await account.RecordAsync([Signup(Now.AddDays(-30), range, card: null)]);
            await account.RecordAsync([Events.Prompted(Now.AddMinutes(-20), range, requests: 2, assignment ^ (3UL << 48) ^ (1UL << (32 + j)))]);
        }

        // The bought accounts' prompts are suspect templated traffic...
        await Eventually.HoldsAsync(
            async () => (await bought[^1].DecideRequestAsync(null)).Reasons.Any(r => r.Code == ReasonCodes.PromptTemplateShared && r.Detail.Contains("young or dormant", StringComparison.Ordinal)),
            "the bought accounts' prompts counted as suspect templated traffic");

        // ...while a student who signs up now and sends the assignment itself (within three bits of
        // the harvest prompt) is judged by the company it keeps in all four bands: its class's.
        var late = Grains.GetGrain<IAccountGrain>(Unique("student"));
        await late.RecordAsync([Signup(Now.AddMinutes(-5), campus, card: null)]);
        await late.RecordAsync([Events.Prompted(Now.AddMinutes(-1), campus, requests: 3, assignment)]);
        var d = await late.DecideRequestAsync(null);
        Assert.DoesNotContain(d.Reasons, r => r.Code == ReasonCodes.PromptTemplateShared && r.Detail.Contains("young or dormant", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_newcomer_reads_a_ranges_flagged_newcomers_not_its_flagged_aged_accounts()
    {
        // Two residential blocks, each with a dozen campaign accounts held on their own evidence
        // (six harvest templates each, shared with as many accounts in other blocks) beside four
        // ordinary customers: in one the campaign's accounts
        // are aged and dormant (bought, sticky proxies), in the other they signed up today.
        var aged = UniqueRange();
        var fresh = UniqueRange();
        await CampaignInRangeAsync(aged, 0x5d1f_e2a7_3b94_c068UL, signedUp: Now.AddDays(-40));
        await CampaignInRangeAsync(fresh, 0x8c2d_44e1_9a6b_17f3UL, signedUp: Now.AddHours(-2));
        foreach (var range in new[] { aged, fresh })
        {
            await Eventually.HoldsAsync(async () => (await Grains.GetGrain<IIpRangeGrain>(range).GetSnapshotAsync())!.Risk > 0.3, $"{range} took its flagged accounts");
        }

        // Someone signs up in each block and sends an ordinary request.
        var newcomerOfAged = await NewcomerAsync(aged);
        var newcomerOfFresh = await NewcomerAsync(fresh);
        var dormantOfAged = Grains.GetGrain<IAccountGrain>(Unique("dormant"));
        await dormantOfAged.RecordAsync([Signup(Now.AddDays(-50), aged, card: null), Events.Usage(Now.AddMinutes(-1), aged, requests: 1)]);

        // The aged block's flagged accounts say little of a newcomer...
        var d = await newcomerOfAged.DecideRequestAsync(aged);
        Assert.Equal((int)RequestOutcome.Allow, d.Outcome);
        Assert.DoesNotContain(d.Reasons, r => r.Code == ReasonCodes.LinkedRisk);
        // ...nor on a dormant account waking up there with an ordinary request (it could be a returning
        // customer: the block speaks only as far as its own signals bear it out)...
        var dormant = await dormantOfAged.DecideRequestAsync(aged);
        Assert.Equal((int)RequestOutcome.Allow, dormant.Outcome);
        Assert.Contains(dormant.Reasons, r => r.Code == ReasonCodes.LinkedRisk && r.Detail.Contains("as far as its own signals bear it out", StringComparison.Ordinal));
        // A block whose newcomers were flagged holds the next newcomer.
        d = await newcomerOfFresh.DecideRequestAsync(fresh);
        Assert.NotEqual((int)RequestOutcome.Allow, d.Outcome);
        Assert.Contains(d.Reasons, r => r.Code == ReasonCodes.LinkedRisk);
    }

    private async Task CampaignInRangeAsync(string range, ulong template, DateTimeOffset signedUp)
    {
        ulong[] templates = [.. Enumerable.Range(0, 6).Select(t => template ^ ((ulong)t * 0x0101_0101_0101_0101UL))];
        for (var i = 0; i < 4; i++)
        {
            var customer = Grains.GetGrain<IAccountGrain>(Unique("customer"));
            await customer.RecordAsync([Signup(Now.AddDays(-300), range, card: null), Events.Usage(Now.AddDays(-10), range, requests: 3), Events.Usage(Now.AddDays(-5), range, requests: 3),
                Events.Usage(Now.AddDays(-2), range, requests: 3), Events.Usage(Now.AddMinutes(-30), range, requests: 2)]);
        }

        // As many of the campaign's accounts again elsewhere, one block each: spread, not one cohort.
        for (var i = 0; i < 24; i++)
        {
            var at = i % 2 == 0 ? range : UniqueRange();
            var account = Grains.GetGrain<IAccountGrain>(Unique("campaign"));
            await account.RecordAsync([Signup(signedUp, at, card: null)]);
            await account.RecordAsync([.. templates.Select((t, j) => (AccountEvent)Events.Prompted(Now.AddMinutes(-20 + (3 * j)), at, requests: 1, t ^ (1UL << (i % 64))))]);
        }
    }

    private async Task<IAccountGrain> NewcomerAsync(string range)
    {
        var account = Grains.GetGrain<IAccountGrain>(Unique("newcomer"));
        await account.RecordAsync([Signup(Now.AddMinutes(-5), range, card: null), Events.Usage(Now.AddMinutes(-1), range, requests: 1)]);
        return account;
    }

    [Fact]
    public async Task One_labelled_account_in_a_carrier_range_of_forty_leaves_the_others_allowed_and_card_mates_are_held()
    {
        var nat = UniqueRange();
        var members = Enumerable.Range(0, 40).Select(_ => Unique("mobile")).ToList();
        var card = Unique("pf-pair");
        for (var i = 0; i < members.Count; i++)
        {
            // Ordinary phone users: made at different times, active now and then; two of them share a card.
            await Grains.GetGrain<IAccountGrain>(members[i]).RecordAsync(
                [Signup(Now.AddDays(-20 - i), nat, i < 3 ? card : null), Events.Usage(Now.AddMinutes(-(i * 7 % 60)), nat, requests: 3)]);
        }

        await Grains.GetGrain<IAccountGrain>(members[0]).SetLabelAsync(new LabelChange { Label = Label.Fraud, Reason = "test", By = "tests", At = Now });

        // The card of three goes to a confirmed share past saturation: its other two accounts are held.
        foreach (var mate in members.Skip(1).Take(2))
        {
            await Eventually.HoldsAsync(async () =>
                (await Grains.GetGrain<IAccountGrain>(mate).DecideRequestAsync(nat)).Outcome != (int)RequestOutcome.Allow, $"{mate} held through the card");
        }

        // The range takes the label as one of forty: a sliver of risk, seen once it arrived.
        await Eventually.HoldsAsync(async () => (await Grains.GetGrain<IIpRangeGrain>(nat).GetSnapshotAsync())!.Risk > 0, "the range took the label");
        var rangeRisk = (await Grains.GetGrain<IIpRangeGrain>(nat).GetSnapshotAsync())!.Risk;
        Assert.True(rangeRisk < 0.05, $"range risk {rangeRisk}, accounts {(await Grains.GetGrain<IIpRangeGrain>(nat).GetSnapshotAsync())!.DistinctAccounts}");

        var allowed = 0;
        foreach (var id in members.Skip(3))
        {
            var d = await Grains.GetGrain<IAccountGrain>(id).DecideRequestAsync(nat);
            allowed += d.Outcome == (int)RequestOutcome.Allow ? 1 : 0;
            // What reaches them through the range is that sliver, decayed.
            Assert.DoesNotContain(d.Reasons, r => r.Code == ReasonCodes.LinkedRisk && r.Contribution > 0.05);
        }

        Assert.True(allowed >= 0.95 * 37, $"{allowed} of 37 allowed");
    }
}
