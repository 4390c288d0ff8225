using System.Net;
using Microsoft.AspNetCore.Hosting;

namespace Reputation.Api.Tests;

/// <summary>The Development host with the Orleans dashboard on (Reputation:OrleansDashboard:Enabled).</summary>
public sealed class DashboardFactory : ApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Reputation:OrleansDashboard:Enabled", "true");
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFactory>
{
    public const string Name = "api-orleans-dashboard";
}

/// <summary>
/// The dashboard shows grain ids (account ids, fingerprints) and cluster internals: every path under
/// /orleans needs the operate scope, even in Development, and nothing is there when it is off.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class OrleansDashboardTests(DashboardFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The page, its script, and the API the page polls.
    public static TheoryData<string> Paths() => ["/orleans/", "/orleans/index.min.js", "/orleans/DashboardCounters", "/orleans/ClusterStats"];

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Without_a_key_it_is_401_and_without_operate_403(string path)
    {
        var http = factory.CreateDefaultClient();

        using var anonymous = await http.SendAsync(Raw.Get(path, apiKey: null), Ct);
        await Raw.AssertProblemAsync(anonymous, HttpStatusCode.Unauthorized);
        using var service = await http.SendAsync(Raw.Get(path, ApiFactory.ServiceKey), Ct);
        var problem = await Raw.AssertProblemAsync(service, HttpStatusCode.Forbidden);
        Assert.Contains("'operate'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_operate_the_page_and_its_counters_are_served()
    {
        var http = factory.CreateDefaultClient();
        // An account grain, so the dashboard has a grain of ours to show.
        await factory.CreateReputationClient().DecideRequestAsync(new() { AccountId = Unique.Id("dashboard"), Ip = "192.0.2.44" }, Ct);

        using var page = await http.SendAsync(Raw.Get("/orleans/", ApiFactory.OperatorKey), Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("index.min.js", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        var counters = await Eventually.ValueAsync(
            async () =>
            {
                using var response = await http.SendAsync(Raw.Get("/orleans/DashboardCounters", ApiFactory.OperatorKey), Ct);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return await response.Content.ReadAsStringAsync(Ct);
            },
            text => text.Contains("AccountGrain", StringComparison.Ordinal),
            "the dashboard's counters listing the account grain");
        Assert.Contains("\"status\":\"Active\"", counters, StringComparison.Ordinal);
    }

    [Fact]
    public async Task It_is_not_in_the_OpenAPI_document()
    {
        var swagger = await factory.CreateDefaultClient().GetStringAsync("/swagger/v1/swagger.json", Ct);

        Assert.DoesNotContain("/orleans", swagger, StringComparison.Ordinal);
    }
}

/// <summary>Off, as by default: nothing answers under /orleans, whatever the key.</summary>
[Collection(ApiCollection.Name)]
public sealed class OrleansDashboardOffTests(ApiFactory factory)
{
    [Theory]
    [InlineData("/orleans/")]
    [InlineData("/orleans/DashboardCounters")]
    public async Task Off_by_default_it_is_404(string path)
    {
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get(path, ApiFactory.OperatorKey), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
