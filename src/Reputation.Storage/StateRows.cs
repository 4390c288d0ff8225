using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using Azure.Data.Tables;

namespace Reputation.Storage;

/// <summary>
/// Where a grain's state lives in the table and how its bytes are held in a row. A grain's row is
/// in one of a fixed number of partitions, chosen by a hash of its row key, so that the writes of
/// many grains can share an entity-group transaction (one partition per transaction).
/// </summary>
internal static class StateRows
{
    /// <summary>An Azure Table binary property holds at most 64 KiB.</summary>
    public const int MaxChunkBytes = 64 * 1024;

    /// <summary>An entity holds at most 1 MiB: 15 full properties leave room for the keys and the timestamp.</summary>
    public const int MaxChunks = 15;

    /// <summary>The largest serialised state a row holds (960 KiB), as Orleans' own table provider allows.</summary>
    public const int MaxStateBytes = MaxChunkBytes * MaxChunks;

    /// <summary>Partition and row keys are at most 1 KiB.</summary>
    public const int MaxKeyLength = 1024;

    /// <summary>
    /// The properties a state's bytes are split over, in order; the same names Orleans' table
    /// provider uses, so a row of either reads the same way.
    /// </summary>
    private static readonly string[] s_dataProperties =
        [.. Enumerable.Range(0, MaxChunks).Select(i => i == 0 ? "Data" : string.Create(CultureInfo.InvariantCulture, $"Data{i}"))];

    /// <summary>The row of one grain's state: its id and state name, escaped so that every pair has its own key.</summary>
    public static string RowKey(string stateName, GrainId grainId)
    {
        var key = Escape(grainId.ToString()) + "~" + Escape(stateName);
        return key.Length <= MaxKeyLength
            ? key
            : throw new ArgumentException(
                $"The table row key of grain {grainId} (state {stateName}) would be {key.Length} characters; Azure Table keys hold at most {MaxKeyLength}.",
                nameof(grainId));
    }

    /// <summary>The partition a row belongs to: stable across processes and versions (XxHash64 of the key's UTF-8).</summary>
    public static int Partition(string rowKey, int partitions) =>
        (int)(XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(rowKey)) % (ulong)partitions);

    public static string PartitionKey(string serviceId, int partition) =>
        string.Create(CultureInfo.InvariantCulture, $"{Escape(serviceId)}~{partition:D4}");

    /// <summary>
    /// Keys may not hold '/', '\', '#', '?' or control characters. Each of those, '%' and the '~'
    /// that separates the parts of a key is written as '%' and two hex digits, so two different ids
    /// never share a key (Orleans' own provider replaces them with '_', which does not keep them apart).
    /// </summary>
    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Any(MustEscape))
        {
            return value;
        }

        var escaped = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (MustEscape(c))
            {
                escaped.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }

    /// <summary>Puts the state's bytes into the row, 64 KiB per property.</summary>
    public static void Store(TableEntity entity, ReadOnlyMemory<byte> data)
    {
        if (data.Length > MaxStateBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(data), data.Length, $"State of {data.Length} bytes does not fit a table row (at most {MaxStateBytes}).");
        }

        for (int chunk = 0, offset = 0; offset < data.Length; chunk++, offset += MaxChunkBytes)
        {
            var slice = data.Slice(offset, Math.Min(MaxChunkBytes, data.Length - offset));
            // The serializer's array itself when it is the whole chunk (most states are one chunk).
            entity[s_dataProperties[chunk]] = MemoryMarshal.TryGetArray(slice, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
                ? segment.Array
                : slice.ToArray();
        }
    }

    /// <summary>The state's bytes, from every data property the row has (none: an empty array).</summary>
    public static byte[] Load(TableEntity entity)
    {
        var chunks = new List<byte[]>(1);
        foreach (var name in s_dataProperties)
        {
            if (!entity.TryGetValue(name, out var value))
            {
                break;
            }

            switch (value)
            {
                case byte[] { Length: > 0 } bytes:
                    chunks.Add(bytes);
                    break;
                case BinaryData binary when !binary.IsEmpty:
                    chunks.Add(binary.ToArray());
                    break;
                case string { Length: > 0 } base64:
                    chunks.Add(Convert.FromBase64String(base64));
                    break;
            }
        }

        return chunks.Count == 1 ? chunks[0] : [.. chunks.SelectMany(c => c)];
    }

    /// <summary>The array behind serialised state, without a copy when it is one whole array.</summary>
    public static ReadOnlyMemory<byte> Bytes(BinaryData data) =>
        MemoryMarshal.TryGetArray(data.ToMemory(), out var segment) ? segment : data.ToArray();

    private static bool MustEscape(char c) =>
        c is '/' or '\\' or '#' or '?' or '%' or '~' || char.IsControl(c);
}
