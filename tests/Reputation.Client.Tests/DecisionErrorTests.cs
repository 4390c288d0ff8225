using System.Net;

namespace Reputation.Client.Tests;

public sealed class DecisionErrorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_validation_problem_throws_with_the_parsed_problem_and_no_fallback()
    {
        var handler = new StubHandler(
            (_, _) => Task.FromResult(StubHandler.Problem(HttpStatusCode.BadRequest, Samples.ValidationProblemJson)));
        var client = Samples.CreateClient(handler);

        var ex = await Assert.ThrowsAsync<ReputationApiException>(
            () => client.DecideRequestAsync(Samples.Request() with { Ip = "not-an-ip" }, Ct));

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        var problem = Assert.IsType<ReputationProblem>(ex.Problem);
        Assert.Equal("One or more validation errors occurred.", problem.Title);
        Assert.Equal("The request is invalid.", problem.Detail);
        Assert.Equal(400, problem.Status);
        Assert.Equal(["'not-an-ip' is not an IPv4 or IPv6 address."], problem.Errors["ip"]);
        Assert.Equal("00-abc-def-00", problem.Extensions["traceId"].GetString());
        Assert.Contains("'not-an-ip' is not an IPv4 or IPv6 address.", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task A_missing_or_wrong_key_throws_401_with_the_problem()
    {
        var client = Samples.CreateClient(StubHandler.Answering(
            HttpStatusCode.Unauthorized,
            """{"title":"Unauthorized","status":401,"detail":"A valid X-Api-Key header is required."}""",
            "application/problem+json"));

        var ex = await Assert.ThrowsAsync<ReputationApiException>(() => client.DecideSignupAsync(Samples.Signup(), Ct));

        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        Assert.Equal("Unauthorized", ex.Problem?.Title);
        Assert.Equal("A valid X-Api-Key header is required.", ex.Problem?.Detail);
        Assert.Empty(ex.Problem!.Errors);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.UnsupportedMediaType)]
    public async Task Other_client_errors_throw_too(HttpStatusCode status)
    {
        var client = Samples.CreateClient(StubHandler.Answering(status, """{"title":"nope"}""", "application/problem+json"));

        var ex = await Assert.ThrowsAsync<ReputationApiException>(() => client.DecideBillingAsync(Samples.Billing(), Ct));

        Assert.Equal(status, ex.StatusCode);
        Assert.Equal("nope", ex.Problem?.Title);
    }

    [Fact]
    public async Task A_client_error_without_a_problem_body_still_throws_with_the_status()
    {
        var client = Samples.CreateClient(StubHandler.Answering(HttpStatusCode.Forbidden, "forbidden", "text/plain"));

        var ex = await Assert.ThrowsAsync<ReputationApiException>(() => client.DecideRequestAsync(Samples.Request(), Ct));

        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Null(ex.Problem);
    }
}
