using System.Diagnostics.Metrics;
using Reputation.Core.Prompts;
using Reputation.Core.Scoring;

namespace Reputation.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class PropagationTests(ClusterFixture fixture)
{
    private static int s_next;

    private IGrainFactory Grains => fixture.Grains;

    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    /// <summary>An id no other test of the shared cluster uses: one counter for the whole assembly, so two classes cannot make the same card or account.</summary>
    private static string Unique(string prefix) => Events.NewId(prefix);

    private static string UniqueRange()
    {
        var n = Interlocked.Increment(ref s_next);
        return $"100.{64 + (n / 256 % 64)}.{n % 256}.0/24";
    }

    private static ulong Flip(ulong fingerprint, Random random, int bits)
    {
        for (var i = 0; i < bits; i++)
        {
            fingerprint ^= 1UL << random.Next(64);
        }

        return fingerprint;
    }

    private async Task<List<string>> TemplateClusterAsync(string prefix, int accounts, ulong template)
    {
        var random = new Random(accounts);
        var ids = new List<string>();
        for (var i = 0; i < accounts; i++)
        {
            var id = Unique(prefix);
            ids.Add(id);
            var account = Grains.GetGrain<IAccountGrain>(id);
            await account.SignupAsync(Events.Signup(Now.AddDays(-10), UniqueRange()));
            // Light users (a request nine days ago), then one request each with the template: little
            // evidence yet. (An aged account never used before would be held on it: a dormant account
            // has no past use to weigh its first requests against.)
            await account.RecordAsync([Events.Usage(Now.AddDays(-9), null, requests: 1)]);
            var usage = Events.Usage(Now, null, requests: 1);
            await account.RecordAsync([new UsageEvent
            {
                EventId = usage.EventId,
                OccurredAt = usage.OccurredAt,
                Requests = usage.Requests,
                PromptFingerprints = [Flip(template, random, i % 3)],
            }]);
        }

        return ids;
    }

    [Fact]
    public async Task A_ranges_own_signup_burst_does_not_flag_its_newcomers_to_it_while_what_they_do_does()
    {
        // A class: thirty signups from the campus range within half an hour, then light use. Its
        // newcomers' evidence is the range's burst and their newness; counted as flagged in the range
        // it would come back to all of them as their neighbours' risk.
        var campus = UniqueRange();
        var students = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var id = Unique("student");
            students.Add(id);
            await Grains.GetGrain<IAccountGrain>(id).RecordAsync([Events.Signup(Now.AddMinutes(-30 + i), campus), Events.Usage(Now, campus, requests: 3)]);
        }

        var harvesters = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var id = Unique("campus-harvester");
            harvesters.Add(id);
            await Grains.GetGrain<IAccountGrain>(id).RecordAsync([Events.Signup(Now.AddMinutes(-1), campus), new UsageEvent
            {
                EventId = Events.NewId("harvest"),
                OccurredAt = Now,
                IpRange = campus,
                Requests = 4000,
                OutputTokens = 4000 * 400,
                ReasoningElicitation = 1,
            }]);
        }

        var range = Grains.GetGrain<IIpRangeGrain>(campus);
        await Eventually.HoldsAsync(async () => harvesters.All((await range.GetFlaggedAccountsAsync()).Contains), "the harvesters flagged in the range");

        Assert.Empty((await range.GetFlaggedAccountsAsync()).Intersect(students));
        var student = await Grains.GetGrain<IAccountGrain>(students[^1]).DecideRequestAsync(campus);
        Assert.Contains(student.Reasons, r => r.Code == ReasonCodes.IpRangeSignupVelocity);
    }

    [Fact]
    public async Task Accounts_sending_near_identical_prompts_share_a_template()
    {
        var ids = await TemplateClusterAsync("tpl", 6, 0x9f3c_2a7b_1d4e_6f80);

        var last = await Grains.GetGrain<IAccountGrain>(ids[^1]).GetSnapshotAsync();
        Assert.NotEmpty(last!.PromptBuckets);
        var bucket = await Grains.GetGrain<IPromptTemplateGrain>(last.PromptBuckets[0]).GetSnapshotAsync();
        Assert.InRange(bucket!.SharingAccounts, 5, 7);
        Assert.Contains(last.RequestDecision.Reasons, r => r.Code == ReasonCodes.PromptTemplateShared);
    }

    [Fact]
    public async Task A_chance_band_collision_between_unrelated_prompts_is_not_a_link()
    {
        // Same first band (16 bits), the other 48 bits far apart: a bucket meeting, not a template.
        var a = Grains.GetGrain<IAccountGrain>(Unique("collide"));
        var b = Grains.GetGrain<IAccountGrain>(Unique("collide"));
        await a.RecordAsync([new UsageEvent { EventId = Events.NewId(), OccurredAt = Now, Requests = 1, PromptFingerprints = [0xabcd_0000_0000_0000] }]);
        await b.RecordAsync([new UsageEvent { EventId = Events.NewId(), OccurredAt = Now, Requests = 1, PromptFingerprints = [0xabcd_ffff_ffff_ffff] }]);

        Assert.Empty((await b.GetSnapshotAsync())!.PromptBuckets);
        var bucket = await Grains.GetGrain<IPromptTemplateGrain>(PromptBands.BucketKey(0xabcd_0000_0000_0000, 0)).GetSnapshotAsync();
        Assert.Equal(0, bucket!.SharingAccounts);
    }

    [Fact]
    public async Task A_chance_band_collision_with_a_busy_shared_bucket_neither_links_nor_counts_as_templated()
    {
        // A campaign's template: a dozen dormant accounts share it, so its buckets are busy and suspect.
        const ulong template = 0x5dfe_3c21_a9e4_7b16;
        var random = new Random(7);
        for (var i = 0; i < 12; i++)
        {
            var member = Grains.GetGrain<IAccountGrain>(Unique("busy"));
            await member.SignupAsync(Events.Signup(Now.AddDays(-30), UniqueRange()));
            await member.RecordAsync([new UsageEvent { EventId = Events.NewId(), OccurredAt = Now, Requests = 5, PromptFingerprints = [Flip(template, random, i % 3)] }]);
        }

        // An honest user whose own prompt meets the template in its first band only (the other 48 bits far apart).
        var honest = Grains.GetGrain<IAccountGrain>(Unique("band-meet"));
        await honest.SignupAsync(Events.Signup(Now.AddDays(-30), UniqueRange()));
        await honest.RecordAsync([new UsageEvent { EventId = Events.NewId(), OccurredAt = Now, Requests = 5, PromptFingerprints = [template ^ 0x0000_ffff_ffff_ffff] }]);

        var bucket = await Grains.GetGrain<IPromptTemplateGrain>(PromptBands.BucketKey(template, 0)).GetSnapshotAsync();
        Assert.True(bucket!.SharingAccounts >= 5, $"the template is shared by {bucket.SharingAccounts}");
        Assert.Empty((await honest.GetSnapshotAsync())!.PromptBuckets);
        var decision = await honest.DecideRequestAsync(null);
        Assert.DoesNotContain(decision.Reasons, r => r.Code is ReasonCodes.PromptTemplateShared or ReasonCodes.LinkedRisk);
    }

    [Fact]
    public async Task Labelling_a_quarter_of_a_template_cluster_fraud_moves_the_rest_off_allow()
    {
        var ids = await TemplateClusterAsync("campaign", 12, 0x1234_5678_9abc_def0);
        foreach (var id in ids)
        {
            Assert.Equal((int)RequestOutcome.Allow, (await Grains.GetGrain<IAccountGrain>(id).DecideRequestAsync(null)).Outcome);
        }

        // Confirmed evidence counts in proportion to the template's sharers (docs/decisions/0017):
        // three of twelve is a confirmed share past saturation.
        foreach (var id in ids.Take(3))
        {
            await Grains.GetGrain<IAccountGrain>(id).SetLabelAsync(new LabelChange { Label = Label.Fraud, Reason = "test", By = "tests", At = Now });
        }

        Assert.Equal((int)RequestOutcome.Block, (await Grains.GetGrain<IAccountGrain>(ids[0]).DecideRequestAsync(null)).Outcome);
        foreach (var id in ids.Skip(3))
        {
            await Eventually.HoldsAsync(async () =>
                (await Grains.GetGrain<IAccountGrain>(id).DecideRequestAsync(null)).Outcome != (int)RequestOutcome.Allow, $"{id} off allow");
        }

        var reasons = (await Grains.GetGrain<IAccountGrain>(ids[5]).DecideRequestAsync(null)).Reasons;
        Assert.Equal(ReasonCodes.LinkedRisk, reasons[0].Code);
    }

    [Fact]
    public async Task Fraud_accounts_behind_carrier_nat_raise_the_range_in_proportion_and_leave_its_ordinary_users_allowed()
    {
        var range = UniqueRange();
        var users = new List<string>();
        for (var i = 0; i < 1000; i++)
        {
            var id = Unique("nat");
            users.Add(id);
            // Established users: signed up weeks ago, active at their own times of day; only the shared range links them.
            await Grains.GetGrain<IAccountGrain>(id).RecordAsync(
                [Events.Signup(Now.AddDays(-30).AddMinutes(i), range), Events.Usage(Now.AddMinutes(-(i * 7 % 1440)), range, requests: 4)]);
        }

        // Fifty confirmed of a thousand (5 %, weighed as 15 %) raise the range a little: enough to see
        // that the labels arrived, far from enough to hold the other 950 (docs/decisions/0017).
        foreach (var id in users.Take(50))
        {
            await Grains.GetGrain<IAccountGrain>(id).SetLabelAsync(new LabelChange { Label = Label.Fraud, Reason = "test", By = "tests", At = Now });
        }

        await Eventually.HoldsAsync(async () => (await Grains.GetGrain<IIpRangeGrain>(range).GetSnapshotAsync())!.Risk > 0.05, "range risk raised");

        var risk = (await Grains.GetGrain<IIpRangeGrain>(range).GetSnapshotAsync())!.Risk;
        Assert.True(risk < 0.2, $"range risk {risk}");
        foreach (var id in users.Skip(900))
        {
            var decision = await Grains.GetGrain<IAccountGrain>(id).DecideRequestAsync(range);
            Assert.True(decision.Outcome == (int)RequestOutcome.Allow, $"{id}: score {decision.Score}");
        }
    }

    [Fact]
    public async Task Many_accounts_of_a_range_becoming_active_in_the_same_minutes_is_a_signal()
    {
        var range = UniqueRange();
        var ids = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            var id = Unique("sync");
            ids.Add(id);
            await Grains.GetGrain<IAccountGrain>(id).RecordAsync([Events.Signup(Now.AddDays(-12).AddMinutes(-i * 13), range)]);
        }

        // A model release: the dormant accounts all start within three minutes.
        for (var i = 0; i < ids.Count; i++)
        {
            await Grains.GetGrain<IAccountGrain>(ids[i]).RecordAsync([Events.Usage(Now.AddSeconds(-(i * 3)), range, requests: 2)]);
        }

        var decision = await Grains.GetGrain<IAccountGrain>(ids[^1]).DecideRequestAsync(range);
        var quiet = await Grains.GetGrain<IAccountGrain>(Unique("quiet")).DecideRequestAsync(UniqueRange());

        var signal = Assert.Single(decision.Reasons, r => r.Code == ReasonCodes.SynchronisedActivity);
        Assert.Contains("60 accounts", signal.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(quiet.Reasons, r => r.Code == ReasonCodes.SynchronisedActivity);
    }

    [Fact]
    public async Task Trusted_cuts_an_accounts_score_and_cleared_restores_it()
    {
        var range = UniqueRange();
        var account = Grains.GetGrain<IAccountGrain>(Unique("trust"));
        for (var i = 0; i < 12; i++)
        {
            await Grains.GetGrain<IAccountGrain>(Unique("trust-peer")).SignupAsync(Events.Signup(Now, range, "pf-trust"));
        }

        await account.SignupAsync(Events.Signup(Now, range, "pf-trust"));
        var before = await account.DecideRequestAsync(null);
        await account.SetLabelAsync(new LabelChange { Label = Label.Trusted, Reason = "known customer", By = "tests", At = Now });
        var trusted = await account.DecideRequestAsync(null);
        await account.SetLabelAsync(new LabelChange { Label = Label.None, Reason = "re-check", By = "tests", At = Now });
        var cleared = await account.DecideRequestAsync(null);

        Assert.True(before.Outcome > (int)RequestOutcome.Allow, $"score {before.Score}");
        Assert.Equal((int)RequestOutcome.Allow, trusted.Outcome);
        Assert.Contains(trusted.Reasons, r => r.Code == ReasonCodes.LabelTrusted);
        Assert.Equal(before.Score, cleared.Score, 3);
    }

    [Fact]
    public async Task Accounts_over_their_cards_cluster_quota_are_throttled_though_each_is_small()
    {
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var id = Unique("quota");
            ids.Add(id);
            var account = Grains.GetGrain<IAccountGrain>(id);
            await account.RecordAsync([Events.Signup(Now.AddDays(-20), UniqueRange(), "pf-quota")]);
            // 1,500 requests over the last hour each: far under any per-account limit.
            await account.RecordAsync([.. Enumerable.Range(0, 30).Select(m => Events.Usage(Now.AddMinutes(-m), null, requests: 50))]);
        }

        var decision = await Grains.GetGrain<IAccountGrain>(ids[^1]).DecideRequestAsync(null);

        Assert.Contains(decision.Reasons, r => r.Code == ReasonCodes.ClusterUsage);
        Assert.True(decision.Outcome > (int)RequestOutcome.Allow, $"score {decision.Score}");
    }

    [Fact]
    public async Task Fan_out_per_change_is_bounded_by_the_policy()
    {
        long largest = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "reputation.propagation.fanout")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Exchange(ref largest, Math.Max(Interlocked.Read(ref largest), value)));
        listener.Start();

        var ids = await TemplateClusterAsync("fanout", 150, 0x0f0f_1e1e_2d2d_3c3c);
        await Grains.GetGrain<IAccountGrain>(ids[^1]).SetLabelAsync(new LabelChange { Label = Label.Fraud, Reason = "test", By = "tests", At = Now });
        await Eventually.HoldsAsync(() => Task.FromResult(Interlocked.Read(ref largest) > 0), "a propagation measured");
        await Eventually.HoldsAsync(async () =>
            (await Grains.GetGrain<IAccountGrain>(ids[^2]).DecideRequestAsync(null)).Outcome != (int)RequestOutcome.Allow, "a neighbour off allow");

        Assert.InRange(Interlocked.Read(ref largest), 1, ScoringPolicy.Default.Propagation.FanOut);
    }

    private static async Task RotateAsync(IAccountGrain account, DateTimeOffset at, int ranges)
    {
        // A rotating proxy network: a new /24 for nearly every request.
        await account.RecordAsync([.. Enumerable.Range(0, ranges).Select(i => (AccountEvent)Events.Usage(at.AddMinutes(-i), UniqueRange(), requests: 2))]);
    }

    [Fact]
    public async Task A_new_account_behind_a_rotating_proxy_network_is_throttled_for_its_ranges_of_the_last_day()
    {
        var rotating = Grains.GetGrain<IAccountGrain>(Unique("rotating"));
        await rotating.SignupAsync(Events.Signup(Now.AddHours(-1), UniqueRange()));
        await RotateAsync(rotating, Now, ranges: 7);

        var decision = await rotating.DecideRequestAsync(null);
        Assert.NotEqual((int)RequestOutcome.Allow, decision.Outcome);
        Assert.Equal(ReasonCodes.IpRotation, decision.Reasons[0].Code);
        Assert.Contains("8 IP ranges used in the last 24 hours", decision.Reasons[0].Detail, StringComparison.Ordinal);

        // The same hops two days ago are history, not rotation.
        var earlier = Grains.GetGrain<IAccountGrain>(Unique("rotated-before"));
        await earlier.SignupAsync(Events.Signup(Now.AddDays(-3), UniqueRange()));
        await RotateAsync(earlier, Now.AddDays(-2), ranges: 7);
        Assert.DoesNotContain((await earlier.DecideRequestAsync(null)).Reasons, r => r.Code == ReasonCodes.IpRotation);
    }

    [Fact]
    public async Task An_account_flagged_before_it_uses_a_card_counts_as_flagged_in_that_card()
    {
        var suspect = Grains.GetGrain<IAccountGrain>(Unique("early"));
        var partner = Grains.GetGrain<IAccountGrain>(Unique("partner"));
        var card = Unique("pf-later");
        await suspect.SignupAsync(Events.Signup(Now.AddHours(-1), UniqueRange()));
        await RotateAsync(suspect, Now, ranges: 7);
        Assert.NotEqual((int)RequestOutcome.Allow, (await suspect.DecideRequestAsync(null)).Outcome);

        // Already flagged, it now pays with a card a long-standing customer also uses.
        await partner.SignupAsync(Events.Signup(Now.AddDays(-60), UniqueRange(), card));
        await suspect.RecordAsync([Events.Payment(Now, card, PaymentKind.Succeeded)]);

        await Eventually.HoldsAsync(async () => (await Grains.GetGrain<IPaymentInstrumentGrain>(card).GetSnapshotAsync())!.Risk > 0.5,
            "the card counts the suspect as flagged");
        await Eventually.HoldsAsync(async () =>
            (await partner.DecideRequestAsync(null)).Reasons.Any(r => r.Code == ReasonCodes.LinkedRisk), "the partner reads the card's risk");
    }

    [Fact]
    public async Task Risk_does_not_travel_back_to_the_account_it_came_from()
    {
        var card = Unique("pf-pair");
        var suspect = Grains.GetGrain<IAccountGrain>(Unique("suspect"));
        var partner = Grains.GetGrain<IAccountGrain>(Unique("partner"));
        await suspect.SignupAsync(Events.Signup(Now.AddHours(-1), UniqueRange(), card));
        await partner.SignupAsync(Events.Signup(Now.AddDays(-60), UniqueRange(), card));

        // The suspect is flagged on its own evidence; its card tells the partner.
        await RotateAsync(suspect, Now, ranges: 7);
        await Eventually.HoldsAsync(async () =>
        {
            var d = await partner.DecideRequestAsync(null);
            return d.Outcome != (int)RequestOutcome.Allow && d.Reasons[0].Code == ReasonCodes.LinkedRisk;
        }, "partner held through the shared card");

        // The partner is held only for what the suspect did: it does not count as flagged in the card,
        // so the card's risk as the suspect reads it (without the suspect) is nothing, and the two
        // cannot keep each other flagged.
        var snapshot = await Grains.GetGrain<IPaymentInstrumentGrain>(card).GetSnapshotAsync();
        Assert.True(snapshot!.Risk > 0.5, $"card risk {snapshot.Risk}");
        Assert.DoesNotContain((await suspect.DecideRequestAsync(null)).Reasons, r => r.Code == ReasonCodes.LinkedRisk);
    }
}
