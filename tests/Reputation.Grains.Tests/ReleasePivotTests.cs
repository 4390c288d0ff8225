using Microsoft.Extensions.DependencyInjection;
using Reputation.Core.Prompts;
using Reputation.Core.Scoring;

namespace Reputation.Grains.Tests;

/// <summary>
/// A cluster moving its traffic to a newly released model within the hour (docs/detection.md,
/// "Release pivot"), against a popular tool whose established users move with its new default.
/// Each test names its own models, so what another test first saw of a model is not this one's release.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ReleasePivotTests(ClusterFixture fixture)
{
    private static int s_next;

    private IGrainFactory Grains => fixture.Grains;

    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    /// <summary>Ranges of 10.200.0.0/16 to 10.203.0.0/16, which no other test class of the shared cluster uses.</summary>
    private static string UniqueRange()
    {
        var n = Interlocked.Increment(ref s_next);
        return $"10.{200 + (n / 256 % 4)}.{n % 256}.0/24";
    }

    private static UsageEvent Usage(DateTimeOffset at, string range, long requests, string model, ulong? fingerprint = null) => new()
    {
        EventId = Events.NewId("rp-usage"),
        OccurredAt = at,
        IpRange = range,
        Requests = requests,
        InputTokens = requests * 500,
        OutputTokens = requests * 900,
        PromptFingerprints = fingerprint is { } f ? [f] : [],
        Model = model,
    };

    /// <summary>
    /// An old model the service has served for a month, a new one first seen twenty minutes ago, and
    /// the service's other traffic of the last hour on the old one (customers adopt slowly).
    /// </summary>
    private async Task<(string Old, string New)> ReleaseAsync()
    {
        // Other tests of the shared cluster send usage on models of their own (first seen when they
        // ran, so newly released): two hours on, none of it is in the service's last hour.
        fixture.Time.Advance(TimeSpan.FromHours(2));
        var old = Events.NewId("rp-model-old");
        var fresh = Events.NewId("rp-model-new");
        var home = UniqueRange();
        var others = Grains.GetGrain<IAccountGrain>(Events.NewId("rp-others"));
        await others.RecordAsync([new SignupEvent { EventId = Events.NewId("rp-signup"), OccurredAt = Now.AddDays(-60), IpRange = home }]);
        await others.RecordAsync([Usage(Now.AddDays(-30), home, 10, old), Usage(Now.AddMinutes(-20), home, 1, fresh), Usage(Now.AddMinutes(-5), home, 20_000, old)]);
        return (old, fresh);
    }

    /// <summary>Accounts that send a shared template on the old model, then two thirds of their traffic on the new one.</summary>
    private async Task<List<string>> PivotingSharersAsync(string prefix, ulong template, bool established, string old, string fresh)
    {
        var ids = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var id = Events.NewId(prefix);
            ids.Add(id);
            var home = UniqueRange();
            var account = Grains.GetGrain<IAccountGrain>(id);
            if (established)
            {
                // A customer for months: used on several past days.
                await account.RecordAsync([new SignupEvent { EventId = Events.NewId("rp-signup"), OccurredAt = Now.AddDays(-200), IpRange = home }]);
                await account.RecordAsync([.. Enumerable.Range(3, 5).Select(d => (AccountEvent)Usage(Now.AddDays(-d * 4), home, 10, old))]);
            }
            else
            {
                // Bought or aged: made weeks ago, never used until today.
                await account.RecordAsync([new SignupEvent { EventId = Events.NewId("rp-signup"), OccurredAt = Now.AddDays(-40), IpRange = home }]);
            }

            var fingerprint = template ^ (1UL << (i % 30));
            await account.RecordAsync([Usage(Now.AddMinutes(-50), home, 30, old, fingerprint)]);
            await account.RecordAsync([Usage(Now.AddMinutes(-10), home, 60, fresh, fingerprint)]);
        }

        return ids;
    }

    private async Task<double> PivotAsync(ulong template)
    {
        var signals = await Task.WhenAll(PromptBands.BucketKeys(template).Select(b => Grains.GetGrain<IPromptTemplateGrain>(b).GetSignalsAsync().AsTask()));
        return signals.Max(s => s.Pivot);
    }

    [Fact]
    public async Task A_young_cluster_moving_its_template_traffic_to_a_new_model_reads_a_release_pivot()
    {
        var (old, fresh) = await ReleaseAsync();
        const ulong Template = 0x7e7e_0f0f_9a9a_4242;
        var ids = await PivotingSharersAsync("rp-aged", Template, established: false, old, fresh);

        // Two thirds of its last hour on the new model, against a service mostly on the old one.
        Assert.InRange(await PivotAsync(Template), 0.2, 1);
        foreach (var id in ids.Skip(3))
        {
            var d = await Grains.GetGrain<IAccountGrain>(id).DecideRequestAsync(null);
            Assert.Contains(d.Reasons, r => r.Code == ReasonCodes.ReleasePivot && r.Contribution > 0);
        }
    }

    [Fact]
    public async Task A_popular_tool_moving_its_established_users_to_its_new_default_model_gives_them_no_release_pivot()
    {
        var (old, fresh) = await ReleaseAsync();
        const ulong Template = 0x1d1d_e4e4_3b3b_8585;
        var ids = await PivotingSharersAsync("rp-tool", Template, established: true, old, fresh);

        // The bucket pivots as much as the campaign's: who shares it is what differs.
        Assert.InRange(await PivotAsync(Template), 0.2, 1);
        foreach (var id in ids.Skip(3))
        {
            var d = await Grains.GetGrain<IAccountGrain>(id).DecideRequestAsync(null);
            Assert.DoesNotContain(d.Reasons, r => r.Code == ReasonCodes.ReleasePivot);
            Assert.True(d.Outcome == (int)RequestOutcome.Allow, $"{id}: score {d.Score}: {string.Join(", ", d.Reasons.Select(r => $"{r.Code} {r.Contribution}"))}");
        }
    }

    [Fact]
    public async Task A_model_the_service_first_saw_a_month_ago_is_no_release()
    {
        var (old, _) = await ReleaseAsync();
        var releases = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<Templates.IModelReleases>();
        Assert.False(releases.IsNewlyReleased(old, Now, ScoringPolicy.Default.Ramps));
        Assert.False(releases.IsNewlyReleased(Events.NewId("rp-model-never-seen"), Now, ScoringPolicy.Default.Ramps));
        // The cluster's record keeps the earliest time, for the next silo and the next start.
        var record = Grains.GetGrain<Templates.IModelReleasesGrain>(Templates.IModelReleasesGrain.Key);
        var firstSeen = Now.AddDays(-30);
        await Eventually.HoldsAsync(async () => (await record.MergeAsync(new Dictionary<string, DateTimeOffset>())).GetValueOrDefault(old) == firstSeen,
            "the cluster's record has the old model's first use");
    }
}
