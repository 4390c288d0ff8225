namespace Reputation.Grains;

/// <summary>
/// A silo-local service kept current from a grain: loaded when the silo becomes active and renewed
/// every <paramref name="renewEvery"/>. A failed renewal keeps what the silo has; the next one
/// tries again.
/// </summary>
public abstract class SiloRenewal(TimeSpan renewEvery) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _renewing;
    private int _disposed;

    /// <summary>Loads (or merges) the grain's data.</summary>
    protected abstract Task LoadAsync();

    /// <summary>Logs a renewal that failed (the copy is kept).</summary>
    protected abstract void RenewFailed(Exception exception);

    /// <summary>Releases what the copy holds in the cluster, after the last renewal.</summary>
    protected virtual void Stopped()
    {
    }

    void ILifecycleParticipant<ISiloLifecycle>.Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(GetType().Name, ServiceLifecycleStage.Active, StartAsync, StopAsync);

    public void Dispose()
    {
        // Registered under several service types, so the container disposes it more than once.
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Dispose(disposing: true);
            GC.SuppressFinalize(this);
        }
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stopping.Cancel();
            _stopping.Dispose();
        }
    }

    /// <summary>Renews now, logging instead of throwing when it fails.</summary>
    protected async Task RenewSafelyAsync()
    {
        try
        {
            await LoadAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Decisions keep the copy they have; the next renewal tries again.
            RenewFailed(ex);
        }
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        await RenewSafelyAsync();
        _renewing = RenewPeriodicallyAsync(_stopping.Token);
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_renewing is not null)
        {
            await _renewing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        Stopped();
    }

    private async Task RenewPeriodicallyAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(renewEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                await RenewSafelyAsync();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The silo is stopping.
        }
    }
}

/// <summary>
/// A silo's copy of one grain's data (the lists, the imported threat intel): loaded when the silo
/// becomes active, kept current by the grain telling its observer of each change, and renewed
/// every <paramref name="renewEvery"/> (which re-subscribes the observer and repairs a missed
/// change). A failed renewal keeps the copy the silo has; the next one tries again.
/// </summary>
/// <typeparam name="TObserver">The observer interface the grain notifies; the subclass implements it.</typeparam>
public abstract class SiloCopy<TObserver>(IGrainFactory grains, TimeSpan renewEvery) : SiloRenewal(renewEvery)
    where TObserver : class, IGrainObserver
{
    private TObserver? _reference;

    /// <summary>The grain factory the copy was made with.</summary>
    protected IGrainFactory Grains { get; } = grains;

    /// <summary>This copy's observer reference, created on first use.</summary>
    protected TObserver Observer => _reference ??= Grains.CreateObjectReference<TObserver>((TObserver)(object)this);

    protected override void Stopped()
    {
        if (_reference is not null)
        {
            Grains.DeleteObjectReference<TObserver>(_reference);
        }
    }
}
