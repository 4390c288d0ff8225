using System.Net;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

/// <summary>What differs outside Development: no default keys, and errors as helpful as in Development.</summary>
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
}
