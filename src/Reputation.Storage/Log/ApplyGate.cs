namespace Reputation.Storage.Log;

/// <summary>
/// Lets logged batches be applied to grains concurrently, and lets a checkpoint stop them: once
/// <see cref="CloseAsync"/> has completed no batch is being applied and none starts until
/// <see cref="Open"/> (docs/decisions/0039-write-ahead-log-ingest.md: the write-behind flush runs
/// while nothing is half-applied, so every grain it stores holds whole batches).
/// </summary>
public sealed class ApplyGate
{
    private readonly Lock _lock = new();
    private int _applying;
    private TaskCompletionSource? _closed;
    private TaskCompletionSource? _drained;

    /// <summary>Batches being applied now.</summary>
    public int Applying
    {
        get
        {
            lock (_lock)
            {
                return _applying;
            }
        }
    }

    /// <summary>Waits while the gate is closed, then counts one batch in; dispose the answer when the batch is applied.</summary>
    public async ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_closed is null)
                {
                    _applying++;
                    return new Entered(this);
                }

                wait = _closed.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops new batches and completes once the ones being applied are done. One closer at a time.</summary>
    public Task CloseAsync()
    {
        lock (_lock)
        {
            if (_closed is not null)
            {
                throw new InvalidOperationException("the gate is already closed");
            }

            _closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_applying == 0)
            {
                return Task.CompletedTask;
            }

            _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task;
        }
    }

    /// <summary>Lets batches in again.</summary>
    public void Open()
    {
        TaskCompletionSource? closed;
        lock (_lock)
        {
            closed = _closed;
            _closed = null;
            _drained = null;
        }

        closed?.TrySetResult();
    }

    private void Exit()
    {
        TaskCompletionSource? drained = null;
        lock (_lock)
        {
            _applying--;
            if (_applying == 0)
            {
                drained = _drained;
                _drained = null;
            }
        }

        drained?.TrySetResult();
    }

    private sealed class Entered(ApplyGate gate) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                gate.Exit();
            }
        }
    }
}
