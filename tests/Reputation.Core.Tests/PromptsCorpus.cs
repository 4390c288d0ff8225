using System.Globalization;
using System.Text;

namespace Reputation.Core.Tests;

/// <summary>
/// Generated prompts for the SimHash measurements, from fixed seeds so every run measures the same
/// corpus. Templates are built from everyday instruction phrases (written here, independently of
/// the scaffold vocabulary in Core) with 2-4 slots; slot fillers and unrelated prompts use a
/// vocabulary of 3,000 generated words, which no English word list knows.
/// </summary>
internal static class PromptCorpus
{
    public enum SlotKind
    {
        Word,
        Number,
        QuotedName,
        Equation,
    }

    private static readonly string[] s_phrases =
    [
        "you are an expert tutor", "you are a helpful assistant", "act as a senior engineer",
        "explain step by step", "explain in simple terms", "explain in detail how", "describe how",
        "show your reasoning", "show all of your work", "think it through carefully before answering",
        "give the final answer at the end", "write the final answer on its own line", "how to solve",
        "of the following problem", "for a complete beginner", "in no more than", "words",
        "make sure to", "list the main points", "list every intermediate step", "write a detailed",
        "write a short", "essay about", "summary of", "story about", "and then", "use examples",
        "be concise", "compare and contrast", "with", "the differences between", "what is",
        "why does", "how does", "work", "what are the pros and cons of", "answer the question",
        "in the style of", "for a student", "at the end", "check each step", "verify your answer",
        "do not skip any steps", "using a numbered list", "format the answer as a table", "about",
        "please", "the reasoning behind", "provide a clear explanation of", "the main idea of",
        "then explain why", "is it true that", "break the problem into parts", "what would happen if",
        "give three examples of", "in plain english", "keep it short", "write it for",
        "respond in the same language", "before you answer", "consider the following",
        "rewrite the text below", "so that it is easy to read", "translate into", "and explain",
        "each word", "a list of", "the best way to", "calculate", "the total", "find", "the value of",
        "prove that", "derive the formula for", "in your own words", "as if you were", "a teacher",
    ];

    private static readonly string[] s_syllables =
    [
        "ka", "to", "mi", "ra", "ne", "su", "lo", "vi", "de", "pa", "zu", "qe", "bri", "tan", "mor",
        "lek", "shi", "dro", "vel", "gau", "fen", "xo", "yul", "tra", "pim", "nok", "sar", "wen",
        "cla", "dun", "hes", "jor", "kli", "mun", "ost", "ple", "quo", "rin", "sto", "tev",
    ];

    /// <summary>Forty everyday prompts on different subjects, written by hand: what real traffic that is not a campaign looks like.</summary>
    public static readonly string[] EverydayPrompts =
    [
        "Can you help me write a cover letter for a junior accountant position at a mid-sized firm?",
        "What is the difference between a virus and a bacterium, and why do antibiotics only work on one of them?",
        "I have chicken thighs, rice, spinach and garlic. What can I cook for dinner tonight that takes under thirty minutes?",
        "Explain how a mortgage amortization schedule works and why early payments are mostly interest.",
        "My tomato plants have yellow leaves at the bottom. What could be causing this and how do I fix it?",
        "Write a short poem about the sea at night for my daughter's birthday card.",
        "How do I center a div horizontally and vertically with CSS flexbox?",
        "Summarize the main causes of the First World War in a few paragraphs for a high school student.",
        "What are some good exercises to strengthen my lower back if I sit at a desk all day?",
        "Please translate this email into Spanish and keep the tone polite but firm.",
        "Why is the sky blue during the day but red and orange at sunset?",
        "Give me a packing list for a week-long hiking trip in the Scottish highlands in October.",
        "What is the time complexity of quicksort in the worst case and how can it be avoided?",
        "Draft a message to my landlord asking them to repair the broken heating in my flat.",
        "How does compound interest differ from simple interest? Use an example with a savings account.",
        "Recommend five science fiction novels for someone who loved The Left Hand of Darkness.",
        "What should I consider when choosing between an electric car and a hybrid for a long commute?",
        "Write a SQL query that returns the top three customers by total order value last year.",
        "How can I politely decline a wedding invitation from a distant cousin?",
        "Describe the water cycle and the role evaporation plays in weather patterns.",
        "What are the symptoms of burnout and what can a manager do to help their team recover?",
        "Plan a three day itinerary for Lisbon with a focus on food and architecture.",
        "Is it safe to give my dog peanut butter, and how much is too much?",
        "Rewrite this paragraph so it sounds more confident for a job application.",
        "What happened during the fall of the Berlin Wall and why was it so significant?",
        "How do vaccines train the immune system to recognise a pathogen?",
        "Suggest names for a small bakery that specialises in sourdough and pastries.",
        "Explain the offside rule in football to someone who has never watched a match.",
        "Why does my sourdough starter smell like nail polish remover?",
        "What are the main arguments for and against a four day working week?",
        "How do I set up a Python virtual environment and install packages from a requirements file?",
        "Write a bedtime story about a shy dragon who learns to make friends.",
        "What is inflation and why do central banks raise interest rates to control it?",
        "How long should I boil an egg for a runny yolk at high altitude?",
        "Compare the climates of Norway and New Zealand for someone thinking of moving.",
        "What is the best way to learn to play the guitar as an adult with little free time?",
        "Explain what a neural network is to a ten year old.",
        "Help me plan a budget for a family of four on a single income in a big city.",
        "Why do cats knock things off tables?",
        "Create a workout plan for a beginner who wants to run a 5k in two months.",
    ];

    /// <summary>3,000 distinct generated words of 2-4 syllables; none is an English word an everyday-word list would hold.</summary>
    public static IReadOnlyList<string> Vocabulary { get; } = BuildVocabulary(3000, seed: 17);

    public static string RandomWords(Random random, int count)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                builder.Append(' ');
            }

            builder.Append(Vocabulary[random.Next(Vocabulary.Count)]);
        }

        return builder.ToString();
    }

    /// <summary>A prompt of 15-60 random words from <see cref="Vocabulary"/>.</summary>
    public static string UnrelatedPrompt(Random random) => RandomWords(random, random.Next(15, 61));

    /// <summary>
    /// A template of 15-60 words (slots included) with 2-4 slots of the given kinds (random kinds
    /// when null). With <paramref name="domainShare"/> above 0, that share of its fixed phrases are
    /// instead 1-3 generated words, fixed for the template: the subject-matter words of a
    /// specialised template ("you are an expert cardiologist"), which no everyday-word list holds.
    /// </summary>
    public static Template NewTemplate(Random random, Func<Random, SlotKind>? slotKind = null, double domainShare = 0)
    {
        slotKind ??= r => (SlotKind)r.Next(4);
        var targetWords = random.Next(15, 61);
        var slots = random.Next(2, 5);
        var fixedParts = new List<string>();
        var words = slots; // a slot is one or two words; count one
        while (words < targetWords || fixedParts.Count < slots)
        {
            var phrase = random.NextDouble() < domainShare ? RandomWords(random, random.Next(1, 4)) : s_phrases[random.Next(s_phrases.Length)];
            fixedParts.Add(phrase);
            words += phrase.Split(' ').Length;
        }

        // Slots go after distinct phrases (never two slots side by side).
        var positions = Enumerable.Range(0, fixedParts.Count).OrderBy(_ => random.Next()).Take(slots).ToHashSet();
        var segments = new List<Segment>();
        for (var i = 0; i < fixedParts.Count; i++)
        {
            segments.Add(new Segment(fixedParts[i], null));
            if (positions.Contains(i))
            {
                segments.Add(new Segment(null, slotKind(random)));
            }
        }

        return new Template(segments);
    }

    private static string Fill(Random random, SlotKind kind) => kind switch
    {
        SlotKind.Word => RandomWords(random, random.Next(1, 3)),
        SlotKind.Number => random.Next(3) switch
        {
            0 => random.Next(0, 100_000).ToString(CultureInfo.InvariantCulture),
            1 => (random.Next(0, 100_000) / 100.0).ToString("0.00", CultureInfo.InvariantCulture),
            _ => random.Next(1_000, 10_000_000).ToString("#,0", CultureInfo.InvariantCulture),
        },
        SlotKind.QuotedName => random.Next(2) == 0
            ? $"\"{Name(random)} {Name(random)}\""
            : $"'{Name(random)}'",
        SlotKind.Equation => string.Create(CultureInfo.InvariantCulture, $"{random.Next(1, 20)}x+{random.Next(1, 50)}={random.Next(1, 200)}"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static string Name(Random random)
    {
        var word = Vocabulary[random.Next(Vocabulary.Count)];
        return char.ToUpperInvariant(word[0]) + word[1..];
    }

    private static List<string> BuildVocabulary(int count, int seed)
    {
        var random = new Random(seed);
        var words = new HashSet<string>(StringComparer.Ordinal);
        var ordered = new List<string>(count);
        while (ordered.Count < count)
        {
            var syllables = random.Next(2, 5);
            var builder = new StringBuilder();
            for (var i = 0; i < syllables; i++)
            {
                builder.Append(s_syllables[random.Next(s_syllables.Length)]);
            }

            var word = builder.ToString();
            if (words.Add(word))
            {
                ordered.Add(word);
            }
        }

        return ordered;
    }

    public sealed record Segment(string? Text, SlotKind? Slot);

    public sealed record Template(IReadOnlyList<Segment> Segments)
    {
        public string Fill(Random random)
        {
            var parts = Segments.Select(s => s.Text ?? PromptCorpus.Fill(random, s.Slot!.Value));
            var text = string.Join(' ', parts);
            return char.ToUpperInvariant(text[0]) + text[1..] + (random.Next(2) == 0 ? "." : "?");
        }
    }
}

/// <summary>FsCheck with a fixed seed, so the prompt properties check the same cases on every run.</summary>
internal static class SeededProperties
{
    public static void Check(FsCheck.Property property, ulong seed, int maxTest = 300)
    {
        var replay = new FsCheck.Replay(new FsCheck.Rnd(seed, 0x9E3779B97F4A7C15UL), Microsoft.FSharp.Core.FSharpOption<int>.None);
        var config = FsCheck.Config.QuickThrowOnFailure.WithMaxTest(maxTest)
            .WithReplay(Microsoft.FSharp.Core.FSharpOption<FsCheck.Replay>.Some(replay));
        FsCheck.Check.One(config, property);
    }
}
