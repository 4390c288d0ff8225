namespace Reputation.Client.Semantic.Tests;

public sealed class SemanticFingerprintTests(CorpusFixture corpus)
{
    private const string Pinned = "Solve the following algebra problem. Think step by step and show your reasoning before giving the final answer: 3x + 5 = 20";

    private const string PinnedHex = "04345f5c740286cc";

    private SemanticFingerprint Fingerprint => corpus.Fingerprint;

    [Fact]
    public void The_fingerprint_is_16_lowercase_hex_digits_and_pinned()
    {
        var hex = Fingerprint.Compute(Pinned);

        Assert.Matches("^[0-9a-f]{16}$", hex);
        Assert.Equal(hex, Fingerprint.ComputeValue(Pinned).ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
        // The value docs/prompt-fingerprints.md quotes. Another CPU may round the model's floats
        // differently and flip a bit whose hyperplane passes close to the embedding; another
        // model, seed or text preparation moves about half of the 64.
        Assert.InRange(SemanticFingerprint.Distance(Convert.ToUInt64(PinnedHex, 16), Fingerprint.ComputeValue(Pinned)), 0, 2);
    }

    [Fact]
    public void The_same_prompt_gets_the_same_fingerprint_across_calls_and_instances()
    {
        var prompts = ParaphraseCorpus.Ordinary.Take(20).ToArray();
        var first = prompts.Select(Fingerprint.ComputeValue).ToArray();

        using var other = new SemanticFingerprint();
        Assert.Equal(first, prompts.Select(Fingerprint.ComputeValue));
        Assert.Equal(first, prompts.Select(other.ComputeValue));
    }

    [Fact]
    public void A_batch_gives_each_prompt_the_fingerprint_it_gets_alone()
    {
        // Every prompt of the corpus, batched with prompts of other lengths (padding is masked).
        var prompts = ParaphraseCorpus.Templates.SelectMany(t => Enumerable.Range(0, t.Wordings.Length).Select(w => t.Render(w, 0)))
            .Concat(ParaphraseCorpus.Ordinary).ToArray();

        var batch = Fingerprint.ComputeValues(prompts);

        Assert.Equal(prompts.Select(Fingerprint.ComputeValue), batch);
        Assert.Empty(Fingerprint.ComputeValues([]));
    }

    [Fact]
    public void Concurrent_callers_get_the_same_fingerprints_as_one_caller()
    {
        var prompts = ParaphraseCorpus.Ordinary.ToArray();
        var expected = prompts.Select(Fingerprint.ComputeValue).ToArray();
        var actual = new ulong[prompts.Length];

        Parallel.For(0, prompts.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => actual[i] = Fingerprint.ComputeValue(prompts[i]));

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Empty_and_blank_prompts_share_one_fingerprint()
    {
        var empty = Fingerprint.ComputeValue("");

        Assert.Equal(empty, Fingerprint.ComputeValue("   \n\t "));
        Assert.Equal(empty, Fingerprint.ComputeValue("\u200B"));
        Assert.NotEqual(empty, Fingerprint.ComputeValue("Write a haiku about autumn leaves."));
    }

    [Fact]
    public void A_very_long_prompt_is_fingerprinted_on_its_beginning()
    {
        // The model reads at most 512 word pieces; what follows cannot change the fingerprint.
        var opening = string.Join(' ', Enumerable.Repeat("Explain the causes of the French Revolution in detail.", 200));
        var longPrompt = opening + string.Join(' ', Enumerable.Repeat(" Now write a recipe for banana bread.", 2_000));

        Assert.True(longPrompt.Length > 80_000);
        Assert.Equal(Fingerprint.ComputeValue(opening), Fingerprint.ComputeValue(longPrompt));
    }

    [Fact]
    public void Chinese_Japanese_and_emoji_prompts_are_fingerprinted()
    {
        var empty = Fingerprint.ComputeValue("");
        string[] prompts =
        [
            "请一步一步地解决下面的代数问题，并在给出最终答案之前展示你的推理。",
            "请一步一步地解决下面的代数问题，并展示你的推理。",
            "次の代数の問題を段階的に解いてください。",
            "🎉🎂 Write a birthday message for my sister 🥳",
            "🔥🔥🔥",
        ];

        var fingerprints = prompts.Select(Fingerprint.ComputeValue).ToArray();

        Assert.Equal(fingerprints, Fingerprint.ComputeValues(prompts));
        Assert.DoesNotContain(empty, fingerprints);
        Assert.Equal(fingerprints.Length, fingerprints.Distinct().Count());
    }

    [Fact]
    public void Invisible_characters_and_line_breaks_do_not_change_the_fingerprint()
    {
        Assert.Equal(
            Fingerprint.ComputeValue("Think step by step. Show your reasoning."),
            Fingerprint.ComputeValue("Think\u200B step  by\nstep.\r\n\tShow your reasoning. "));
    }

    [Fact]
    public void Null_prompts_are_refused_and_a_disposed_instance_says_so()
    {
        Assert.Throws<ArgumentNullException>(() => Fingerprint.ComputeValue(null!));
        Assert.Throws<ArgumentNullException>(() => Fingerprint.ComputeValues(null!));
        Assert.Throws<ArgumentNullException>(() => Fingerprint.ComputeValues(["a", null!]));

        var disposed = new SemanticFingerprint();
        disposed.Dispose();
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => disposed.ComputeValue("hello"));
    }
}
