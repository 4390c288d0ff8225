using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

/// <summary>The host outside Development with a partner's key (<c>intel</c> only) and a scraper's key (<c>metrics</c> only).</summary>
public sealed class PartnerKeysFactory : ProductionFactory
{
    public const string PartnerKey = "production-partner-key-7c41e9";
    public const string ScraperKey = "production-scraper-key-2a9d63";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Reputation:ApiKeys:Keys:1:Name", "partner-lab-b");
        builder.UseSetting("Reputation:ApiKeys:Keys:1:Sha256", ReadOnlyKeyFactory.Sha256Hex(PartnerKey));
        builder.UseSetting("Reputation:ApiKeys:Keys:1:Scopes:0", "intel");
        builder.UseSetting("Reputation:ApiKeys:Keys:2:Name", "metrics-scraper");
        builder.UseSetting("Reputation:ApiKeys:Keys:2:Sha256", ReadOnlyKeyFactory.Sha256Hex(ScraperKey));
        builder.UseSetting("Reputation:ApiKeys:Keys:2:Scopes:0", "metrics");
    }
}

[CollectionDefinition(Name)]
public sealed class PartnerKeysCollection : ICollectionFixture<PartnerKeysFactory>
{
    public const string Name = "api-partner-keys";
}

/// <summary>A partner may export STIX and nothing else; a scraper may read /metrics and nothing else; read keeps both.</summary>
[Collection(PartnerKeysCollection.Name)]
public sealed class PartnerScopeTests(PartnerKeysFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_partner_key_exports_STIX_and_gets_403_on_everything_else()
    {
        var bundle = await ExportAsync(PartnerKeysFactory.PartnerKey);
        Assert.Equal("bundle", (string?)bundle["type"]);

        var client = factory.CreateReputationClient(PartnerKeysFactory.PartnerKey);
        var view = await ApiAssert.FailsWithAsync(HttpStatusCode.Forbidden, () => client.GetAccountAsync(Unique.Id("partner"), Ct));
        Assert.Contains("'read'", view.Problem!.Detail, StringComparison.Ordinal);
        await ApiAssert.FailsWithAsync(HttpStatusCode.Forbidden, () => client.GetAccountGraphAsync(Unique.Id("partner"), cancellationToken: Ct));
        await ApiAssert.FailsWithAsync(HttpStatusCode.Forbidden, () => client.ListCampaignsAsync(cancellationToken: Ct));
        await ApiAssert.FailsWithAsync(HttpStatusCode.Forbidden, () => client.DecideRequestAsync(
            new RequestDecisionRequest { AccountId = Unique.Id("partner"), Ip = "192.0.2.80" }, Ct));

        var http = factory.CreateDefaultClient();
        using var import = await http.SendAsync(Raw.Post("/v1/intel/stix", Stix.Bundle(), PartnerKeysFactory.PartnerKey), Ct);
        Assert.Contains("'operate'", (await Raw.AssertProblemAsync(import, HttpStatusCode.Forbidden)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        foreach (var path in new[] { "/metrics", "/v1/lists/deny", "/v1/policies/default" })
        {
            using var response = await http.SendAsync(Raw.Get(path, PartnerKeysFactory.PartnerKey), Ct);
            await Raw.AssertProblemAsync(response, HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task A_scraper_key_reads_metrics_outside_Development_and_gets_403_on_everything_else()
    {
        var scrape = await MetricsTests.ScrapeAsync(factory, PartnerKeysFactory.ScraperKey);
        Assert.Contains("# TYPE ", scrape.Text, StringComparison.Ordinal);

        var client = factory.CreateReputationClient(PartnerKeysFactory.ScraperKey);
        await ApiAssert.FailsWithAsync(HttpStatusCode.Forbidden, () => client.GetAccountAsync(Unique.Id("scraper"), Ct));
        using var export = await factory.CreateDefaultClient().SendAsync(Raw.Get("/v1/intel/stix", PartnerKeysFactory.ScraperKey), Ct);
        var problem = await Raw.AssertProblemAsync(export, HttpStatusCode.Forbidden);
        Assert.Contains("'intel' or 'read'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_scraper_sends_its_key_as_a_bearer_token_as_a_ServiceMonitor_does()
    {
        var http = factory.CreateDefaultClient();
        using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        scrape.Headers.Authorization = new("Bearer", PartnerKeysFactory.ScraperKey);
        using var ok = await http.SendAsync(scrape, Ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("# TYPE ", await ok.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        wrong.Headers.Authorization = new("Bearer", "not-" + PartnerKeysFactory.ScraperKey);
        using var refused = await http.SendAsync(wrong, Ct);
        await Raw.AssertProblemAsync(refused, HttpStatusCode.Unauthorized);

        // The bearer key has its scopes and no more.
        using var account = new HttpRequestMessage(HttpMethod.Get, $"/v1/accounts/{Unique.Id("bearer")}");
        account.Headers.Authorization = new("Bearer", PartnerKeysFactory.ScraperKey);
        using var forbidden = await http.SendAsync(account, Ct);
        await Raw.AssertProblemAsync(forbidden, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_read_key_keeps_the_export_and_the_metrics()
    {
        Assert.Equal("bundle", (string?)(await ExportAsync(ProductionFactory.ProductionKey))["type"]);
        Assert.Contains("# TYPE ", (await MetricsTests.ScrapeAsync(factory, ProductionFactory.ProductionKey)).Text, StringComparison.Ordinal);
    }

    private async Task<JsonObject> ExportAsync(string key)
    {
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get("/v1/intel/stix", key), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }
}
