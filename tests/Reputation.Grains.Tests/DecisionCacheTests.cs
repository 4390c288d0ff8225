using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Reputation.Core.Scoring;
using Reputation.Grains.Accounts;
using Reputation.Grains.Policies;

namespace Reputation.Grains.Tests;

/// <summary>
/// The silo's copy of each account's last request decision (docs/decisions/0023-decision-cache.md):
/// answered again only while nothing it was decided from has changed.
/// </summary>
public sealed class DecisionCacheTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly Policies _policies = new();
    private readonly Revisions _lists = new();
    private readonly Revisions _intel = new();
    private readonly Usage _usage = new();

    private DateTimeOffset Now => _time.GetUtcNow();

    private DecisionCache Cache(DecisionCacheSettings? settings = null) =>
        new(settings ?? new DecisionCacheSettings(TimeSpan.FromSeconds(5), 1_000), _policies, _lists, _intel, _usage, new ReputationClock(_time));

    private CachedDecision Decided(double score = 0.1, int? shadow = null) =>
        new(new DecisionResult { Outcome = 0, Score = score, Reasons = [], PolicyVersion = 1 }, shadow, Now);

    [Fact]
    public void A_decision_is_answered_again_for_the_same_account_and_range_until_it_is_max_age_old()
    {
        var cache = Cache();
        cache.Put("a", "192.0.2.0/24", Decided(0.3, shadow: 2), cache.Inputs(), DateTimeOffset.MaxValue);

        Assert.True(cache.TryGet("a", "192.0.2.0/24", out var held));
        Assert.Equal(0.3, held.Result.Score);
        Assert.Equal(2, held.ShadowOutcome);
        Assert.False(cache.TryGet("a", "198.51.100.0/24", out _));
        Assert.False(cache.TryGet("b", "192.0.2.0/24", out _));

        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.True(cache.TryGet("a", "192.0.2.0/24", out _));
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.False(cache.TryGet("a", "192.0.2.0/24", out _));
    }

    [Fact]
    public void A_decision_is_held_no_longer_than_the_grain_says_and_not_at_all_when_that_has_passed()
    {
        var cache = Cache();
        cache.Put("a", null, Decided(), cache.Inputs(), Now.AddSeconds(2));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(cache.TryGet("a", null, out _));

        cache.Put("b", null, Decided(), cache.Inputs(), Now);
        Assert.False(cache.TryGet("b", null, out _));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void A_new_policy_shadow_candidate_list_indicator_set_or_usage_horizon_makes_every_held_decision_stale()
    {
        var cache = Cache();
        void Hold() => cache.Put("a", null, Decided(), cache.Inputs(), DateTimeOffset.MaxValue);
        bool Held() => cache.TryGet("a", null, out _);

        Hold();
        _policies.Current = ScoringPolicy.Default with { Version = 2 };
        Assert.False(Held());

        Hold();
        _policies.Shadow = ScoringPolicy.Default with { Version = 3 };
        Assert.False(Held());

        Hold();
        _lists.Revision = new object();
        Assert.False(Held());

        Hold();
        _intel.Revision = new object();
        Assert.False(Held());

        // Usage seen from further back: silence before it now counts (dormancy).
        Hold();
        _usage.Saw(Now.AddDays(-90));
        Assert.False(Held());

        Hold();
        Assert.True(Held());
    }

    [Fact]
    public void A_decision_made_while_the_policy_changed_is_not_answered_under_the_new_one()
    {
        var cache = Cache();
        var before = cache.Inputs();
        _policies.Current = ScoringPolicy.Default with { Version = 2 };
        cache.Put("a", null, Decided(), before, DateTimeOffset.MaxValue);

        Assert.False(cache.TryGet("a", null, out _));
    }

    [Fact]
    public void Removing_an_account_drops_its_decision_only()
    {
        var cache = Cache();
        cache.Put("a", null, Decided(), cache.Inputs(), DateTimeOffset.MaxValue);
        cache.Put("b", null, Decided(), cache.Inputs(), DateTimeOffset.MaxValue);

        cache.Remove("a");

        Assert.False(cache.TryGet("a", null, out _));
        Assert.True(cache.TryGet("b", null, out _));
    }

    [Fact]
    public void When_full_expired_decisions_make_room_and_live_ones_are_kept()
    {
        var cache = Cache(new DecisionCacheSettings(TimeSpan.FromSeconds(5), 3));
        cache.Put("old-1", null, Decided(), cache.Inputs(), DateTimeOffset.MaxValue);
        cache.Put("old-2", null, Decided(), cache.Inputs(), DateTimeOffset.MaxValue);
        _time.Advance(TimeSpan.FromSeconds(3));
        cache.Put("live", null, Decided(), cache.Inputs(), DateTimeOffset.MaxValue);

        // Full of live decisions: the newcomer waits for room.
        cache.Put("turned-away", null, Decided(), cache.Inputs(), DateTimeOffset.MaxValue);
        Assert.False(cache.TryGet("turned-away", null, out _));

        // Once the first two expire, the next newcomer gets a place.
        _time.Advance(TimeSpan.FromSeconds(2));
        cache.Put("newcomer", null, Decided(), cache.Inputs(), DateTimeOffset.MaxValue);
        Assert.True(cache.TryGet("newcomer", null, out _));
        Assert.True(cache.TryGet("live", null, out _));
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void Turned_off_it_holds_nothing()
    {
        var cache = Cache(DecisionCacheSettings.Off);
        Assert.False(cache.Enabled);
        cache.Put("a", null, Decided(), cache.Inputs(), DateTimeOffset.MaxValue);
        Assert.False(cache.TryGet("a", null, out _));
    }

    private sealed class Policies : IPolicyCache
    {
        public ScoringPolicy Current { get; set; } = ScoringPolicy.Default;

        public ScoringPolicy? Shadow { get; set; }
    }

    private sealed class Usage : IUsageObservation
    {
        public DateTimeOffset? Since { get; private set; }

        public void Saw(DateTimeOffset at) => Since = Since is { } since && since <= at ? since : at;
    }

    private sealed class Revisions : IListCache, IIntelCache
    {
        public object Revision { get; set; } = new();

        public bool IsEmpty => true;

        public ListHit? Match(string accountId, IEnumerable<string> instruments, IEnumerable<string> ranges, IEnumerable<string> buckets) => null;

        public void Apply(ListChange change)
        {
        }

        public IReadOnlyList<IntelHit> Match(IEnumerable<string> ranges, IEnumerable<string> instruments, IEnumerable<string> buckets) => [];

        public Task RenewAsync() => Task.CompletedTask;
    }
}

/// <summary>The account grain keeps the silo's copy of its decision true: it drops it on any change.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DecisionCacheGrainTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Grains;

    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    private IDecisionCache Cache => fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IDecisionCache>();

    private bool Held(string account, string? range, out CachedDecision decision) => Cache.TryGet(account, range, out decision);

    [Fact]
    public async Task The_grain_holds_its_request_decision_and_drops_it_when_events_labels_or_its_entities_change()
    {
        const string range = "172.19.1.0/24";
        var account = Grains.GetGrain<IAccountGrain>("decision-cache-1");
        await account.SignupAsync(Events.Signup(Now.AddDays(-30), range, "pf-decision-cache-1"));

        var first = await account.DecideRequestAsync(range);
        Assert.True(Held("decision-cache-1", range, out var held));
        Assert.Equal(first.Score, held.Result.Score);
        Assert.Equal(first.Outcome, held.Result.Outcome);

        // An event: dropped, and the next decision is the account's new one.
        await account.RecordAsync([Events.Usage(Now, range, requests: 5_000)]);
        Assert.False(Held("decision-cache-1", range, out _));
        var busy = await DecideUntilHeldAsync(account, "decision-cache-1", range);
        Assert.True(busy.Score > first.Score, $"{busy.Score} after 5,000 requests in a minute, {first.Score} before");

        // Its card confirmed as fraud: the card tells the account (one-way), which drops the decision.
        await Grains.GetGrain<IPaymentInstrumentGrain>("pf-decision-cache-1").SetLabelAsync(new LabelChange { Label = Label.Fraud, Reason = "test", By = "tests", At = Now });
        await Eventually.HoldsAsync(() => Task.FromResult(!Held("decision-cache-1", range, out _)), "the held decision dropped after the card's label");
        var afterCard = await DecideUntilHeldAsync(account, "decision-cache-1", range);
        Assert.True(afterCard.Score > busy.Score, $"{afterCard.Score} with its card confirmed fraud, {busy.Score} before");

        // A label of the account itself.
        await account.SetLabelAsync(new LabelChange { Label = Label.Fraud, Reason = "test", By = "tests", At = Now });
        Assert.False(Held("decision-cache-1", range, out _));
        var labelled = await account.DecideRequestAsync(range);
        Assert.Contains(labelled.Reasons, r => r.Code == ReasonCodes.LabelFraud);
    }

    /// <summary>
    /// Decides until the silo holds the decision the grain answered. A change of the account's own
    /// standing travels to its card and range and back (one-way calls), and each arrival rightly drops
    /// the held decision; once those have settled, the next decision stays held.
    /// </summary>
    private async Task<DecisionResult> DecideUntilHeldAsync(IAccountGrain account, string accountId, string range)
    {
        DecisionResult? answered = null;
        await Eventually.HoldsAsync(
            async () =>
            {
                answered = await account.DecideRequestAsync(range);
                return Held(accountId, range, out var held) && held.Result.Score == answered.Score && held.Result.Outcome == answered.Outcome;
            },
            "the silo holds the decision the grain answered");
        return answered!;
    }

    [Fact]
    public async Task A_decision_asked_from_another_range_replaces_the_held_one()
    {
        var account = Grains.GetGrain<IAccountGrain>("decision-cache-2");
        await account.SignupAsync(Events.Signup(Now.AddDays(-30), "172.19.2.0/24"));
        await account.DecideRequestAsync("172.19.2.0/24");
        await account.DecideRequestAsync("172.19.3.0/24");

        Assert.False(Held("decision-cache-2", "172.19.2.0/24", out _));
        Assert.True(Held("decision-cache-2", "172.19.3.0/24", out _));
    }
}
