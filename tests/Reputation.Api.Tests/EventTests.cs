using System.Net;
using System.Text;
using System.Text.Json;
using Reputation.Api.Features.Events;
using Reputation.Client;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class EventTests(ApiFactory factory)
{
    [Fact]
    public async Task A_mixed_batch_is_accepted_and_sending_it_again_changes_nothing()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        // Away from an hour boundary: this test is about idempotency, not the window edges (WindowEdgeTests).
        var now = factory.Time.MoveToNext(minute: 15);
        var account = Unique.Id("mixed");
        var card = Unique.Id("card-mixed");
        var net = Unique.Ipv4Range();
        var batch = Events.Batch(
            Events.Signup(Unique.Id("evt"), account, now.AddMinutes(-10), net.Host(8), card),
            Events.Usage(Unique.Id("evt"), account, now.AddMinutes(-5), 5, net.Host(8)) with { InputTokens = 100, OutputTokens = 400 },
            Events.Usage(Unique.Id("evt"), account, now.AddMinutes(-4), 7, net.Host(8)) with { PromptFingerprints = ["9f3c2a7b1d4e6f80", "00000000000000ff"], ReasoningElicitation = 0.25, Model = "frontier-large" },
            Events.Payment(Unique.Id("evt"), account, now.AddMinutes(-3), card, PaymentOutcome.Succeeded),
            Events.Payment(Unique.Id("evt"), account, now.AddMinutes(-2), card, PaymentOutcome.Declined));

        var first = await client.IngestAsync(batch, ct);
        var afterFirst = await ViewsAsync(account, card, ct);
        var second = await client.IngestAsync(batch, ct);
        var afterSecond = await ViewsAsync(account, card, ct);

        Assert.Equal((5, 0), (first.Accepted, first.Duplicates));
        Assert.Empty(first.Rejected);
        Assert.Equal(12, afterFirst.Account.Usage.RequestsTotal);
        Assert.Equal(500, afterFirst.Account.Usage.TokensLastHour);
        Assert.Equal((1, 1), (afterFirst.Account.Payments.Succeeded, afterFirst.Account.Payments.Declined));
        Assert.Equal((1, 1), (afterFirst.Instrument.Payments.Succeeded, afterFirst.Instrument.Payments.Declined));
        Assert.Equal(12, afterFirst.Range.Usage.RequestsTotal);
        Assert.Equal(1, afterFirst.Range.SignupsLastHour);

        Assert.Equal((0, 5), (second.Accepted, second.Duplicates));
        Assert.Empty(second.Rejected);
        Assert.Equal(afterFirst.Account.Usage, afterSecond.Account.Usage);
        Assert.Equal(afterFirst.Account.Payments, afterSecond.Account.Payments);
        Assert.Equal(afterFirst.Instrument.Payments, afterSecond.Instrument.Payments);
        Assert.Equal(afterFirst.Range.Usage, afterSecond.Range.Usage);
        Assert.Equal(afterFirst.Range.SignupsLastHour, afterSecond.Range.SignupsLastHour);

        async Task<(AccountView Account, PaymentInstrumentView Instrument, IpRangeView Range)> ViewsAsync(string id, string fingerprint, CancellationToken token) =>
            ((await client.GetAccountAsync(id, token))!, (await client.GetPaymentInstrumentAsync(fingerprint, token))!, (await client.GetIpRangeAsync(net.Network, 24, token))!);
    }

    [Fact]
    public async Task An_ingest_answers_202_with_the_batch_result_as_JSON()
    {
        var account = Unique.Id("raw-202");
        var body = $$"""{"events":[{{Events.UsageJson(Unique.Id("evt"), account, factory.Time.GetUtcNow(), 2)}}]}""";

        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Post("/v1/events", body), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(1, result.RootElement.GetProperty("accepted").GetInt32());
        Assert.Equal(0, result.RootElement.GetProperty("duplicates").GetInt32());
        Assert.Equal(0, result.RootElement.GetProperty("rejected").GetArrayLength());
    }

    [Fact]
    public async Task A_duplicate_id_within_one_batch_counts_once()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        var now = factory.Time.GetUtcNow();
        var account = Unique.Id("dup");
        var id = Unique.Id("evt");

        var result = await client.IngestAsync(Events.Batch(
            Events.Usage(id, account, now, 3),
            Events.Usage(Unique.Id("evt"), account, now, 10),
            Events.Usage(id, account, now, 3)), ct);

        Assert.Equal((2, 1), (result.Accepted, result.Duplicates));
        Assert.Equal(13, (await client.GetAccountAsync(account, ct))?.Usage.RequestsTotal);
    }

    [Fact]
    public async Task Malformed_events_are_rejected_alone_with_their_index_and_id_while_the_rest_are_applied()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        var now = factory.Time.GetUtcNow();
        var account = Unique.Id("partly-bad");
        var card = Unique.Id("card-partly");
        var ids = Enumerable.Range(0, 8).Select(i => Unique.Id($"evt{i}")).ToArray();

        var result = await client.IngestAsync(Events.Batch(
            Events.Usage(ids[0], account, now, 4),
            Events.Usage(null!, account, now, 100),
            Events.Usage(ids[2], account, now, 100, ip: "999.1.1.1"),
            Events.Usage(ids[3], account, now, 1) with { Requests = null },
            Events.Usage(ids[4], account, now, 100) with { PromptFingerprints = ["9f3c2a7b1d4e6f80", "xyz"] },
            Events.Usage(ids[5], account, now.AddMinutes(10), 100),
            Events.Payment(ids[6], account, now, card, PaymentOutcome.Refunded),
            Events.Usage(ids[7], account, now.AddMinutes(4), 2)), ct);

        Assert.Equal(3, result.Accepted);
        Assert.Equal(0, result.Duplicates);
        Assert.Equal([1, 2, 3, 4, 5], result.Rejected.Select(r => r.Index));
        Assert.Equal([null, ids[2], ids[3], ids[4], ids[5]], result.Rejected.Select(r => r.Id));
        string[] fields = ["'id'", "ip:", "requests:", "promptFingerprints:", "occurredAt:"];
        Assert.All(result.Rejected.Zip(fields), pair => Assert.Contains(pair.Second, pair.First.Error, StringComparison.Ordinal));

        var view = await client.GetAccountAsync(account, ct);
        Assert.Equal(6, view?.Usage.RequestsTotal);
        Assert.Equal(1, view?.Payments.Refunded);
        Assert.Equal(1, (await client.GetPaymentInstrumentAsync(card, ct))?.Payments.Refunded);
    }

    [Fact]
    public async Task An_event_of_an_unknown_type_is_rejected_alone()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        var now = factory.Time.GetUtcNow();
        var account = Unique.Id("bogus-type");
        var bogusId = Unique.Id("evt");
        var body = $$"""
            {"events":[
              {{Events.UsageJson(Unique.Id("evt"), account, now, 3)}},
              {"id":"{{bogusId}}","type":"bogus","accountId":"{{account}}","occurredAt":"{{now.UtcDateTime:O}}","requests":50},
              {{Events.UsageJson(Unique.Id("evt"), account, now, 4)}}
            ]}
            """;

        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Post("/v1/events", body), ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var result = JsonSerializer.Deserialize<EventBatchResult>(await response.Content.ReadAsStringAsync(ct), JsonSerializerOptions.Web)!;
        Assert.Equal(2, result.Accepted);
        var rejected = Assert.Single(result.Rejected);
        Assert.Equal((1, bogusId), (rejected.Index, rejected.Id));
        Assert.Contains("type", rejected.Error, StringComparison.Ordinal);
        Assert.Equal(7, (await client.GetAccountAsync(account, ct))?.Usage.RequestsTotal);
    }

    [Fact]
    public async Task A_batch_body_that_is_not_valid_JSON_is_a_400_problem_and_nothing_is_applied()
    {
        var ct = TestContext.Current.CancellationToken;
        var account = Unique.Id("truncated");
        // A valid event, then the body breaks off.
        var body = $$"""{"events":[{{Events.UsageJson(Unique.Id("evt"), account, factory.Time.GetUtcNow(), 9)}}, {"id":""";

        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Post("/v1/events", body), ct);

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("not valid JSON", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(await factory.CreateReputationClient().GetAccountAsync(account, ct));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"evnts":[]}""")]
    [InlineData("""{"events":{}}""")]
    [InlineData("[]")]
    public async Task A_body_without_an_events_array_is_a_validation_problem_naming_events(string body)
    {
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Post("/v1/events", body), TestContext.Current.CancellationToken);

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("events", out _), problem.ToString());
    }

    [Fact]
    public async Task An_empty_batch_is_a_validation_problem_naming_events()
    {
        await ApiAssert.FailsValidationAsync("events",
            () => factory.CreateReputationClient().IngestAsync(Events.Batch(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_batch_of_1001_events_is_a_validation_problem_and_nothing_is_applied()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        var now = factory.Time.GetUtcNow();
        var account = Unique.Id("too-many");
        var events = Enumerable.Range(0, 1001).Select(i => Events.Usage($"{account}-{i}", account, now, 1)).ToArray();

        var ex = await ApiAssert.FailsValidationAsync("events", () => client.IngestAsync(Events.Batch(events), ct));

        Assert.Contains("1001", ex.Problem!.Errors["events"][0], StringComparison.Ordinal);
        Assert.Null(await client.GetAccountAsync(account, ct));
    }

    [Fact]
    public async Task A_batch_of_1000_events_is_accepted()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        var now = factory.Time.GetUtcNow();
        var accounts = Enumerable.Range(0, 10).Select(i => Unique.Id($"bulk{i}")).ToArray();
        var events = Enumerable.Range(0, 1000).Select(i => Events.Usage($"{accounts[i % 10]}-{i}", accounts[i % 10], now, 1)).ToArray();

        var result = await client.IngestAsync(Events.Batch(events), ct);

        Assert.Equal(1000, result.Accepted);
        Assert.Equal(100, (await client.GetAccountAsync(accounts[3], ct))?.Usage.RequestsTotal);
    }

    [Fact]
    public async Task A_batch_of_more_accounts_than_are_applied_at_once_counts_every_account_once()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        var now = factory.Time.GetUtcNow();
        var count = (IngestEventsHandler.MaxAccountsInFlight * 4) + 3;
        var accounts = Enumerable.Range(0, count).Select(i => Unique.Id($"wide{i}")).ToArray();
        var events = accounts.Select((a, i) => Events.Usage($"{a}-u", a, now, i + 1)).ToArray();

        var first = await client.IngestAsync(Events.Batch(events), ct);
        var again = await client.IngestAsync(Events.Batch(events), ct);

        Assert.Equal(count, first.Accepted);
        Assert.Equal(count, again.Duplicates);
        foreach (var i in new[] { 0, IngestEventsHandler.MaxAccountsInFlight, count - 1 })
        {
            Assert.Equal(i + 1, (await client.GetAccountAsync(accounts[i], ct))?.Usage.RequestsTotal);
        }
    }

    [Fact]
    public async Task Usage_counts_in_the_windows_of_its_event_time_not_its_arrival()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        // Mid-minute and mid-hour: this test is about event time, not the window edges (WindowEdgeTests).
        var now = factory.Time.MoveToNext(minute: 15, second: 30);
        var account = Unique.Id("event-time");

        var result = await client.IngestAsync(Events.Batch(
            Events.Usage(Unique.Id("evt"), account, now.AddHours(-2), 40),
            Events.Usage(Unique.Id("evt"), account, now.AddMinutes(-30), 5),
            Events.Usage(Unique.Id("evt"), account, now.AddSeconds(-10), 2)), ct);

        Assert.Equal(3, result.Accepted);
        var usage = (await client.GetAccountAsync(account, ct))!.Usage;
        Assert.Equal(47, usage.RequestsTotal);
        Assert.Equal(47, usage.RequestsLastDay);
        Assert.Equal(7, usage.RequestsLastHour);
        Assert.Equal(2, usage.RequestsLastMinute);
    }
}

[Collection(ApiCollection.Name)]
public sealed class UsageBufferApiTests(ApiFactory factory)
{
    [Fact]
    public async Task A_gateways_usage_buffer_lands_its_summaries_and_the_account_counts_every_request()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = factory.CreateReputationClient(ApiFactory.ServiceKey);
        var account = Unique.Id("buffered");
        var range = Unique.Ipv4Range();
        await using (var buffer = new UsageBuffer(client))
        {
            for (var i = 0; i < 25; i++)
            {
                buffer.Record(account, range.Host(7), "Write a complete Rust implementation of a skip list.", inputTokens: 10, outputTokens: 20, model: "m1");
            }
        }

        var view = await client.GetAccountAsync(account, ct);
        Assert.Equal(25, view?.Usage.RequestsTotal);
        Assert.Equal([range.Range], view?.IpRanges);
    }
}
