using System.IO.Hashing;
using System.Text;

namespace Reputation.Core.Collections;

/// <summary>
/// Remembers the last <c>capacity</c> event ids (as 64-bit xxHash values, in a ring) so that a
/// re-sent event is counted once. Bounded: the oldest id is forgotten when a new one arrives at
/// capacity. The ring and the next index are persisted with the entity's state, in the same write
/// as the event's effect, so the two cannot disagree. Lookups scan the ring (vectorised); at the
/// few hundred ids an entity keeps that beats a hash set and costs no memory beyond the ring.
/// The ring grows on demand (8, 16, ... up to capacity), so an entity that has seen a handful of
/// events keeps a handful of hashes, not <c>capacity</c> of them.
/// </summary>
public sealed class DedupWindow
{
    private const int FirstRing = 8;
    private readonly int _capacity;
    private ulong[] _ring;
    private int _next;
    private int _count;

    /// <summary>A window over a full-size ring (its length is the capacity).</summary>
    public DedupWindow(ulong[] ring, int next, int count)
        : this(ring, next, count, ring?.Length ?? 0)
    {
    }

    /// <summary>A window over a ring that may still be shorter than <paramref name="capacity"/>.</summary>
    public DedupWindow(ulong[] ring, int next, int count, int capacity)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ring.Length, capacity, nameof(ring));
        _capacity = capacity;
        _ring = ring;
        _count = Math.Clamp(count, 0, ring.Length);
        _next = _count < ring.Length || ring.Length == 0 ? _count : Math.Clamp(next, 0, ring.Length - 1);
    }

    public static DedupWindow Create(int capacity) => new([], 0, 0, capacity);

    /// <summary>The ring as it is now (shorter than <see cref="Capacity"/> until it has grown to it).</summary>
    public ulong[] Ring => _ring;

    public int Next => _next;

    public int Count => _count;

    public int Capacity => _capacity;

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

        if (_count == _ring.Length && _ring.Length < _capacity)
        {
            // Not wrapped yet (it grows before it wraps), so the ids are in order: extend it.
            Array.Resize(ref _ring, Math.Min(_capacity, Math.Max(FirstRing, _ring.Length * 2)));
            _next = _count;
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
