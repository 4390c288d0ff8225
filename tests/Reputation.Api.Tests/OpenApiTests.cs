using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reputation.Core.Policies;
using Reputation.Core.Scoring;

namespace Reputation.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class OpenApiTests(ApiFactory factory)
{
    private static readonly string[] ContractPaths =
    [
        "/v1/decisions/signup",
        "/v1/decisions/request",
        "/v1/decisions/billing",
        "/v1/events",
        "/v1/accounts/{accountId}",
        "/v1/ip-ranges/{network}/{prefixLength}",
        "/v1/payment-instruments/{fingerprint}",
        "/v1/audit",
        "/v1/campaigns",
        "/v1/campaigns/{campaignId}",
        // Contract additions (v1.1), issue 14.
        "/v1/accounts/{accountId}/release",
        "/v1/review",
        "/v1/watermarks/{keyId}",
        "/v1/webhooks/{name}",
        "/v1/webhooks/{name}/deliveries",
    ];

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_answer_200_without_a_key(string path)
    {
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get(path, apiKey: null), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task The_OpenAPI_document_is_served_without_a_key_and_lists_every_contract_path()
    {
        using var document = await SwaggerAsync();

        var paths = document.RootElement.GetProperty("paths");
        foreach (var path in ContractPaths)
        {
            Assert.True(paths.TryGetProperty(path, out _), $"the OpenAPI document lacks {path}");
        }
    }

    [Fact]
    public async Task The_OpenAPI_document_declares_the_X_Api_Key_header_scheme_on_every_v1_operation()
    {
        using var document = await SwaggerAsync();

        var scheme = document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("header", scheme.GetProperty("in").GetString());
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/v1/", StringComparison.Ordinal)))
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var requirements = operation.Value.GetProperty("security").EnumerateArray();
                Assert.True(requirements.Any(r => r.TryGetProperty("ApiKey", out _)), $"{operation.Name} {path.Name} does not require the ApiKey scheme");
            }
        }
    }

    [Theory]
    [InlineData("/v1/intel/stix", "get", "Needs an API key with the `intel` or `read` scope.")]
    [InlineData("/v1/intel/stix", "post", "Needs an API key with the `operate` scope.")]
    [InlineData("/v1/decisions/request", "post", "Needs an API key with the `decide` scope.")]
    public async Task Each_operation_names_every_scope_that_opens_it(string path, string method, string sentence)
    {
        using var document = await SwaggerAsync();

        var description = document.RootElement.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("description").GetString();
        Assert.EndsWith(sentence, description, StringComparison.Ordinal);
        var scheme = document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey").GetProperty("description").GetString();
        Assert.Equal("API key. Each key has scopes: decide, ingest, read, operate, intel, metrics.", scheme);
    }

    [Theory]
    [InlineData("SignupDecision", new[] { "allow", "review", "challenge", "deny" })]
    [InlineData("RequestDecision", new[] { "allow", "throttle", "degrade", "block" })]
    [InlineData("BillingDecision", new[] { "allow", "hold", "deny" })]
    [InlineData("EventType", new[] { "signup", "usage", "payment" })]
    [InlineData("PaymentOutcome", new[] { "succeeded", "declined", "chargeback", "refunded" })]
    public async Task The_OpenAPI_document_renders_enums_as_their_lowercase_strings(string schema, string[] values)
    {
        using var document = await SwaggerAsync();

        var enumSchema = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty(schema);
        Assert.Equal("string", enumSchema.GetProperty("type").GetString());
        Assert.Equal(values, enumSchema.GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
    }

    [Theory]
    [InlineData("/v1/accounts/{accountId}")]
    [InlineData("/v1/ip-ranges/{network}/{prefixLength}")]
    [InlineData("/v1/payment-instruments/{fingerprint}")]
    [InlineData("/v1/campaigns/{campaignId}")]
    public async Task The_OpenAPI_document_documents_404_as_problem_json(string path)
    {
        using var document = await SwaggerAsync();

        var notFound = document.RootElement.GetProperty("paths").GetProperty(path).GetProperty("get").GetProperty("responses").GetProperty("404");
        Assert.Equal(["application/problem+json"], notFound.GetProperty("content").EnumerateObject().Select(c => c.Name));
    }

    [Fact]
    public async Task The_policy_PUT_declares_a_required_If_Match_header_so_Swagger_UI_offers_a_field_for_it()
    {
        using var document = await SwaggerAsync();

        var put = document.RootElement.GetProperty("paths").GetProperty("/v1/policies/{name}").GetProperty("put");
        var ifMatch = Assert.Single(put.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "If-Match");
        Assert.Equal("header", ifMatch.GetProperty("in").GetString());
        Assert.True(ifMatch.GetProperty("required").GetBoolean());
        Assert.Contains("ETag", ifMatch.GetProperty("description").GetString(), StringComparison.Ordinal);
        var get = document.RootElement.GetProperty("paths").GetProperty("/v1/policies/{name}").GetProperty("get");
        Assert.DoesNotContain(get.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "If-Match");
    }

    [Fact]
    public async Task The_policy_PUT_example_body_is_the_built_in_default_policy()
    {
        using var document = await SwaggerAsync();

        var example = document.RootElement.GetProperty("paths").GetProperty("/v1/policies/{name}").GetProperty("put")
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(PolicyJson.Serialize(ScoringPolicy.Default)), JsonNode.Parse(example.GetRawText())),
            $"the example body is not the built-in default policy: {example.GetRawText()}");
    }

    [Fact]
    public async Task The_request_decision_s_v1_1_fields_are_optional_in_the_schema_with_the_contract_s_response_modes()
    {
        using var document = await SwaggerAsync();
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");

        var answer = schemas.GetProperty("RequestDecisionResponse");
        var required = answer.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ToList();
        // Left out of the JSON where they do not apply, so a client checking answers against the document must not require them.
        foreach (var field in new[] { "holdUntil", "response", "watermarkKeyId", "stale" })
        {
            Assert.True(answer.GetProperty("properties").TryGetProperty(field, out _), $"RequestDecisionResponse lacks {field}");
            Assert.DoesNotContain(field, required);
        }

        Assert.Equal(["summarizeReasoning", "withholdReasoning", "fallbackModel", "perturb"],
            schemas.GetProperty("ResponseMode").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["mode", "model", "level"], schemas.GetProperty("GatewayResponse").GetProperty("properties").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task The_request_decision_s_worked_example_in_Swagger_is_the_gateway_contract_s_and_reads_as_a_degraded_campaign_member()
    {
        using var document = await SwaggerAsync();
        var post = document.RootElement.GetProperty("paths").GetProperty("/v1/decisions/request").GetProperty("post");
        var request = post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");
        var answer = post.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("example");

        // What a gateway's client makes of it.
        var decision = answer.Deserialize<Reputation.Contracts.RequestDecisionResponse>(JsonSerializerOptions.Web)!;
        Assert.Equal(Reputation.Contracts.RequestDecision.Degrade, decision.Decision);
        Assert.Equal(new Reputation.Contracts.GatewayResponse { Mode = Reputation.Contracts.ResponseMode.FallbackModel, Model = "frontier-small" }, decision.Response);
        Assert.Matches("^wm-[0-9a-f]{16}$", decision.WatermarkKeyId);
        Assert.NotNull(decision.HoldUntil);
        Assert.False(decision.Stale);

        // The same example as docs/gateway-contract.md's: its request line and its answer.
        var doc = await File.ReadAllTextAsync(Path.Combine(RepoRoot(), "docs", "gateway-contract.md"), TestContext.Current.CancellationToken);
        var worked = doc[doc.IndexOf("## Worked example", StringComparison.Ordinal)..];
        var http = Block(worked, "```http");
        var docRequest = http[(http.IndexOf("\n\n", StringComparison.Ordinal) + 2)..].Trim();
        var docAnswer = Block(worked[worked.IndexOf("```http", StringComparison.Ordinal)..], "```json");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(docRequest), JsonNode.Parse(request.GetRawText())), $"request example {request} is not the doc's {docRequest}");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(docAnswer), JsonNode.Parse(answer.GetRawText())), $"answer example {answer} is not the doc's {docAnswer}");
    }

    /// <summary>The text of the first fenced block that opens with <paramref name="fence"/>.</summary>
    private static string Block(string markdown, string fence)
    {
        var start = markdown.IndexOf(fence + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no {fence} block");
        start += fence.Length + 1;
        return markdown[start..markdown.IndexOf("```", start, StringComparison.Ordinal)];
    }

    private static string RepoRoot() => RepositoryRoot.Find();

    [Fact]
    public async Task Swagger_UI_is_served_as_HTML_without_a_key()
    {
        // CreateClient follows the redirect from /swagger to /swagger/index.html.
        using var response = await factory.CreateClient().SendAsync(Raw.Get("/swagger", apiKey: null), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("swagger-ui", html, StringComparison.Ordinal);
        Assert.Contains("Reputation API", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_operation_with_a_body_has_an_example_of_it()
    {
        using var doc = await SwaggerAsync();
        var missing = new List<string>();
        foreach (var path in doc.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                if (operation.Value.TryGetProperty("requestBody", out var body)
                    && body.GetProperty("content").TryGetProperty("application/json", out var json)
                    && !json.TryGetProperty("example", out _))
                {
                    missing.Add($"{operation.Name.ToUpperInvariant()} {path.Name}");
                }
            }
        }

        Assert.Empty(missing);
    }

    [Fact]
    public async Task Every_policy_field_is_described_for_operators_with_its_range()
    {
        using var doc = await SwaggerAsync();
        var schemas = doc.RootElement.GetProperty("components").GetProperty("schemas");
        string[] policySchemas = ["ScoringPolicy", "SignalWeights", "SignalRamps", "SignupThresholds", "RequestThresholds", "BillingThresholds", "RequestTiers", "ClusterQuotas", "PropagationPolicy", "ThreatIntelPolicy"];

        foreach (var name in policySchemas)
        {
            Assert.True(schemas.TryGetProperty(name, out var schema), $"schema {name} missing");
            // A section is a reference to its own schema, checked in turn.
            foreach (var property in schema.GetProperty("properties").EnumerateObject().Where(p => !p.Value.TryGetProperty("$ref", out _)))
            {
                var described = property.Value.TryGetProperty("description", out var description) && !string.IsNullOrWhiteSpace(description.GetString());
                Assert.True(described, $"{name}.{property.Name} has no description");
            }
        }

        var throttle = schemas.GetProperty("RequestThresholds").GetProperty("properties").GetProperty("throttle").GetProperty("description").GetString();
        Assert.Contains("(0, 1]", throttle, StringComparison.Ordinal);
    }

    private async Task<JsonDocument> SwaggerAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get("/swagger/v1/swagger.json", apiKey: null), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
    }
}
