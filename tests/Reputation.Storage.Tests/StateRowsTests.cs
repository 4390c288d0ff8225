using Azure.Data.Tables;

namespace Reputation.Storage.Tests;

public sealed class StateRowsTests
{
    [Fact]
    public void Ids_that_differ_only_in_characters_a_key_may_not_hold_get_different_rows()
    {
        // Orleans' per-grain provider replaces all four with '_', so these would share one row there.
        string[] keys = ["a/b", "a_b", "a\\b", "a#b", "a?b", "a%2Fb", "a~b", "a\u0001b", "a%b"];

        var rows = keys.Select(k => StateRows.RowKey("s", GrainId.Create("account", k))).ToList();

        Assert.Equal(keys.Length, rows.Distinct().Count());
        Assert.All(rows, r => Assert.DoesNotContain(r, c => c is '/' or '\\' or '#' or '?' || char.IsControl(c)));
    }

    [Fact]
    public void The_state_name_is_part_of_the_row_and_cannot_be_confused_with_the_id()
    {
        var one = StateRows.RowKey("b~c", GrainId.Create("t", "a"));
        var two = StateRows.RowKey("c", GrainId.Create("t", "a~b"));

        Assert.NotEqual(one, two);
    }

    [Fact]
    public void A_key_too_long_for_a_table_is_refused_naming_the_limit()
    {
        var refused = Assert.Throws<ArgumentException>(() => StateRows.RowKey("s", GrainId.Create("account", new string('/', 400))));

        Assert.Contains("at most 1024", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rows_partition_is_fixed_by_its_key_and_within_the_count()
    {
        var rows = Enumerable.Range(0, 2_000).Select(i => StateRows.RowKey("account", GrainId.Create("account", $"acct-{i}"))).ToList();

        var partitions = rows.Select(r => StateRows.Partition(r, 32)).ToList();

        Assert.All(partitions, p => Assert.InRange(p, 0, 31));
        Assert.Equal(partitions, rows.Select(r => StateRows.Partition(r, 32)));
        // Spread: every partition gets some of 2,000 rows, none more than twice its share.
        Assert.Equal(32, partitions.Distinct().Count());
        Assert.True(partitions.GroupBy(p => p).Max(g => g.Count()) < 2 * 2_000 / 32);
        // Stable across processes and versions: the partition is part of where stored rows are found.
        Assert.Equal(5, StateRows.Partition("account%2Facct-1~account", 32));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(StateRows.MaxChunkBytes)]
    [InlineData(StateRows.MaxChunkBytes + 1)]
    [InlineData(StateRows.MaxStateBytes)]
    public void State_bytes_are_split_over_properties_of_at_most_64_KiB_and_read_back_whole(int size)
    {
        var data = Enumerable.Range(0, size).Select(i => (byte)(i * 7)).ToArray();
        var row = new TableEntity("p", "r");

        StateRows.Store(row, data);

        Assert.All(row.Where(p => p.Key.StartsWith("Data", StringComparison.Ordinal)), p => Assert.True(((byte[])p.Value).Length <= StateRows.MaxChunkBytes));
        Assert.Equal((size + StateRows.MaxChunkBytes - 1) / StateRows.MaxChunkBytes, row.Keys.Count(k => k.StartsWith("Data", StringComparison.Ordinal)));
        Assert.Equal(data, StateRows.Load(row));
    }

    [Fact]
    public void State_larger_than_a_row_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => StateRows.Store(new TableEntity("p", "r"), new byte[StateRows.MaxStateBytes + 1]));
    }
}
