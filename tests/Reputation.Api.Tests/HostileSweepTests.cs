using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

/// <summary>A host of its own: hostile calls that happen to be valid (a list entry, a label) must not touch other tests' data.</summary>
public sealed class SweepFactory : ApiFactory;

[CollectionDefinition(Name)]
public sealed class SweepCollection : ICollectionFixture<SweepFactory>
{
    public const string Name = "api-hostile-sweep";
}

/// <summary>
/// Thousands of hostile requests across every endpoint, generated from a fixed seed: malformed
/// bodies, odd paths and parameters, bad keys. None may answer 5xx; every 4xx is problem+json
/// that names no code type; the service still decides afterwards and still applies a batch's good
/// events beside a bad one. (In memory: Kestrel's own refusals of malformed HTTP are not the app's.)
/// </summary>
[Collection(SweepCollection.Name)]
public sealed class HostileSweepTests(SweepFactory factory)
{
    private const int Seed = 20260313;
    private const int RequestsPerEndpoint = 80;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string Now = DateTimeOffset.UtcNow.AddMinutes(-1).UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>Every endpoint, with a valid call as the starting point of its mutations; <c>{x}</c> marks a path parameter.</summary>
    private static readonly (string Method, string Path, string? Body)[] Endpoints =
    [
        ("POST", "/v1/decisions/signup", """{"accountId":"sweep-a","ip":"192.0.2.10","email":"a@example.com","paymentFingerprint":"pf-sweep","deviceId":"d-1","country":"DE","organizationId":"org-1","organizationVerified":true}"""),
        ("POST", "/v1/decisions/request", """{"accountId":"sweep-a","ip":"192.0.2.10","model":"frontier-large"}"""),
        ("POST", "/v1/decisions/billing", """{"accountId":"sweep-a","paymentFingerprint":"pf-sweep","amountMinor":1200,"currency":"USD"}"""),
        ("POST", "/v1/events", $$"""{"events":[{"id":"sweep-e1","type":"usage","accountId":"sweep-a","occurredAt":"{{Now}}","ip":"192.0.2.10","requests":3,"inputTokens":10,"outputTokens":20,"promptFingerprints":["9f3c2a7b1d4e6f80"],"reasoningElicitation":0.5,"model":"m"},{"id":"sweep-e2","type":"payment","accountId":"sweep-a","occurredAt":"{{Now}}","paymentFingerprint":"pf-sweep","outcome":"declined","amountMinor":5,"currency":"EUR"}]}"""),
        ("GET", "/v1/accounts/{sweep-a}", null),
        ("GET", "/v1/accounts/{sweep-a}/graph?depth=2&limit=200", null),
        ("GET", "/v1/ip-ranges/{192.0.2.0}/{24}", null),
        ("GET", "/v1/payment-instruments/{pf-sweep}", null),
        ("GET", "/v1/prompt-templates/{b0:9f3c}", null),
        ("POST", "/v1/labels", """{"entityType":"account","entityId":"sweep-label","label":"trusted","reason":"sweep"}"""),
        ("GET", "/v1/campaigns?limit=20&after=cmp-0000000000000000", null),
        ("GET", "/v1/campaigns/{cmp-0123456789abcdef}", null),
        ("GET", "/v1/policies/{default}", null),
        ("PUT", "/v1/policies/{sweep}", """{"request":{"throttle":0.5},"weights":{"accountAge":1}}"""),
        ("GET", "/v1/policies/{default}/history", null),
        ("PUT", "/v1/policies/{default}/shadow", """{"request":{"throttle":0.45}}"""),
        ("DELETE", "/v1/policies/{default}/shadow", null),
        ("GET", "/v1/policies/{default}/shadow/report", null),
        ("PUT", "/v1/lists/{deny}/{payment-instrument}/{pf-sweep-listed}", """{"reason":"sweep","expiresAt":"2099-01-01T00:00:00Z"}"""),
        ("PUT", "/v1/lists/{allow}/{ip-range}/{203.0.113.0/24}", """{"reason":"sweep"}"""),
        ("DELETE", "/v1/lists/{deny}/{account}/{sweep-unlisted}", null),
        ("GET", "/v1/lists/{deny}?limit=10&after=account/a", null),
        ("POST", "/v1/intel/stix", """{"type":"bundle","id":"bundle--6f1e0c1a-8a44-4c1a-9d3e-4b8f2a7c9d10","objects":[{"type":"indicator","spec_version":"2.1","id":"indicator--0b6f7c9e-2d1a-4e3b-8c5d-7a9f1e2b3c4d","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value ISSUBSET '203.0.113.0/24']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z"}]}"""),
        ("GET", "/v1/intel/stix?since=2026-01-01T00:00:00Z", null),
        ("GET", "/v1/audit?limit=10&before=x&action=list.put&target=t", null),
        ("GET", "/health/live", null),
        ("GET", "/health/ready", null),
        ("GET", "/metrics", null),
    ];

    // No %00 in paths: an encoded NUL in a path is refused before the app (Kestrel answers it 400 itself, the test server throws).
    private static readonly string[] OddSegments =
    [
        "", "%2F", "a%2Fb", "..", "%2E%2E", "%2E%2E%2F%2E%2E", "%EF%BF%BF", "%EF%B7%90", "%ED%A0%80", "%FF", "%C0%AF", "%C3%A9t%C3%A9",
        "%20", "a%20b", "%25", "%7B%7D", "%3Cscript%3E", "%27", "%22", "null", "-1", "99999999999999999999", "0.0.0.0", "%3A%3A",
        "1.2.3.4%2F0", "%0D%0A", "%09", "~", "%F0%9F%98%80", new string('a', 5000), string.Concat(Enumerable.Repeat("%E2%82%AC", 400)),
    ];

    private static readonly string[] OddQueryValues =
    [
        "-1", "0", "abc", "99999999999999999999", "1e3", "", "%EF%BF%BF", "%ED%A0%80", "%00", new string('z', 4000), "2026-13-45T99:99:99Z", "%2F%2F", "true",
    ];

    private static readonly string[] Keys =
    [
        "", "wrong-key", "dev-operator-key ", " dev-operator-key", "DEV-OPERATOR-KEY", new string('k', 10_000), "k\u00e9y", "%00", "dev-service-key,dev-operator-key",
    ];

    [Fact]
    public async Task Hostile_requests_across_every_endpoint_get_4xx_problems_never_5xx_and_the_service_keeps_working()
    {
        var client = factory.CreateReputationClient(ApiFactory.OperatorKey);
        ApiAssert.Answered(await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = "sweep-warm", Ip = "192.0.2.1" }, Ct));
        var random = new Random(Seed);
        var requests = new List<(string Description, Func<HttpRequestMessage> Build)>();
        foreach (var endpoint in Endpoints)
        {
            for (var i = 0; i < RequestsPerEndpoint; i++)
            {
                requests.Add(Hostile(endpoint, random));
            }
        }

        Assert.True(requests.Count >= 2000, $"only {requests.Count} requests");
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        var http = factory.CreateDefaultClient();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Ct }, async (r, ct) =>
        {
            using var request = r.Build();
            using var response = await http.SendAsync(request, ct);
            var status = (int)response.StatusCode;
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (status >= 500)
            {
                failures.Enqueue($"{status} for {r.Description}: {Shorten(body)}");
            }
            else if (status >= 400)
            {
                if (response.Content.Headers.ContentType?.MediaType != Raw.ProblemJson)
                {
                    failures.Enqueue($"{status} not problem+json ({response.Content.Headers.ContentType}) for {r.Description}");
                }
                else if (NamesCodeType(body) is { } type)
                {
                    failures.Enqueue($"{status} names the code type {type} for {r.Description}: {Shorten(body)}");
                }
            }
        });

        Assert.True(failures.IsEmpty, $"{failures.Count} of {requests.Count} answers were wrong:\n{string.Join('\n', failures.Take(25))}");
        Assert.True(statuses.Keys.Count(s => s is >= 400 and < 500) >= 5, $"the sweep should meet many refusals: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}x{s.Value}"))}");

        // Still deciding, and a mixed batch applies its good events and rejects the bad one alone.
        ApiAssert.Answered(await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = "sweep-after", Ip = "192.0.2.2" }, Ct));
        var account = Unique.Id("sweep-mixed");
        var at = factory.Time.GetUtcNow();
        var batch = $$"""
            {"events":[
              {{Events.UsageJson(Unique.Id("evt"), account, at, 4)}},
              {"id":"\ud800","type":"usage","accountId":"{{account}}","occurredAt":"{{at.UtcDateTime:O}}","requests":1},
              {{Events.UsageJson(Unique.Id("evt"), account, at, 6)}}
            ]}
            """;
        using var mixed = await http.SendAsync(Raw.Post("/v1/events", batch, ApiFactory.OperatorKey), Ct);
        var text = await mixed.Content.ReadAsStringAsync(Ct);
        Assert.True(mixed.StatusCode == HttpStatusCode.Accepted, text);
        using var result = JsonDocument.Parse(text);
        Assert.Equal(2, result.RootElement.GetProperty("accepted").GetInt32());
        Assert.Equal(1, Assert.Single(result.RootElement.GetProperty("rejected").EnumerateArray()).GetProperty("index").GetInt32());
        Assert.Equal(10, (await client.GetAccountAsync(account, Ct))?.Usage.RequestsTotal);
    }

    private static (string, Func<HttpRequestMessage>) Hostile((string Method, string Path, string? Body) endpoint, Random random)
    {
        var method = endpoint.Method;
        var path = Path(endpoint.Path, random, mutate: false);
        var body = endpoint.Body;
        var contentType = body is null ? null : "application/json";
        string? key = ApiFactory.OperatorKey;
        string what;
        switch (random.Next(body is null ? 4 : 7))
        {
            case 0:
                path = Path(endpoint.Path, random, mutate: true);
                what = "odd path";
                break;
            case 1:
                path = Query(path, random);
                what = "odd query";
                break;
            case 2:
                key = random.Next(5) == 0 ? null : Keys[random.Next(Keys.Length)];
                what = "bad key";
                break;
            case 3:
                method = random.Next(2) == 0 ? "PATCH" : (method == "GET" ? "POST" : "GET");
                what = "wrong method";
                if (method == "POST")
                {
                    body = "{}";
                    contentType = "application/json";
                }

                break;
            case 4:
                contentType = random.Next(3) switch { 0 => "text/plain", 1 => "application/xml", _ => null };
                what = "wrong content type";
                break;
            default:
                (body, what) = Body(body!, random);
                break;
        }

        var description = $"{what}: {method} {Shorten(path)} {Shorten(body ?? "")}";
        return (description, () =>
        {
            var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (body is not null)
            {
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
                if (contentType is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                }
            }

            if (key is not null)
            {
                request.Headers.TryAddWithoutValidation("X-Api-Key", key);
            }

            if (method is "PUT" && path.StartsWith("/v1/policies/", StringComparison.Ordinal) && !path.Contains("/shadow", StringComparison.Ordinal))
            {
                request.Headers.TryAddWithoutValidation("If-Match", random.Next(3) switch { 0 => "\"0\"", 1 => "W/\"1\"", _ => "\"99999999999\"" });
            }

            return request;
        });
    }

    /// <summary>The path with its parameters' values, or with one of them replaced by something odd.</summary>
    private static string Path(string template, Random random, bool mutate)
    {
        var parameters = template.Count(c => c == '{');
        var odd = mutate && parameters > 0 ? random.Next(parameters) : -1;
        var builder = new StringBuilder();
        var index = 0;
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] != '{')
            {
                builder.Append(template[i]);
                continue;
            }

            var end = template.IndexOf('}', i);
            builder.Append(index++ == odd ? OddSegments[random.Next(OddSegments.Length)] : template[(i + 1)..end]);
            i = end;
        }

        var path = builder.ToString();
        return mutate && parameters == 0 ? path + "/" + OddSegments[random.Next(OddSegments.Length)] : path;
    }

    private static string Query(string path, Random random)
    {
        string[] names = ["limit", "after", "before", "depth", "since", "action", "target", "%EF%BF%BF", "limit"];
        var query = string.Join('&', Enumerable.Range(0, 1 + random.Next(3))
            .Select(_ => $"{names[random.Next(names.Length)]}={OddQueryValues[random.Next(OddQueryValues.Length)]}"));
        return path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query;
    }

    private static (string Body, string What) Body(string valid, Random random)
    {
        switch (random.Next(11))
        {
            case 0:
                return (valid[..random.Next(valid.Length)], "truncated JSON");
            case 1:
                var at = random.Next(valid.Length);
                return (valid[..at] + "{}\",:]x"[random.Next(7)] + valid[at..], "invalid JSON");
            case 2:
                return (new[] { "", "null", "[]", "1", "\"s\"", "{}", "{\"events\":[]}", "{\"events\":null}", "\u00ef\u00bb\u00bf{}", "{,}" }[random.Next(10)], "not a body of this shape");
            case 3:
                return (Replace(valid, random, new[] { "123", "-1", "true", "null", "[]", "{}", "\"str\"", "1.5", "[1,\"a\",null]" }[random.Next(9)]), "wrong type");
            case 4:
                return (Replace(valid, random, new[] { "1e400", "99999999999999999999999999", "-9223372036854775809", "9223372036854775807", "-1e-400", "1.7976931348623157E+309" }[random.Next(6)]), "huge number");
            case 5:
                return (Replace(valid, random, new[] { "\"\\ud800\"", "\"a\\udfffb\"", "\"\\ud83d\"", "\"\\udc00\\ud800\"" }[random.Next(4)]), "lone surrogate");
            case 6:
                return (Replace(valid, random, new[] { "\"\\uffff\"", "\"x\\ufdd0\"", "\"\\ufffe\"", "\"\uFFFF\"", "\"\\u0000\"", "\"\\u001b[31m\"" }[random.Next(6)]), "non-character or control");
            case 7:
                var longText = random.Next(2) == 0 ? new string('x', 100_000) : string.Concat(Enumerable.Repeat("\u00e9\U0001F600", 20_000));
                return (Replace(valid, random, JsonSerializer.Serialize(longText)), "very long string");
            case 8:
                var depth = 20 + random.Next(500);
                var nested = random.Next(2) == 0 ? new string('[', depth) + new string(']', depth) : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
                return (Replace(valid, random, nested), "deep nesting");
            case 9:
                return (valid.Insert(valid.IndexOf('{', StringComparison.Ordinal) + 1, new[] { "\"\\ud800\":1,", "\"__proto__\":{},", "\"\":1,", "\"accountId\":1,\"accountId\":\"dup\",", "\"\\uffff\":\"x\"," }[random.Next(5)]), "odd property");
            default:
                return (valid.Replace("\"", "'", StringComparison.Ordinal), "single quotes");
        }
    }

    /// <summary>The valid body with the value of one property (at any depth) replaced by raw JSON text.</summary>
    private static string Replace(string valid, Random random, string raw)
    {
        var root = JsonNode.Parse(valid)!;
        var values = new List<(JsonObject Parent, string Name)>();
        Collect(root, values);
        var (parent, name) = values[random.Next(values.Count)];
        const string Marker = "\"__sweep_marker__\"";
        parent[name] = "__sweep_marker__";
        return root.ToJsonString().Replace(Marker, raw, StringComparison.Ordinal);

        static void Collect(JsonNode? node, List<(JsonObject, string)> into)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (name, value) in o.ToList())
                    {
                        into.Add((o, name));
                        Collect(value, into);
                    }

                    break;
                case JsonArray a:
                    foreach (var item in a)
                    {
                        Collect(item, into);
                    }

                    break;
            }
        }
    }

    /// <summary>A .NET type name in a problem (what a caller must never be shown), or null.</summary>
    private static string? NamesCodeType(string body)
    {
        string[] telltales = ["System.", "Reputation.", "Microsoft.", "Exception", "Int32", "Int64", "String ", "Boolean", "Nullable", "IReadOnlyList", "DecisionRequest", "LabelRequest", "ListEntryRequest", "EventBatch", "DateTimeOffset"];
        return telltales.FirstOrDefault(t => body.Contains(t, StringComparison.Ordinal));
    }

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..160] + $"...({text.Length} chars)";
}
