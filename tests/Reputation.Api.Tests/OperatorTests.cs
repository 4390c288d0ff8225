using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Reputation.Api.Security;

namespace Reputation.Api.Tests;

/// <summary>What every operate endpoint has in common: only operators may call it, and every call is audited.</summary>
[Collection(PolicyCollection.Name)]
public sealed class OperatorTests(PolicyFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Dictionary<string, string> s_sampleValues = new(StringComparer.Ordinal)
    {
        ["name"] = "default",
        ["list"] = "deny",
        ["entityType"] = "account",
        ["entityId"] = "operator-test-account",
    };

    private static string Path(RoutePattern pattern) =>
        "/" + string.Join('/', pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => s_sampleValues.GetValueOrDefault(parameter.Name, "x"),
            RoutePatternSeparatorPart separator => separator.Content,
            _ => "",
        }))));

    [Fact]
    public async Task A_service_key_gets_403_on_every_operate_endpoint_and_nothing_changes()
    {
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<RequiredScopeMetadata>()?.Scope == Scopes.Operate)
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => (Method: m, Path: Path(e.RoutePattern))))
            .ToList();
        Assert.True(endpoints.Count >= 7, $"found only {endpoints.Count} operate endpoints");

        var (_, etag) = await PolicyAsync();
        foreach (var (method, path) in endpoints)
        {
            var request = Raw.Request(new HttpMethod(method), path, method is "GET" or "DELETE" ? null : "{}", ApiFactory.ServiceKey);
            request.Headers.TryAddWithoutValidation("If-Match", etag);
            using var response = await factory.CreateDefaultClient().SendAsync(request, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} with the service key: {(int)response.StatusCode}");
        }

        Assert.Equal(etag, (await PolicyAsync()).ETag);
    }

    [Fact]
    public async Task Concurrent_puts_with_the_same_if_match_make_exactly_one_new_version()
    {
        var name = Unique.Id("race")[..30];
        var (policy, _) = await PolicyAsync();
        using (var created = await PutAsync(name, policy.ToJsonString(), "\"0\""))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            var body = policy.DeepClone().AsObject();
            body["tiers"]!["cacheTtlSeconds"] = 10 + i;
            using var response = await PutAsync(name, body.ToJsonString(), "\"1\"");
            return response.StatusCode;
        }));

        Assert.Equal(1, answers.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(7, answers.Count(s => s == HttpStatusCode.PreconditionFailed));
        Assert.Equal("\"2\"", (await PolicyAsync(name)).ETag);
        using var history = await factory.CreateDefaultClient().SendAsync(Raw.Get($"/v1/policies/{name}/history"), Ct);
        Assert.Equal(2, JsonNode.Parse(await history.Content.ReadAsStringAsync(Ct))!.AsArray().Count);
    }

    [Fact]
    public async Task The_audit_log_lists_every_operate_call_made_with_its_key_action_and_target()
    {
        var account = Unique.Id("audited-op");
        var policyName = Unique.Id("audited-op")[..30];
        var (policy, _) = await PolicyAsync();
        var client = factory.CreateDefaultClient();
        async Task<HttpStatusCode> Send(HttpMethod method, string path, string? body = null, string? ifMatch = null)
        {
            var request = Raw.Request(method, path, body, ApiFactory.OperatorKey);
            if (ifMatch is not null)
            {
                request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
            }

            using var response = await client.SendAsync(request, Ct);
            return response.StatusCode;
        }

        var calls = new List<(string Action, string Target, HttpStatusCode Status)>
        {
            ("label.set", $"account:{account}", await Send(HttpMethod.Post, "/v1/labels", $$"""{"entityType":"account","entityId":"{{account}}","label":"fraud","reason":"audit test"}""")),
            ("policy.put", $"policy:{policyName}", await Send(HttpMethod.Put, $"/v1/policies/{policyName}", policy.ToJsonString(), "\"0\"")),
            ("policy.put", $"policy:{policyName}", await Send(HttpMethod.Put, $"/v1/policies/{policyName}", policy.ToJsonString(), "\"0\"")),
            ("list.put", $"deny-list:account:{account}", await Send(HttpMethod.Put, $"/v1/lists/deny/account/{account}", """{"reason":"audit test"}""")),
            ("list.delete", $"deny-list:account:{account}", await Send(HttpMethod.Delete, $"/v1/lists/deny/account/{account}")),
        };
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.PreconditionFailed, HttpStatusCode.OK, HttpStatusCode.NoContent], calls.Select(c => c.Status));

        using var response = await client.SendAsync(Raw.Get("/v1/audit?limit=500", ApiFactory.OperatorKey), Ct);
        var records = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["records"]!.AsArray()
            .Select(r => (Action: r!["action"]!.GetValue<string>(), Target: r["target"]?.GetValue<string>(), Status: r["status"]!.GetValue<int>(), Key: r["keyName"]!.GetValue<string>()))
            .Where(r => r.Target is not null && (r.Target.Contains(account, StringComparison.Ordinal) || r.Target.Contains(policyName, StringComparison.Ordinal)))
            .Reverse()
            .ToList();

        Assert.Equal(calls.Select(c => (c.Action, c.Target, (int)c.Status)), records.Select(r => (r.Action, r.Target!, r.Status)));
        Assert.All(records, r => Assert.Equal("dev-operator", r.Key));
    }

    private async Task<(JsonObject Policy, string ETag)> PolicyAsync(string name = "default")
    {
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get($"/v1/policies/{name}"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject(), response.Headers.ETag!.ToString());
    }

    private async Task<HttpResponseMessage> PutAsync(string name, string body, string ifMatch)
    {
        var request = Raw.Request(HttpMethod.Put, $"/v1/policies/{name}", body, ApiFactory.OperatorKey);
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await factory.CreateDefaultClient().SendAsync(request, Ct);
    }
}
