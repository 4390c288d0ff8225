using FsCheck;
using FsCheck.Fluent;
using Reputation.Core.Collections;

namespace Reputation.Core.Tests;

public sealed class RecentListTests
{
    [Fact]
    public void Most_recent_id_comes_first()
    {
        var list = new List<string>();
        Assert.True(RecentList.Touch(list, "a", 3));
        Assert.True(RecentList.Touch(list, "b", 3));
        Assert.True(RecentList.Touch(list, "c", 3));
        Assert.Equal(["c", "b", "a"], list);
    }

    [Fact]
    public void Past_the_capacity_the_least_recently_touched_id_falls_off()
    {
        var list = new List<string>();
        foreach (var id in new[] { "a", "b", "c", "d", "e" })
        {
            RecentList.Touch(list, id, 3);
        }

        Assert.Equal(["e", "d", "c"], list);
    }

    [Fact]
    public void Touching_an_existing_id_moves_it_to_the_front_and_returns_false()
    {
        var list = new List<string>();
        RecentList.Touch(list, "a", 3);
        RecentList.Touch(list, "b", 3);
        RecentList.Touch(list, "c", 3);

        Assert.False(RecentList.Touch(list, "a", 3));
        Assert.Equal(["a", "c", "b"], list);

        Assert.False(RecentList.Touch(list, "a", 3));
        Assert.Equal(["a", "c", "b"], list);

        // "b" is now the least recent, so a new id pushes it out rather than "a".
        Assert.True(RecentList.Touch(list, "d", 3));
        Assert.Equal(["d", "a", "c"], list);
    }

    [Fact]
    public void Ids_are_compared_exactly()
    {
        var list = new List<string>();
        Assert.True(RecentList.Touch(list, "acct-1", 5));
        Assert.True(RecentList.Touch(list, "ACCT-1", 5));
        Assert.Equal(2, list.Count);
    }

    [Fact]
    public void Capacity_below_one_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RecentList.Touch([], "a", 0));
    }

    [Fact]
    public void List_never_exceeds_capacity_and_equals_the_last_distinct_ids()
    {
        var gen =
            from capacity in Gen.Choose(1, 6)
            from ids in Gen.ListOf(Gen.Choose(0, 9).Select(i => $"id-{i}"))
            select (capacity, ids);

        Properties.Check(Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (capacity, ids) = t;
            var list = new List<string>();
            for (var i = 0; i < ids.Count; i++)
            {
                var before = LastDistinct(ids, i, capacity);
                var added = RecentList.Touch(list, ids[i], capacity);

                Assert.Equal(!before.Contains(ids[i]), added);
                Assert.True(list.Count <= capacity);
                Assert.Equal(LastDistinct(ids, i + 1, capacity), list);
            }
        }));
    }

    /// <summary>Reference model: walk the first <paramref name="count"/> ids backwards, keep the first occurrence of each, take N.</summary>
    private static List<string> LastDistinct(IReadOnlyList<string> ids, int count, int capacity) =>
        ids.Take(count).Reverse().Distinct().Take(capacity).ToList();
}
