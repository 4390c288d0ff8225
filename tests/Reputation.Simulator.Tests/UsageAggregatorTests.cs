using Reputation.Contracts;
using Reputation.Simulator.Generation;

namespace Reputation.Simulator.Tests;

public sealed class UsageAggregatorTests
{
    private static readonly DateTimeOffset _start = TestScenarios.WindowStart;

    private static DateTimeOffset TimeOf(long second) => _start.AddSeconds(second);

    [Fact]
    public void Requests_of_one_account_in_one_second_from_one_address_become_one_event()
    {
        var a = Account(0);
        var events = Aggregate(
            Request(a, 5, "198.18.0.1", "hello there", input: 10, output: 100),
            Request(a, 5, "198.18.0.1", "hello there", input: 10, output: 200),
            Request(a, 5, "198.18.0.1", "something else", input: 5, output: 50));

        var e = Assert.Single(events);
        Assert.Equal(EventType.Usage, e.Type);
        Assert.Equal(a.Id, e.AccountId);
        Assert.Equal(3, e.Requests);
        Assert.Equal(25, e.InputTokens);
        Assert.Equal(350, e.OutputTokens);
        Assert.Equal("198.18.0.1", e.Ip);
        Assert.Equal(_start.AddSeconds(5), e.OccurredAt);
        Assert.Equal([Fakes.Fingerprint("hello there"), Fakes.Fingerprint("something else")], e.PromptFingerprints);
        Assert.Equal($"{a.Id}-u5", e.Id);
    }

    [Fact]
    public void Each_distinct_prompt_is_fingerprinted_once_and_equal_fingerprints_are_sent_once()
    {
        var calls = new List<string>();
        var aggregator = new UsageAggregator(p => { calls.Add(p); return p.StartsWith('x') ? "000000000000000a" : "000000000000000b"; }, _ => 0);
        var a = Account(0);

        var e = Assert.Single(aggregator.Aggregate([Request(a, 1, "198.18.0.1", "x1"), Request(a, 1, "198.18.0.1", "x1"), Request(a, 1, "198.18.0.1", "x2"), Request(a, 1, "198.18.0.1", "y")], TimeOf));

        Assert.Equal(["x1", "x2", "y"], calls);
        Assert.Equal(["000000000000000a", "000000000000000b"], e.PromptFingerprints);
    }

    [Fact]
    public void Reasoning_elicitation_is_the_mean_score_over_the_distinct_prompts()
    {
        var aggregator = new UsageAggregator(Fakes.Fingerprint, p => p == "a" ? 1.0 : p == "b" ? 0.5 : 0.0);
        var a = Account(0);

        var e = Assert.Single(aggregator.Aggregate([Request(a, 1, "198.18.0.1", "a"), Request(a, 1, "198.18.0.1", "a"), Request(a, 1, "198.18.0.1", "a"), Request(a, 1, "198.18.0.1", "b"), Request(a, 1, "198.18.0.1", "c")], TimeOf));

        Assert.Equal(0.5, e.ReasoningElicitation);
    }

    [Fact]
    public void A_score_outside_zero_to_one_is_clamped()
    {
        var aggregator = new UsageAggregator(Fakes.Fingerprint, _ => 7);

        var e = Assert.Single(aggregator.Aggregate([Request(Account(0), 1, "198.18.0.1", "a")], TimeOf));

        Assert.Equal(1.0, e.ReasoningElicitation);
    }

    [Fact]
    public void No_more_than_64_fingerprints_go_in_one_event()
    {
        var a = Account(0);
        var requests = Enumerable.Range(0, 100).Select(i => Request(a, 1, "198.18.0.1", $"prompt {i}")).ToArray();

        var e = Assert.Single(Aggregate(requests));

        Assert.Equal(UsageAggregator.MaxFingerprints, e.PromptFingerprints!.Count);
        Assert.Equal(100, e.Requests);
    }

    [Fact]
    public void Different_seconds_addresses_and_accounts_are_separate_events_with_unique_ids()
    {
        var a = Account(0);
        var b = Account(1);
        var events = Aggregate(
            Request(b, 1, "198.18.0.1", "p"),
            Request(a, 2, "198.18.0.1", "p"),
            Request(a, 1, "198.18.0.2", "p"),
            Request(a, 1, "198.18.0.1", "p"),
            Request(a, 2, "198.18.0.1", "p"));

        Assert.Equal(4, events.Count);
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());

        // Account, then second; within a second, addresses in the order first seen.
        Assert.Equal([(a.Id, 1L, "198.18.0.2"), (a.Id, 1L, "198.18.0.1"), (a.Id, 2L, "198.18.0.1"), (b.Id, 1L, "198.18.0.1")],
            events.Select(e => (e.AccountId, (long)(e.OccurredAt - _start).TotalSeconds, e.Ip!)));
        Assert.Equal([$"{a.Id}-u1", $"{a.Id}-u1-1", $"{a.Id}-u2", $"{b.Id}-u1"], events.Select(e => e.Id));
        Assert.Equal(2, events.Single(e => e.Id == $"{a.Id}-u2").Requests);
    }

    [Fact]
    public void The_model_is_the_one_most_requests_used()
    {
        var a = Account(0);
        var e = Assert.Single(Aggregate(
            Request(a, 1, "198.18.0.1", "p", model: "old"),
            Request(a, 1, "198.18.0.1", "q", model: "new"),
            Request(a, 1, "198.18.0.1", "r", model: "new")));

        Assert.Equal("new", e.Model);
    }

    [Fact]
    public void The_default_aggregator_uses_the_clients_fingerprint_and_elicitation_score()
    {
        const string prompt = "Solve the following algebra problem. Think step by step and show all intermediate reasoning: 3x + 5 = 20";

        var e = Assert.Single(UsageAggregator.Default.Aggregate([Request(Account(0), 1, "198.18.0.1", prompt)], TimeOf));

        Assert.Equal([Reputation.Client.PromptFingerprint.Compute(prompt)], e.PromptFingerprints);
        Assert.Matches("^[0-9a-f]{16}$", e.PromptFingerprints![0]);
        Assert.Equal(Math.Round(Reputation.Client.ReasoningElicitation.Score(prompt), 4), e.ReasoningElicitation);
    }

    [Fact]
    public void Nothing_in_gives_nothing_out() => Assert.Empty(Aggregate());

    private static IReadOnlyList<IngestEvent> Aggregate(params SimRequest[] requests) =>
        new UsageAggregator(Fakes.Fingerprint, Fakes.Elicitation).Aggregate(requests, TimeOf);

    private static SimRequest Request(SimAccount account, long second, string ip, string prompt, int input = 1, int output = 1, string model = "m") =>
        new(account, second, ip, prompt, model, input, output);

    private static SimAccount Account(int index) => new()
    {
        Index = index,
        Id = $"acct-{index}",
        Kind = AccountKind.Legitimate,
        SignupSecond = -100,
        SignupIp = "198.18.0.1",
        Country = "DE",
    };
}
