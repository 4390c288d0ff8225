using System.Buffers.Binary;

namespace Reputation.Storage.Log;

/// <summary>
/// Group commit on the write-ahead log (docs/decisions/0039-write-ahead-log-ingest.md): records
/// handed in while an append is in flight go together in the next append, one frame of many
/// records, up to what a frame carries. Each caller's task completes with what the append that
/// holds its record answered, or with its failure: a record is acknowledged only once stored.
/// One append at a time, so frames are stored in the order their records were handed in.
/// </summary>
/// <param name="append">Stores one frame's payload (<paramref name="append"/>'s second argument: how many records it holds) and answers where.</param>
/// <param name="maxPayload">The most bytes one append may carry (a record's 4-byte length included).</param>
public sealed class LogGroupCommit<TPosition>(Func<ReadOnlyMemory<byte>, int, Task<TPosition>> append, int maxPayload = LogFrames.MaxPayload)
{
    private readonly Lock _lock = new();
    private readonly Queue<(ReadOnlyMemory<byte> Record, TaskCompletionSource<TPosition> Done)> _pending = new();
    private bool _appending;

    /// <summary>Appends <paramref name="record"/> with whatever else is waiting; completes when it is stored.</summary>
    public Task<TPosition> AppendAsync(ReadOnlyMemory<byte> record)
    {
        if (record.Length + LogRecords.LengthSize > maxPayload)
        {
            throw new ArgumentOutOfRangeException(nameof(record), record.Length, $"a log record carries at most {maxPayload - LogRecords.LengthSize} bytes");
        }

        var done = new TaskCompletionSource<TPosition>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _pending.Enqueue((record, done));
            if (_appending)
            {
                return done.Task;
            }

            _appending = true;
        }

        _ = Task.Run(AppendWhilePendingAsync);
        return done.Task;
    }

    private async Task AppendWhilePendingAsync()
    {
        while (true)
        {
            List<(ReadOnlyMemory<byte> Record, TaskCompletionSource<TPosition> Done)> group = [];
            var bytes = 0;
            lock (_lock)
            {
                while (_pending.TryPeek(out var next) && (group.Count == 0 || bytes + next.Record.Length + LogRecords.LengthSize <= maxPayload))
                {
                    group.Add(_pending.Dequeue());
                    bytes += next.Record.Length + LogRecords.LengthSize;
                }

                if (group.Count == 0)
                {
                    _appending = false;
                    return;
                }
            }

            try
            {
                var position = await append(LogRecords.Pack(group.Select(g => g.Record).ToList()), group.Count).ConfigureAwait(false);
                foreach (var (_, done) in group)
                {
                    done.TrySetResult(position);
                }
            }
            catch (Exception ex)
            {
                foreach (var (_, done) in group)
                {
                    done.TrySetException(ex);
                }
            }
        }
    }
}

/// <summary>The records of one frame: each a 4-byte little-endian length and its bytes.</summary>
public static class LogRecords
{
    public const int LengthSize = 4;

    public static byte[] Pack(IReadOnlyList<ReadOnlyMemory<byte>> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var payload = new byte[records.Sum(r => r.Length + LengthSize)];
        var offset = 0;
        foreach (var record in records)
        {
            BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(offset), record.Length);
            record.Span.CopyTo(payload.AsSpan(offset + LengthSize));
            offset += LengthSize + record.Length;
        }

        return payload;
    }

    /// <summary>The records of a frame's payload; a payload that does not split into whole records is refused (a frame's checksum vouched for it).</summary>
    public static IReadOnlyList<ReadOnlyMemory<byte>> Unpack(ReadOnlyMemory<byte> payload)
    {
        var records = new List<ReadOnlyMemory<byte>>();
        var offset = 0;
        while (offset < payload.Length)
        {
            if (payload.Length - offset < LengthSize)
            {
                throw new InvalidDataException("a log frame ends inside a record's length");
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(payload.Span[offset..]);
            if (length < 0 || payload.Length - offset - LengthSize < length)
            {
                throw new InvalidDataException("a log record is longer than its frame");
            }

            records.Add(payload.Slice(offset + LengthSize, length));
            offset += LengthSize + length;
        }

        return records;
    }
}
