using Microsoft.Extensions.DependencyInjection;
using Reputation.Core.Scoring;

namespace Reputation.Grains.Tests;

/// <summary>A silo of its own that learns since when it has seen usage, as a deployment does (the shared cluster is told).</summary>
public sealed class LearningClusterFixture : SiloFixture;

/// <summary>
/// Dormancy is evidence only where the service watched (docs/detection.md, "Dormancy only where the
/// service watched"): a deployment that sent no past meets every aged customer for the first time.
/// </summary>
public sealed class UsageObservationTests(LearningClusterFixture fixture) : IClassFixture<LearningClusterFixture>
{
    private IGrainFactory Grains => fixture.Cluster.Client;

    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    private IUsageObservation Observation => fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IUsageObservation>();

    private async Task<DecisionResult> AgedAccountsFirstHourAsync(string id, string range)
    {
        var account = Grains.GetGrain<IAccountGrain>(id);
        await account.RecordAsync([Events.Signup(Now.AddDays(-90), range)]);
        await account.RecordAsync([Events.Usage(Now.AddMinutes(-30), range, requests: 120)]);
        return await account.DecideRequestAsync(null);
    }

    [Fact]
    public async Task An_aged_account_is_dormant_only_once_the_service_has_seen_usage_from_before_its_silence()
    {
        // Nothing of the past was sent: the first usage the service sees is this account's, today.
        var first = await AgedAccountsFirstHourAsync("aged-first-seen-today", "198.18.10.0/24");
        Assert.DoesNotContain(first.Reasons, r => r.Code == ReasonCodes.DormantActivation);
        Assert.Equal(Now.AddMinutes(-30), Observation.Since);

        // The deployment then sends a month of its customers' past: silence since then is evidence,
        // for the account already seen as well as for the next one.
        await Grains.GetGrain<IAccountGrain>("customer-with-a-past").RecordAsync([Events.Usage(Now.AddDays(-30), "198.18.11.0/24", requests: 4)]);
        Assert.Equal(Now.AddDays(-30), Observation.Since);
        var next = await AgedAccountsFirstHourAsync("aged-after-the-backfill", "198.18.12.0/24");
        Assert.Contains(next.Reasons, r => r.Code == ReasonCodes.DormantActivation);
        var again = await Grains.GetGrain<IAccountGrain>("aged-first-seen-today").DecideRequestAsync(null);
        Assert.Contains(again.Reasons, r => r.Code == ReasonCodes.DormantActivation);

        // The cluster's earliest time is stored and only moves back.
        var stored = Grains.GetGrain<IUsageObservationGrain>(IUsageObservationGrain.Key);
        await Eventually.HoldsAsync(async () => await stored.MergeAsync(null) == Now.AddDays(-30), "the earliest usage stored");
        Assert.Equal(Now.AddDays(-30), await stored.MergeAsync(Now.AddDays(-1)));
        Assert.Equal(Now.AddDays(-31), await stored.MergeAsync(Now.AddDays(-31)));
    }
}
