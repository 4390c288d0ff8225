using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using Reputation.Grains.Accounts;
using Reputation.Grains.State;

namespace Reputation.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class StateSerializerTests(ClusterFixture fixture)
{
    private IServiceProvider Silo => fixture.Cluster.Silos[0].ServiceProvider;

    private static AccountState Sample()
    {
        var state = new AccountState { Country = "NL", RequestsTotal = 42, PaymentInstruments = ["card-1"], IpRanges = ["198.51.100.0/24"] };
        state.RequestsPerMinute.Minutes().Add(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero), 7);
        state.RangeLastUsedAt = state.RangeLastUsedAt.With("198.51.100.0/24", new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        return state;
    }

    [Fact]
    public void The_silo_stores_state_in_binary_and_reads_it_back()
    {
        var serializer = Silo.GetRequiredService<IGrainStorageSerializer>();
        Assert.IsType<StateSerializer>(serializer);

        var stored = serializer.Serialize(Sample());
        var read = Assert.IsType<AccountState>(serializer.Deserialize<AccountState>(stored));

        Assert.NotEqual((byte)'{', stored.ToMemory().Span[0]);
        Assert.Equal(42, read.RequestsTotal);
        Assert.Equal(["card-1"], read.PaymentInstruments);
        Assert.Equal(7, read.RequestsPerMinute.Minutes().Estimate(new DateTimeOffset(2026, 12, 1, 12, 0, 30, TimeSpan.Zero), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void State_written_as_JSON_by_earlier_builds_is_still_read()
    {
        var json = new JsonGrainStorageSerializer(Silo.GetRequiredService<OrleansJsonSerializer>());
        var serializer = Silo.GetRequiredService<IGrainStorageSerializer>();

        var read = Assert.IsType<AccountState>(serializer.Deserialize<AccountState>(json.Serialize(Sample())));

        Assert.Equal("NL", read.Country);
        Assert.Equal(["198.51.100.0/24"], read.IpRanges);
        Assert.Single(read.RangeLastUsedAt);
    }

    /// <summary>Windows as earlier builds stored them: a count and a bucket id per slot.</summary>
    private static AccountState EarlierLayout()
    {
        var minute = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero).UtcTicks / TimeSpan.TicksPerMinute;
        var counts = new long[61];
        var ids = new long[61];
        counts[(int)(minute % 61)] = 7;
        ids[(int)(minute % 61)] = minute;
        var state = Sample();
        state.RequestsPerMinute = new WindowState { Counts = counts, BucketIds = ids };
        return state;
    }

    [Theory]
    [InlineData("binary")]
    [InlineData("json")]
    public void Windows_stored_in_the_earlier_two_array_layout_keep_their_counts(string format)
    {
        var serializer = Silo.GetRequiredService<IGrainStorageSerializer>();
        var stored = format == "json"
            ? new JsonGrainStorageSerializer(Silo.GetRequiredService<OrleansJsonSerializer>()).Serialize(EarlierLayout())
            : serializer.Serialize(EarlierLayout());

        var read = Assert.IsType<AccountState>(serializer.Deserialize<AccountState>(stored));
        var at = new DateTimeOffset(2026, 12, 1, 12, 0, 30, TimeSpan.Zero);

        Assert.Equal(7, read.RequestsPerMinute.Minutes().Estimate(at, TimeSpan.FromMinutes(1)));
        Assert.True(read.RequestsPerMinute.Minutes().Add(at, 3));
        Assert.Equal(10, read.RequestsPerMinute.Minutes().Estimate(at, TimeSpan.FromMinutes(1)));
        // Converted once: the earlier arrays are gone and the next write stores the new layout.
        Assert.Empty(read.RequestsPerMinute.BucketIds);
        Assert.Equal(62, read.RequestsPerMinute.Ring.Length);
        var again = Assert.IsType<AccountState>(serializer.Deserialize<AccountState>(serializer.Serialize(read)));
        Assert.Equal(10, again.RequestsPerMinute.Minutes().Estimate(at, TimeSpan.FromMinutes(1)));
    }

    /// <summary>
    /// Windows as builds before lazy rings stored them: the ring allocated at creation, whatever was
    /// counted, and no bucket count (their <see cref="WindowState"/> had no member 3).
    /// </summary>
    private static AccountState RingsAllocatedAtCreation()
    {
        var state = Sample();
        state.RequestsPerMinute = new WindowState { Ring = new long[62] };
        state.RequestsPerHour = new WindowState { Ring = new long[26] };
        state.TokensPerHour = new WindowState { Ring = new long[26] };
        state.ElicitedPerHour = new WindowState { Ring = new long[26] };
        state.SuspectTemplatedPerHour = new WindowState { Ring = new long[26] };
        state.RequestsPerMinute.Minutes().Add(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero), 7);
        state.RequestsPerHour.Hours().Add(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero), 7);
        return state;
    }

    [Theory]
    [InlineData("binary")]
    [InlineData("json")]
    public void Windows_stored_with_their_ring_allocated_at_creation_keep_their_counts(string format)
    {
        var serializer = Silo.GetRequiredService<IGrainStorageSerializer>();
        var stored = format == "json"
            ? new JsonGrainStorageSerializer(Silo.GetRequiredService<OrleansJsonSerializer>()).Serialize(RingsAllocatedAtCreation())
            : serializer.Serialize(RingsAllocatedAtCreation());

        var read = Assert.IsType<AccountState>(serializer.Deserialize<AccountState>(stored));
        var at = new DateTimeOffset(2026, 12, 1, 12, 0, 30, TimeSpan.Zero);

        Assert.Equal(7, read.RequestsPerMinute.Minutes().Estimate(at, TimeSpan.FromMinutes(1)));
        Assert.Equal(7, read.RequestsPerHour.Hours().Estimate(at, TimeSpan.FromHours(1)));
        Assert.Equal(0, read.TokensPerHour.Hours().Estimate(at, TimeSpan.FromHours(1)));
        Assert.True(read.RequestsPerMinute.Minutes().Add(at, 3));
        Assert.True(read.TokensPerHour.Hours().Add(at, 5_000));
        Assert.Equal(10, read.RequestsPerMinute.Minutes().Estimate(at, TimeSpan.FromMinutes(1)));
        Assert.Equal(5_000, read.TokensPerHour.Hours().Estimate(at, TimeSpan.FromHours(1)));
        // The stored rings are used as they are: the same length, no second array.
        Assert.Equal(62, read.RequestsPerMinute.Ring.Length);
        Assert.Equal(26, read.TokensPerHour.Ring.Length);
        var again = Assert.IsType<AccountState>(serializer.Deserialize<AccountState>(serializer.Serialize(read)));
        Assert.Equal(10, again.RequestsPerMinute.Minutes().Estimate(at, TimeSpan.FromMinutes(1)));
        Assert.Equal(5_000, again.TokensPerHour.Hours().Estimate(at, TimeSpan.FromHours(1)));
    }

    [Fact]
    public void A_window_never_added_to_is_stored_without_its_ring_and_gets_it_at_its_first_add()
    {
        var serializer = Silo.GetRequiredService<IGrainStorageSerializer>();
        var at = new DateTimeOffset(2026, 12, 1, 12, 0, 30, TimeSpan.Zero);
        var fresh = new AccountState();

        Assert.Empty(fresh.TokensPerHour.Ring);
        Assert.Equal(25, fresh.TokensPerHour.Buckets);
        Assert.Equal(61, fresh.RequestsPerMinute.Buckets);
        // Unused windows cost their stored copy nothing either: smaller than the same state with rings allocated.
        Assert.True(serializer.Serialize(Sample()).ToMemory().Length < serializer.Serialize(RingsAllocatedAtCreation()).ToMemory().Length);

        var read = Assert.IsType<AccountState>(serializer.Deserialize<AccountState>(serializer.Serialize(fresh)));
        Assert.Empty(read.ElicitedPerHour.Ring);
        Assert.Equal(0, read.ElicitedPerHour.Hours().Estimate(at, TimeSpan.FromHours(1)));
        Assert.Empty(read.ElicitedPerHour.Ring);
        Assert.True(read.ElicitedPerHour.Hours().Add(at, 4));
        Assert.Equal(26, read.ElicitedPerHour.Ring.Length);
        Assert.Equal(4, read.ElicitedPerHour.Hours().Estimate(at, TimeSpan.FromHours(1)));

        var again = Assert.IsType<AccountState>(serializer.Deserialize<AccountState>(serializer.Serialize(read)));
        Assert.Equal(4, again.ElicitedPerHour.Hours().Estimate(at, TimeSpan.FromHours(1)));
        Assert.Empty(again.SuspectTemplatedPerHour.Ring);
    }

    /// <summary>
    /// An account state as the build before 0045 wrote it, in binary: ranges 198.51.100.0/24 (last used
    /// 2026-12-01 12:00) and 203.0.113.0/24 (10:00) and bucket b0:aaaa (5 requests) in the two
    /// dictionaries that build kept them in, 42 requests in all.
    /// </summary>
    private const string DictionariesBinary =
        "IMABwQHBAcEBwQFBBU5MIeAhAAVBHzE5OC41MS4xMDAuMC8yNEAdMjAzLjAuMTEzLjAvMjTgISDgwR3BHQH14CHAHcEdwR0BZeAh" +
        "wB3BHcEdAWXgAakhAAEBAQEBAQHgISDgAQEBAQECBOAhAANBD2IwOmFhYWHgIcAdwR3BHQFl4AEBCQMBwQHBAcEBwQEhMAExLNQu" +
        "HVN0cmluZ0NvbXBhcmVyAAMBAeABA8FTABXgITgDAAMBAeABBcEXIIAAYCWgok/fCIEAAAAAAAAAAODAGSCAAJCc3JFP3wiBAAAA" +
        "AAAAAADg4MEBAQHBAQkDAcEBAQEBAcEBwQEhwB3BHcEdAWXgIeAh4CHgwQHBAcEBJyvgIeABAQEBwQEhwB3BHcEdAWXggQAAAAAA" +
        "AAAA4A==";

    /// <summary>The same state as builds before binary storage wrote it, as JSON (its other members left out: they read as their defaults).</summary>
    private const string DictionariesJson =
        """
        {"$id":"1","$type":"Reputation.Grains.Accounts.AccountState, Reputation.Grains","Country":"NL",
        "IpRanges":{"$type":"System.Collections.Generic.List`1[[System.String, System.Private.CoreLib]], System.Private.CoreLib","$values":["198.51.100.0/24","203.0.113.0/24"]},
        "RequestsTotal":42,
        "PromptBuckets":{"$type":"System.Collections.Generic.List`1[[System.String, System.Private.CoreLib]], System.Private.CoreLib","$values":["b0:aaaa"]},
        "BucketRequests":{"$id":"8","$type":"System.Collections.Generic.Dictionary`2[[System.String, System.Private.CoreLib],[System.Int64, System.Private.CoreLib]], System.Private.CoreLib","b0:aaaa":5},
        "IpRangeSeenAt":{"$id":"9","$type":"System.Collections.Generic.Dictionary`2[[System.String, System.Private.CoreLib],[System.DateTimeOffset, System.Private.CoreLib]], System.Private.CoreLib","198.51.100.0/24":"2026-12-01T12:00:00+00:00","203.0.113.0/24":"2026-12-01T10:00:00+00:00"}}
        """;

    [Theory]
    [InlineData("binary")]
    [InlineData("json")]
    public void Ranges_last_use_and_buckets_requests_stored_in_dictionaries_by_earlier_builds_are_kept(string format)
    {
        var serializer = Silo.GetRequiredService<IGrainStorageSerializer>();
        var stored = format == "json" ? BinaryData.FromString(DictionariesJson) : BinaryData.FromBytes(Convert.FromBase64String(DictionariesBinary));
        var at = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

        var read = Assert.IsType<AccountState>(serializer.Deserialize<AccountState>(stored));

        Assert.Equal(42, read.RequestsTotal);
        Assert.Equal(["198.51.100.0/24", "203.0.113.0/24"], read.IpRanges);
        Assert.Equal(["198.51.100.0/24", "203.0.113.0/24"], read.RangeLastUsedAt.Keys());
        Assert.Equal(at, read.RangeLastUsedAt.GetValueOrDefault("198.51.100.0/24"));
        Assert.Equal(at.AddHours(-2), read.RangeLastUsedAt.GetValueOrDefault("203.0.113.0/24"));
        Assert.Equal(5, read.RequestsPerBucket.GetValueOrDefault("b0:aaaa"));
        // Written back in the new layout only: read again, the same values, and no dictionary.
        var again = Assert.IsType<AccountState>(serializer.Deserialize<AccountState>(serializer.Serialize(read)));
        Assert.Null(again.IpRangeSeenAt);
        Assert.Null(again.BucketRequests);
        Assert.Equal(read.RangeLastUsedAt, again.RangeLastUsedAt);
        Assert.Equal(read.RequestsPerBucket, again.RequestsPerBucket);
    }

    [Fact]
    public void Link_values_keep_the_order_their_keys_were_first_set_and_change_in_place()
    {
        Keyed<long>[] values = [];
        values = values.With("a", 1).With("b", 2).With("c", 3);
        var same = values.With("b", 20);

        Assert.Same(values, same);
        Assert.Equal(["a", "b", "c"], values.Keys());
        Assert.Equal(20, values.GetValueOrDefault("b"));
        Assert.Equal(0, values.GetValueOrDefault("d"));
        Assert.False(values.TryGetValue("d", out _));
        Assert.Same(values, values.Keeping(_ => true));
        Assert.Equal(["a", "c"], values.Without("b").Keys());
        Assert.Equal(["a", "c", "b"], values.Without("b").With("b", 4).Keys());
        Assert.Empty(values.Keeping(_ => false));
    }

    [Fact]
    public void A_stored_state_is_an_array_of_exactly_its_bytes_the_same_bytes_as_Orleans_writes()
    {
        var serializer = Silo.GetRequiredService<IGrainStorageSerializer>();
        var orleans = new OrleansGrainStorageSerializer(Silo.GetRequiredService<Serializer>());

        var stored = serializer.Serialize(Sample());
        var written = orleans.Serialize(Sample());

        Assert.True(MemoryMarshal.TryGetArray(stored.ToMemory(), out var segment));
        Assert.Equal(segment.Count, segment.Array!.Length);
        Assert.Equal(written.ToArray(), stored.ToArray());
        // Orleans' own serializer answers a slice of a larger buffer: what this one saves per write.
        Assert.True(MemoryMarshal.TryGetArray(written.ToMemory(), out var slice));
        Assert.True(slice.Array!.Length > slice.Count, $"Orleans' buffer {slice.Array.Length} B for {slice.Count} B");
    }
}
