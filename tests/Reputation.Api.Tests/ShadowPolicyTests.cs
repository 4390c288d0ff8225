using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

[Collection(PolicyCollection.Name)]
public sealed class ShadowPolicyTests(PolicyFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<JsonObject> DefaultPolicyAsync()
    {
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get("/v1/policies/default"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body = null, string apiKey = ApiFactory.OperatorKey) =>
        await factory.CreateDefaultClient().SendAsync(Raw.Request(method, path, body, apiKey), Ct);

    private async Task<JsonElement?> ReportAsync()
    {
        using var response = await SendAsync(HttpMethod.Get, "/v1/policies/default/shadow/report", apiKey: ApiFactory.ServiceKey);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone();
    }

    private async Task<JsonElement> ReportWhenAsync(Func<JsonElement, bool> condition, string what) =>
        // Silos add their counts every second.
        (await Eventually.ValueAsync(ReportAsync, r => r is { } report && condition(report), what))!.Value;

    private Task<RequestDecisionResponse> DecideAsync(string account) =>
        factory.CreateReputationClient().DecideRequestAsync(new RequestDecisionRequest { AccountId = account, Ip = "10.8.8.8" }, Ct)
            .ContinueWith(t => ApiAssert.Answered(t.Result), TaskScheduler.Default);

    [Fact]
    public async Task A_candidate_is_decided_beside_the_live_policy_without_changing_any_answer()
    {
        var candidate = await DefaultPolicyAsync();
        candidate["request"]!["throttle"] = 0.1; // a new account (NEW_ACCOUNT 0.15) would be throttled
        using (var set = await SendAsync(HttpMethod.Put, "/v1/policies/default/shadow", candidate.ToJsonString()))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        const int Decisions = 5;
        var accounts = Enumerable.Range(0, Decisions).Select(_ => Unique.Id("shadowed")).ToList();
        foreach (var account in accounts)
        {
            // The answer is the live policy's: allow, never the candidate's throttle.
            var decision = await DecideAsync(account);
            Assert.Equal(RequestDecision.Allow, decision.Decision);
            Assert.Equal(600, decision.RequestsPerMinute);
        }

        var report = await ReportWhenAsync(
            r => r.GetProperty("decisions").GetInt64() >= Decisions
                && accounts.All(a => r.GetProperty("changedAccounts").EnumerateArray().Any(x => x.GetString() == a)),
            "every decision counted and every account reported as changed");

        // Exactly the decisions made: all request decisions, allow live and throttle in the shadow.
        Assert.Equal(Decisions, report.GetProperty("decisions").GetInt64());
        Assert.Equal(Decisions, report.GetProperty("changed").GetInt64());
        var cell = Assert.Single(report.GetProperty("request").EnumerateArray());
        Assert.Equal(("allow", "throttle", (long)Decisions), (cell.GetProperty("live").GetString(), cell.GetProperty("shadow").GetString(), cell.GetProperty("count").GetInt64()));
        Assert.Empty(report.GetProperty("signup").EnumerateArray());
        Assert.Empty(report.GetProperty("billing").EnumerateArray());
        Assert.Equal("dev-operator", report.GetProperty("setBy").GetString());
    }

    [Fact]
    public async Task A_new_candidate_starts_a_new_report_and_removing_it_ends_shadow_mode()
    {
        var candidate = await DefaultPolicyAsync();
        using (var first = await SendAsync(HttpMethod.Put, "/v1/policies/default/shadow", candidate.ToJsonString()))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var firstId = (await ReportAsync())!.Value.GetProperty("shadowId").GetInt32();
        await DecideAsync(Unique.Id("counted"));
        await ReportWhenAsync(r => r.GetProperty("decisions").GetInt64() >= 1, "the decision counted");

        using (var second = await SendAsync(HttpMethod.Put, "/v1/policies/default/shadow", candidate.ToJsonString()))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        var fresh = (await ReportAsync())!.Value;
        Assert.Equal(firstId + 1, fresh.GetProperty("shadowId").GetInt32());
        Assert.Equal(0, fresh.GetProperty("decisions").GetInt64());

        using (var removed = await SendAsync(HttpMethod.Delete, "/v1/policies/default/shadow"))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        Assert.Null(await ReportAsync());
        using var again = await SendAsync(HttpMethod.Delete, "/v1/policies/default/shadow");
        await Raw.AssertProblemAsync(again, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_bad_candidate_is_a_400_naming_the_field_and_only_default_has_a_shadow()
    {
        using (var cleared = await SendAsync(HttpMethod.Delete, "/v1/policies/default/shadow"))
        {
            Assert.True(cleared.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.NotFound);
        }

        var candidate = await DefaultPolicyAsync();
        candidate["billing"]!["deny"] = 0.2; // below hold
        using var bad = await SendAsync(HttpMethod.Put, "/v1/policies/default/shadow", candidate.ToJsonString());
        var problem = await Raw.AssertProblemAsync(bad, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("billing.deny", out _), problem.ToString());
        Assert.Null(await ReportAsync());

        using var other = await SendAsync(HttpMethod.Put, "/v1/policies/candidates/shadow", (await DefaultPolicyAsync()).ToJsonString());
        var otherProblem = await Raw.AssertProblemAsync(other, HttpStatusCode.BadRequest);
        Assert.True(otherProblem.GetProperty("errors").TryGetProperty("name", out _));

        using var forbidden = await SendAsync(HttpMethod.Put, "/v1/policies/default/shadow", (await DefaultPolicyAsync()).ToJsonString(), ApiFactory.ServiceKey);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }
}
