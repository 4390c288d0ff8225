using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Reputation.Grains.State;

namespace Reputation.Grains;

/// <summary>
/// Write-behind of logged events (docs/decisions/0039-write-ahead-log-ingest.md): a change made while
/// applying events already in the silo's write-ahead log is not written on that path; the log's
/// checkpoint stores it, before the accounts' states. A write for any other caller stores it too.
/// </summary>
/// <remarks>
/// An entity holding deferred changes keeps its memory when a write fails (its callers retry and it
/// recognises their ids): reloading would drop changes only the log holds, and the accounts that
/// made them would answer a replay as duplicates. Only when its row's version is no longer its own
/// (<see cref="InconsistentStateException"/>) must it reload, and then the silo stops
/// (<see cref="WriteBehind.LostByEntity"/>) so that a restart replays its log.
/// </remarks>
public abstract partial class EntityGrain<TState> : IWriteBehindGrain
{
    private WriteBehind? _writeBehind;
    private long _deferrals;
    private long _storedDeferrals;
    private bool _versionLost;

    private WriteBehind WriteBehindService => _writeBehind ??= ServiceProvider.GetRequiredService<WriteBehind>();

    /// <summary>Whether memory holds deferred changes no completed write has stored.</summary>
    private bool HoldsDeferred => _deferrals != _storedDeferrals;

    /// <summary>True when the current call applies logged events: the grain is marked to be stored by the checkpoint.</summary>
    private bool DeferWrite()
    {
        if (!WriteBehindService.Deferring)
        {
            return false;
        }

        _deferrals++;
        WriteBehindService.Deferred(this.GetGrainId(), account: false);
        return true;
    }

    /// <summary>One storage write; what it stores includes every change deferred before it began.</summary>
    private async Task WriteStateTrackedAsync()
    {
        var deferred = _deferrals;
        try
        {
            await state.WriteStateAsync();
        }
        catch (InconsistentStateException)
        {
            _versionLost = true;
            throw;
        }

        _storedDeferrals = Math.Max(_storedDeferrals, deferred);
    }

    private void WriteFailed()
    {
        if (!HoldsDeferred || _versionLost)
        {
            // Memory now holds what storage does not; reload on the next call rather than serve it.
            DeactivateOnIdle();
        }
    }

    Task IWriteBehindGrain.StoreDeferredAsync() => HoldsDeferred ? Commit() : Task.CompletedTask;

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (HoldsDeferred)
        {
            _storedDeferrals = _deferrals;
            WriteBehindService.LostDeferred(account: false, reason.ReasonCode == DeactivationReasonCode.ShuttingDown);
        }

        return base.OnDeactivateAsync(reason, cancellationToken);
    }
}
