using Reputation.Contracts;

namespace Reputation.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class SmokeTests(ApiFactory factory)
{
    [Fact]
    public async Task Signup_decision_answers_through_the_client()
    {
        var client = factory.CreateReputationClient();
        var result = await client.DecideSignupAsync(new SignupDecisionRequest { AccountId = "smoke-1", Ip = "198.51.100.9" }, TestContext.Current.CancellationToken);
        Assert.False(result.IsFallback, result.FallbackCause);
        Assert.Equal(SignupDecision.Allow, result.Response.Decision);
    }
}
