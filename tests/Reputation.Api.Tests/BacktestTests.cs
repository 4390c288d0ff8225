using System.Net;
using System.Text.Json.Nodes;
using Reputation.Client;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

/// <summary>A host of its own, so its silo's sample holds only what these tests decided.</summary>
public sealed class BacktestFactory : ApiFactory;

[CollectionDefinition(Name)]
public sealed class BacktestCollection : ICollectionFixture<BacktestFactory>
{
    public const string Name = "api-backtest";
}

[Collection(BacktestCollection.Name)]
public sealed class BacktestTests(BacktestFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ReputationClient Operator => factory.CreateReputationClient(ApiFactory.OperatorKey);

    /// <summary>The live policy with a request throttle at 0.1: a new account (NEW_ACCOUNT 0.15) is throttled.</summary>
    private async Task<JsonObject> StrictCandidateAsync()
    {
        var policy = (await Operator.GetPolicyAsync("default", Ct))!.Policy;
        policy["request"]!["throttle"] = 0.1;
        return policy;
    }

    private async Task<IReadOnlyList<string>> DecideAsync(string prefix, int accounts)
    {
        var ids = Enumerable.Range(0, accounts).Select(_ => Unique.Id(prefix)).ToList();
        foreach (var id in ids)
        {
            ApiAssert.Answered(await factory.CreateReputationClient().DecideRequestAsync(new RequestDecisionRequest { AccountId = id, Ip = "10.9.9.9" }, Ct));
        }

        return ids;
    }

    [Fact]
    public async Task A_backtest_counts_what_the_same_candidate_set_as_shadow_counted_on_the_same_decisions()
    {
        var candidate = await StrictCandidateAsync();
        var before = (await Operator.BacktestPolicyAsync("default", candidate, Ct))!;
        await Operator.SetShadowPolicyAsync("default", candidate, Ct);
        const int Decisions = 4;
        var accounts = await DecideAsync("backtested", Decisions);
        var report = await Eventually.ValueAsync(() => Operator.GetShadowReportAsync("default", Ct), r => r?.Decisions == Decisions, "every decision in the shadow report");

        var after = (await Operator.BacktestPolicyAsync("default", candidate, Ct))!;

        // What the sample gained is what shadow mode counted: four new accounts, allowed live, throttled by the candidate.
        Assert.Equal(report!.Request.Select(c => (c.Live, c.Shadow, c.Count)), Added(before.Request.Table, after.Request.Table));
        Assert.Equal([(RequestDecision.Allow, RequestDecision.Throttle, (long)Decisions)], Added(before.Request.Table, after.Request.Table));
        Assert.Equal(before.Sampled + Decisions, after.Sampled);
        Assert.Equal(before.Changed + Decisions, after.Changed);
        Assert.Superset(accounts.ToHashSet(), after.Request.ChangedAccounts.Select(c => c.AccountId).ToHashSet());
        var change = after.Request.ChangedAccounts.Single(c => c.AccountId == accounts[0]);
        Assert.Equal((RequestDecision.Allow, RequestDecision.Throttle), (change.Current, change.Candidate));
        Assert.Equal(change.CurrentScore, change.CandidateScore);
        Assert.Equal(("default", 1, 1), (after.Policy, after.CurrentVersion, after.Silos));
        Assert.Equal([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], after.Request.Scores.Bins);
        Assert.Equal(after.Request.Sampled, after.Request.Scores.Current.Sum());
        Assert.Equal(after.Request.Sampled, after.Request.Scores.Candidate.Sum());

        Assert.True(await Operator.DeleteShadowPolicyAsync("default", Ct));
        Assert.False(await Operator.DeleteShadowPolicyAsync("default", Ct));
        var audit = await Operator.GetAuditAsync(action: "policy.backtest", target: "policy:default", cancellationToken: Ct);
        Assert.Contains(audit.Records, r => r.Status == 200 && r.KeyName == "dev-operator");
    }

    [Fact]
    public async Task Erasing_an_account_takes_its_decisions_out_of_the_sample()
    {
        var candidate = await StrictCandidateAsync();
        var account = Unique.Id("backtest-erased");
        // A signup makes the account known (erasure answers 404 for one never seen); then a request decision.
        ApiAssert.Answered(await factory.CreateReputationClient().DecideSignupAsync(new SignupDecisionRequest { AccountId = account, Ip = "10.9.9.10" }, Ct));
        ApiAssert.Answered(await factory.CreateReputationClient().DecideRequestAsync(new RequestDecisionRequest { AccountId = account, Ip = "10.9.9.10" }, Ct));
        var before = (await Operator.BacktestPolicyAsync("default", candidate, Ct))!;
        Assert.Contains(before.Request.ChangedAccounts, c => c.AccountId == account);

        var erased = await Operator.EraseAccountAsync(account, Ct);

        Assert.Equal(2, erased?.BacktestSamples);
        var after = (await Operator.BacktestPolicyAsync("default", candidate, Ct))!;
        Assert.Equal((before.Signup.Sampled - 1, before.Request.Sampled - 1), (after.Signup.Sampled, after.Request.Sampled));
        Assert.DoesNotContain(after.Request.ChangedAccounts, c => c.AccountId == account);
    }

    [Fact]
    public async Task A_bad_candidate_is_a_400_naming_each_bad_field()
    {
        var candidate = await StrictCandidateAsync();
        candidate["request"]!["degrade"] = 0.05; // below throttle
        candidate["weights"]!["clusterUsage"] = 1.7;

        var ex = await Assert.ThrowsAsync<ReputationApiException>(() => Operator.BacktestPolicyAsync("default", candidate, Ct));

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Equivalent(new[] { "request.degrade", "weights.clusterUsage" }, ex.Problem!.Errors.Keys);
    }

    [Fact]
    public async Task A_policy_never_saved_is_a_404_and_a_malformed_name_a_400()
    {
        var candidate = await StrictCandidateAsync();

        Assert.Null(await Operator.BacktestPolicyAsync("never-saved", candidate, Ct));
        var ex = await Assert.ThrowsAsync<ReputationApiException>(() => Operator.BacktestPolicyAsync("Not_A_Name", candidate, Ct));
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Contains("name", ex.Problem!.Errors.Keys);
    }

    [Fact]
    public async Task A_backtest_needs_a_key_with_the_operate_scope()
    {
        var candidate = await StrictCandidateAsync();

        var forbidden = await Assert.ThrowsAsync<ReputationApiException>(() => factory.CreateReputationClient(ApiFactory.ServiceKey).BacktestPolicyAsync("default", candidate, Ct));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        using var anonymous = await factory.CreateDefaultClient().SendAsync(Raw.Request(HttpMethod.Post, "/v1/policies/default/backtest", candidate.ToJsonString(), apiKey: null), Ct);
        await Raw.AssertProblemAsync(anonymous, HttpStatusCode.Unauthorized);
    }

    /// <summary>The cells whose count grew between two backtests, with how much.</summary>
    private static List<(RequestDecision, RequestDecision, long)> Added(IReadOnlyList<BacktestCell<RequestDecision>> before, IReadOnlyList<BacktestCell<RequestDecision>> after) =>
        [.. after.Select(c => (c.Current, c.Candidate, c.Count - (before.SingleOrDefault(b => (b.Current, b.Candidate) == (c.Current, c.Candidate))?.Count ?? 0)))
            .Where(c => c.Item3 > 0)];
}
