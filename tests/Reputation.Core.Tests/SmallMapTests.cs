using FsCheck;
using FsCheck.Fluent;
using Reputation.Core.Collections;

namespace Reputation.Core.Tests;

public sealed class SmallMapTests
{
    [Fact]
    public void An_empty_map_finds_nothing_and_enumerates_nothing()
    {
        var map = new SmallMap<int>();

        Assert.Equal(0, map.Count);
        Assert.False(map.ContainsKey("a"));
        Assert.False(map.TryGetValue("a", out _));
        Assert.False(map.TryGetValue("a".AsSpan(), out _));
        Assert.False(map.Remove("a"));
        Assert.Empty(map);
        Assert.Empty(map.Keys);
        Assert.Empty(map.Values);
        Assert.Throws<KeyNotFoundException>(() => map["a"]);
        Assert.Throws<ArgumentNullException>(() => map.ContainsKey(null!));
    }

    [Fact]
    public void Keys_are_compared_ordinally_and_found_from_their_characters()
    {
        var map = new SmallMap<int> { ["198.51.100.0/24"] = 1, ["a"] = 2 };
        map["A"] = 3;
        map["a"] = 4;

        Assert.Equal(3, map.Count);
        Assert.Equal(4, map["a"]);
        Assert.Equal(3, map["A"]);
        Span<char> key = stackalloc char[15];
        "198.51.100.0/24".AsSpan().CopyTo(key);
        Assert.True(map.TryGetValue(key, out var found));
        Assert.Equal(1, found);
        Assert.False(map.TryGetValue("198.51.100.0/2".AsSpan(), out _));
        Assert.Equal(["198.51.100.0/24", "a", "A"], map.Keys);
    }

    [Fact]
    public void An_add_after_a_remove_takes_the_freed_slot_as_a_dictionary_does()
    {
        var map = new SmallMap<int>();
        var dictionary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var target in new IDictionaryLike[] { new MapLike(map), new DictionaryLike(dictionary) })
        {
            target.Set("a", 1);
            target.Set("b", 2);
            target.Set("c", 3);
            target.Remove("a");
            target.Remove("c");
            target.Set("d", 4);
            target.Set("e", 5);
            target.Set("f", 6);
        }

        Assert.Equal(dictionary.Keys, map.Keys);
        // Slot 2 (freed last) went to "d", slot 0 to "e", a new slot to "f".
        Assert.Equal(["e", "b", "d", "f"], map.Keys);
    }

    /// <summary>
    /// For any sequence of sets, removes, clears and lookups over a few keys, the map answers each as
    /// an ordinal <see cref="Dictionary{TKey, TValue}"/> does and enumerates in the same order after
    /// every call (so a tie broken by enumeration order is broken the same way).
    /// </summary>
    [Fact]
    public void Answers_and_enumerates_as_a_dictionary_for_random_call_sequences()
    {
        var gen = Gen.ListOf(
            from op in Gen.Frequency((6, Gen.Constant(0)), (3, Gen.Constant(1)), (1, Gen.Constant(2)), (3, Gen.Constant(3)))
            from key in Gen.Choose(0, 11)
            from value in Gen.Choose(-100, 100)
            select (op, key, value));

        Properties.Check(Prop.ForAll(gen.ToArbitrary(), ops =>
        {
            var map = new SmallMap<int>();
            var dictionary = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (op, k, value) in ops)
            {
                var key = "k" + k;
                switch (op)
                {
                    case 0:
                        map[key] = value;
                        dictionary[key] = value;
                        break;
                    case 1:
                        Assert.Equal(dictionary.Remove(key), map.Remove(key));
                        break;
                    case 2:
                        map.Clear();
                        dictionary.Clear();
                        break;
                    default:
                        Assert.Equal(dictionary.TryGetValue(key, out var expected), map.TryGetValue(key, out var actual));
                        Assert.Equal(expected, actual);
                        Assert.Equal(dictionary.ContainsKey(key), map.ContainsKey(key));
                        Assert.Equal(dictionary.ContainsKey(key), map.TryGetValue(key.AsSpan(), out _));
                        break;
                }

                Assert.Equal(dictionary.Count, map.Count);
                Assert.Equal(dictionary, map);
                Assert.Equal(dictionary.Keys, map.Keys);
                Assert.Equal(dictionary.Values, map.Values);
                Assert.Equal(dictionary.Count == 0 ? null : dictionary.MinBy(p => p.Value).Key, map.Count == 0 ? null : map.MinBy(p => p.Value).Key);
            }
        }));
    }

    private interface IDictionaryLike
    {
        void Set(string key, int value);

        void Remove(string key);
    }

    private sealed class MapLike(SmallMap<int> map) : IDictionaryLike
    {
        public void Set(string key, int value) => map[key] = value;

        public void Remove(string key) => map.Remove(key);
    }

    private sealed class DictionaryLike(Dictionary<string, int> dictionary) : IDictionaryLike
    {
        public void Set(string key, int value) => dictionary[key] = value;

        public void Remove(string key) => dictionary.Remove(key);
    }
}
