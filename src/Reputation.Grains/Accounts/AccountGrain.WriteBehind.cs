using Microsoft.Extensions.DependencyInjection;
using Reputation.Grains.State;

namespace Reputation.Grains.Accounts;

/// <summary>
/// Write-behind of logged events (docs/decisions/0039-write-ahead-log-ingest.md): while the call
/// applies events already in the silo's write-ahead log, the account's state is not written on the
/// ingest path; the log's checkpoint stores it (<see cref="IWriteBehindGrain.StoreDeferredAsync"/>),
/// after its entities'. Its entities are told the ids are stored (confirmed, 0012) only then, so that
/// until the account's state holds an event the entities keep its id and a replay counts it once.
/// A write for any other caller stores the entities those deferred events reached first, so the
/// account's stored state never holds an event its entities' stored states lack.
/// </summary>
public sealed partial class AccountGrain : IWriteBehindGrain
{
    private WriteBehind? _writeBehind;
    private bool _deferredWrite;
    private List<Action>? _confirmAfterStore;
    private HashSet<GrainId>? _deferredEntities;

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

        await WriteInOrderAsync();
        return false;
    }

    /// <summary>
    /// Runs <paramref name="confirm"/> now if the state was stored, or after the write that stores it;
    /// deferred, remembers the entities the events reached (<paramref name="touched"/>).
    /// </summary>
    private void AfterStored(bool deferred, Action confirm, Func<IEnumerable<GrainId>> touched)
    {
        if (deferred)
        {
            (_confirmAfterStore ??= []).Add(confirm);
            (_deferredEntities ??= []).UnionWith(touched());
            return;
        }

        confirm();
    }

    private static IEnumerable<GrainId> Touched<TEntry, TGrain>(Dictionary<string, List<TEntry>>? entries, Func<string, TGrain> grain)
        where TGrain : IAddressable =>
        entries?.Keys.Select(k => grain(k).GetGrainId()) ?? [];

    /// <summary>
    /// Writes the state for a caller that needs it stored. Holding deferred effects, it first has the
    /// entities they reached store theirs (entities before the account, as on the ingest path without
    /// the log and in the checkpoint), then runs the confirmations that waited for this write.
    /// </summary>
    private async Task WriteInOrderAsync()
    {
        if (_deferredWrite && _deferredEntities is { Count: > 0 } entities)
        {
            await Task.WhenAll(entities.Select(e => GrainFactory.GetGrain<IWriteBehindGrain>(e).StoreDeferredAsync()));
        }

        var deferred = _deferredWrite;
        await state.WriteStateAsync();
        if (deferred)
        {
            Stored();
        }
    }

    Task IWriteBehindGrain.StoreDeferredAsync() => _deferredWrite ? WriteDeferredAsync() : Task.CompletedTask;

    private async Task WriteDeferredAsync()
    {
        try
        {
            // Entities first here too (the checkpoint stored most of them already: then no write),
            // so that no batch has to be held back while the checkpoint runs.
            await WriteInOrderAsync();
        }
        catch
        {
            // As after any failed write: memory holds what storage does not; reload on the next call.
            DeactivateOnIdle();
            throw;
        }
    }

    private void Stored()
    {
        _deferredWrite = false;
        _deferredEntities = null;
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
            _deferredEntities = null;
            _confirmAfterStore = null;
            WriteBehindService.LostDeferred(account: true);
        }
    }
}
