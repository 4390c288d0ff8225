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
        state.IpRangeSeenAt["198.51.100.0/24"] = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
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
        Assert.Single(read.IpRangeSeenAt);
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
