using FsCheck;
using FsCheck.Fluent;
using Reputation.Core.Prompts;

namespace Reputation.Core.Tests;

public sealed class PromptsNormalizerTests
{
    [Theory]
    [InlineData("Explain step by step how to solve 3x+5=11", "explain step by step how to solve #x+#=#")]
    [InlineData("Explain step by step how to solve 7x+2=30", "explain step by step how to solve #x+#=#")]
    [InlineData("Pi is 3.14, not 3", "pi is #, not #")]
    [InlineData("We sold 1,000 units for 1,234,567.89 dollars", "we sold # units for # dollars")]
    [InlineData("In 2020, 5 people came", "in #, # people came")]
    [InlineData("Version v2 and 1st place", "version v# and #st place")]
    public void Numbers_become_a_hash_whatever_their_value_or_separators(string prompt, string expected)
    {
        Assert.Equal(expected, PromptNormalizer.Normalize(prompt));
    }

    [Theory]
    [InlineData("Write a biography of \"Marie Curie\" for kids", "write a biography of \"_\" for kids")]
    [InlineData("Write a biography of 'Ada Lovelace' for kids", "write a biography of \"_\" for kids")]
    [InlineData("Write a biography of \u201CAlan Turing\u201D for kids", "write a biography of \"_\" for kids")]
    [InlineData("Write a biography of \u2018Grace\u2019 for kids", "write a biography of \"_\" for kids")]
    [InlineData("Summarise (\"War and Peace\") briefly", "summarise ( \"_\" ) briefly")]
    [InlineData("Summarise this:\n\"A long passage\nover two lines.\"", "summarise this: \"_\"")]
    public void Quoted_spans_become_one_placeholder(string prompt, string expected)
    {
        Assert.Equal(expected, PromptNormalizer.Normalize(prompt));
    }

    [Theory]
    [InlineData("What's the capital of Peru?", "what's the capital of peru?")]
    [InlineData("The students' books and the teachers' pens", "the students books and the teachers pens")]
    [InlineData("Don\u2019t stop o'clock", "don't stop o'clock")]
    [InlineData("Screens of 5\" and 7\" sizes", "screens of # and # sizes")]
    [InlineData("An \"unbalanced quote and a ` tick", "an unbalanced quote and a tick")]
    [InlineData("Rock 'n' roll", "rock \"_\" roll")]
    public void Apostrophes_inch_marks_and_stray_quotes_are_not_spans(string prompt, string expected)
    {
        Assert.Equal(expected, PromptNormalizer.Normalize(prompt));
    }

    [Theory]
    [InlineData("Explain `list.sort()` in Python", "explain `_` in python")]
    [InlineData("Fix this:\n```python\nprint('hi')\n```\nthanks", "fix this: ```_``` thanks")]
    [InlineData("Fix this:\n```\nunterminated code 'x' 42", "fix this: ```_```")]
    [InlineData("Read https://example.com/a?b=1. Then answer", "read <url> . then answer")]
    [InlineData("See www.example.org/path, please", "see <url> , please")]
    [InlineData("Mail bob.smith+tag@mail.example.co.uk today", "mail <email> today")]
    public void Code_links_and_addresses_become_placeholders(string prompt, string expected)
    {
        Assert.Equal(expected, PromptNormalizer.Normalize(prompt));
    }

    [Theory]
    [InlineData("  HELLO \t\n  World  ", "hello world")]
    [InlineData("st\u200Bep by\u00A0step", "step by step")]
    [InlineData("\uFEFFExplain", "explain")]
    [InlineData("", "")]
    [InlineData("   \n\t ", "")]
    public void Case_whitespace_and_invisible_characters_fold(string prompt, string expected)
    {
        Assert.Equal(expected, PromptNormalizer.Normalize(prompt));
    }

    [Fact]
    public void Fills_of_a_template_that_differ_only_in_numbers_quotes_and_equations_normalise_identically()
    {
        var random = new Random(101);
        for (var t = 0; t < 200; t++)
        {
            var template = PromptCorpus.NewTemplate(random, r => (PromptCorpus.SlotKind)(1 + r.Next(3)));
            var first = PromptNormalizer.Normalize(template.Fill(random)).TrimEnd('.', '?');
            for (var f = 0; f < 4; f++)
            {
                Assert.Equal(first, PromptNormalizer.Normalize(template.Fill(random)).TrimEnd('.', '?'));
            }
        }
    }

    private static readonly Gen<string> s_messyText =
        Gen.ArrayOf(Gen.Elements("a", "B", "x", " ", "  ", "\n", "\t", "\"", "'", "`", "```", "3", "1,0", ".5", "@", "ex.com",
            "http://h.io/p", "www.", "\u201C", "\u201D", "\u2018", "\u2019", "\u200B", "(", ")", "what's", "word"))
        .Select(parts => string.Concat(parts));

    [Fact]
    public void Normalising_twice_changes_nothing()
    {
        SeededProperties.Check(Prop.ForAll(s_messyText.ToArbitrary(), text =>
        {
            var once = PromptNormalizer.Normalize(text);
            Assert.Equal(once, PromptNormalizer.Normalize(once));
        }), seed: 20260301, maxTest: 2000);
    }

    [Fact]
    public void A_long_adversarial_prompt_normalises_in_linear_time()
    {
        // Runs that would make a naive email or quote pattern quadratic: 200k characters each (a
        // quadratic scan of one would take minutes, not the milliseconds these take).
        var dots = string.Concat(Enumerable.Repeat("a.", 100_000));
        var cases = new (string Input, string Normalised)[]
        {
            (new string('a', 200_000), new string('a', 200_000)),
            (dots, dots),
            (string.Concat(Enumerable.Repeat("' ", 100_000)), ""),
            ("\"" + new string('x', 200_000), new string('x', 200_000)),
            (string.Concat(Enumerable.Repeat("1,", 100_000)), "#,"),
        };

        foreach (var (input, normalised) in cases)
        {
            Assert.Equal(normalised, PromptNormalizer.Normalize(input));
        }
    }
}
