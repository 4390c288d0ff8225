using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

/// <summary>A host of its own: these tests save new versions of <c>default</c>, which other tests expect at version 1.</summary>
public sealed class PolicyFactory : ApiFactory;

[CollectionDefinition(Name)]
public sealed class PolicyCollection : ICollectionFixture<PolicyFactory>
{
    public const string Name = "api-policies";
}

[Collection(PolicyCollection.Name)]
public sealed class PolicyTests(PolicyFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(JsonObject Policy, string ETag)> GetAsync(string name = "default")
    {
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get($"/v1/policies/{name}"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var policy = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject();
        return (policy, response.Headers.ETag!.ToString());
    }

    private async Task<HttpResponseMessage> PutAsync(string name, string body, string? ifMatch, string apiKey = ApiFactory.OperatorKey)
    {
        var request = Raw.Request(HttpMethod.Put, $"/v1/policies/{name}", body, apiKey);
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return await factory.CreateDefaultClient().SendAsync(request, Ct);
    }

    [Fact]
    public async Task Saving_a_policy_with_the_current_etag_makes_the_next_version_which_decisions_use_at_once()
    {
        var (policy, etag) = await GetAsync();
        var version = policy["version"]!.GetValue<int>();
        Assert.Equal($"\"{version}\"", etag);

        // Throttle from 0.1: a new account (NEW_ACCOUNT 0.15) is throttled under the new version.
        policy["request"]!["throttle"] = 0.1;
        using var saved = await PutAsync("default", policy.ToJsonString(), etag);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal($"\"{version + 1}\"", saved.Headers.ETag!.ToString());

        var client = factory.CreateReputationClient();
        var decision = ApiAssert.Answered(await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = Unique.Id("policy"), Ip = "10.9.9.9" }, Ct));
        Assert.Equal(version + 1, decision.PolicyVersion);
        Assert.Equal(RequestDecision.Throttle, decision.Decision);

        // Put the threshold back: another version, decisions allow again.
        var (current, currentTag) = await GetAsync();
        current["request"]!["throttle"] = 0.5;
        using var restored = await PutAsync("default", current.ToJsonString(), currentTag);
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        var after = ApiAssert.Answered(await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = Unique.Id("policy"), Ip = "10.9.9.9" }, Ct));
        Assert.Equal(RequestDecision.Allow, after.Decision);
        Assert.Equal(version + 2, after.PolicyVersion);
    }

    [Fact]
    public async Task A_stale_etag_is_412_and_nothing_is_saved()
    {
        var name = Unique.Id("stale")[..30];
        var body = (await GetAsync()).Policy.ToJsonString();
        using var created = await PutAsync(name, body, "\"0\"");
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        using var second = await PutAsync(name, body, "\"1\"");
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);

        using var stale = await PutAsync(name, body, "\"1\"");
        await Raw.AssertProblemAsync(stale, HttpStatusCode.PreconditionFailed);
        Assert.Equal("\"2\"", stale.Headers.ETag!.ToString());
        Assert.Equal(2, (await GetAsync(name)).Policy["version"]!.GetValue<int>());
    }

    [Fact]
    public async Task Without_if_match_a_put_is_428()
    {
        using var response = await PutAsync("default", (await GetAsync()).Policy.ToJsonString(), ifMatch: null);
        await Raw.AssertProblemAsync(response, HttpStatusCode.PreconditionRequired);
    }

    [Fact]
    public async Task An_inconsistent_policy_is_a_400_naming_each_bad_field_and_nothing_is_saved()
    {
        var (policy, etag) = await GetAsync();
        policy["request"]!["degrade"] = 0.3;              // below throttle
        policy["weights"]!["clusterUsage"] = 1.7;         // above 1
        policy["quotas"]!["templateRequestsPerHour"] = 0; // no quota

        using var response = await PutAsync("default", policy.ToJsonString(), etag);

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equivalent(new[] { "request.degrade", "weights.clusterUsage", "quotas.templateRequestsPerHour" }, fields);
        Assert.Equal(etag, (await GetAsync()).ETag);
    }

    [Fact]
    public async Task An_unknown_field_is_a_400_naming_it()
    {
        var (policy, etag) = await GetAsync();
        policy["request"]!["throtle"] = 0.4;

        using var response = await PutAsync("default", policy.ToJsonString(), etag);

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(problem.GetProperty("errors").EnumerateObject(), p => p.Name.Contains("throtle", StringComparison.Ordinal));
    }

    [Fact]
    public async Task History_lists_versions_newest_first_with_who_saved_them_and_an_old_one_can_be_restored()
    {
        var name = Unique.Id("hist")[..30];
        var (policy, _) = await GetAsync();
        policy["tiers"]!["cacheTtlSeconds"] = 5;
        using (var v1 = await PutAsync(name, policy.ToJsonString(), "\"0\""))
        {
            Assert.Equal(HttpStatusCode.OK, v1.StatusCode);
        }

        policy["tiers"]!["cacheTtlSeconds"] = 60;
        using (var v2 = await PutAsync(name, policy.ToJsonString(), "\"1\""))
        {
            Assert.Equal(HttpStatusCode.OK, v2.StatusCode);
        }

        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get($"/v1/policies/{name}/history"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var history = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsArray();
        Assert.Equal([2, 1], history.Select(h => h!["version"]!.GetValue<int>()));
        Assert.All(history, h => Assert.Equal("dev-operator", h!["by"]!.GetValue<string>()));

        // Restore version 1 by putting its policy back.
        using var restore = await PutAsync(name, history[1]!["policy"]!.ToJsonString(), "\"2\"");
        Assert.Equal(HttpStatusCode.OK, restore.StatusCode);
        var (restored, etag) = await GetAsync(name);
        Assert.Equal("\"3\"", etag);
        Assert.Equal(5, restored["tiers"]!["cacheTtlSeconds"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_save_is_audited_with_who_and_the_policy_before_and_after()
    {
        var name = Unique.Id("audited")[..30];
        var (policy, _) = await GetAsync();
        using (var created = await PutAsync(name, policy.ToJsonString(), "\"0\""))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        policy["tiers"]!["cacheTtlSeconds"] = 7;
        using (var changed = await PutAsync(name, policy.ToJsonString(), "\"1\""))
        {
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        }

        using var stale = await PutAsync(name, policy.ToJsonString(), "\"1\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);

        using var response = await factory.CreateDefaultClient().SendAsync(
            Raw.Get($"/v1/audit?action=policy.put&target=policy:{name}", ApiFactory.OperatorKey), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var records = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["records"]!.AsArray();
        Assert.Equal([412, 200, 200], records.Select(r => r!["status"]!.GetValue<int>()));
        var save = records[1]!;
        Assert.Equal("dev-operator", save["keyName"]!.GetValue<string>());
        Assert.Equal(1, JsonNode.Parse(save["before"]!.ToJsonString())!["version"]!.GetValue<int>());
        Assert.Contains("\"cacheTtlSeconds\":7", save["after"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reading_needs_read_saving_needs_operate_and_an_unknown_policy_is_404()
    {
        using var unknown = await factory.CreateDefaultClient().SendAsync(Raw.Get("/v1/policies/never-saved"), Ct);
        await Raw.AssertProblemAsync(unknown, HttpStatusCode.NotFound);

        using var badName = await factory.CreateDefaultClient().SendAsync(Raw.Get("/v1/policies/Not_A_Name"), Ct);
        await Raw.AssertProblemAsync(badName, HttpStatusCode.BadRequest);

        var (policy, etag) = await GetAsync();
        using var forbidden = await PutAsync("default", policy.ToJsonString(), etag, ApiFactory.ServiceKey);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(etag, (await GetAsync()).ETag);
    }
}
