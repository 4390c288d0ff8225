using System.Buffers.Binary;
using System.IO.Hashing;

namespace Reputation.Storage.Log;

/// <summary>
/// The framing of the write-ahead log (docs/decisions/0037-write-ahead-log.md): each append is one
/// frame, a 12-byte header (magic, payload length, CRC-32 of length and payload) and the payload, so
/// that a reader can tell a whole frame from a torn or foreign tail without trusting the blob's length.
/// </summary>
public static class LogFrames
{
    /// <summary>"RWL1" read as a little-endian integer: the first four bytes of every frame.</summary>
    public const uint Magic = 0x314C5752;

    public const int HeaderSize = 12;

    /// <summary>An append block is at most 4 MiB on every service version; a frame is one append.</summary>
    public const int MaxPayload = (4 * 1024 * 1024) - HeaderSize;

    /// <summary>The frame that carries <paramref name="payload"/>.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> payload)
    {
        if (payload.Length > MaxPayload)
        {
            throw new ArgumentOutOfRangeException(nameof(payload), payload.Length, $"a log frame carries at most {MaxPayload} bytes");
        }

        var frame = new byte[HeaderSize + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(4), payload.Length);
        payload.CopyTo(frame.AsSpan(HeaderSize));
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(8), Checksum(frame.AsSpan(4, 4), payload));
        return frame;
    }

    /// <summary>
    /// The payloads of the whole frames at the start of <paramref name="log"/>, in order. Reading
    /// stops at the first frame that is short, has a wrong magic, length or checksum: that and
    /// everything after it is the torn tail, reported by <see cref="LogContents.IgnoredBytes"/>.
    /// </summary>
    public static LogContents Read(ReadOnlyMemory<byte> log)
    {
        var payloads = new List<ReadOnlyMemory<byte>>();
        var offset = 0;
        var span = log.Span;
        while (span.Length - offset >= HeaderSize)
        {
            var header = span.Slice(offset, HeaderSize);
            var length = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic || length is < 0 or > MaxPayload
                || span.Length - offset - HeaderSize < length)
            {
                break;
            }

            var payload = span.Slice(offset + HeaderSize, length);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header[8..]) != Checksum(header.Slice(4, 4), payload))
            {
                break;
            }

            payloads.Add(log.Slice(offset + HeaderSize, length));
            offset += HeaderSize + length;
        }

        return new LogContents(payloads, log.Length - offset);
    }

    private static uint Checksum(ReadOnlySpan<byte> length, ReadOnlySpan<byte> payload)
    {
        var crc = new Crc32();
        crc.Append(length);
        crc.Append(payload);
        return crc.GetCurrentHashAsUInt32();
    }
}

/// <summary>What a log holds: the payloads of its whole frames, and how many bytes after them were not a whole frame.</summary>
public sealed record LogContents(IReadOnlyList<ReadOnlyMemory<byte>> Payloads, long IgnoredBytes);
