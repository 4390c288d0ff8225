using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Reputation.Core.Sketches;

namespace Reputation.Core.Tests;

public sealed class HyperLogLogTests
{
    private static string Item(int seed, int i) => string.Create(CultureInfo.InvariantCulture, $"acct-{seed}-{i}");

    private static HyperLogLog Build(int seed, int from, int count, int precision = HyperLogLog.DefaultPrecision)
    {
        var hll = new HyperLogLog(precision);
        for (var i = from; i < from + count; i++)
        {
            hll.Add(Item(seed, i));
        }

        return hll;
    }

    public static TheoryData<int, int> Cardinalities()
    {
        var data = new TheoryData<int, int>();
        foreach (var n in new[] { 10, 100, 1_000, 10_000, 100_000 })
        {
            foreach (var seed in new[] { 1, 2, 3, 4, 5 })
            {
                data.Add(n, seed);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cardinalities))]
    public void Estimate_is_within_three_standard_errors_of_the_true_count(int count, int seed)
    {
        var hll = Build(seed, 0, count);
        var standardError = 1.04 / Math.Sqrt(hll.Registers.Length);
        // Estimates are whole numbers, so at tiny counts the bound is at least one.
        var tolerance = Math.Max(3 * standardError * count, 1);
        var estimate = hll.Estimate();
        Assert.InRange(estimate, count - tolerance, count + tolerance);
    }

    [Theory]
    [InlineData(4, 1_000)]
    [InlineData(12, 50_000)]
    [InlineData(14, 50_000)]
    [InlineData(16, 200_000)]
    public void Estimate_is_within_three_standard_errors_at_other_precisions(int precision, int count)
    {
        var hll = Build(7, 0, count, precision);
        Assert.Equal(1 << precision, hll.Registers.Length);
        var tolerance = 3 * 1.04 / Math.Sqrt(1 << precision) * count;
        Assert.InRange(hll.Estimate(), count - tolerance, count + tolerance);
    }

    [Fact]
    public void Empty_sketch_estimates_zero()
    {
        Assert.Equal(0, new HyperLogLog().Estimate());
    }

    [Fact]
    public void One_item_estimates_one()
    {
        var hll = new HyperLogLog();
        Assert.True(hll.Add("acct-1"));
        Assert.Equal(1, hll.Estimate());
    }

    [Fact]
    public void Five_items_estimate_five_give_or_take_one()
    {
        for (var seed = 0; seed < 20; seed++)
        {
            Assert.InRange(Build(seed, 0, 5).Estimate(), 4, 6);
        }
    }

    [Fact]
    public void Duplicates_do_not_change_the_estimate()
    {
        var once = Build(9, 0, 1_000);
        var repeated = new HyperLogLog();
        for (var round = 0; round < 5; round++)
        {
            for (var i = 0; i < 1_000; i++)
            {
                repeated.Add(Item(9, i));
            }
        }

        Assert.Equal(once.Estimate(), repeated.Estimate());
        Assert.Equal(once.Registers, repeated.Registers);
    }

    [Fact]
    public void Add_returns_false_for_a_repeat()
    {
        var hll = new HyperLogLog();
        Assert.True(hll.Add("acct-42"));
        Assert.False(hll.Add("acct-42"));
        Assert.True(hll.AddHash(0x0000_0000_0000_0001UL));
        Assert.False(hll.AddHash(0x0000_0000_0000_0001UL));
    }

    [Fact]
    public void Add_handles_empty_long_and_non_ascii_items()
    {
        var hll = new HyperLogLog();
        Assert.True(hll.Add(string.Empty));
        Assert.False(hll.Add(string.Empty));
        var longItem = new string('x', 10_000);
        hll.Add(longItem);
        Assert.False(hll.Add(longItem));
        hll.Add("ünïcødé-账户-🙂");
        Assert.False(hll.Add("ünïcødé-账户-🙂"));
        Assert.InRange(hll.Estimate(), 2, 4);
    }

    [Fact]
    public void Merge_equals_the_estimate_of_the_union()
    {
        var a = Build(3, 0, 6_000);
        var b = Build(3, 3_000, 6_000);
        var union = Build(3, 0, 9_000);

        a.Merge(b);

        Assert.Equal(union.Registers, a.Registers);
        Assert.Equal(union.Estimate(), a.Estimate());
        var tolerance = 3 * 1.04 / Math.Sqrt(a.Registers.Length) * 9_000;
        Assert.InRange(a.Estimate(), 9_000 - tolerance, 9_000 + tolerance);
    }

    [Fact]
    public void An_estimate_read_before_adds_and_merges_follows_them()
    {
        var a = Build(6, 0, 500);
        var first = a.Estimate();
        Assert.Equal(first, a.Estimate());

        // Adds after a read move the estimate as a fresh sketch of the same items says.
        for (var i = 500; i < 5_000; i++)
        {
            a.Add(Item(6, i));
        }

        Assert.Equal(Build(6, 0, 5_000).Estimate(), a.Estimate());

        // So does a merge after a read.
        var b = Build(6, 5_000, 5_000);
        a.Merge(b);
        Assert.Equal(Build(6, 0, 10_000).Estimate(), a.Estimate());
        Assert.NotEqual(first, a.Estimate());
    }

    [Fact]
    public void Merge_leaves_the_other_sketch_alone()
    {
        var a = Build(4, 0, 100);
        var b = Build(4, 100, 100);
        var before = (byte[])b.Registers.Clone();
        a.Merge(b);
        Assert.Equal(before, b.Registers);
    }

    [Fact]
    public void Merge_rejects_a_different_precision()
    {
        var a = new HyperLogLog(10);
        var b = new HyperLogLog(11);
        Assert.Throws<ArgumentException>(() => a.Merge(b));
    }

    [Fact]
    public void Wrap_round_trips_registers_without_copying()
    {
        var original = Build(5, 0, 2_000);
        var persisted = original.Registers;

        var wrapped = HyperLogLog.Wrap(persisted);

        Assert.Same(persisted, wrapped.Registers);
        Assert.Equal(original.Precision, wrapped.Precision);
        Assert.Equal(original.Estimate(), wrapped.Estimate());

        var snapshot = (byte[])persisted.Clone();
        var changed = false;
        for (var i = 0; !changed; i++)
        {
            changed = wrapped.Add(Item(6, i));
        }

        // The add went through the wrapper into the persisted array, which the original sketch also reads.
        Assert.NotEqual(snapshot, persisted);
        Assert.NotEqual(snapshot, original.Registers);
    }

    [Fact]
    public void State_size_does_not_grow_with_input()
    {
        var hll = new HyperLogLog();
        var size = hll.Registers.Length;
        Assert.Equal(1 << HyperLogLog.DefaultPrecision, size);
        for (var i = 0; i < 200_000; i++)
        {
            hll.Add(Item(8, i));
        }

        Assert.Equal(size, hll.Registers.Length);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(0)]
    [InlineData(-1)]
    public void Precision_outside_4_to_16_is_rejected(int precision)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HyperLogLog(precision));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(100)]
    [InlineData(1023)]
    [InlineData(1 << 17)]
    public void Wrap_rejects_a_register_count_that_is_not_a_power_of_two_in_range(int length)
    {
        Assert.Throws<ArgumentException>(() => HyperLogLog.Wrap(new byte[length]));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(10)]
    [InlineData(16)]
    public void Wrap_accepts_every_supported_precision(int precision)
    {
        Assert.Equal(precision, HyperLogLog.Wrap(new byte[1 << precision]).Precision);
    }

    [Fact]
    public void A_hash_of_all_zero_bits_after_the_index_takes_the_top_rank()
    {
        // Rank is at most 64 - p + 1; the sentinel bit caps it and the estimate stays finite.
        var hll = new HyperLogLog(4);
        Assert.True(hll.AddHash(0));
        Assert.Equal(64 - 4 + 1, hll.Registers[0]);
    }

    /// <summary>A sparse sketch's registers in full, as the test reads them (index high byte, low byte, value).</summary>
    private static byte[] InFull(HyperLogLog hll)
    {
        if (!hll.IsSparse)
        {
            return hll.Registers;
        }

        var full = new byte[1 << hll.Precision];
        for (var at = 0; at < hll.Registers.Length; at += 3)
        {
            full[(hll.Registers[at] << 8) | hll.Registers[at + 1]] = hll.Registers[at + 2];
        }

        return full;
    }

    /// <summary>
    /// For any sequence of hashes, a sketch begun sparse answers every add and every estimate as one
    /// begun in full does, holds the same registers, and, persisted and wrapped again at any point,
    /// goes on the same (docs/decisions/0045-smaller-account-activations.md).
    /// </summary>
    [Fact]
    public void A_sparse_sketch_answers_as_the_full_one_for_random_adds()
    {
        var gen = from precision in Gen.Elements(4, 6, 10)
                  from hashes in Gen.ListOf(Gen.Choose(0, 5_000).Select(i => XxHash(i)))
                  from rewrapEvery in Gen.Choose(1, 50)
                  select (precision, hashes, rewrapEvery);

        Properties.Check(Prop.ForAll(gen.ToArbitrary(), c =>
        {
            var full = new HyperLogLog(c.precision);
            var sparse = HyperLogLog.Wrap([], c.precision);
            Assert.True(sparse.IsSparse);
            var n = 0;
            foreach (var hash in c.hashes)
            {
                Assert.Equal(full.AddHash(hash), sparse.AddHash(hash));
                Assert.Equal(full.Estimate(), sparse.Estimate());
                if (++n % c.rewrapEvery == 0)
                {
                    sparse = HyperLogLog.Wrap(sparse.Registers, c.precision);
                }

                Assert.Equal(full.Registers, InFull(sparse));
                // Sparse only while smaller than in full.
                Assert.True(sparse.IsSparse ? sparse.Registers.Length < 1 << c.precision : sparse.Registers.Length == 1 << c.precision);
            }
        }));
    }

    [Fact]
    public void A_sparse_sketch_of_the_default_precision_answers_as_the_full_one_past_the_point_it_turns_full()
    {
        var full = new HyperLogLog();
        var sparse = HyperLogLog.Wrap([], HyperLogLog.DefaultPrecision);
        for (var i = 0; i < 3_000; i++)
        {
            Assert.Equal(full.Add(Item(11, i)), sparse.Add(Item(11, i)));
            Assert.Equal(full.Estimate(), sparse.Estimate());
        }

        Assert.False(sparse.IsSparse);
        Assert.Equal(full.Registers, sparse.Registers);
    }

    private static ulong XxHash(int i) => System.IO.Hashing.XxHash64.HashToUInt64(BitConverter.GetBytes(i));

    [Fact]
    public void A_sparse_sketch_keeps_three_bytes_a_register_and_turns_full_once_that_is_no_smaller()
    {
        var hll = HyperLogLog.Wrap([], 4);
        var items = 0;
        while (hll.IsSparse)
        {
            Assert.True(hll.Registers.Length <= 15);
            Assert.Equal(0, hll.Registers.Length % 3);
            hll.Add(Item(9, items++));
        }

        Assert.Equal(16, hll.Registers.Length);
        Assert.Equal(Build(9, 0, items, 4).Registers, hll.Registers);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1021)]
    [InlineData(1022)]
    [InlineData(1026)] // three-byte entries, but no smaller than in full
    [InlineData(2048)]
    public void Wrap_with_a_precision_rejects_what_is_neither_full_nor_sparse(int length)
    {
        Assert.Throws<ArgumentException>(() => HyperLogLog.Wrap(new byte[length], 10));
    }

    [Fact]
    public void Wrap_with_a_precision_takes_full_registers_as_they_are()
    {
        var full = Build(3, 0, 50);
        var wrapped = HyperLogLog.Wrap(full.Registers, HyperLogLog.DefaultPrecision);
        Assert.False(wrapped.IsSparse);
        Assert.Same(full.Registers, wrapped.Registers);
        Assert.Equal(full.Estimate(), wrapped.Estimate());
    }
}
