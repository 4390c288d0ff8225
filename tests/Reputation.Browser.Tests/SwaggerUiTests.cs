using System.Globalization;
using System.Text.Json.Nodes;
using OpenQA.Selenium.Chrome;

namespace Reputation.Browser.Tests;

/// <summary>One service for the class; each test gets a fresh browser (and so no persisted authorization).</summary>
public sealed class ServiceFixture : IAsyncLifetime
{
    private ServiceProcess? _service;

    public Uri BaseAddress => (_service ?? throw new InvalidOperationException("the service has not started")).BaseAddress;

    public async ValueTask InitializeAsync() => _service = await ServiceProcess.StartAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
    }
}

/// <summary>What an operator does with the policies in Swagger UI, in a real headless Chromium.</summary>
public sealed class SwaggerUiTests(ServiceFixture service) : IClassFixture<ServiceFixture>, IDisposable
{
    private const string Tag = "Policies";
    private readonly ChromeDriver _browser = Chromium.Start();

    public void Dispose() => _browser.Quit();

    private SwaggerPage Page(string test) => new(_browser, service.BaseAddress, test);

    [Fact]
    public void An_operator_authorizes_reads_the_default_policy_and_a_PUT_with_a_bad_threshold_is_refused_naming_the_field()
    {
        var page = Page(nameof(An_operator_authorizes_reads_the_default_policy_and_a_PUT_with_a_bad_threshold_is_refused_naming_the_field));
        page.Open();
        Assert.Equal(["GetPolicy", "PutPolicy", "GetPolicyHistory", "PutShadowPolicy", "DeleteShadowPolicy", "GetShadowReport"], page.Operations(Tag));

        page.Authorize("dev-operator-key");

        var get = page.Expand(Tag, "GetPolicy");
        get.Parameter("name", "default");
        get.Execute();
        get.WaitForStatus(200);
        var policy = JsonNode.Parse(get.WaitForBody("\"version\""))!.AsObject();
        var version = policy["version"]!.GetValue<int>();
        var etag = string.Create(CultureInfo.InvariantCulture, $"\"{version}\"");
        get.WaitForHeader($"etag: {etag}");

        // Degrade below throttle: thresholds out of order.
        var request = policy["request"]!.AsObject();
        request["degrade"] = request["throttle"]!.GetValue<double>() - 0.1;
        var put = page.Expand(Tag, "PutPolicy");
        put.Parameter("name", "default");
        put.Parameter("If-Match", etag);
        put.Body(policy.ToJsonString());
        put.Execute();
        put.WaitForStatus(400);
        put.WaitForBody("request.degrade");
    }

    [Fact]
    public void Without_authorizing_Execute_of_the_policy_GET_shows_401()
    {
        var page = Page(nameof(Without_authorizing_Execute_of_the_policy_GET_shows_401));
        page.Open();

        var get = page.Expand(Tag, "GetPolicy");
        get.Parameter("name", "default");
        get.Execute();
        get.WaitForStatus(401);
    }
}
