using System.Net;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

/// <summary>
/// What differs outside Development: no default keys, no Swagger unless configured, <c>/metrics</c>
/// behind a key, and errors as helpful as in Development.
/// </summary>
[Collection(ProductionCollection.Name)]
public sealed class ProductionTests(ProductionFactory factory)
{
    [Theory]
    [InlineData(ApiFactory.ServiceKey)]
    [InlineData(ApiFactory.OperatorKey)]
    public async Task The_Development_keys_do_not_work_outside_Development(string key)
    {
        await ApiAssert.FailsWithAsync(HttpStatusCode.Unauthorized, () => factory.CreateReputationClient(key).DecideSignupAsync(
            new SignupDecisionRequest { AccountId = Unique.Id("prod"), Ip = "192.0.2.70" }, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_configured_key_works()
    {
        var client = factory.CreateReputationClient(ProductionFactory.ProductionKey);

        var decision = ApiAssert.Answered(await client.DecideSignupAsync(
            new SignupDecisionRequest { AccountId = Unique.Id("prod"), Ip = "192.0.2.71" }, TestContext.Current.CancellationToken));

        Assert.Equal(SignupDecision.Allow, decision.Decision);
    }

    [Fact]
    public async Task A_missing_field_is_named_outside_Development_too()
    {
        var client = factory.CreateReputationClient(ProductionFactory.ProductionKey);

        await ApiAssert.FailsValidationAsync("accountId", () => client.DecideSignupAsync(
            new SignupDecisionRequest { AccountId = null!, Ip = "192.0.2.72" }, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_is_described_outside_Development_too()
    {
        using var response = await factory.CreateDefaultClient().SendAsync(
            Raw.Post("/v1/decisions/request", "{\"accountId\":", ProductionFactory.ProductionKey), TestContext.Current.CancellationToken);

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("not valid JSON", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/swagger")]
    [InlineData("/swagger/index.html")]
    [InlineData("/swagger/v1/swagger.json")]
    public async Task Swagger_is_not_served_unless_configured_even_to_a_read_key(string path)
    {
        foreach (var key in new[] { null, ProductionFactory.ProductionKey })
        {
            using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get(path, key), TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData(ApiFactory.ServiceKey)]
    public async Task Metrics_need_a_key_outside_Development(string? key)
    {
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get("/metrics", key), TestContext.Current.CancellationToken);

        await Raw.AssertProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Metrics_answer_a_key_with_the_read_scope()
    {
        var scrape = await MetricsTests.ScrapeAsync(factory, ProductionFactory.ProductionKey);

        Assert.Contains("# TYPE ", scrape.Text, StringComparison.Ordinal);
    }
}
