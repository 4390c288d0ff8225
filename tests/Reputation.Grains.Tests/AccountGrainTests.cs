using Reputation.Core.Scoring;

namespace Reputation.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class AccountGrainTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    private static string UniqueRange()
    {
        var n = Interlocked.Increment(ref s_range);
        return $"10.{n / 256 % 256}.{n % 256}.0/24";
    }

    private static int s_range;

    [Fact]
    public async Task Signup_links_the_account_to_its_range_and_instrument()
    {
        var range = UniqueRange();
        var account = Grains.GetGrain<IAccountGrain>("link-1");

        await account.SignupAsync(Events.Signup(Now, range, "pf-link-1"));

        var snapshot = await account.GetSnapshotAsync();
        Assert.NotNull(snapshot);
        Assert.Equal([range], snapshot.IpRanges);
        Assert.Equal(["pf-link-1"], snapshot.PaymentInstruments);
        Assert.Equal(Now, snapshot.CreatedAt);
        var rangeView = await Grains.GetGrain<IIpRangeGrain>(range).GetSnapshotAsync();
        Assert.Equal(["link-1"], rangeView!.RecentAccounts);
        Assert.Equal(1, rangeView.SignupsLastHour);
        var instrument = await Grains.GetGrain<IPaymentInstrumentGrain>("pf-link-1").GetSnapshotAsync();
        Assert.Equal(1, instrument!.DistinctAccounts);
    }

    [Fact]
    public async Task Accounts_sharing_a_card_and_a_range_are_reviewed_while_an_unrelated_one_is_allowed()
    {
        var range = UniqueRange();
        var decisions = new List<DecisionResult>();
        for (var i = 0; i < 50; i++)
        {
            var account = Grains.GetGrain<IAccountGrain>($"hydra-grain-{i}");
            decisions.Add(await account.SignupAsync(Events.Signup(Now.AddSeconds(i), range, "pf-hydra-grain")));
        }

        Assert.Equal((int)SignupOutcome.Allow, decisions[0].Outcome);
        foreach (var later in decisions.Skip(10))
        {
            Assert.True(later.Outcome >= (int)SignupOutcome.Review, $"score {later.Score} gave {(SignupOutcome)later.Outcome}");
            var codes = later.Reasons.Take(3).Select(r => r.Code).ToList();
            Assert.Contains(ReasonCodes.PaymentInstrumentShared, codes);
            Assert.Contains(ReasonCodes.IpRangeSignupVelocity, codes);
        }

        var honest = await Grains.GetGrain<IAccountGrain>("honest-grain").SignupAsync(Events.Signup(Now, UniqueRange(), "pf-honest-grain"));
        Assert.Equal((int)SignupOutcome.Allow, honest.Outcome);
    }

    [Fact]
    public async Task A_resent_event_is_counted_once()
    {
        var account = Grains.GetGrain<IAccountGrain>("dedup-1");
        var range = UniqueRange();
        var usage = Events.Usage(Now, range, requests: 7);

        var first = await account.RecordAsync([usage]);
        var again = await account.RecordAsync([usage, usage]);

        Assert.Equal([EventStatus.Accepted], first);
        Assert.Equal([EventStatus.Duplicate, EventStatus.Duplicate], again);
        var snapshot = await account.GetSnapshotAsync();
        Assert.Equal(7, snapshot!.Usage.RequestsTotal);
        var rangeView = await Grains.GetGrain<IIpRangeGrain>(range).GetSnapshotAsync();
        Assert.Equal(7, rangeView!.Usage.RequestsTotal);
    }

    [Fact]
    public async Task Velocity_windows_use_event_time()
    {
        var account = Grains.GetGrain<IAccountGrain>("velocity-1");
        await account.RecordAsync(
        [
            Events.Usage(Now.AddHours(-2), null, requests: 100),
            Events.Usage(Now.AddMinutes(-30), null, requests: 10),
            Events.Usage(Now, null, requests: 1),
        ]);

        var usage = (await account.GetSnapshotAsync())!.Usage;
        Assert.Equal(111, usage.RequestsTotal);
        Assert.Equal(11, usage.RequestsLastHour);
        Assert.Equal(1, usage.RequestsLastMinute);
        Assert.Equal(111, usage.RequestsLastDay);
    }

    [Fact]
    public async Task Chargebacks_on_the_instrument_hold_or_deny_billing()
    {
        var account = Grains.GetGrain<IAccountGrain>("billing-1");
        await account.SignupAsync(Events.Signup(Now, UniqueRange(), "pf-billing-1"));
        var before = await account.DecideBillingAsync("pf-billing-1", 2000, "USD");

        await account.RecordAsync(
        [
            Events.Payment(Now, "pf-billing-1", PaymentKind.Chargeback),
            Events.Payment(Now, "pf-billing-1", PaymentKind.Chargeback),
        ]);
        var after = await account.DecideBillingAsync("pf-billing-1", 2000, "USD");

        Assert.Equal((int)BillingOutcome.Allow, before.Outcome);
        Assert.True(after.Outcome >= (int)BillingOutcome.Hold);
        Assert.Equal(ReasonCodes.PaymentChargebacks, after.Reasons[0].Code);
        Assert.Equal(2, (await account.GetSnapshotAsync())!.Payments.Chargebacks);
    }

    [Fact]
    public async Task An_unknown_account_gets_a_new_account_request_decision_and_no_snapshot()
    {
        var account = Grains.GetGrain<IAccountGrain>("never-seen-1");

        var decision = await account.DecideRequestAsync(UniqueRange());

        Assert.Equal((int)RequestOutcome.Allow, decision.Outcome);
        Assert.Equal(ReasonCodes.NewAccount, decision.Reasons[0].Code);
        Assert.True(decision.RequestsPerMinute > 0);
        Assert.True(decision.CacheTtlSeconds > 0);
        Assert.Null(await account.GetSnapshotAsync());
    }

    [Fact]
    public async Task A_request_decision_sees_its_clusters_growth_once_its_cached_signals_are_stale()
    {
        var range = UniqueRange();
        var first = Grains.GetGrain<IAccountGrain>("stale-0");
        await first.SignupAsync(Events.Signup(Now, range, "pf-stale"));
        var early = await first.DecideRequestAsync(range);
        for (var i = 1; i < 30; i++)
        {
            await Grains.GetGrain<IAccountGrain>($"stale-{i}").SignupAsync(Events.Signup(Now, range, "pf-stale"));
        }

        fixture.Time.Advance(TimeSpan.FromSeconds(31));
        DecisionResult later = early;
        // The first stale decision starts a background refresh; a later one sees its result.
        for (var attempt = 0; attempt < 200 && later.Score <= early.Score; attempt++)
        {
            later = await first.DecideRequestAsync(range);
            await Task.Yield();
        }

        Assert.True(later.Score > early.Score, $"score stayed {later.Score}");
        Assert.Contains(later.Reasons, r => r.Code == ReasonCodes.PaymentInstrumentShared);
    }

    [Fact]
    public async Task State_survives_deactivation()
    {
        var range = UniqueRange();
        var account = Grains.GetGrain<IAccountGrain>("persist-1");
        await account.SignupAsync(Events.Signup(Now, range, "pf-persist-1"));
        await account.RecordAsync([Events.Usage(Now, range, 5)]);

        await fixture.Cluster.DeactivateAsync(account);
        var snapshot = await account.GetSnapshotAsync();

        Assert.Equal([range], snapshot!.IpRanges);
        Assert.Equal(5, snapshot.Usage.RequestsTotal);
    }
}
