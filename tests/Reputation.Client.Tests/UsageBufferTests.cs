using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Reputation.Client.Tests;

public sealed class UsageBufferTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset s_start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private const string Prompt = "Think step by step and show all intermediate reasoning: what is 17 * 23?";

    /// <summary>Answers every batch as accepted, counting the events it carried.</summary>
    private static StubHandler Accepting() => new(async (request, _, ct) =>
    {
        using var body = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(ct));
        var count = body.RootElement.GetProperty("events").GetArrayLength();
        return StubHandler.Json(HttpStatusCode.Accepted, $$"""{"accepted":{{count}},"duplicates":0,"rejected":[]}""");
    });

    private static List<JsonElement> SentEvents(StubHandler handler) =>
        [.. handler.Requests.SelectMany(r => JsonDocument.Parse(r.Body!).RootElement.GetProperty("events").EnumerateArray().Select(e => e.Clone()))];

    private static ReputationClient Client(StubHandler handler) =>
        Samples.CreateClient(handler, o =>
        {
            o.IngestMaxRetries = 0;
            o.IngestRetryDelay = TimeSpan.Zero;
        });

    [Fact]
    public async Task Requests_of_one_account_in_one_second_from_one_address_become_one_summary_without_the_prompts()
    {
        var time = new FakeTimeProvider(s_start);
        var handler = Accepting();
        await using var buffer = new UsageBuffer(Client(handler), new UsageBufferOptions { FlushInterval = TimeSpan.FromHours(1) }, time);

        buffer.Record("acct-1", "198.51.100.7", Prompt, inputTokens: 100, outputTokens: 300, model: "m1");
        buffer.Record("acct-1", "198.51.100.7", Prompt, inputTokens: 50, outputTokens: 150, model: "m1");
        buffer.Record("acct-1", "198.51.100.7", "Summarise this article about tides.", inputTokens: 10, outputTokens: 20, model: "m2");
        buffer.Record("acct-1", "203.0.113.9", null, inputTokens: 5, outputTokens: 5);
        time.Advance(TimeSpan.FromSeconds(1));
        buffer.Record("acct-1", "198.51.100.7", Prompt); // the next second: still open
        await buffer.FlushAsync(cancellationToken: Ct);

        var events = SentEvents(handler);
        Assert.Equal(2, events.Count);
        var first = events.Single(e => e.GetProperty("ip").GetString() == "198.51.100.7");
        Assert.Equal(3, first.GetProperty("requests").GetInt64());
        Assert.Equal(160, first.GetProperty("inputTokens").GetInt64());
        Assert.Equal(470, first.GetProperty("outputTokens").GetInt64());
        Assert.Equal([PromptFingerprint.Compute(Prompt), PromptFingerprint.Compute("Summarise this article about tides.")],
            first.GetProperty("promptFingerprints").EnumerateArray().Select(f => f.GetString()));
        var expected = ((2 * ReasoningElicitation.Score(Prompt)) + ReasoningElicitation.Score("Summarise this article about tides.")) / 3;
        Assert.Equal(Math.Round(expected, 4), first.GetProperty("reasoningElicitation").GetDouble(), 4);
        Assert.Equal("m1", first.GetProperty("model").GetString());
        Assert.Equal(s_start, first.GetProperty("occurredAt").GetDateTimeOffset());
        Assert.All(handler.Requests, r => Assert.DoesNotContain("step by step", r.Body!, StringComparison.Ordinal));
        Assert.Equal(2, buffer.Sent);
    }

    [Fact]
    public async Task A_failed_flush_keeps_the_summaries_and_sends_them_again_with_the_same_ids()
    {
        var time = new FakeTimeProvider(s_start);
        var failing = true;
        var handler = new StubHandler(async (request, _, ct) =>
        {
            if (Volatile.Read(ref failing))
            {
                return StubHandler.Problem(HttpStatusCode.ServiceUnavailable, """{"title":"Service Unavailable","status":503}""");
            }

            using var body = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(ct));
            return StubHandler.Json(HttpStatusCode.Accepted, $$"""{"accepted":{{body.RootElement.GetProperty("events").GetArrayLength()}},"duplicates":0,"rejected":[]}""");
        });
        await using var buffer = new UsageBuffer(Client(handler), new UsageBufferOptions { FlushInterval = TimeSpan.FromHours(1) }, time);

        buffer.Record("acct-1", "198.51.100.7", Prompt);
        buffer.Record("acct-2", "198.51.100.8", Prompt);
        time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<ReputationApiException>(() => buffer.FlushAsync(cancellationToken: Ct));
        var firstIds = SentEvents(handler).Select(e => (e.GetProperty("accountId").GetString(), e.GetProperty("id").GetString())).ToList();

        Volatile.Write(ref failing, false);
        await buffer.FlushAsync(cancellationToken: Ct);

        var all = SentEvents(handler).Select(e => (e.GetProperty("accountId").GetString(), e.GetProperty("id").GetString())).ToList();
        Assert.Equal(firstIds, all.Skip(firstIds.Count));
        Assert.Equal(2, buffer.Sent);
    }

    [Fact]
    public async Task The_timer_sends_ended_seconds_and_disposing_sends_the_rest()
    {
        var time = new FakeTimeProvider(s_start);
        var handler = Accepting();
        var buffer = new UsageBuffer(Client(handler), new UsageBufferOptions { FlushInterval = TimeSpan.FromSeconds(1) }, time);

        buffer.Record("acct-1", "198.51.100.7");
        time.Advance(TimeSpan.FromSeconds(1)); // the timer fires: second 0 is over
        await WaitAsync(() => buffer.Sent == 1);

        buffer.Record("acct-1", "198.51.100.7"); // second 1, still open
        await buffer.DisposeAsync();

        Assert.Equal(2, buffer.Sent);
        Assert.Equal(2, SentEvents(handler).Select(e => e.GetProperty("id").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task Past_the_bound_new_summaries_are_dropped_and_counted()
    {
        var time = new FakeTimeProvider(s_start);
        var handler = Accepting();
        await using var buffer = new UsageBuffer(Client(handler), new UsageBufferOptions { FlushInterval = TimeSpan.FromHours(1), MaxPendingSummaries = 2 }, time);

        buffer.Record("acct-1", "198.51.100.7");
        buffer.Record("acct-2", "198.51.100.7");
        buffer.Record("acct-3", "198.51.100.7");
        buffer.Record("acct-1", "198.51.100.7"); // joins an existing summary: not dropped

        Assert.Equal(1, buffer.Dropped);
        await buffer.FlushAsync(all: true, cancellationToken: Ct);
        Assert.Equal(["acct-1", "acct-2"], SentEvents(handler).Select(e => e.GetProperty("accountId").GetString()).Order(StringComparer.Ordinal));
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, limit.Token);
        }
    }
}
