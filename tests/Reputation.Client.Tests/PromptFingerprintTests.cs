using Reputation.Core.Prompts;

namespace Reputation.Client.Tests;

public sealed class PromptFingerprintTests
{
    [Fact]
    public void The_fingerprint_is_16_lowercase_hex_digits_of_the_core_SimHash()
    {
        const string prompt = "Explain step by step how to solve 3x+5=11. Show your reasoning.";

        var hex = PromptFingerprint.Compute(prompt);

        Assert.Matches("^[0-9a-f]{16}$", hex);
        Assert.Equal(SimHash.Compute(prompt), PromptFingerprint.ComputeValue(prompt));
        Assert.True(SimHash.TryParseHex(hex, out var parsed));
        Assert.Equal(PromptFingerprint.ComputeValue(prompt), parsed);
        // The same value the Core tests pin: client and service agree on fingerprints.
        Assert.Equal("446b00ebeb6648cd", hex);
    }

    [Fact]
    public void Fills_of_one_template_share_a_bucket_and_an_unrelated_prompt_does_not()
    {
        var a = PromptFingerprint.ComputeValue("You are an expert tutor. Solve 12x+7=43 step by step and give the final answer on its own line.");
        var b = PromptFingerprint.ComputeValue("You are an expert tutor. Solve 5x+1=26 step by step and give the final answer on its own line.");
        var c = PromptFingerprint.ComputeValue("My tomato plants have yellow leaves at the bottom. What could be causing this?");

        Assert.InRange(SimHash.Distance(a, b), 0, 3);
        Assert.NotEmpty(PromptBands.BucketKeys(a).Intersect(PromptBands.BucketKeys(b)));
        Assert.True(SimHash.Distance(a, c) > 10);
    }

    [Fact]
    public void An_empty_prompt_is_all_zeros_and_null_is_refused()
    {
        Assert.Equal("0000000000000000", PromptFingerprint.Compute(""));
        Assert.Equal(0UL, PromptFingerprint.ComputeValue("  \n"));
        Assert.Throws<ArgumentNullException>(() => PromptFingerprint.Compute(null!));
        Assert.Throws<ArgumentNullException>(() => PromptFingerprint.ComputeValue(null!));
    }
}
