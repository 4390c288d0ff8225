using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Reputation.Core.Prompts;
using Reputation.Core.Scoring;

namespace Reputation.Grains.Tests;

/// <summary>
/// A deployment that began watching two hours ago without its customers' past (decision 0046): aged
/// accounts it knows nothing of vouch for the templates they share unless most of a template's
/// sharers began together — here, before any of them has a run that ended, so lockstep cannot tell.
/// Its own cluster, so that when the watching began is the deployment's and not the shared
/// cluster's earliest event.
/// </summary>
public sealed class CoStartTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private InProcessTestCluster _cluster = null!;
    private static long s_next;

    public async ValueTask InitializeAsync() =>
        _cluster = await StorageCluster.DeployAsync(serializer => new GatedStorage(serializer),
            services => services.AddSingleton(new UsageSinceSetting(Now.AddHours(-2))));

    public async ValueTask DisposeAsync() => await StorageCluster.StopAsync(_cluster);

    /// <summary>
    /// Thirty accounts made a month ago, each sending its first request — one shared template, one
    /// request — twenty minutes ago within a minute of one another, or one every two minutes over
    /// the hour before; the template's suspicion after.
    /// </summary>
    private async Task<TemplateSnapshot> FirstRequestsAsync(ulong template, bool together)
    {
        var bin = new DateTimeOffset(Now.UtcTicks - (Now.UtcTicks % Lockstep.Bin.Ticks), TimeSpan.Zero);
        for (var i = 0; i < 30; i++)
        {
            var n = Interlocked.Increment(ref s_next);
            var range = $"172.{40 + (n / 256 % 12)}.{n % 256}.0/24";
            var account = _cluster.Client.GetGrain<IAccountGrain>($"co-start-{n}");
            await account.RecordAsync([Events.Signup(Now.AddDays(-30), range)]);
            var at = together ? bin.AddMinutes(-20).AddSeconds(2 * i) : bin.AddMinutes(-80 + (2 * i));
            await account.RecordAsync([new UsageEvent
            {
                EventId = Events.NewId("usage"),
                OccurredAt = at,
                IpRange = range,
                Requests = 1,
                InputTokens = 500,
                OutputTokens = 900,
                PromptFingerprints = [template ^ (1UL << (i % 64))],
            }]);
        }

        return (await _cluster.Client.GetGrain<IPromptTemplateGrain>(PromptBands.BucketKeys(template).First()).GetSnapshotAsync())!;
    }

    [Fact]
    public async Task Aged_accounts_without_a_history_that_begin_together_make_their_template_suspect_before_any_run_has_ended()
    {
        var together = await FirstRequestsAsync(0x6d2c_93b1_4fe8_a057, together: true);
        Assert.True(together.Suspicion >= 0.8, $"suspicion {together.Suspicion}");
        // The view says why: every sampled sharer began with the others. (The first to send the
        // template is sampled once it sends it again, its standing having come before anyone shared it.)
        Assert.Equal(29, together.SampledSharers);
        Assert.Equal(29, together.BeganTogether);
    }

    [Fact]
    public async Task The_same_accounts_beginning_one_by_one_vouch_for_it()
    {
        var oneByOne = await FirstRequestsAsync(0x1b7e_c4a9_508d_f362, together: false);
        Assert.True(oneByOne.Suspicion <= 0.2, $"suspicion {oneByOne.Suspicion}");
        Assert.Equal(0, oneByOne.BeganTogether);
    }
}
