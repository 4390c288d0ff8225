using Microsoft.Extensions.DependencyInjection;
using Reputation.Grains.State;

namespace Reputation.Grains;

/// <summary>
/// Write-behind of logged events (docs/decisions/0039-write-ahead-log-ingest.md): a change made while
/// applying events already in the silo's write-ahead log is not written on that path; the log's
/// checkpoint stores it, before the accounts' states. A write for any other caller stores it too.
/// </summary>
public abstract partial class EntityGrain<TState> : IWriteBehindGrain
{
    private WriteBehind? _writeBehind;
    private bool _deferredWrite;

    private WriteBehind WriteBehindService => _writeBehind ??= ServiceProvider.GetRequiredService<WriteBehind>();

    /// <summary>True when the current call applies logged events: the grain is marked to be stored by the checkpoint.</summary>
    private bool DeferWrite()
    {
        if (!WriteBehindService.Deferring)
        {
            return false;
        }

        _deferredWrite = true;
        WriteBehindService.Deferred(this.GetGrainId(), account: false);
        return true;
    }

    async Task IWriteBehindGrain.StoreDeferredAsync()
    {
        if (!_deferredWrite)
        {
            return;
        }

        // Cleared first: a change deferred while this write is in flight marks the grain again.
        _deferredWrite = false;
        try
        {
            await Commit();
        }
        catch
        {
            _deferredWrite = true;
            throw;
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_deferredWrite)
        {
            // Memory held effects storage lacks: the log applies its segments again before retiring them.
            _deferredWrite = false;
            WriteBehindService.LostDeferred();
        }

        return base.OnDeactivateAsync(reason, cancellationToken);
    }
}
