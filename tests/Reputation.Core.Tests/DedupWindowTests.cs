using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Reputation.Core.Collections;

namespace Reputation.Core.Tests;

public sealed class DedupWindowTests
{
    private static string Id(int i) => string.Create(CultureInfo.InvariantCulture, $"evt-{i}");

    [Fact]
    public void A_repeated_event_id_is_a_duplicate()
    {
        var window = DedupWindow.Create(8);
        Assert.True(window.TryAdd("evt-1"));
        Assert.False(window.TryAdd("evt-1"));
        Assert.True(window.TryAdd("evt-2"));
        Assert.False(window.TryAdd("evt-1"));
        Assert.True(window.Contains("evt-1"));
        Assert.False(window.Contains("evt-3"));
        Assert.Equal(2, window.Count);
    }

    [Fact]
    public void An_id_is_remembered_for_capacity_minus_one_newer_ids_and_forgotten_after_capacity()
    {
        const int capacity = 4;
        var window = DedupWindow.Create(capacity);
        window.TryAdd("old");
        for (var i = 0; i < capacity - 1; i++)
        {
            Assert.True(window.TryAdd(Id(i)));
        }

        Assert.True(window.Contains("old"));
        Assert.False(window.TryAdd("old"));

        Assert.True(window.TryAdd(Id(capacity - 1)));
        Assert.False(window.Contains("old"));
        Assert.True(window.TryAdd("old"));
        Assert.Equal(capacity, window.Count);
    }

    [Fact]
    public void A_duplicate_does_not_extend_how_long_an_id_is_remembered()
    {
        var window = DedupWindow.Create(2);
        window.TryAdd("a");
        window.TryAdd("b");
        Assert.False(window.TryAdd("a")); // a duplicate, not a fresh arrival
        window.TryAdd("c");               // evicts "a", the oldest arrival
        Assert.False(window.Contains("a"));
        Assert.True(window.Contains("b"));
    }

    [Fact]
    public void Restoring_from_persisted_state_keeps_the_memory()
    {
        var window = DedupWindow.Create(4);
        window.TryAdd("a");
        window.TryAdd("b");
        window.TryAdd("c");

        var restored = new DedupWindow(window.Ring, window.Next, window.Count, window.Capacity);

        Assert.False(restored.TryAdd("b"));
        Assert.False(restored.TryAdd("a"));
        Assert.True(restored.TryAdd("d"));
        Assert.True(restored.TryAdd("e")); // evicts "a"
        Assert.True(restored.Contains("b"));
        Assert.False(restored.Contains("a"));
    }

    [Fact]
    public void Restoring_after_the_ring_has_wrapped_keeps_exactly_the_last_capacity_ids()
    {
        var window = DedupWindow.Create(3);
        for (var i = 0; i < 10; i++)
        {
            window.TryAdd(Id(i));
        }

        var restored = new DedupWindow((ulong[])window.Ring.Clone(), window.Next, window.Count, window.Capacity);

        Assert.Equal(3, restored.Count);
        Assert.False(restored.TryAdd(Id(9)));
        Assert.False(restored.TryAdd(Id(8)));
        Assert.False(restored.TryAdd(Id(7)));
        Assert.True(restored.TryAdd(Id(6)));
    }

    [Fact]
    public void Restoring_empty_state_remembers_nothing()
    {
        var restored = new DedupWindow(new ulong[4], 0, 0);
        Assert.False(restored.Contains("evt-1"));
        Assert.True(restored.TryAdd("evt-1"));
    }

    [Fact]
    public void Capacity_below_one_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DedupWindow.Create(0));
        Assert.Throws<ArgumentNullException>(() => new DedupWindow(null!, 0, 0));
    }

    [Fact]
    public void The_ring_grows_with_the_ids_seen_and_stops_at_capacity()
    {
        var window = DedupWindow.Create(128);
        Assert.Empty(window.Ring);

        window.TryAdd(Id(0));
        Assert.Equal(8, window.Ring.Length);

        for (var i = 1; i < 9; i++)
        {
            window.TryAdd(Id(i));
        }

        Assert.Equal(16, window.Ring.Length);
        for (var i = 9; i < 1_000; i++)
        {
            window.TryAdd(Id(i));
        }

        Assert.Equal(128, window.Ring.Length);
        Assert.Equal(128, window.Count);
        Assert.True(window.Contains(Id(999 - 127)));
        Assert.False(window.Contains(Id(999 - 128)));
    }

    [Fact]
    public void A_full_size_ring_of_an_earlier_build_is_read_as_it_was()
    {
        var legacy = new ulong[4];
        var window = new DedupWindow(legacy, 0, 0);
        window.TryAdd("a");

        Assert.Same(legacy, window.Ring);
        Assert.Equal(4, window.Capacity);
    }

    [Fact]
    public void State_size_does_not_grow_with_traffic()
    {
        var window = DedupWindow.Create(16);
        for (var i = 0; i < 10_000; i++)
        {
            window.TryAdd(Id(i));
        }

        Assert.Equal(16, window.Ring.Length);
        Assert.Equal(16, window.Count);
    }

    /// <summary>
    /// Reference model: an id is a duplicate exactly when it is among the last N ids that were accepted.
    /// The window is also persisted and restored at random points, which must not change any answer.
    /// </summary>
    [Fact]
    public void Matches_a_reference_model_of_the_last_N_accepted_ids_across_restores()
    {
        var gen =
            from capacity in Gen.Choose(1, 20)
            from steps in Gen.ListOf(Gen.Zip(Gen.Choose(0, 30), Gen.Choose(0, 9)))
            select (capacity, steps);

        Properties.Check(Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (capacity, steps) = t;
            var window = DedupWindow.Create(capacity);
            var accepted = new List<string>();
            foreach (var (idNumber, restoreRoll) in steps)
            {
                if (restoreRoll == 0)
                {
                    window = new DedupWindow((ulong[])window.Ring.Clone(), window.Next, window.Count, window.Capacity);
                }

                var id = Id(idNumber);
                var remembered = accepted.TakeLast(capacity).ToList();
                Assert.Equal(remembered.Contains(id), window.Contains(id));
                var added = window.TryAdd(id);
                Assert.Equal(!remembered.Contains(id), added);
                if (added)
                {
                    accepted.Add(id);
                }

                Assert.Equal(Math.Min(accepted.Count, capacity), window.Count);
            }
        }));
    }
}
