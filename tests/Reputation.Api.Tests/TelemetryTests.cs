using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTests(TelemetryFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_an_OTLP_endpoint_that_does_not_answer_the_service_still_decides_and_traces()
    {
        var client = factory.CreateReputationClient();

        var decision = ApiAssert.Answered(await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = Unique.Id("otlp"), Ip = "198.51.100.40" }, Ct));

        Assert.Equal(RequestDecision.Allow, decision.Decision);
        Assert.NotNull(factory.Services.GetService<TracerProvider>());
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
