using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Reputation.Client;
using Reputation.Contracts;
using Reputation.Grains;

namespace Reputation.Api.Tests;

/// <summary>
/// A request decision whose account grain cannot be reached (its silo died and is not yet declared
/// dead) or does not answer in time is answered with the last decision this silo answered for the
/// account, marked stale (docs/decisions/0038-stale-answers-on-failover.md); an account this silo never
/// answered still gets 503, and a failure of the grain's own is never hidden.
/// </summary>
[Collection(StaleDecisionCollection.Name)]
public sealed class StaleDecisionTests(StaleDecisionFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_its_grain_unreachable_an_account_gets_its_last_decision_marked_stale_with_a_short_ttl_and_it_is_counted()
    {
        var client = factory.CreateReputationClient();
        var account = Unique.Id("stale");
        var ip = Unique.Ipv4Range().Host(9);
        await client.IngestAsync(Events.Batch(Events.Signup(Unique.Id("evt"), account, factory.Time.GetUtcNow().AddDays(-60), ip)), Ct);
        var staleBefore = await ScrapeStaleAsync("unreachable");

        var fresh = ApiAssert.Answered(await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = account, Ip = ip }, Ct));
        Assert.False(fresh.Stale);
        Assert.True(fresh.CacheTtlSeconds > 1, $"a fresh decision may be cached {fresh.CacheTtlSeconds} s");
        // Past the silo's decision cache (5 s), so the next decision asks the grain.
        factory.Time.Advance(TimeSpan.FromSeconds(6));
        factory.Faults[account] = static () => throw new Orleans.Runtime.SiloUnavailableException("the account's silo is gone");

        var stale = ApiAssert.Answered(await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = account, Ip = ip }, Ct));

        Assert.True(stale.Stale);
        Assert.Equal((fresh.Decision, fresh.Score, fresh.PolicyVersion, fresh.RequestsPerMinute), (stale.Decision, stale.Score, stale.PolicyVersion, stale.RequestsPerMinute));
        Assert.Equal(fresh.Reasons.Select(r => r.Code), stale.Reasons.Select(r => r.Code));
        Assert.InRange(stale.CacheTtlSeconds, 0, 1);
        await Eventually.ValueAsync(() => ScrapeStaleAsync("unreachable"), n => n >= staleBefore + 1, "the stale answer counted");

        // Asked from another range it is not the same question: no stale answer, the 503.
        var elsewhere = await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = account, Ip = Unique.Ipv4Range().Host(9) }, Ct);
        Assert.Equal(FallbackCauses.Http(503), elsewhere.FallbackCause);

        // Reachable again: fresh, and the field is absent from the JSON.
        factory.Faults.TryRemove(account, out _);
        using var http = factory.CreateDefaultClient();
        using var response = await http.SendAsync(Raw.Request(HttpMethod.Post, "/v1/decisions/request", $$"""{"accountId":"{{account}}","ip":"{{ip}}"}"""), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("\"stale\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_account_this_silo_never_answered_gets_503_problem_json_with_Retry_After_when_its_grain_is_unreachable()
    {
        var account = Unique.Id("never-answered");
        factory.Faults[account] = static () => throw new Orleans.Runtime.SiloUnavailableException("the account's silo is gone");
        using var http = factory.CreateDefaultClient();

        using var response = await http.SendAsync(Raw.Request(HttpMethod.Post, "/v1/decisions/request", $$"""{"accountId":"{{account}}","ip":"198.51.100.9"}"""), Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("1", Assert.Single(response.Headers.GetValues("Retry-After")));
        var fallback = await factory.CreateReputationClient().DecideRequestAsync(new RequestDecisionRequest { AccountId = account, Ip = "198.51.100.9" }, Ct);
        Assert.Equal(FallbackCauses.Http(503), fallback.FallbackCause);
    }

    [Fact]
    public async Task A_failure_of_the_grain_itself_is_not_hidden_behind_a_stale_answer()
    {
        var client = factory.CreateReputationClient();
        var account = Unique.Id("broken");
        var ip = Unique.Ipv4Range().Host(9);
        ApiAssert.Answered(await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = account, Ip = ip }, Ct));
        factory.Time.Advance(TimeSpan.FromSeconds(6));
        factory.Faults[account] = static () => throw new InvalidOperationException("a bug in the grain");

        var result = await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = account, Ip = ip }, Ct);

        Assert.Equal(FallbackCauses.Http(500), result.FallbackCause);
    }

    [Fact]
    public async Task An_account_whose_grain_does_not_answer_in_time_gets_its_last_decision_stale_and_the_timeout_is_counted()
    {
        var client = factory.CreateReputationClient();
        var account = Unique.Id("slow");
        var ip = Unique.Ipv4Range().Host(9);
        var fresh = ApiAssert.Answered(await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = account, Ip = ip }, Ct));
        factory.Time.Advance(TimeSpan.FromSeconds(6));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A silo that neither answers nor refuses (a lost machine): the call waits until released.
        factory.Faults[account] = () => release.Task;
        var timeoutsBefore = await ScrapeStaleAsync("timeout");

        try
        {
            var stale = ApiAssert.Answered(await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = account, Ip = ip }, Ct));

            Assert.True(stale.Stale);
            Assert.Equal((fresh.Decision, fresh.Score), (stale.Decision, stale.Score));
            await Eventually.ValueAsync(() => ScrapeStaleAsync("timeout"), n => n >= timeoutsBefore + 1, "the stale answer counted as a timeout");
        }
        finally
        {
            factory.Faults.TryRemove(account, out _);
            release.SetResult();
        }
    }

    private async Task<double> ScrapeStaleAsync(string cause) =>
        (await MetricsTests.ScrapeAsync(factory)).Sum("reputation_decision_stale_total", ("cause", cause));
}

/// <summary>The Development host with a grain call filter that makes chosen accounts' request decisions fail or wait.</summary>
public sealed class StaleDecisionFactory : ApiFactory
{
    /// <summary>Per account id: what its request decision call does instead of reaching the grain (throw, or wait and then reach it).</summary>
    public ConcurrentDictionary<string, Func<Task>> Faults { get; } = new(StringComparer.Ordinal);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<Orleans.IOutgoingGrainCallFilter>(new FaultFilter(Faults)));
    }

    private sealed class FaultFilter(ConcurrentDictionary<string, Func<Task>> faults) : Orleans.IOutgoingGrainCallFilter
    {
        public async Task Invoke(Orleans.IOutgoingGrainCallContext context)
        {
            if (context.InterfaceMethod?.Name == nameof(IAccountGrain.DecideRequestAsync)
                && faults.TryGetValue(context.TargetId.Key.ToString(), out var fault))
            {
                await fault();
            }

            await context.Invoke();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class StaleDecisionCollection : ICollectionFixture<StaleDecisionFactory>
{
    public const string Name = "api-stale-decisions";
}
