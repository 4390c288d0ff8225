using Microsoft.Extensions.Logging;
using Reputation.Core.Policies;
using Reputation.Core.Scoring;

namespace Reputation.Grains.Policies;

/// <summary>
/// Each silo's copy of the <c>default</c> policy. It loads the current version when the silo becomes
/// active and subscribes to the policy grain, which tells it of every new version at once (no
/// polling of storage; decisions read only this field). The subscription is renewed every minute,
/// which also picks up a version missed while a message was lost.
/// </summary>
public sealed partial class SiloPolicyCache(IGrainFactory grains, ILogger<SiloPolicyCache> logger)
    : IPolicyCache, IPolicyObserver, ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    public static readonly TimeSpan RenewEvery = TimeSpan.FromMinutes(1);

    private volatile ScoringPolicy _current = ScoringPolicy.Default;
    private IPolicyObserver? _reference;
    private Timer? _renewal;

    public ScoringPolicy Current => _current;

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
    }

    private Task StopAsync(CancellationToken cancellationToken)
    {
        _renewal?.Dispose();
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
            if (await grain.GetAsync() is { } revision)
            {
                Apply(revision);
            }
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

    public void Dispose() => _renewal?.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the policy subscription; deciding with the version held")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Policy default version {Version} applied")]
    private static partial void LogApplied(ILogger logger, int version);
}
