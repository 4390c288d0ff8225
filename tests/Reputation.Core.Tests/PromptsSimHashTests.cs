using FsCheck;
using FsCheck.Fluent;
using Reputation.Core.Prompts;

namespace Reputation.Core.Tests;

/// <summary>
/// SimHash on generated corpora (fixed seeds). Figures measured when these were written are in the
/// comments; the asserted bounds leave a margin under them.
/// </summary>
public sealed class PromptsSimHashTests
{
    private sealed record Distances(List<int> Values)
    {
        public double ShareAtMost(int d) => (double)Values.Count(v => v <= d) / Values.Count;

        public double ShareAbove(int d) => (double)Values.Count(v => v > d) / Values.Count;

        public int Median => Values.Order().ElementAt(Values.Count / 2);
    }

    /// <summary>Distances between every pair of 5 fills of each of 300 templates (3,000 pairs).</summary>
    private static Distances WithinTemplates(int seed, Func<Random, PromptCorpus.SlotKind>? slots, double domainShare = 0, SimHashWeights? weights = null)
    {
        var random = new Random(seed);
        var values = new List<int>();
        for (var t = 0; t < 300; t++)
        {
            var template = PromptCorpus.NewTemplate(random, slots, domainShare);
            var fingerprints = Enumerable.Range(0, 5)
                .Select(_ => SimHash.ComputeNormalized(PromptNormalizer.Normalize(template.Fill(random)), weights ?? SimHashWeights.SlotAware))
                .ToArray();
            for (var i = 0; i < fingerprints.Length; i++)
            {
                for (var j = i + 1; j < fingerprints.Length; j++)
                {
                    values.Add(SimHash.Distance(fingerprints[i], fingerprints[j]));
                }
            }
        }

        return new Distances(values);
    }

    private static Distances AllPairs(List<ulong> fingerprints)
    {
        var values = new List<int>();
        for (var i = 0; i < fingerprints.Count; i++)
        {
            for (var j = i + 1; j < fingerprints.Count; j++)
            {
                values.Add(SimHash.Distance(fingerprints[i], fingerprints[j]));
            }
        }

        return new Distances(values);
    }

    [Fact]
    public void Fills_of_one_template_with_mixed_slots_land_within_3_bits()
    {
        // Slots of 1-2 generated words, numbers, quoted names or equations. Measured: 100 % within 3, median 0, max 2.
        var d = WithinTemplates(seed: 42, slots: null);

        Assert.True(d.ShareAtMost(3) >= 0.98, $"{d.ShareAtMost(3):P1} within 3 bits");
        Assert.Equal(0, d.Median);
    }

    [Fact]
    public void Fills_of_one_template_whose_slots_are_all_bare_words_land_within_3_bits()
    {
        // The hard case: nothing for the normaliser to mask. Measured: 100 % within 3, median 0, max 3.
        var d = WithinTemplates(seed: 43, slots: _ => PromptCorpus.SlotKind.Word);

        Assert.True(d.ShareAtMost(3) >= 0.97, $"{d.ShareAtMost(3):P1} within 3 bits");
        Assert.True(d.Median <= 1, $"median {d.Median}");
    }

    [Fact]
    public void Fills_of_a_specialised_template_with_subject_words_in_its_fixed_text_mostly_land_within_3_bits()
    {
        // 30 % of the fixed phrases are subject words no everyday-word list holds, so the template
        // looks less like one. Measured: 98.8 % within 3 with mixed slots, 91.9 % with bare-word slots.
        var mixed = WithinTemplates(seed: 44, slots: null, domainShare: 0.3);
        var words = WithinTemplates(seed: 45, slots: _ => PromptCorpus.SlotKind.Word, domainShare: 0.3);

        Assert.True(mixed.ShareAtMost(3) >= 0.95, $"mixed: {mixed.ShareAtMost(3):P1} within 3 bits");
        Assert.True(words.ShareAtMost(3) >= 0.85, $"bare words: {words.ShareAtMost(3):P1} within 3 bits");
        Assert.Equal(0, mixed.Median);
        Assert.Equal(0, words.Median);
    }

    [Fact]
    public void Textbook_SimHash_over_the_same_features_does_not_keep_templates_within_3_bits()
    {
        // Why SimHash weighs slot words down (see its remarks). Measured with equal weights:
        // mixed slots 47-49 % within 3 (median 4); bare-word slots 0.5 % (median 13).
        var mixed = WithinTemplates(seed: 42, slots: null, weights: SimHashWeights.Plain);
        var words = WithinTemplates(seed: 43, slots: _ => PromptCorpus.SlotKind.Word, weights: SimHashWeights.Plain);

        Assert.True(mixed.ShareAtMost(3) < 0.7, $"mixed: {mixed.ShareAtMost(3):P1}");
        Assert.True(words.ShareAtMost(3) < 0.1, $"bare words: {words.ShareAtMost(3):P1}");
        Assert.True(words.Median >= 8, $"bare words median {words.Median}");
    }

    [Fact]
    public void Unrelated_prompts_of_random_words_are_about_32_bits_apart()
    {
        // 400 prompts of 15-60 words from 3,000 generated words, all 79,800 pairs.
        // Measured: 100 % above 10 bits, median 32, min 16.
        var random = new Random(7);
        var fingerprints = Enumerable.Range(0, 400).Select(_ => SimHash.Compute(PromptCorpus.UnrelatedPrompt(random))).ToList();
        var d = AllPairs(fingerprints);

        Assert.True(d.ShareAbove(10) >= 0.999, $"{d.ShareAbove(10):P2} above 10 bits");
        Assert.InRange(d.Median, 29, 35);
        Assert.True(d.Values.Min() > 3, "no unrelated pair may be within bucket distance");
    }

    [Fact]
    public void Different_templates_are_far_apart_even_when_built_from_the_same_phrases()
    {
        // One fill each of 200 templates drawn from the same 80 instruction phrases, all 19,900 pairs.
        foreach (var (seed, domainShare) in new[] { (46, 0.0), (47, 0.3) })
        {
            var random = new Random(seed);
            var fingerprints = Enumerable.Range(0, 200)
                .Select(_ => SimHash.Compute(PromptCorpus.NewTemplate(random, slotKind: null, domainShare).Fill(random)))
                .ToList();
            var d = AllPairs(fingerprints);

            Assert.True(d.ShareAbove(10) >= 0.99, $"domain share {domainShare}: {d.ShareAbove(10):P2} above 10 bits");
            Assert.True(d.Median >= 22, $"domain share {domainShare}: median {d.Median}");
        }
    }

    [Fact]
    public void Everyday_prompts_on_different_subjects_stay_far_apart()
    {
        // Most of these are template-like enough for slot words to be weighed down; their
        // scaffolds still differ. Measured over the 780 pairs: median 32, min 18.
        var fingerprints = PromptCorpus.EverydayPrompts.Select(SimHash.Compute).ToList();
        var d = AllPairs(fingerprints);

        Assert.True(d.Values.Min() > 10, $"closest pair {d.Values.Min()} bits");
        Assert.InRange(d.Median, 28, 36);
    }

    [Fact]
    public void The_examples_of_the_brief_collide()
    {
        var a = SimHash.Compute("Explain step by step how to solve 3x+5=11");
        var b = SimHash.Compute("Explain step by step how to solve 7x+2=30");
        Assert.Equal(a, b);

        var c = SimHash.Compute("You are an expert tutor. Write a detailed biography of \"Marie Curie\" for a student, then list the main points and show your reasoning.");
        var d = SimHash.Compute("You are an expert tutor. Write a detailed biography of 'Alan Turing' for a student, then list the main points and show your reasoning.");
        Assert.Equal(c, d);

        var e = SimHash.Compute("You are an expert tutor. Explain photosynthesis in simple terms for a complete beginner, step by step, and give the final answer at the end.");
        var f = SimHash.Compute("You are an expert tutor. Explain mitochondria in simple terms for a complete beginner, step by step, and give the final answer at the end.");
        Assert.InRange(SimHash.Distance(e, f), 0, 3);

        var unrelated = SimHash.Compute("Quarterly revenue grew in the Nordic markets while logistics costs fell sharply after the merger.");
        Assert.True(SimHash.Distance(a, unrelated) > 10);
        Assert.True(SimHash.Distance(e, unrelated) > 10);
    }

    [Fact]
    public void Short_content_prompts_keep_their_content_words()
    {
        // Under 6 words a prompt is hashed on all its words: short prompts do not collapse onto a scaffold.
        var autumn = SimHash.Compute("Write a haiku about autumn");
        var lighthouses = SimHash.Compute("Write a haiku about lighthouses");
        Assert.True(SimHash.Distance(autumn, lighthouses) > 3, $"{SimHash.Distance(autumn, lighthouses)} bits");
    }

    [Fact]
    public void Chinese_text_is_hashed_per_character_so_a_changed_slot_moves_only_some_bits()
    {
        // No spaces and no scaffold vocabulary: this is textbook SimHash over characters, so fills
        // of a template come close (measured: 5-7 bits apart; unrelated 27) but not within bucket distance.
        const string template = "你是一位专业的数学老师。请一步一步地详细解释如何理解{0}这个概念，列出每一个中间步骤，最后给出简短的总结和三个例子。";
        var a = SimHash.Compute(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, "光合作用"));
        var b = SimHash.Compute(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, "细胞分裂"));
        var unrelated = SimHash.Compute("我家的番茄叶子底部发黄了，可能是什么原因？应该怎样处理才能让植物恢复健康？");

        Assert.Equal(["你", "是", "一"], SimHash.Tokenize(PromptNormalizer.Normalize(template))[..3]);
        Assert.True(SimHash.Distance(a, b) <= 12, $"{SimHash.Distance(a, b)} bits");
        Assert.True(SimHash.Distance(a, unrelated) > 20, $"{SimHash.Distance(a, unrelated)} bits");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\n\t ")]
    [InlineData("?!... ---")]
    public void A_prompt_without_words_has_fingerprint_zero(string prompt)
    {
        Assert.Equal(0UL, SimHash.Compute(prompt));
    }

    [Fact]
    public void The_algorithm_is_pinned()
    {
        // Fingerprints are stored (prompt buckets, usage events) and compared across client and
        // service versions. If this changes, every bucket changes: that is a new algorithm version.
        Assert.Equal("446b00ebeb6648cd", SimHash.ToHex(SimHash.Compute("Explain step by step how to solve 3x+5=11. Show your reasoning.")));
    }

    [Fact]
    public void Compute_is_ComputeNormalized_of_the_normalised_prompt_and_normalising_first_changes_nothing()
    {
        var random = new Random(48);
        for (var i = 0; i < 200; i++)
        {
            var prompt = PromptCorpus.NewTemplate(random).Fill(random);
            var normalized = PromptNormalizer.Normalize(prompt);
            Assert.Equal(SimHash.ComputeNormalized(normalized), SimHash.Compute(prompt));
            Assert.Equal(SimHash.Compute(prompt), SimHash.Compute(normalized));
        }
    }

    // Gen.Choose is an int range: three draws cover all 64 bits.
    internal static readonly Gen<ulong> FingerprintGen =
        from high in Gen.Choose(0, int.MaxValue)
        from low in Gen.Choose(0, int.MaxValue)
        from rest in Gen.Choose(0, 3)
        select ((ulong)(uint)high << 33) ^ ((ulong)(uint)low << 2) ^ (uint)rest;

    private static readonly Arbitrary<ulong> s_fingerprint = FingerprintGen.ToArbitrary();

    [Fact]
    public void Hex_round_trips_as_16_lowercase_digits_and_parses_either_case()
    {
        SeededProperties.Check(Prop.ForAll(s_fingerprint, fp =>
        {
            var hex = SimHash.ToHex(fp);
            Assert.Equal(16, hex.Length);
            Assert.Equal(hex.ToLowerInvariant(), hex);
            Assert.True(SimHash.TryParseHex(hex, out var back));
            Assert.Equal(fp, back);
            Assert.True(SimHash.TryParseHex(hex.ToUpperInvariant(), out var upper));
            Assert.Equal(fp, upper);
        }), seed: 11);

        Assert.Equal("0000000000000000", SimHash.ToHex(0));
        Assert.Equal("ffffffffffffffff", SimHash.ToHex(ulong.MaxValue));
        Assert.Equal("00000000000000ff", SimHash.ToHex(255));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ff")]
    [InlineData("000000000000000")]
    [InlineData("00000000000000000")]
    [InlineData("0x00000000000000")]
    [InlineData("00000000 0000000")]
    [InlineData(" 000000000000000")]
    [InlineData("+000000000000000")]
    [InlineData("-000000000000000")]
    [InlineData("000000000000000g")]
    [InlineData("٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠")]
    public void TryParseHex_rejects_anything_but_16_hex_digits(string? text)
    {
        Assert.False(SimHash.TryParseHex(text, out var fingerprint));
        Assert.Equal(0UL, fingerprint);
    }

    [Fact]
    public void Distance_is_a_metric_on_fingerprints()
    {
        var gen =
            from a in FingerprintGen
            from b in FingerprintGen
            from c in FingerprintGen
            select (a, b, c);
        SeededProperties.Check(Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (a, b, c) = t;
            Assert.Equal(0, SimHash.Distance(a, a));
            Assert.Equal(SimHash.Distance(a, b), SimHash.Distance(b, a));
            Assert.InRange(SimHash.Distance(a, b), 0, 64);
            Assert.True(SimHash.Distance(a, c) <= SimHash.Distance(a, b) + SimHash.Distance(b, c));
            Assert.Equal(64, SimHash.Distance(a, ~a));
            Assert.Equal(a == b, SimHash.Distance(a, b) == 0);
        }), seed: 12, maxTest: 1000);
    }
}
