using Microsoft.Extensions.Time.Testing;
using Reputation.Api.Features.Decisions;
using Reputation.Grains;

namespace Reputation.Api.Tests;

/// <summary>
/// The silo's store of last answers, given stale on failover (docs/decisions/0038-stale-answers-on-failover.md):
/// bounded whatever the number of accounts, never older than its maximum age, never for another range.
/// </summary>
public sealed class LastRequestDecisionsTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private static DecisionResult Decision(int outcome) =>
        new() { Outcome = outcome, Score = 0.1 * outcome, Reasons = [], PolicyVersion = 1, RequestsPerMinute = 60, CacheTtlSeconds = 30 };

    private LastRequestDecisions Store(int capacity, TimeSpan? maxAge = null) =>
        new(new LastDecisionSettings(maxAge ?? TimeSpan.FromMinutes(5), capacity, TimeSpan.FromMilliseconds(200)), new ReputationClock(_time));

    [Fact]
    public void It_holds_at_most_its_capacity_and_always_the_most_recent_half()
    {
        var store = Store(capacity: 1_000);
        for (var i = 0; i < 10_000; i++)
        {
            store.Remember($"acct-{i}", "10.0.0.0/24", new LastDecision(Decision(i % 4), _time.GetUtcNow()));
            Assert.InRange(store.Count, 1, 1_000);
        }

        for (var i = 10_000 - 500; i < 10_000; i++)
        {
            Assert.True(store.TryGet($"acct-{i}", "10.0.0.0/24", out var held), $"acct-{i}, among the last 500 answered, is held");
            Assert.Equal(i % 4, held.Result.Outcome);
        }

        Assert.False(store.TryGet("acct-0", "10.0.0.0/24", out _));
    }

    [Fact]
    public void An_answer_is_given_only_for_the_same_range_and_not_once_older_than_the_maximum_age()
    {
        var store = Store(capacity: 1_000, maxAge: TimeSpan.FromMinutes(5));
        store.Remember("acct", "10.0.0.0/24", new LastDecision(Decision(3), _time.GetUtcNow()));

        Assert.False(store.TryGet("acct", "10.0.1.0/24", out _));
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.True(store.TryGet("acct", "10.0.0.0/24", out var held));
        Assert.Equal(3, held.Result.Outcome);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(store.TryGet("acct", "10.0.0.0/24", out _));

        // Answered again: the newer answer replaces it, and an erased account is forgotten.
        store.Remember("acct", "10.0.0.0/24", new LastDecision(Decision(1), _time.GetUtcNow()));
        Assert.True(store.TryGet("acct", "10.0.0.0/24", out held));
        Assert.Equal(1, held.Result.Outcome);
        store.Remove("acct");
        Assert.False(store.TryGet("acct", "10.0.0.0/24", out _));
    }

    [Fact]
    public void Stale_answers_off_hold_nothing()
    {
        var store = Store(capacity: 1_000, maxAge: TimeSpan.Zero);
        store.Remember("acct", "10.0.0.0/24", new LastDecision(Decision(2), _time.GetUtcNow()));

        Assert.False(store.TryGet("acct", "10.0.0.0/24", out _));
        Assert.Equal(0, store.Count);
    }
}
