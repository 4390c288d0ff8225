namespace Reputation.Core.Backtests;

/// <summary>
/// A uniform sample of at most <see cref="Capacity"/> items of a stream of any length (Vitter's
/// Algorithm R): the n-th item offered takes a slot with probability capacity / n, replacing a
/// random one, so every item seen so far is held with the same probability and the size never
/// passes the capacity whatever the traffic. Offering is split from storing so that a caller
/// builds the item only when it is kept. Not thread-safe: the owner locks.
/// </summary>
public sealed class Reservoir<T>
    where T : class
{
    private readonly T?[] _items;
    private readonly Random _random;
    private int _count;

    /// <param name="capacity">Items held at most (0 holds none).</param>
    /// <param name="random">The source of the slots taken (seeded in tests).</param>
    public Reservoir(int capacity, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentNullException.ThrowIfNull(random);
        _items = new T?[capacity];
        _random = random;
    }

    public int Capacity => _items.Length;

    /// <summary>Items offered since the start (the stream's length).</summary>
    public long Seen { get; private set; }

    /// <summary>Items held now.</summary>
    public int Count => _count;

    /// <summary>Counts one more item of the stream; the slot it takes, or -1 when it is not kept.</summary>
    public int Offer()
    {
        Seen++;
        if (_count < _items.Length)
        {
            return _count++;
        }

        var slot = _random.NextInt64(Seen);
        return slot < _items.Length ? (int)slot : -1;
    }

    /// <summary>Stores the item <see cref="Offer"/> gave <paramref name="slot"/> to.</summary>
    public void Put(int slot, T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        _items[slot] = item;
    }

    /// <summary>Offers one item and keeps it if it takes a slot; true when kept.</summary>
    public bool Add(T item)
    {
        var slot = Offer();
        if (slot < 0)
        {
            return false;
        }

        Put(slot, item);
        return true;
    }

    /// <summary>Drops the items <paramref name="match"/> selects (the last held moves into each gap); how many.</summary>
    public int RemoveWhere(Func<T, bool> match)
    {
        ArgumentNullException.ThrowIfNull(match);
        var removed = 0;
        for (var i = 0; i < _count;)
        {
            if (_items[i] is { } item && match(item))
            {
                _items[i] = _items[_count - 1];
                _items[--_count] = null;
                removed++;
            }
            else
            {
                i++;
            }
        }

        return removed;
    }

    /// <summary>The items held now (a copy); a slot offered but not yet stored is left out.</summary>
    public T[] ToArray()
    {
        var items = new List<T>(_count);
        for (var i = 0; i < _count; i++)
        {
            if (_items[i] is { } item)
            {
                items.Add(item);
            }
        }

        return [.. items];
    }
}
