using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Reputation.Contracts;

namespace Reputation.Client.Tests;

public sealed class RegistrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddReputationClient_resolves_a_working_client_over_the_configured_primary_handler()
    {
        var handler = StubHandler.Answering(HttpStatusCode.OK, Samples.RequestDecisionJson);
        var services = new ServiceCollection();
        services
            .AddReputationClient(o =>
            {
                o.BaseAddress = new Uri("http://reputation.test/");
                o.ApiKey = "di-key";
            })
            .ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var client = provider.GetRequiredService<ReputationClient>();
        var result = await client.DecideRequestAsync(Samples.Request(), Ct);

        Assert.False(result.IsFallback);
        Assert.Equal(RequestDecision.Throttle, result.Response.Decision);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(new Uri("http://reputation.test/v1/decisions/request"), request.Uri);
        Assert.Equal("di-key", request.ApiKey);
    }

    [Fact]
    public async Task The_registered_client_falls_back_too()
    {
        var services = new ServiceCollection();
        services
            .AddReputationClient(o =>
            {
                o.BaseAddress = new Uri("http://reputation.test/");
                o.ApiKey = "di-key";
                o.DecisionTimeout = TimeSpan.FromMilliseconds(50);
            })
            .ConfigurePrimaryHttpMessageHandler(() => StubHandler.NeverAnswering());
        await using var provider = services.BuildServiceProvider();

        var result = await provider.GetRequiredService<ReputationClient>().DecideBillingAsync(Samples.Billing(), Ct);

        Assert.True(result.IsFallback);
        Assert.Equal(FallbackCauses.Timeout, result.FallbackCause);
        Assert.Equal(BillingDecision.Hold, result.Response.Decision);
    }

    [Fact]
    public async Task Options_bind_from_a_configuration_section()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Reputation:Client:BaseAddress"] = "http://127.0.0.1:5080/",
                ["Reputation:Client:ApiKey"] = "dev-service-key",
                ["Reputation:Client:DecisionTimeout"] = "00:00:00.100",
                ["Reputation:Client:FallbackBillingDecision"] = "deny",
                ["Reputation:Client:FallbackRequestsPerMinute"] = "120",
            })
            .Build();
        var handler = StubHandler.RefusingConnections();
        var services = new ServiceCollection();
        services.AddReputationClient(configuration.GetSection(ReputationClientOptions.SectionName))
            .ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ReputationClientOptions>>().Value;
        var billing = await provider.GetRequiredService<ReputationClient>().DecideBillingAsync(Samples.Billing(), Ct);

        Assert.Equal(new Uri("http://127.0.0.1:5080/"), options.BaseAddress);
        Assert.Equal("dev-service-key", options.ApiKey);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.DecisionTimeout);
        Assert.Equal(120, options.FallbackRequestsPerMinute);
        Assert.Equal(BillingDecision.Deny, billing.Response.Decision);
        Assert.Equal(new Uri("http://127.0.0.1:5080/v1/decisions/billing"), Assert.Single(handler.Requests).Uri);
    }

    [Fact]
    public async Task Invalid_options_fail_when_the_client_is_resolved()
    {
        var services = new ServiceCollection();
        services.AddReputationClient(o => o.DecisionTimeout = TimeSpan.Zero);
        await using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ReputationClient>());

        Assert.Contains(ex.Failures, f => f.Contains(nameof(ReputationClientOptions.BaseAddress), StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains(nameof(ReputationClientOptions.ApiKey), StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains(nameof(ReputationClientOptions.DecisionTimeout), StringComparison.Ordinal));
    }

    [Fact]
    public void The_api_client_itself_is_registered_for_callers_that_want_raw_responses()
    {
        var services = new ServiceCollection();
        services.AddReputationClient(o =>
        {
            o.BaseAddress = new Uri("http://reputation.test/");
            o.ApiKey = "k";
        });
        using var provider = services.BuildServiceProvider();

        Assert.NotNull(provider.GetRequiredService<IReputationApi>());
    }
}
