namespace Reputation.Grains.State;

/// <summary>
/// A value kept for one of a grain's links (a range's last use, a template bucket's requests). A
/// state keeps a handful of them, at most one per link, in an array (<see cref="KeyedValues"/>)
/// rather than a dictionary: an entry costs its key and value (24 bytes with a time) in one array,
/// where a dictionary of one entry took 240 bytes and an empty one 80, and none costs nothing
/// (docs/decisions/0045-smaller-account-activations.md).
/// </summary>
[GenerateSerializer, Alias("reputation.Keyed`1")]
public struct Keyed<T>
{
    [Id(0)] public string Key { get; set; }
    [Id(1)] public T Value { get; set; }
}

/// <summary>
/// Reading and changing an array of <see cref="Keyed{T}"/> by key (ordinal), in the order the keys
/// were first set. A change answers the array to keep: the same one when a value changed in place
/// or nothing was removed, a new one when a key came or went.
/// </summary>
public static class KeyedValues
{
    public static bool TryGetValue<T>(this Keyed<T>[] entries, string key, out T value)
    {
        var i = IndexOf(entries, key);
        value = i >= 0 ? entries[i].Value : default!;
        return i >= 0;
    }

    public static T? GetValueOrDefault<T>(this Keyed<T>[] entries, string key) =>
        IndexOf(entries, key) is var i and >= 0 ? entries[i].Value : default;

    /// <summary>The keys, in the order they were first set.</summary>
    public static IEnumerable<string> Keys<T>(this Keyed<T>[] entries) => entries.Select(e => e.Key);

    /// <summary>Sets <paramref name="key"/>'s value: in place when it has one, else at the end of a new array.</summary>
    public static Keyed<T>[] With<T>(this Keyed<T>[] entries, string key, T value)
    {
        var i = IndexOf(entries, key);
        if (i >= 0)
        {
            entries[i].Value = value;
            return entries;
        }

        var grown = new Keyed<T>[entries.Length + 1];
        entries.CopyTo(grown, 0);
        grown[^1] = new Keyed<T> { Key = key, Value = value };
        return grown;
    }

    public static Keyed<T>[] Without<T>(this Keyed<T>[] entries, string key) => entries.Keeping(k => !string.Equals(k, key, StringComparison.Ordinal));

    /// <summary>The entries whose key <paramref name="keep"/> accepts, in their order.</summary>
    public static Keyed<T>[] Keeping<T>(this Keyed<T>[] entries, Func<string, bool> keep)
    {
        var kept = 0;
        foreach (var e in entries)
        {
            kept += keep(e.Key) ? 1 : 0;
        }

        return kept == entries.Length ? entries : kept == 0 ? [] : [.. entries.Where(e => keep(e.Key))];
    }

    /// <summary>A dictionary's entries in its enumeration order (records of builds that kept a dictionary).</summary>
    public static Keyed<T>[] From<T>(IReadOnlyDictionary<string, T> values) =>
        [.. values.Select(kv => new Keyed<T> { Key = kv.Key, Value = kv.Value })];

    private static int IndexOf<T>(Keyed<T>[] entries, string key)
    {
        for (var i = 0; i < entries.Length; i++)
        {
            if (string.Equals(entries[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
