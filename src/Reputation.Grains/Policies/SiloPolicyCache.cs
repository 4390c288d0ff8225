using Microsoft.Extensions.Logging;
using Reputation.Core.Policies;
using Reputation.Core.Scoring;

namespace Reputation.Grains.Policies;

/// <summary>
/// Each silo's copy of the <c>default</c> policy and of its shadow candidate. It loads the current version when the silo becomes
/// active and subscribes to the policy grain, which tells it of every new version at once (no
/// polling of storage; decisions read only this field). The subscription is renewed every minute,
/// which also picks up a version missed while a message was lost.
/// </summary>
public sealed partial class SiloPolicyCache(IGrainFactory grains, ILogger<SiloPolicyCache> logger)
    : IPolicyCache, IPolicyObserver, ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    public static readonly TimeSpan RenewEvery = TimeSpan.FromMinutes(1);

    /// <summary>How often a silo adds its shadow counts to the report: the report is at most this far behind.</summary>
    public static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(1);

    private readonly Lock _shadowLock = new();
    private volatile ScoringPolicy _current = ScoringPolicy.Default;
    private volatile ShadowState? _shadow;
    private IPolicyObserver? _reference;
    private Timer? _renewal;
    private Timer? _reporting;

    public ScoringPolicy Current => _current;

    /// <summary>The policy grain has this silo's subscription (renewed every minute).</summary>
    public bool IsSubscribed { get; private set; }

    public ScoringPolicy? Shadow => _shadow?.Policy;

    public void ObserveShadow(DecisionKind kind, string accountId, int live, int shadow)
    {
        if (_shadow is not { } current || live is < 0 or >= ShadowCounts.Outcomes || shadow is < 0 or >= ShadowCounts.Outcomes)
        {
            return;
        }

        Interlocked.Increment(ref current.Counts[ShadowCounts.Index(kind, live, shadow)]);
        if (live != shadow && Interlocked.Increment(ref current.ChangedQueued) <= ShadowCounts.ChangedCapacity)
        {
            current.Changed.Enqueue(accountId);
        }
    }

    public Task ShadowChangedAsync(string name, ShadowRevision? shadow)
    {
        ApplyShadow(name, shadow);
        return Task.CompletedTask;
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloPolicyCache), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    public Task PolicyChangedAsync(PolicyRevision revision)
    {
        Apply(revision);
        return Task.CompletedTask;
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        _reference = grains.CreateObjectReference<IPolicyObserver>(this);
        await RenewAsync();
        _renewal = new Timer(_ => _ = RenewAsync(), null, RenewEvery, RenewEvery);
        _reporting = new Timer(_ => _ = ReportAsync(), null, ReportEvery, ReportEvery);
    }

    private Task StopAsync(CancellationToken cancellationToken)
    {
        _renewal?.Dispose();
        _reporting?.Dispose();
        if (_reference is not null)
        {
            grains.DeleteObjectReference<IPolicyObserver>(_reference);
        }

        return Task.CompletedTask;
    }

    private async Task RenewAsync()
    {
        try
        {
            var grain = grains.GetGrain<IPolicyGrain>(PolicyGrain.DefaultName);
            await grain.SubscribeAsync(_reference!);
            IsSubscribed = true;
            if (await grain.GetAsync() is { } revision)
            {
                Apply(revision);
            }

            ApplyShadow(PolicyGrain.DefaultName, await grain.GetShadowAsync());
        }
        catch (Exception ex)
        {
            // The silo keeps deciding with the version it has; the next renewal tries again.
            LogRenewFailed(logger, ex);
        }
    }

    private void Apply(PolicyRevision revision)
    {
        if (revision.Name != PolicyGrain.DefaultName || revision.Version <= _current.Version)
        {
            return;
        }

        _current = PolicyJson.Deserialize(revision.Json) with { Name = revision.Name, Version = revision.Version };
        LogApplied(logger, revision.Version);
    }

    private void ApplyShadow(string name, ShadowRevision? shadow)
    {
        if (name != PolicyGrain.DefaultName)
        {
            return;
        }

        lock (_shadowLock)
        {
            if (shadow is null)
            {
                _shadow = null;
            }
            else if (_shadow?.Id != shadow.Id)
            {
                _shadow = new ShadowState(shadow.Id, PolicyJson.Deserialize(shadow.Json));
            }
        }
    }

    /// <summary>Adds what this silo counted since the last report to the candidate's report grain.</summary>
    private async Task ReportAsync()
    {
        if (_shadow is not { } current)
        {
            return;
        }

        var counts = new long[ShadowCounts.Length];
        var any = false;
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = Interlocked.Exchange(ref current.Counts[i], 0);
            any |= counts[i] > 0;
        }

        var changed = new List<string>();
        while (current.Changed.TryDequeue(out var account))
        {
            changed.Add(account);
        }

        if (!any && changed.Count == 0)
        {
            return;
        }

        try
        {
            await grains.GetGrain<IShadowReportGrain>(ShadowReportGrain.Key(PolicyGrain.DefaultName, current.Id))
                .AddAsync(new ShadowTally { Counts = counts, Changed = [.. changed] });
        }
        catch (Exception ex)
        {
            // Counts of one interval are lost; the report says it is approximate to the interval.
            LogReportFailed(logger, ex);
        }
    }

    public void Dispose()
    {
        _renewal?.Dispose();
        _reporting?.Dispose();
    }

    private sealed class ShadowState(int id, ScoringPolicy policy)
    {
        public int Id { get; } = id;
        public ScoringPolicy Policy { get; } = policy;
        public long[] Counts { get; } = new long[ShadowCounts.Length];
        public System.Collections.Concurrent.ConcurrentQueue<string> Changed { get; } = new();
        public int ChangedQueued;
    }

    [LoggerMessage(3003, LogLevel.Warning, "Could not add this silo's shadow counts to the report")]
    private static partial void LogReportFailed(ILogger logger, Exception exception);

    [LoggerMessage(3004, LogLevel.Warning, "Could not renew the policy subscription; deciding with the version held")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception);

    [LoggerMessage(3005, LogLevel.Information, "Policy default version {Version} applied")]
    private static partial void LogApplied(ILogger logger, int version);
}
