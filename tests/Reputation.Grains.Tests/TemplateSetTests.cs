using Reputation.Core.Scoring;
using Reputation.Grains.Erasure;
using Reputation.Grains.Templates;

namespace Reputation.Grains.Tests;

/// <summary>
/// Templates in common (docs/detection.md; decision 0035): accounts that use the same several
/// templates form one co-occurrence cluster though no card or range links them; who is in it
/// decides what it means.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TemplateSetTests(ClusterFixture fixture)
{
    private static int s_next;

    private IGrainFactory Grains => fixture.Grains;

    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    /// <summary>Ranges of 100.128.0.0/10, which no other test class of the shared cluster uses.</summary>
    private static string UniqueRange()
    {
        var n = Interlocked.Increment(ref s_next);
        return $"100.{128 + (n / 256 % 64)}.{n % 256}.0/24";
    }

    private static ulong[] Templates(int count) => [.. Enumerable.Range(0, count).Select(_ => (ulong)Random.Shared.NextInt64())];

    private static readonly ScoringPolicy Weighted = ScoringPolicy.Default with
    {
        Weights = ScoringPolicy.Default.Weights with { TemplateSetShared = 0.4 },
    };

    /// <summary>Each account signs up, then sends the templates twice (the first accounts learn they share them the second time).</summary>
    private async Task<List<string>> UseAsync(List<string> ids, Func<int, string> rangeOf, ulong[] templates, string? organization = null, string? workDomain = null)
    {
        for (var i = 0; i < ids.Count; i++)
        {
            await Grains.GetGrain<IAccountGrain>(ids[i]).SignupAsync(new SignupEvent
            {
                EventId = Events.NewId("signup"),
                OccurredAt = Now.AddDays(-30),
                IpRange = rangeOf(i),
                OrganizationId = organization,
                OrganizationVerified = organization is not null,
                EmailDomainHash = workDomain,
                EmailDomainKind = workDomain is null ? Core.Privacy.EmailDomainKind.Unknown : Core.Privacy.EmailDomainKind.Other,
            });
        }

        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < ids.Count; i++)
            {
                await Grains.GetGrain<IAccountGrain>(ids[i]).RecordAsync(
                [
                    new UsageEvent { EventId = Events.NewId("usage"), OccurredAt = Now.AddMinutes(round), IpRange = rangeOf(i), Requests = 8, PromptFingerprints = templates },
                ]);
            }
        }

        return ids;
    }

    private async Task<TemplateSetSignals> ClusterOfAsync(string accountId)
    {
        var snapshot = await Grains.GetGrain<IAccountGrain>(accountId).GetSnapshotAsync();
        Assert.NotNull(snapshot);
        Assert.Equal(Core.Sketches.TemplateSets.Bands, snapshot.TemplateSets.Length);
        var clusters = await Task.WhenAll(snapshot.TemplateSets.Select(k => Grains.GetGrain<ITemplateSetGrain>(k).GetSignalsAsync().AsTask()));
        return clusters.MaxBy(c => c.Sharers)!;
    }

    private static double ValueUnder(ScoringPolicy policy, TemplateSetSignals cluster) =>
        Scorer.Score(policy, DateTimeOffset.UnixEpoch.AddDays(100), new ScoreInputs
        {
            Account = new AccountFacts(DateTimeOffset.UnixEpoch, 0) { TemplateSet = new TemplateSetFacts(cluster.Sharers - 1, cluster.Suspicion, 16) },
        }).Contributions.SingleOrDefault(c => c.Code == ReasonCodes.TemplateSetShared).Value;

    [Fact]
    public async Task Aged_accounts_in_different_ranges_that_use_the_same_four_templates_are_one_suspect_cluster()
    {
        var ids = await UseAsync([.. Enumerable.Range(0, 10).Select(_ => Events.NewId("tset-ring"))], _ => UniqueRange(), Templates(4));

        // No card, no range in common: the set of templates alone puts them together.
        var cluster = await ClusterOfAsync(ids[^1]);
        Assert.Equal(ids.Count, cluster.Sharers);
        Assert.Equal(1, cluster.Suspicion, 6);
        // Every one of them is in the same clusters.
        var keys = (await Grains.GetGrain<IAccountGrain>(ids[0]).GetSnapshotAsync())!.TemplateSets;
        foreach (var id in ids)
        {
            Assert.Equal(keys.Order(), (await Grains.GetGrain<IAccountGrain>(id).GetSnapshotAsync())!.TemplateSets.Order());
        }

        // Weighed, the cluster is a reason of nearly full value (nine others, all suspect).
        Assert.True(ValueUnder(Weighted, cluster) > 0.3, $"value {ValueUnder(Weighted, cluster)}");
    }

    [Fact]
    public async Task A_verified_team_in_its_office_using_the_same_templates_is_a_cluster_of_no_suspicion_and_is_allowed()
    {
        var office = UniqueRange();
        var ids = await UseAsync([.. Enumerable.Range(0, 10).Select(_ => Events.NewId("tset-team"))], _ => office, Templates(4),
            organization: Events.NewId("tset-org"), workDomain: Events.NewId("tset-domain"));

        var cluster = await ClusterOfAsync(ids[^1]);
        Assert.Equal(ids.Count, cluster.Sharers);
        Assert.Equal(0, cluster.Suspicion, 6);
        Assert.Equal(0, ValueUnder(Weighted, cluster));
        foreach (var id in ids)
        {
            var decision = await Grains.GetGrain<IAccountGrain>(id).DecideRequestAsync(office);
            Assert.Equal((int)RequestOutcome.Allow, decision.Outcome);
            Assert.DoesNotContain(decision.Reasons, r => r.Code == ReasonCodes.TemplateSetShared);
        }
    }

    /// <summary>
    /// Twelve aged accounts of which the service knows nothing (made eight days ago, first used a day
    /// and a half ago: how a deployment that was not sent its customers' past meets every customer),
    /// each in a range of its own, that use the same four templates: in sessions at times of their own
    /// over the last five hours, or all on one schedule of twenty minutes on and ten off for the last
    /// three. Counted from the start of the current five-minute bin, so the bins do not depend on the
    /// shared cluster's clock.
    /// </summary>
    private async Task<List<string>> UnwatchedSetAsync(string prefix, bool onOneSchedule)
    {
        var random = new Random(prefix.Length * 7919);
        var templates = Templates(4);
        var bin = new DateTimeOffset(Now.UtcTicks - (Now.UtcTicks % Lockstep.Bin.Ticks), TimeSpan.Zero);
        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var id = Events.NewId(prefix);
            ids.Add(id);
            var home = UniqueRange();
            var account = Grains.GetGrain<IAccountGrain>(id);
            await account.SignupAsync(new SignupEvent { EventId = Events.NewId("signup"), OccurredAt = Now.AddDays(-8), IpRange = home });
            await account.RecordAsync([new UsageEvent { EventId = Events.NewId("usage"), OccurredAt = Now.AddHours(-36), IpRange = home, Requests = 3 }]);
            IEnumerable<int> minutes = onOneSchedule
                ? new[] { -180, -150, -120, -90, -60, -30 }.SelectMany(start => Enumerable.Range(start, 20).Where((_, k) => k % 5 == 1))
                : Enumerable.Range(0, random.Next(1, 3)).SelectMany(_ =>
                {
                    var start = random.Next(-300, -30);
                    return Enumerable.Range(start, random.Next(10, 31));
                }).Distinct().Order().Where(_ => random.NextDouble() < 0.5);
            foreach (var m in minutes)
            {
                await account.RecordAsync([new UsageEvent { EventId = Events.NewId("usage"), OccurredAt = bin.AddMinutes(m), IpRange = home, Requests = 1, PromptFingerprints = Filled(templates, i) }]);
            }
        }

        // Each re-joins its clusters with its latest bins (twice: the first accounts learn that others share their templates the second time).
        for (var round = 2; round <= 3; round++)
        {
            foreach (var id in ids)
            {
                await Grains.GetGrain<IAccountGrain>(id).RecordAsync([new UsageEvent { EventId = Events.NewId("usage"), OccurredAt = bin.AddMinutes(round), IpRange = null, Requests = 1, PromptFingerprints = Filled(templates, ids.IndexOf(id)) }]);
            }
        }

        return ids;
    }

    /// <summary>The templates as account <paramref name="i"/> fills them: one bit of each fingerprint its own (a near-duplicate, as filled templates are).</summary>
    private static ulong[] Filled(ulong[] templates, int i) => [.. templates.Select(t => t ^ (1UL << (i % 64)))];

    [Fact]
    public async Task Aged_accounts_without_a_history_using_the_same_templates_at_their_own_hours_are_a_cluster_of_little_suspicion()
    {
        var ids = await UnwatchedSetAsync("tset-own-hours", onOneSchedule: false);
        var cluster = await ClusterOfAsync(ids[^1]);
        Assert.Equal(ids.Count, cluster.Sharers);
        Assert.True(cluster.Suspicion <= 0.2, $"suspicion {cluster.Suspicion}");
    }

    [Fact]
    public async Task The_same_accounts_on_one_shift_schedule_are_a_suspect_cluster()
    {
        var ids = await UnwatchedSetAsync("tset-shifts", onOneSchedule: true);
        var cluster = await ClusterOfAsync(ids[^1]);
        Assert.Equal(ids.Count, cluster.Sharers);
        Assert.True(cluster.Suspicion >= 0.8, $"suspicion {cluster.Suspicion}");
    }

    [Fact]
    public async Task Accounts_that_share_a_single_template_have_no_set()
    {
        var ids = await UseAsync([.. Enumerable.Range(0, 6).Select(_ => Events.NewId("tset-tool"))], _ => UniqueRange(), Templates(1));
        foreach (var id in ids)
        {
            Assert.Empty((await Grains.GetGrain<IAccountGrain>(id).GetSnapshotAsync())!.TemplateSets);
        }
    }

    [Fact]
    public async Task An_erased_account_leaves_its_clusters()
    {
        var ids = await UseAsync([.. Enumerable.Range(0, 5).Select(_ => Events.NewId("tset-erase"))], _ => UniqueRange(), Templates(3));
        var keys = (await Grains.GetGrain<IAccountGrain>(ids[0]).GetSnapshotAsync())!.TemplateSets;
        Assert.NotEmpty(keys);

        var report = await AccountErasure.EraseAsync(Grains, ids[0], "erased-test");

        Assert.NotNull(report);
        Assert.Equal(keys.Length, report.TemplateSets);
        foreach (var key in keys)
        {
            Assert.Equal(ids.Count - 1, (await Grains.GetGrain<ITemplateSetGrain>(key).GetSignalsAsync()).Sharers);
        }
    }
}
