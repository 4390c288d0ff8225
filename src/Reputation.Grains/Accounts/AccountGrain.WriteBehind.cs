using Microsoft.Extensions.DependencyInjection;
using Reputation.Grains.State;

namespace Reputation.Grains.Accounts;

/// <summary>
/// Write-behind of logged events (docs/decisions/0039-write-ahead-log-ingest.md): while the call
/// applies events already in the silo's write-ahead log, the account's state is not written on the
/// ingest path; the log's checkpoint stores it (<see cref="IWriteBehindGrain.StoreDeferredAsync"/>),
/// after its entities'. Its entities are told the ids are stored (confirmed, 0012) only then, so that
/// until the account's state holds an event the entities keep its id and a replay counts it once.
/// </summary>
public sealed partial class AccountGrain : IWriteBehindGrain
{
    private WriteBehind? _writeBehind;
    private bool _deferredWrite;
    private List<Action>? _confirmAfterStore;

    private WriteBehind WriteBehindService => _writeBehind ??= ServiceProvider.GetRequiredService<WriteBehind>();

    /// <summary>Stores the state after recording events, or, applying logged events, defers it; true when deferred.</summary>
    private async ValueTask<bool> WriteRecordedAsync()
    {
        if (WriteBehindService.Deferring)
        {
            _deferredWrite = true;
            WriteBehindService.Deferred(this.GetGrainId(), account: true);
            return true;
        }

        await state.WriteStateAsync();
        return false;
    }

    /// <summary>Runs <paramref name="confirm"/> now if the state was stored, or after the write that stores it.</summary>
    private void AfterStored(bool deferred, Action confirm)
    {
        if (deferred)
        {
            (_confirmAfterStore ??= []).Add(confirm);
            return;
        }

        confirm();
    }

    async Task IWriteBehindGrain.StoreDeferredAsync()
    {
        if (!_deferredWrite)
        {
            return;
        }

        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // As after any failed write: memory holds what storage does not; reload on the next call.
            DeactivateOnIdle();
            throw;
        }

        _deferredWrite = false;
        var confirmations = _confirmAfterStore;
        _confirmAfterStore = null;
        confirmations?.ForEach(c => c());
    }

    /// <summary>Deactivated holding effects storage lacks: the log must apply its segments again before retiring them.</summary>
    private void DeactivatingWithDeferred()
    {
        if (_deferredWrite)
        {
            _deferredWrite = false;
            _confirmAfterStore = null;
            WriteBehindService.LostDeferred();
        }
    }
}
