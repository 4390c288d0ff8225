using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTests(TelemetryFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_an_OTLP_endpoint_that_does_not_answer_the_service_still_decides_and_traces()
    {
        // A listener that samples nothing itself: the request's span exists, and is recorded, only
        // if the service's own tracing chose to record it.
        var traceId = ActivityTraceId.CreateRandom();
        var stopped = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.None,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == traceId)
                {
                    stopped.TrySetResult(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        using var request = Raw.Post("/v1/decisions/request", $$"""{"accountId":"{{Unique.Id("otlp")}}","ip":"198.51.100.40"}""");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await factory.CreateDefaultClient().SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("allow", body.RootElement.GetProperty("decision").GetString());
        var span = await stopped.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.True(span.Recorded, "the service's tracing records the request's span");
        // Paths and addresses name accounts and people: the service removes them from its spans.
        Assert.Null(span.GetTagItem("url.path"));
        Assert.Null(span.GetTagItem("client.address"));
    }

    [Fact]
    public async Task With_RequireKey_metrics_need_a_key_with_the_read_scope()
    {
        using (var anonymous = await factory.CreateDefaultClient().SendAsync(Raw.Get("/metrics", apiKey: null), Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        ApiAssert.Answered(await factory.CreateReputationClient().DecideRequestAsync(new RequestDecisionRequest { AccountId = Unique.Id("keyed"), Ip = "198.51.100.41" }, Ct));
        var scrape = await Eventually.ValueAsync(
            () => MetricsTests.ScrapeAsync(factory, ApiFactory.ServiceKey),
            s => s.Sum("reputation_decisions_total", ("kind", "request")) >= 1,
            "a request decision in the keyed scrape");
        Assert.NotEmpty(scrape.Series("reputation_decisions_total"));
    }
}
