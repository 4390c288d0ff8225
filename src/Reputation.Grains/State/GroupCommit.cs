namespace Reputation.Grains.State;

/// <summary>
/// Group commit for a reentrant grain (docs/decisions/0012-durability.md): <see cref="WriteAsync"/>
/// completes once the state as it is now is in storage. While one write is in flight the calls that
/// change the state meanwhile all join the next write: a card or a proxy range shared by thousands
/// of accounts makes one storage write per round trip, not one per event. A caller is answered only
/// after the write that holds its change, so "accepted" still means stored. Runs on the grain's
/// scheduler, like the grain that owns it.
/// </summary>
/// <param name="write">Writes the grain's state.</param>
/// <param name="failed">Called when a write fails: memory now holds what storage does not.</param>
internal sealed class GroupCommit(Func<Task> write, Action failed)
{
    private TaskCompletionSource? _nextWrite;
    private Task _writing = Task.CompletedTask;

    public Task WriteAsync()
    {
        if (_nextWrite is { } queued)
        {
            return queued.Task;
        }

        var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _nextWrite = next;
        _ = WriteAfterAsync(next);
        return next.Task;
    }

    private async Task WriteAfterAsync(TaskCompletionSource next)
    {
        try
        {
            // One write at a time: what changed meanwhile waits for this one and goes in one piece.
            await _writing;
        }
        catch (Exception)
        {
            // That write's failure was its callers'; this write still carries this batch.
        }

        _nextWrite = null;
        var writing = write();
        _writing = writing;
        try
        {
            await writing;
            next.SetResult();
        }
        catch (Exception ex)
        {
            failed();
            next.SetException(ex);
        }
    }
}
