using Reputation.Grains.Templates;

namespace Reputation.Grains.Tests;

public sealed class ModelCountsTests
{
    [Fact]
    public void Counts_models_until_full_then_a_new_model_takes_the_lightest_ones_place_and_count()
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        ModelCounts.Add(counts, "m-1", 500, capacity: 3);
        ModelCounts.Add(counts, "m-2", 20, capacity: 3);
        ModelCounts.Add(counts, "m-3", 100, capacity: 3);
        ModelCounts.Add(counts, "m-1", 50, capacity: 3);

        // A model released today: it enters in place of the lightest, from that one's count.
        ModelCounts.Add(counts, "m-new", 300, capacity: 3);

        Assert.Equal(3, counts.Count);
        Assert.Equal(550, counts["m-1"]);
        Assert.Equal(100, counts["m-3"]);
        Assert.Equal(320, counts["m-new"]);
        Assert.False(counts.ContainsKey("m-2"));
    }
}
