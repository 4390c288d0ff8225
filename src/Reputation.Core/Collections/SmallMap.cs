using System.Collections;

namespace Reputation.Core.Collections;

/// <summary>
/// A map from ordinal strings for a handful of entries (an account's cached signals of its few
/// linked entities): two arrays, searched in order, with no hash buckets. It holds nothing until
/// its first entry and grows by doubling from one. It enumerates in exactly the order a
/// <see cref="Dictionary{TKey, TValue}"/> with an ordinal comparer would after the same calls: in
/// slot order, where an add takes the slot most recently freed by a remove, else the next new one —
/// so code that breaks ties by enumeration order decides as it did with a dictionary.
/// </summary>
public sealed class SmallMap<TValue> : IEnumerable<KeyValuePair<string, TValue>>
{
    private string?[] _keys = [];
    private TValue[] _values = [];
    /// <summary>For each freed slot, the slot freed before it (-1: none); allocated at the first remove.</summary>
    private int[]? _nextFree;
    private int _used;
    private int _freeList = -1;
    private int _freeCount;

    public int Count => _used - _freeCount;

    public KeyCollection Keys => new(this);

    public ValueCollection Values => new(this);

    public TValue this[string key]
    {
        get => IndexOf(key) is var i and >= 0 ? _values[i] : throw new KeyNotFoundException($"The key '{key}' was not present in the map.");
        set
        {
            var i = IndexOf(key);
            if (i < 0)
            {
                i = NewSlot();
                _keys[i] = key;
            }

            _values[i] = value;
        }
    }

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, out TValue value)
    {
        var i = IndexOf(key);
        value = i >= 0 ? _values[i] : default!;
        return i >= 0;
    }

    /// <summary>Looks a key up from its characters, without a string for it.</summary>
    public bool TryGetValue(ReadOnlySpan<char> key, out TValue value)
    {
        for (var i = 0; i < _used; i++)
        {
            if (_keys[i] is { } k && key.SequenceEqual(k))
            {
                value = _values[i];
                return true;
            }
        }

        value = default!;
        return false;
    }

    public bool Remove(string key)
    {
        var i = IndexOf(key);
        if (i < 0)
        {
            return false;
        }

        _keys[i] = null;
        _values[i] = default!;
        _nextFree ??= new int[_keys.Length];
        _nextFree[i] = _freeList;
        _freeList = i;
        _freeCount++;
        return true;
    }

    /// <summary>Removes every entry; the arrays are kept, and the next add takes the first slot.</summary>
    public void Clear()
    {
        Array.Clear(_keys);
        Array.Clear(_values);
        _used = 0;
        _freeList = -1;
        _freeCount = 0;
    }

    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<string, TValue>> IEnumerable<KeyValuePair<string, TValue>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        for (var i = 0; i < _used; i++)
        {
            if (string.Equals(_keys[i], key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private int NewSlot()
    {
        if (_freeCount > 0)
        {
            var free = _freeList;
            _freeList = _nextFree![free];
            _freeCount--;
            return free;
        }

        if (_used == _keys.Length)
        {
            var size = Math.Max(1, _keys.Length * 2);
            Array.Resize(ref _keys, size);
            Array.Resize(ref _values, size);
            if (_nextFree is not null)
            {
                Array.Resize(ref _nextFree, size);
            }
        }

        return _used++;
    }

    /// <summary>Enumerates the entries in slot order, skipping freed slots.</summary>
    public struct Enumerator(SmallMap<TValue> map) : IEnumerator<KeyValuePair<string, TValue>>
    {
        private int _slot = -1;

        public readonly KeyValuePair<string, TValue> Current => new(map._keys[_slot]!, map._values[_slot]);

        readonly object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            while (++_slot < map._used)
            {
                if (map._keys[_slot] is not null)
                {
                    return true;
                }
            }

            return false;
        }

        public void Reset() => _slot = -1;

        public readonly void Dispose()
        {
        }
    }

    public readonly struct KeyCollection(SmallMap<TValue> map) : IEnumerable<string>
    {
        public KeyEnumerator GetEnumerator() => new(map.GetEnumerator());

        IEnumerator<string> IEnumerable<string>.GetEnumerator() => GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    public struct KeyEnumerator(Enumerator entries) : IEnumerator<string>
    {
        private Enumerator _entries = entries;

        public readonly string Current => _entries.Current.Key;

        readonly object IEnumerator.Current => Current;

        public bool MoveNext() => _entries.MoveNext();

        public void Reset() => _entries.Reset();

        public readonly void Dispose()
        {
        }
    }

    public readonly struct ValueCollection(SmallMap<TValue> map) : IEnumerable<TValue>
    {
        public ValueEnumerator GetEnumerator() => new(map.GetEnumerator());

        IEnumerator<TValue> IEnumerable<TValue>.GetEnumerator() => GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    public struct ValueEnumerator(Enumerator entries) : IEnumerator<TValue>
    {
        private Enumerator _entries = entries;

        public readonly TValue Current => _entries.Current.Value;

        readonly object? IEnumerator.Current => Current;

        public bool MoveNext() => _entries.MoveNext();

        public void Reset() => _entries.Reset();

        public readonly void Dispose()
        {
        }
    }
}
