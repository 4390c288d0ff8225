using System.IO.Hashing;
using System.Text;

namespace Reputation.Core.Collections;

/// <summary>
/// Remembers the last <c>capacity</c> event ids (as 64-bit xxHash values, in a ring) so that a
/// re-sent event is counted once. Bounded: the oldest id is forgotten when a new one arrives at
/// capacity. The ring and the next index are persisted with the entity's state, in the same write
/// as the event's effect, so the two cannot disagree. Lookups scan the ring (vectorised); at the
/// few hundred ids an entity keeps that beats a hash set and costs no memory beyond the ring.
/// </summary>
public sealed class DedupWindow
{
    private readonly ulong[] _ring;
    private int _next;
    private int _count;

    public DedupWindow(ulong[] ring, int next, int count)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentOutOfRangeException.ThrowIfLessThan(ring.Length, 1);
        _ring = ring;
        _count = Math.Clamp(count, 0, ring.Length);
        _next = _count < ring.Length ? _count : Math.Clamp(next, 0, ring.Length - 1);
    }

    public static DedupWindow Create(int capacity) => new(new ulong[capacity], 0, 0);

    public ulong[] Ring => _ring;

    public int Next => _next;

    public int Count => _count;

    public int Capacity => _ring.Length;

    public static ulong Hash(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(id));
    }

    public bool Contains(string id) => ContainsHash(Hash(id));

    /// <summary>Records an id; false when it was already there (a duplicate).</summary>
    public bool TryAdd(string id) => TryAddHash(Hash(id));

    public bool ContainsHash(ulong hash) => _ring.AsSpan(0, _count).Contains(hash);

    public bool TryAddHash(ulong hash)
    {
        if (ContainsHash(hash))
        {
            return false;
        }

        _ring[_next] = hash;
        _next = (_next + 1) % _ring.Length;
        if (_count < _ring.Length)
        {
            _count++;
        }

        return true;
    }
}
