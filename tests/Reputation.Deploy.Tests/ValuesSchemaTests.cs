using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Reputation.Deploy.Tests;

/// <summary>values.yaml against values.schema.json, the check Helm makes on install and upgrade.</summary>
public sealed class ValuesSchemaTests
{
    // Built once: building registers the schema under its base URI, and a second build of the same
    // document is refused.
    private static readonly Lazy<JsonSchema> LoadedSchema = new(() => JsonSchema.FromFile(Path.Combine(Repo.Chart, "values.schema.json")));

    private static JsonSchema Schema() => LoadedSchema.Value;

    private static EvaluationResults Evaluate(JsonNode values) =>
        Schema().Evaluate(YamlJson.ToElement(values), new EvaluationOptions { OutputFormat = OutputFormat.List });

    /// <summary>
    /// Instance locations (JSON pointers) where a keyword failed, with its message. A failed <c>not</c>
    /// carries no message: its subschema passed, so it is named by where it sits in the schema.
    /// </summary>
    private static List<string> Failures(EvaluationResults results) =>
        [.. (results.Details ?? []).Append(results)
            .Where(d => !d.IsValid && d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} {e.Key}: {e.Value}"))
            .Concat((results.Details ?? [])
                .Where(d => d.IsValid && d.EvaluationPath.ToString().EndsWith("/not", StringComparison.Ordinal))
                .Select(d => $"{d.InstanceLocation} not: matches {d.EvaluationPath}"))];

    [Fact]
    public void The_schema_is_draft_07_as_helm_reads_it()
    {
        using var doc = JsonDocument.Parse(Repo.ReadText("charts", "reputation", "values.schema.json"));

        Assert.Equal("http://json-schema.org/draft-07/schema#", doc.RootElement.GetProperty("$schema").GetString());
    }

    [Fact]
    public void The_default_values_are_valid()
    {
        var results = Evaluate(Chart.Values());

        Assert.True(results.IsValid, string.Join("\n", Failures(results)));
    }

    [Fact]
    public void Every_value_in_the_schema_is_typed_and_described()
    {
        using var doc = JsonDocument.Parse(Repo.ReadText("charts", "reputation", "values.schema.json"));
        var untyped = new List<string>();
        Walk(doc.RootElement, "", untyped);

        Assert.Empty(untyped);
    }

    [Fact]
    public void Every_object_in_values_yaml_is_closed_or_deliberately_open()
    {
        // Maps whose keys are the operator's (annotations, selectors) or Kubernetes' own shapes.
        string[] open =
        [
            "/podAnnotations", "/nodeSelector", "/affinity", "/serviceAccount/annotations",
            "/networkPolicy/httpFrom/podSelector/matchLabels", "/networkPolicy/httpFrom/namespaceSelector/matchLabels",
            "/metrics/serviceMonitor/labels", "/metrics/prometheusRule/labels",
        ];
        using var doc = JsonDocument.Parse(Repo.ReadText("charts", "reputation", "values.schema.json"));
        var unclosed = new List<string>();
        Closed(doc.RootElement, doc.RootElement, "", open, unclosed);

        Assert.Empty(unclosed);
    }

    public static TheoryData<string, string, string> BadValues() => new()
    {
        { "replicaCount wrong type", """{"replicaCount": "three"}""", "/replicaCount" },
        { "replicaCount zero", """{"replicaCount": 0}""", "/replicaCount" },
        { "unknown top-level key", """{"replicas": 3}""", "/replicas" },
        { "inline connection string", """{"storage": {"connectionString": "DefaultEndpointsProtocol=https;AccountKey=abc"}}""", "/storage/connectionString" },
        { "unknown clustering mode", """{"clustering": {"mode": "consul"}}""", "/clustering/mode" },
        { "unknown scope", """{"apiKeys": {"keys": [{"name": "a", "sha256Key": "a", "scopes": ["admin"]}]}}""", "/apiKeys/keys/0/scopes/0" },
        { "scope in another case", """{"apiKeys": {"keys": [{"name": "a", "sha256Key": "a", "scopes": ["Metrics"]}]}}""", "/apiKeys/keys/0/scopes/0" },
        { "no API keys", """{"apiKeys": {"keys": []}}""", "/apiKeys/keys" },
        { "port as string", """{"silo": {"siloPort": "11111"}}""", "/silo/siloPort" },
        { "privileged http port", """{"http": {"port": 80}}""", "/http/port" },
        { "cpu not a quantity", """{"resources": {"requests": {"cpu": "lots"}}}""", "/resources/requests/cpu" },
        { "Development environment (public development keys)", """{"environment": "Development"}""", "/environment" },
        { "Development environment in another case", """{"environment": "development"}""", "/environment" },
        { "silo TLS peer trust unknown", """{"silo": {"tls": {"peerTrust": "any"}}}""", "/silo/tls/peerTrust" },
        { "silo TLS switch as a string", """{"silo": {"tls": {"enabled": "yes"}}}""", "/silo/tls/enabled" },
        { "silo TLS secret not a Kubernetes name", """{"silo": {"tls": {"existingSecret": "Silo TLS"}}}""", "/silo/tls/existingSecret" },
        { "network policy peer misspelt", """{"networkPolicy": {"httpFrom": [{"podSelectr": {}}]}}""", "/networkPolicy/httpFrom/0/podSelectr" },
        { "network policy peer empty", """{"networkPolicy": {"httpFrom": [{}]}}""", "/networkPolicy/httpFrom/0" },
        { "account prefixes on an operate key", """{"apiKeys": {"keys": [{"name": "a", "sha256Key": "a", "scopes": ["ingest", "operate"], "accountPrefixes": ["acme-"]}]}}""", "/apiKeys/keys/0/scopes" },
        { "empty account prefix (every account)", """{"apiKeys": {"keys": [{"name": "a", "sha256Key": "a", "scopes": ["ingest"], "accountPrefixes": [""]}]}}""", "/apiKeys/keys/0/accountPrefixes/0" },
        { "empty account prefix list", """{"apiKeys": {"keys": [{"name": "a", "sha256Key": "a", "scopes": ["ingest"], "accountPrefixes": []}]}}""", "/apiKeys/keys/0/accountPrefixes" },
        { "account prefix with a control character", """{"apiKeys": {"keys": [{"name": "a", "sha256Key": "a", "scopes": ["ingest"], "accountPrefixes": ["acme\t"]}]}}""", "/apiKeys/keys/0/accountPrefixes/0" },
        { "audit retention of zero days", """{"audit": {"retentionDays": 0}}""", "/audit/retentionDays" },
        { "audit retention as a string", """{"audit": {"retentionDays": "400"}}""", "/audit/retentionDays" },
        { "usage start not a time", """{"detection": {"usageSince": "last spring"}}""", "/detection/usageSince" },
        { "usage start without an offset", """{"detection": {"usageSince": "2026-01-01T00:00:00"}}""", "/detection/usageSince" },
        { "decision cache longer than 30 s", """{"decisionCache": {"seconds": 60}}""", "/decisionCache/seconds" },
        { "decision cache of a few accounts", """{"decisionCache": {"capacity": 10}}""", "/decisionCache/capacity" },
        { "stale answers older than an hour", """{"decisionCache": {"staleSeconds": 7200}}""", "/decisionCache/staleSeconds" },
        { "no patience for the account grain", """{"decisionCache": {"staleAfterMilliseconds": 0}}""", "/decisionCache/staleAfterMilliseconds" },
        { "backtest sample past its bound", """{"backtest": {"samplePerKind": 1000000}}""", "/backtest/samplePerKind" },
        { "rotation end not a time", """{"privacy": {"previousEmailHashKeyKey": "old", "previousEmailHashKeyUntil": "next week"}}""", "/privacy/previousEmailHashKeyUntil" },
        { "network policy ipBlock without cidr", """{"networkPolicy": {"httpFrom": [{"ipBlock": {"except": ["10.0.0.0/8"]}}]}}""", "/networkPolicy/httpFrom/0/ipBlock" },
    };

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    [InlineData("Development-like")]
    public void An_environment_other_than_Development_is_accepted(string environment)
    {
        var values = Chart.Values();
        values["environment"] = environment;

        var results = Evaluate(values);

        Assert.True(results.IsValid, string.Join("\n", Failures(results)));
    }

    [Theory]
    [InlineData("partner", "intel")]
    [InlineData("metrics-scraper", "metrics")]
    [InlineData("everything", "decide,ingest,read,operate,intel,metrics")]
    public void A_key_with_the_intel_or_metrics_scope_is_accepted(string name, string scopes)
    {
        var values = Chart.Values();
        var key = new JsonObject
        {
            ["name"] = name,
            ["sha256Key"] = name + "-sha256",
            ["scopes"] = new JsonArray([.. scopes.Split(',').Select(s => (JsonNode)JsonValue.Create(s))]),
        };
        values["apiKeys"]!["keys"]!.AsArray().Add(key);

        var results = Evaluate(values);

        Assert.True(results.IsValid, string.Join("\n", Failures(results)));
    }

    [Theory]
    [InlineData("""{"apiKeys": {"keys": [{"name": "acme-gateway", "sha256Key": "acme-sha256", "scopes": ["decide", "ingest", "read"], "accountPrefixes": ["acme-", "acme/eu-"]}]}}""")]
    [InlineData("""{"audit": {"retentionDays": 400}}""")]
    [InlineData("""{"detection": {"usageSince": "2026-09-01T00:00:00Z"}}""")]
    [InlineData("""{"privacy": {"previousEmailHashKeyKey": "emailHashKeyOld", "previousEmailHashKeyUntil": "2027-01-15T00:00:00Z"}}""")]
    [InlineData("""{"privacy": {"previousEmailHashKeyKey": "emailHashKeyOld", "previousEmailHashKeyUntil": ""}}""")]
    public void Account_prefixes_audit_retention_and_a_key_rotation_are_accepted(string overlay)
    {
        var values = Chart.Values();
        Merge(values.AsObject(), JsonNode.Parse(overlay)!.AsObject());

        var results = Evaluate(values);

        Assert.True(results.IsValid, string.Join("\n", Failures(results)));
    }

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_bad_values_document_is_rejected_where_it_is_wrong(string why, string overlay, string location)
    {
        var values = Chart.Values();
        Merge(values.AsObject(), JsonNode.Parse(overlay)!.AsObject());

        var results = Evaluate(values);

        Assert.False(results.IsValid, $"{why}: accepted");
        var failures = Failures(results);
        Assert.Contains(failures, f => f.StartsWith(location + " ", StringComparison.Ordinal));
    }

    /// <summary>Overlay objects key by key; anything else replaces.</summary>
    private static void Merge(JsonObject target, JsonObject overlay)
    {
        foreach (var (key, value) in overlay.ToList())
        {
            if (value is JsonObject o && target[key] is JsonObject t)
            {
                Merge(t, o);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    private static void Walk(JsonElement schema, string path, List<string> problems)
    {
        if (schema.TryGetProperty("properties", out var props))
        {
            foreach (var p in props.EnumerateObject())
            {
                var here = $"{path}/{p.Name}";
                var typed = p.Value.TryGetProperty("type", out _) || p.Value.TryGetProperty("$ref", out _) || p.Value.TryGetProperty("enum", out _);
                if (!typed || !p.Value.TryGetProperty("description", out var d) || string.IsNullOrWhiteSpace(d.GetString()))
                {
                    problems.Add(here);
                }

                Walk(p.Value, here, problems);
            }
        }

        if (schema.TryGetProperty("items", out var items))
        {
            Walk(items, path + "/*", problems);
        }

        if (schema.TryGetProperty("definitions", out var defs))
        {
            foreach (var def in defs.EnumerateObject())
            {
                Walk(def.Value, $"#{def.Name}", problems);
            }
        }
    }

    private static void Closed(JsonElement root, JsonElement schema, string path, string[] open, List<string> problems)
    {
        if (schema.TryGetProperty("$ref", out var r))
        {
            schema = root.GetProperty("definitions").GetProperty(r.GetString()!.Split('/')[^1]);
        }

        if (schema.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "object"
            && !open.Contains(path)
            && !(schema.TryGetProperty("additionalProperties", out var ap) && ap.ValueKind == JsonValueKind.False))
        {
            problems.Add(path == "" ? "/" : path);
        }

        if (schema.TryGetProperty("properties", out var props))
        {
            foreach (var p in props.EnumerateObject())
            {
                Closed(root, p.Value, $"{path}/{p.Name}", open, problems);
            }
        }

        if (schema.TryGetProperty("items", out var items) && !path.EndsWith("/tolerations", StringComparison.Ordinal))
        {
            Closed(root, items, path, open, problems);
        }
    }
}
