namespace Reputation.Storage.Log;

/// <summary>
/// The accounting that says when a segment's records have all been applied
/// (docs/decisions/0039-write-ahead-log-ingest.md): the writer counts a stored append's records
/// before it acknowledges them, each is counted off once its batch was applied (or failed to be),
/// and once the segment is sealed and nothing is left, <see cref="Drained"/> completes. Only then
/// can a flush of the grains' states hold every effect of the segment.
/// </summary>
public sealed class SegmentApplies
{
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _outstanding;
    private bool _sealed;

    /// <summary>Records stored in the segment so far.</summary>
    public long Records { get; private set; }

    /// <summary>Completes when the segment is sealed and every record counted in has been counted off.</summary>
    public Task Drained => _drained.Task;

    /// <summary>Counts in the records of an append just stored; refused once sealed (nothing is stored in a sealed segment).</summary>
    public void Stored(int records)
    {
        lock (_lock)
        {
            if (_sealed)
            {
                throw new InvalidOperationException("records stored in a sealed segment");
            }

            _outstanding += records;
            Records += records;
        }
    }

    /// <summary>Counts off one record: its batch was applied, or its apply failed (its caller was told so).</summary>
    public void Applied()
    {
        bool drained;
        lock (_lock)
        {
            if (_outstanding == 0)
            {
                throw new InvalidOperationException("more records applied than stored");
            }

            _outstanding--;
            drained = _sealed && _outstanding == 0;
        }

        if (drained)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>No more appends; <see cref="Drained"/> completes once what is outstanding is applied.</summary>
    public void Seal()
    {
        bool drained;
        lock (_lock)
        {
            _sealed = true;
            drained = _outstanding == 0;
        }

        if (drained)
        {
            _drained.TrySetResult();
        }
    }
}
