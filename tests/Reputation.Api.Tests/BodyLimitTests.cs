using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Reputation.Api.Tests;

[Collection(SmallBodyLimitCollection.Name)]
public sealed class BodyLimitTests(SmallBodyLimitFactory factory)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_event_batch_larger_than_the_limit_is_a_413_problem_and_nothing_is_applied(bool chunked)
    {
        var ct = TestContext.Current.CancellationToken;
        var account = Unique.Id("oversize");
        var now = factory.Time.GetUtcNow();
        var body = $$"""{"events":[{{string.Join(",", Enumerable.Range(0, 40).Select(i => Events.UsageJson($"{account}-{i}", account, now, 1)))}}]}""";
        Assert.True(Encoding.UTF8.GetByteCount(body) > SmallBodyLimitFactory.MaxRequestBodyBytes);
        using var request = Raw.Post("/v1/events", body);
        if (chunked)
        {
            // No Content-Length: the limit must hold while the body streams in.
            request.Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TransferEncodingChunked = true;
        }

        using var response = await factory.CreateDefaultClient().SendAsync(request, ct);

        await Raw.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Null(await factory.CreateReputationClient().GetAccountAsync(account, ct));
    }

    [Fact]
    public async Task A_decision_body_larger_than_the_limit_is_a_413_problem()
    {
        var body = $$"""{"accountId":"oversize-decision","ip":"192.0.2.60","deviceId":"{{new string('d', 3000)}}"}""";

        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Post("/v1/decisions/signup", body), TestContext.Current.CancellationToken);

        await Raw.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task A_batch_within_the_limit_is_accepted()
    {
        var ct = TestContext.Current.CancellationToken;
        var account = Unique.Id("within");
        var client = factory.CreateReputationClient();

        var result = await client.IngestAsync(Events.Batch(Events.Usage(Unique.Id("evt"), account, factory.Time.GetUtcNow(), 3)), ct);

        Assert.Equal(1, result.Accepted);
        Assert.Equal(3, (await client.GetAccountAsync(account, ct))?.Usage.RequestsTotal);
    }
}
