namespace Reputation.Client.Semantic.Tests;

public sealed class HyperplanesTests
{
    [Fact]
    public void The_generator_is_standard_SplitMix64()
    {
        // The published SplitMix64 outputs for seed 0, so a port can check its generator first.
        ulong state = 0;
        Assert.Equal(0xE220A8397B1DCDAFUL, Hyperplanes.SplitMix64(ref state));
        Assert.Equal(0x6E789E6AA1B965F4UL, Hyperplanes.SplitMix64(ref state));
        Assert.Equal(0x06C45D188009454FUL, Hyperplanes.SplitMix64(ref state));
    }

    [Fact]
    public void The_planes_are_the_documented_ones()
    {
        // Plane 0 takes the first six outputs from the seed; component i is -1 where bit i is set.
        var state = SemanticFingerprint.HyperplaneSeed;
        var first = Hyperplanes.SplitMix64(ref state);
        for (var i = 0; i < 64; i++)
        {
            Assert.Equal((first >> i & 1) != 0 ? -1 : 1, Hyperplanes.Sign(0, i));
        }

        Assert.Equal(0x73656D616E746963UL, SemanticFingerprint.HyperplaneSeed);
        Assert.Equal(PinnedSigns, string.Concat(Enumerable.Range(0, 16).Select(i => Hyperplanes.Sign(63, 368 + i) > 0 ? '+' : '-')));
    }

    private const string PinnedSigns = "-++---+--++++-++";

    [Fact]
    public void Each_plane_has_about_as_many_plus_as_minus_signs_and_no_two_are_alike()
    {
        var planes = Enumerable.Range(0, Hyperplanes.Count)
            .Select(k => Enumerable.Range(0, Hyperplanes.Dimensions).Select(i => Hyperplanes.Sign(k, i)).ToArray()).ToArray();

        foreach (var plane in planes)
        {
            // 384 fair signs: the sum has a standard deviation of about 20.
            Assert.InRange(plane.Sum(), -80, 80);
        }

        Assert.Equal(planes.Length, planes.Select(p => string.Concat(p.Select(s => s > 0 ? '+' : '-'))).Distinct().Count());
    }

    [Fact]
    public void A_vector_and_its_opposite_disagree_on_every_plane()
    {
        var v = Enumerable.Range(0, Hyperplanes.Dimensions).Select(i => MathF.Sin(i + 1)).ToArray();
        var opposite = v.Select(x => -x).ToArray();

        Assert.Equal(ulong.MaxValue, Hyperplanes.Hash(v) ^ Hyperplanes.Hash(opposite));
        Assert.Throws<ArgumentException>(() => Hyperplanes.Hash(new float[10]));
    }
}
