using FsCheck;
using FsCheck.Fluent;
using Reputation.Core.Prompts;

namespace Reputation.Core.Tests;

public sealed class PromptsBandsTests
{
    private static bool ShareABucket(ulong a, ulong b) => PromptBands.BucketKeys(a).Intersect(PromptBands.BucketKeys(b)).Any();

    private static bool ShareABand(ulong a, ulong b)
    {
        for (var band = 0; band < PromptBands.Bands; band++)
        {
            if (PromptBands.Band(a, band) == PromptBands.Band(b, band))
            {
                return true;
            }
        }

        return false;
    }

    [Fact]
    public void Bands_read_as_the_hex_digits_of_the_fingerprint()
    {
        const ulong fingerprint = 0x3fa2_0b1c_ffff_0001;

        Assert.Equal(0x3fa2, PromptBands.Band(fingerprint, 0));
        Assert.Equal(0x0b1c, PromptBands.Band(fingerprint, 1));
        Assert.Equal(0xffff, PromptBands.Band(fingerprint, 2));
        Assert.Equal(0x0001, PromptBands.Band(fingerprint, 3));
        Assert.Equal("b0:3fa2", PromptBands.BucketKey(fingerprint, 0));
        Assert.Equal("b3:0001", PromptBands.BucketKey(fingerprint, 3));
        Assert.Equal(["b0:3fa2", "b1:0b1c", "b2:ffff", "b3:0001"], PromptBands.BucketKeys(fingerprint));
        // The span form writes the same keys, without a string.
        Span<char> key = stackalloc char[PromptBands.BucketKeyLength];
        for (var band = 0; band < PromptBands.Bands; band++)
        {
            Assert.Equal(PromptBands.BucketKey(fingerprint, band), PromptBands.FormatBucketKey(fingerprint, band, key).ToString());
        }

        Assert.Equal("3fa20b1cffff0001", SimHash.ToHex(fingerprint));
    }

    [Fact]
    public void Equal_bands_in_different_positions_are_different_buckets()
    {
        Assert.Equal(4, PromptBands.BucketKeys(0).Distinct().Count());
        Assert.False(ShareABucket(0xaaaa_0000_0000_0000, 0x0000_aaaa_ffff_ffff));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    public void A_band_outside_0_to_3_is_refused(int band)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PromptBands.Band(0, band));
        Assert.Throws<ArgumentOutOfRangeException>(() => PromptBands.BucketKey(0, band));
    }

    [Fact]
    public void Every_fingerprint_within_3_bits_shares_a_band_exhaustively()
    {
        // All 43,744 fingerprints at distance 1, 2 or 3 from each of 8 random fingerprints.
        var random = new Random(5);
        for (var sample = 0; sample < 8; sample++)
        {
            var fingerprint = (ulong)random.NextInt64() ^ ((ulong)random.Next(2) << 63);
            for (var i = 0; i < 64; i++)
            {
                for (var j = i; j < 64; j++)
                {
                    for (var k = j; k < 64; k++)
                    {
                        // i == j or j == k cancel or repeat a flip: distances 1 and 2 are covered too.
                        var near = fingerprint ^ (1UL << i) ^ (1UL << j) ^ (1UL << k);
                        if (!ShareABand(fingerprint, near))
                        {
                            Assert.Fail($"{SimHash.ToHex(fingerprint)} and {SimHash.ToHex(near)} are {SimHash.Distance(fingerprint, near)} bits apart but share no band");
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void A_random_fingerprint_with_up_to_3_random_bits_flipped_shares_a_bucket_key()
    {
        var gen =
            from fingerprint in PromptsSimHashTests.FingerprintGen
            from count in Gen.Choose(0, 3)
            from bits in Gen.ArrayOf(Gen.Choose(0, 63), count)
            select (fingerprint, bits);

        SeededProperties.Check(Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var near = t.bits.Distinct().Aggregate(t.fingerprint, (fp, bit) => fp ^ (1UL << bit));
            Assert.InRange(SimHash.Distance(t.fingerprint, near), 0, 3);
            Assert.True(ShareABucket(t.fingerprint, near), $"{SimHash.ToHex(t.fingerprint)} / {SimHash.ToHex(near)}");
        }), seed: 13, maxTest: 2000);
    }

    [Fact]
    public void Four_bits_are_enough_to_share_no_bucket_so_the_bound_is_tight()
    {
        const ulong fingerprint = 0x0123_4567_89ab_cdef;
        var far = fingerprint ^ (1UL << 0) ^ (1UL << 16) ^ (1UL << 32) ^ (1UL << 48);

        Assert.Equal(4, SimHash.Distance(fingerprint, far));
        Assert.False(ShareABucket(fingerprint, far));
    }

    [Fact]
    public void Unrelated_prompts_rarely_share_a_bucket_and_fills_of_a_template_almost_always_do()
    {
        // Chance for unrelated fingerprints: about 4 / 65,536 per pair (6e-5).
        var random = new Random(9);
        var unrelated = Enumerable.Range(0, 300).Select(_ => SimHash.Compute(PromptCorpus.UnrelatedPrompt(random))).ToList();
        var pairs = 0;
        var shared = 0;
        for (var i = 0; i < unrelated.Count; i++)
        {
            for (var j = i + 1; j < unrelated.Count; j++)
            {
                pairs++;
                shared += ShareABucket(unrelated[i], unrelated[j]) ? 1 : 0;
            }
        }

        Assert.True(shared <= pairs * 4 * 3 / 65_536 + 3, $"{shared} of {pairs} unrelated pairs share a bucket");

        var templatePairs = 0;
        var templateShared = 0;
        for (var t = 0; t < 200; t++)
        {
            var template = PromptCorpus.NewTemplate(random);
            var first = SimHash.Compute(template.Fill(random));
            for (var f = 0; f < 4; f++)
            {
                templatePairs++;
                templateShared += ShareABucket(first, SimHash.Compute(template.Fill(random))) ? 1 : 0;
            }
        }

        Assert.True(templateShared >= templatePairs * 0.98, $"{templateShared} of {templatePairs} template fill pairs share a bucket");
    }
}
