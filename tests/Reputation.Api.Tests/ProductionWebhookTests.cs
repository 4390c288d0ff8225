using Reputation.Contracts;
using Reputation.Core.Webhooks;

namespace Reputation.Api.Tests;

/// <summary>The host outside Development with a key that has the operate scope: webhook targets as they are checked there.</summary>
public sealed class ProductionWebhookFactory : ProductionFactory
{
    public const string ProductionOperatorKey = "production-operator-key-3c91e4";

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Reputation:ApiKeys:Keys:1:Name", "production-operator");
        builder.UseSetting("Reputation:ApiKeys:Keys:1:Sha256", ReadOnlyKeyFactory.Sha256Hex(ProductionOperatorKey));
        builder.UseSetting("Reputation:ApiKeys:Keys:1:Scopes:0", "operate");
    }
}

[CollectionDefinition(Name)]
public sealed class ProductionWebhookCollection : ICollectionFixture<ProductionWebhookFactory>
{
    public const string Name = "api-production-webhooks";
}

/// <summary>Outside Development a webhook must be https and reach no loopback or link-local address (docs/operations.md, "Webhooks").</summary>
[Collection(ProductionWebhookCollection.Name)]
public sealed class ProductionWebhookTests(ProductionWebhookFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("http://hooks.example.com/reputation")]
    [InlineData("http://127.0.0.1:5099/hooks/")]
    [InlineData("https://127.0.0.1/hooks/")]
    [InlineData("https://[::1]/hooks/")]
    [InlineData("https://localhost/hooks/")]
    [InlineData("https://localhost./hooks/")]
    [InlineData("https://siem.localhost/hooks/")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://[fe80::1]/hooks/")]
    [InlineData("https://[::ffff:127.0.0.1]/hooks/")]
    public async Task A_plain_http_loopback_or_link_local_target_is_a_400_naming_url_and_no_webhook_is_made(string url)
    {
        var ops = factory.CreateReputationClient(ProductionWebhookFactory.ProductionOperatorKey);
        var name = "prod-" + Guid.NewGuid().ToString("N")[..8];

        await ApiAssert.FailsValidationAsync("url", () => ops.PutWebhookAsync(name,
            new WebhookRequest { Url = url, Secret = "a-production-secret-0123", Events = [WebhookEvents.AccountHeld] }, Ct));

        Assert.Null(await ops.GetWebhookDeliveriesAsync(name, Ct));
    }

    [Fact]
    public async Task An_https_target_elsewhere_is_taken()
    {
        var ops = factory.CreateReputationClient(ProductionWebhookFactory.ProductionOperatorKey);
        var name = "prod-" + Guid.NewGuid().ToString("N")[..8];

        var view = await ops.PutWebhookAsync(name,
            new WebhookRequest { Url = "https://siem.example.com/hooks/reputation", Secret = "a-production-secret-0123", Events = [WebhookEvents.AccountHeld] }, Ct);

        Assert.Equal("https://siem.example.com/hooks/reputation", view.Url);
        Assert.NotNull(await ops.GetWebhookDeliveriesAsync(name, Ct));
        Assert.True(await ops.DeleteWebhookAsync(name, Ct));
    }
}
