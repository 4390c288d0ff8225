using Reputation.Core.Policies;
using Reputation.Core.Scoring;
using Reputation.Grains.Policies;

namespace Reputation.Grains.Tests;

/// <summary>A replaced or removed candidate's report keeps no account ids (docs/security.md, "Retention").</summary>
[Collection(ClusterCollection.Name)]
public sealed class ShadowReportRetentionTests(ClusterFixture fixture)
{
    private static ShadowTally Tally(params string[] changed)
    {
        var counts = new long[ShadowCounts.Length];
        counts[ShadowCounts.Index(DecisionKind.Request, 0, 1)] = changed.Length;
        return new ShadowTally { Counts = counts, Changed = changed };
    }

    [Fact]
    public async Task A_replaced_or_removed_candidates_report_forgets_its_counts_and_accounts_and_takes_no_more()
    {
        // A policy of this test's own: the shared silo's decisions use the default.
        var name = "retention-" + Guid.NewGuid().ToString("N")[..8];
        var policy = fixture.Grains.GetGrain<IPolicyGrain>(name);
        var json = PolicyJson.Serialize(ScoringPolicy.Default);
        var first = await policy.SetShadowAsync(json, "tests");
        var firstReport = fixture.Grains.GetGrain<IShadowReportGrain>(ShadowReportGrain.Key(name, first.Id));
        await firstReport.AddAsync(Tally("retention-a", "retention-b"));
        await Eventually.HoldsAsync(async () => (await firstReport.GetAsync()).Changed.Length == 2, "the first candidate's report counted");

        var second = await policy.SetShadowAsync(json, "tests");

        var closed = await firstReport.GetAsync();
        Assert.Empty(closed.Changed);
        Assert.All(closed.Counts, c => Assert.Equal(0, c));
        // A silo that counted before it heard of the change reports late: nothing is kept.
        await firstReport.AddAsync(Tally("retention-c"));
        Assert.Empty((await firstReport.GetAsync()).Changed);

        var secondReport = fixture.Grains.GetGrain<IShadowReportGrain>(ShadowReportGrain.Key(name, second.Id));
        await secondReport.AddAsync(Tally("retention-d"));
        await Eventually.HoldsAsync(async () => (await secondReport.GetAsync()).Changed.Length == 1, "the second candidate's report counted");
        Assert.True(await policy.ClearShadowAsync());
        Assert.Empty((await secondReport.GetAsync()).Changed);
    }
}
