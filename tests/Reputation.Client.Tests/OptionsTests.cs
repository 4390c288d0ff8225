using Microsoft.Extensions.Options;
using Reputation.Contracts;

namespace Reputation.Client.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void Defaults_match_the_documented_fallbacks_and_deadlines()
    {
        var options = new ReputationClientOptions();

        Assert.Equal(TimeSpan.FromMilliseconds(250), options.DecisionTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), options.IngestTimeout);
        Assert.Equal(SignupDecision.Review, options.FallbackSignupDecision);
        Assert.Equal(RequestDecision.Allow, options.FallbackRequestDecision);
        Assert.Equal(BillingDecision.Hold, options.FallbackBillingDecision);
        Assert.Equal(600, options.FallbackRequestsPerMinute);
        Assert.Equal(5, options.FallbackCacheTtlSeconds);
    }

    [Theory]
    [InlineData("/relative/")]
    [InlineData("ftp://reputation.test/")]
    public void Create_rejects_a_base_address_that_is_not_absolute_http(string address)
    {
        using var http = new HttpClient();
        var options = new ReputationClientOptions { BaseAddress = new Uri(address, UriKind.RelativeOrAbsolute), ApiKey = "k" };

        var ex = Assert.Throws<OptionsValidationException>(() => ReputationClient.Create(http, options));

        Assert.Contains(ex.Failures, f => f.Contains("absolute http or https", StringComparison.Ordinal));
    }

    [Fact]
    public void Create_rejects_an_undefined_fallback_decision_and_a_missing_key()
    {
        using var http = new HttpClient();
        var options = new ReputationClientOptions
        {
            BaseAddress = Samples.BaseAddress,
            ApiKey = "",
            FallbackBillingDecision = (BillingDecision)42,
        };

        var ex = Assert.Throws<OptionsValidationException>(() => ReputationClient.Create(http, options));

        Assert.Contains(ex.Failures, f => f.Contains(nameof(ReputationClientOptions.ApiKey), StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains(nameof(ReputationClientOptions.FallbackBillingDecision), StringComparison.Ordinal));
    }

    [Fact]
    public void Create_sets_the_base_address_on_an_HttpClient_without_one_and_refuses_a_different_one()
    {
        using var bare = new HttpClient();
        ReputationClient.Create(bare, new ReputationClientOptions { BaseAddress = Samples.BaseAddress, ApiKey = "k" });
        Assert.Equal(Samples.BaseAddress, bare.BaseAddress);

        using var elsewhere = new HttpClient { BaseAddress = new Uri("http://elsewhere.test/") };
        Assert.Throws<ArgumentException>(
            () => ReputationClient.Create(elsewhere, new ReputationClientOptions { BaseAddress = Samples.BaseAddress, ApiKey = "k" }));
    }
}
