using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Reputation.Api.Hosting;
using Reputation.Api.Security;

namespace Reputation.Api.Tests;

/// <summary>What start-up makes of the rate limit and key settings (the same validation the host runs on start).</summary>
public sealed class RateLimitOptionsTests
{
    private static RateLimitOptions Bind(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create<string, string?>(s.Key, s.Value)))
            .Build();
        var options = new RateLimitOptions();
        configuration.GetSection(RateLimitOptions.SectionName).Bind(options);
        return options;
    }

    private static ValidateOptionsResult Validate<T>(T options) where T : class =>
        new DataAnnotationValidateOptions<T>(null).Validate(null, options);

    [Fact]
    public void One_setting_changes_one_value_and_the_other_defaults_stay()
    {
        var options = Bind(("Reputation:RateLimits:Read:TokenLimit", "50"));

        Assert.Equal(50, options.Read.TokenLimit);
        Assert.Equal(new RateLimitOptions().Read.TokensPerPeriod, options.Read.TokensPerPeriod);
        Assert.Equal(new RateLimitOptions().Decide.TokenLimit, options.Decide.TokenLimit);
        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData("Reputation:RateLimits:Intel:TokenLimit", "0", "Reputation:RateLimits:Intel:TokenLimit must be between 1 and")]
    [InlineData("Reputation:RateLimits:Metrics:TokensPerPeriod", "-3", "Reputation:RateLimits:Metrics:TokensPerPeriod must be between 1 and")]
    [InlineData("Reputation:RateLimits:Decide:ReplenishmentPeriod", "00:00:00", "Reputation:RateLimits:Decide:ReplenishmentPeriod must be between")]
    [InlineData("Reputation:RateLimits:ConcurrentRequestsPerKey", "0", "Reputation:RateLimits:ConcurrentRequestsPerKey must be between 1 and")]
    public void A_bad_limit_is_refused_at_start_naming_the_setting(string key, string value, string message)
    {
        var result = Validate(Bind((key, value)));

        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_keys_with_one_name_are_refused_the_name_is_what_their_limits_and_audit_go_by()
    {
        var hash = ReadOnlyKeyFactory.Sha256Hex("some-key");
        var options = new ApiKeyOptions
        {
            Keys =
            [
                new ApiKeyEntry { Name = "gateway", Sha256 = hash, Scopes = ["decide"] },
                new ApiKeyEntry { Name = "gateway", Sha256 = ReadOnlyKeyFactory.Sha256Hex("other-key"), Scopes = ["intel", "metrics"] },
            ],
        };

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Contains("Reputation:ApiKeys:Keys:1:Name 'gateway' is taken by another key", result.FailureMessage, StringComparison.Ordinal);
    }
}
