using System.Globalization;
using System.Text.Json.Nodes;
using OpenQA.Selenium.Chrome;

namespace Reputation.Browser.Tests;

/// <summary>One service for the class; each test gets a fresh browser (and so no persisted authorization).</summary>
public sealed class ServiceFixture : IAsyncLifetime
{
    private ServiceProcess? _service;

    public Uri BaseAddress => Service.BaseAddress;

    private ServiceProcess Service => _service ?? throw new InvalidOperationException("the service has not started");

    /// <summary>The typed client, with one of the Development keys.</summary>
    public Reputation.Client.ReputationClient CreateClient(string apiKey) => Service.CreateClient(apiKey);

    public async ValueTask InitializeAsync()
    {
        // The pages and the HTTP surface, not persistence: memory storage, so no Azurite is needed.
        _service = ServiceProcess.Start(
            ServiceProcess.Ports.Free(),
            connectionString: "UseDevelopmentStorage=true",
            table: "Unused",
            settings: new Dictionary<string, string> { ["Reputation__Storage__Provider"] = "Memory" });
        await _service.WaitUntilReadyAsync(TestContext.Current.CancellationToken);
    }

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
        Assert.Equal(["GetPolicy", "PutPolicy", "GetPolicyHistory", "PutShadowPolicy", "DeleteShadowPolicy", "GetShadowReport", "BacktestPolicy"], page.Operations(Tag));

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
    public async Task An_operator_saves_a_changed_threshold_through_try_it_out_and_decisions_report_the_new_version()
    {
        var page = Page(nameof(An_operator_saves_a_changed_threshold_through_try_it_out_and_decisions_report_the_new_version));
        page.Open();
        page.Authorize("dev-operator-key");

        var get = page.Expand(Tag, "GetPolicy");
        get.Parameter("name", "default");
        get.Execute();
        get.WaitForStatus(200);
        var policy = JsonNode.Parse(get.WaitForBody("\"version\""))!.AsObject();
        var version = policy["version"]!.GetValue<int>();

        // A safe change: throttle a little earlier.
        policy["request"]!["throttle"] = policy["request"]!["throttle"]!.GetValue<double>() - 0.05;
        var put = page.Expand(Tag, "PutPolicy");
        put.Parameter("name", "default");
        put.Parameter("If-Match", string.Create(CultureInfo.InvariantCulture, $"\"{version}\""));
        put.Body(policy.ToJsonString());
        put.Execute();
        put.WaitForStatus(200);
        put.WaitForHeader(string.Create(CultureInfo.InvariantCulture, $"etag: \"{version + 1}\""));
        var saved = JsonNode.Parse(put.WaitForBody("\"version\""))!;
        Assert.Equal(version + 1, saved["version"]!.GetValue<int>());
        var screenshot = page.Screenshot("policy-saved");
        Assert.True(File.Exists(screenshot), screenshot);

        // A decision made now reports the version the operator saved.
        using var http = new HttpClient { BaseAddress = service.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/decisions/request")
        {
            Content = new StringContent("""{"accountId":"browser-check","ip":"198.51.100.9"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Api-Key", "dev-service-key");
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var decision = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal(version + 1, decision["policyVersion"]!.GetValue<int>());
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
