using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Reputation.Client;

/// <summary>One rule of <see cref="ReasoningElicitation"/>: a phrase or structure that asks a model for its reasoning.</summary>
/// <param name="Name">Stable, kebab-case name; what <see cref="ReasoningElicitation.Matches"/> returns.</param>
/// <param name="Description">What the rule looks for, in words.</param>
/// <param name="Pattern">The regular expression (matched case-insensitively, culture-invariant, on the prompt with whitespace folded).</param>
/// <param name="Weight">The score the rule gives on its own, in (0, 1).</param>
public sealed record ReasoningElicitationRule(string Name, string Description, string Pattern, double Weight);

/// <summary>
/// How strongly a prompt asks for step-by-step, hidden or reconstructed reasoning, the traces an
/// adversarial-distillation campaign harvests. A transparent rule table (<see cref="Rules"/>), not a
/// model: each matched rule is an independent piece of evidence and the score is their noisy-OR,
/// 1 − Π(1 − weight), in [0, 1]. Computed in the caller's process; usage events carry only the
/// number (<c>reasoningElicitation</c>), never the prompt.
/// </summary>
/// <remarks>
/// <para>The score is a signal, not a verdict: honest users ask for step-by-step answers too, and a
/// campaign that knows the rules can paraphrase around them. What the service looks at is the
/// <i>rate</i> across an account's or a cluster's traffic, next to template sharing and the rest.</para>
/// <para>Before matching, invisible format characters (zero-width spaces and the like) are removed,
/// typographic apostrophes become <c>'</c> and whitespace runs one space, so "step\u200Bby step" or a
/// line break cannot hide a phrase. Patterns are bounded (no nested unbounded repetition, gaps of
/// at most 600 characters) and each has a match timeout (<see cref="MatchTimeout"/>); a rule that
/// times out on a pathological prompt counts as not matched. Adding text to a prompt never lowers
/// its score: rules only look for the presence of a phrase.</para>
/// </remarks>
public static class ReasoningElicitation
{
    /// <summary>The per-rule match timeout.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    /// <summary>The rule table, in the order <see cref="Matches"/> reports.</summary>
    public static IReadOnlyList<ReasoningElicitationRule> Rules { get; } =
    [
        new("step-by-step",
            "Asks for the answer step by step (\"step by step\", \"step-by-step\").",
            @"\bstep[\s-]*by[\s-]*step\b",
            0.5),
        new("show-your-reasoning",
            "Asks to see the reasoning: \"show your reasoning / work / working / thinking / thought process / calculations / logic\", also \"show me all of your ...\".",
            @"\bshow\s+(?:me\s+)?(?:all\s+(?:of\s+)?)?(?:your|the)\s+(?:(?:full|complete|detailed|entire)\s+)?(?:reasoning|work|working|workings|thinking|thought\s+process|calculations?|logic)\b",
            0.6),
        new("chain-of-thought",
            "Names chain of thought (\"chain of thought\", \"chain-of-thought\", \"CoT\" in capitals).",
            @"\bchain[\s-]+of[\s-]+thoughts?\b|(?-i:\bCoT\b)",
            0.7),
        new("think-aloud",
            "Asks the model to think visibly: \"think out loud\", \"think aloud\", \"think / reason step by step\", \"let's think\".",
            @"\bthink(?:ing)?\s+(?:out\s+loud|aloud)\b|\b(?:think|reason)\s+(?:(?:it|this)\s+through\s+)?step[\s-]*by[\s-]*step\b|\blet'?s\s+think\b",
            0.6),
        new("explain-your-reasoning",
            "Asks the model to explain or walk through its own reasoning: \"explain / justify / walk me through your reasoning, thinking, thought process, logic, rationale\", \"explain each step\", \"an explanation of your reasoning\".",
            @"\b(?:explain|describe|justify|detail|walk\s+(?:me\s+)?through)\s+(?:all\s+(?:of\s+)?)?(?:your\s+(?:(?:full|complete|detailed|entire)\s+)?(?:reasoning|thinking|thought\s+process|logic|rationale|line\s+of\s+reasoning)|(?:your|each|every)\s+(?:single\s+)?steps?)\b|\bexplanation\s+of\s+(?:all\s+)?your\s+(?:reasoning|thinking|thought\s+process|logic|steps)\b",
            0.5),
        new("justify-your-answer",
            "Asks to explain or justify the answer: \"explain / justify your answer, choice, solution\". Weak alone (homework asks it too).",
            @"\b(?:explain|justify)\s+your\s+(?:answer|answers|choice|choices|solution|conclusion)\b",
            0.3),
        new("reason-before-answering",
            "Asks for reasoning before the answer: \"before answering, reason / think / analyse ...\", \"think carefully before you answer\".",
            @"\bbefore\s+(?:answering|responding|you\s+(?:answer|respond)|giving\s+(?:the|your|a)\s+(?:final\s+)?answer)\b[^.?!]{0,60}?\b(?:reason|think|deliberate|work\s+(?:it\s+)?(?:out|through)|analy[sz]e|consider)|\b(?:reason|think)\s+(?:(?:it|this)\s+through\s+|through\s+(?:it|this|the\s+problem)\s+)?(?:(?:carefully|hard|deeply|thoroughly)\s+)?before\s+(?:answering|responding|you\s+(?:answer|respond)|giving)\b",
            0.5),
        new("reveal-hidden-reasoning",
            "Asks to reveal reasoning a model keeps to itself: \"reveal / show / print / dump your hidden / internal / inner / private / raw reasoning, thoughts, scratchpad, monologue\".",
            @"\b(?:reveal|show|expose|share|print|output|display|disclose|dump|repeat|give\s+me|tell\s+me)\s+(?:me\s+)?(?:your|the)\s+(?:hidden|internal|inner|private|secret|raw|unfiltered|underlying)\s+(?:reasoning|thoughts?|thinking|chain[\s-]+of[\s-]+thought|scratch\s*pad|monologue|deliberations?|thought\s+process)\b",
            0.9),
        new("reconstruct-reasoning",
            "Asks to reconstruct reasoning after the fact: \"reconstruct / recreate / retrace your (entire) thought process, reasoning, chain of thought, derivation\".",
            @"\b(?:reconstruct|recreate|reproduce|retrace|replay|rebuild)\s+(?:your|the)\s+(?:(?:entire|full|complete|whole|original)\s+)?(?:thought\s+process|reasoning|thinking|thoughts|chain[\s-]+of[\s-]+thought|line\s+of\s+reasoning|derivation)\b",
            0.7),
        new("thinking-tags",
            "Contains reasoning tags such as <thinking>, </think>, <reasoning>, <scratchpad>.",
            @"<\s*/?\s*(?:thinking|think|thoughts?|reasoning|scratch_?pad|inner_monologue|cot)\s*>",
            0.7),
        new("every-intermediate-step",
            "Asks for every intermediate step: \"every / each / all (the) intermediate steps, results, calculations\", \"list / show / write out every step\".",
            @"\b(?:every|each|all(?:\s+(?:of\s+)?the)?|the|your)\s+intermediate\s+(?:steps?|results?|calculations?|values?|reasoning|stages?)\b|\b(?:list|show|write\s+out|spell\s+out|give)\s+(?:out\s+)?(?:every|each|all)\s+(?:single\s+)?steps?\b",
            0.6),
        new("verify-each-step",
            "Asks to check the steps: \"verify / check / double-check / justify each step, every step, all your steps\".",
            @"\b(?:verify|check|validate|double[\s-]?check|justify)\s+(?:each|every|all\s+(?:of\s+)?(?:the|your)|your)\s+(?:single\s+|intermediate\s+)?steps?\b",
            0.5),
        new("no-skipped-steps",
            "Forbids skipping steps: \"do not skip any steps\", \"without omitting steps\".",
            @"\b(?:do\s+not|don't|never|without)\s+(?:skip(?:ping)?|omit(?:ting)?|leav(?:e|ing)\s+out)\s+(?:any\s+)?(?:of\s+the\s+)?(?:intermediate\s+)?steps?\b",
            0.5),
        new("numbered-step-scaffold",
            "Lays out a numbered scaffold to be filled: \"Step 1:\" followed within 600 characters by \"Step 2:\". Weak alone (recipes have steps too).",
            @"\bstep\s*(?:1|one)\s*[:.)\]-][\s\S]{0,600}?\bstep\s*(?:2|two)\s*[:.)\]-]",
            0.4),
        new("continue-the-steps",
            "Asks to continue a partial derivation: \"continue from step 3\", \"fill in the remaining steps\", \"continue the reasoning\".",
            @"\b(?:continue|finish|complete|fill\s+in)\s+(?:with\s+)?(?:the\s+)?(?:remaining|rest\s+of\s+the|missing)\s+(?:steps?|reasoning|derivation|working)\b|\bcontinue\s+(?:from|with|at)\s+step\b|\bcontinue\s+(?:the|your|this)\s+(?:reasoning|derivation|working|chain\s+of\s+thought|proof|line\s+of\s+thought)\b",
            0.6),
        new("full-derivation",
            "Asks for the whole derivation: \"the full / complete / detailed derivation, working, worked solution\", \"from first principles\".",
            @"\b(?:full|complete|entire|whole|detailed|rigorous|explicit)\s+(?:derivation|working|workings|worked(?:[\s-]+out)?\s+solution|solution\s+path)\b|\bfrom\s+first\s+principles\b",
            0.5),
        new("scratchpad",
            "Asks the model to use a scratchpad or an inner monologue.",
            @"\bscratch[\s-]?pad\b|\b(?:inner|internal)\s+monologue\b",
            0.5),
        new("reasoning-trace",
            "Names a reasoning trace: \"reasoning trace / steps / chain / path / process\".",
            @"\breasoning\s+(?:traces?|steps|chains?|path|process)\b",
            0.5),
        new("reasoning-answer-format",
            "Prescribes an answer format with a reasoning part before the answer (\"Reasoning: ... Answer: ...\").",
            @"\b(?:reasoning|thoughts?|thinking|rationale|analysis)\s*:[\s\S]{0,600}?\b(?:final\s+)?answer\s*:",
            0.5),
        new("boxed-answer",
            "Asks for the final answer in \\boxed{...} or \"in a box\", the format of math reasoning data sets. Weak alone.",
            @"\\boxed\s*\{|\bboxed\s+answer\b|\bfinal\s+answer\s+(?:in|within)\s+a\s+box\b",
            0.4),
    ];

    private static readonly Regex[] s_patterns = [.. Rules.Select(rule =>
        new Regex(rule.Pattern, RegexOptions.Compiled | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeout))];

    /// <summary>The noisy-OR of the weights of the rules the prompt matches: 0 when none does, otherwise at least the largest matched weight.</summary>
    /// <param name="prompt">The prompt text.</param>
    /// <exception cref="ArgumentNullException"><paramref name="prompt"/> is null.</exception>
    public static double Score(string prompt)
    {
        var text = Prepare(prompt);
        var miss = 1.0;
        for (var i = 0; i < s_patterns.Length; i++)
        {
            if (IsMatch(i, text))
            {
                miss *= 1 - Rules[i].Weight;
            }
        }

        return 1 - miss;
    }

    /// <summary>The names of the rules the prompt matches, in table order: why it got its <see cref="Score"/>.</summary>
    /// <param name="prompt">The prompt text.</param>
    /// <exception cref="ArgumentNullException"><paramref name="prompt"/> is null.</exception>
    public static IReadOnlyList<string> Matches(string prompt)
    {
        var text = Prepare(prompt);
        var names = new List<string>();
        for (var i = 0; i < s_patterns.Length; i++)
        {
            if (IsMatch(i, text))
            {
                names.Add(Rules[i].Name);
            }
        }

        return names;
    }

    private static bool IsMatch(int rule, string text)
    {
        try
        {
            return s_patterns[rule].IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static string Prepare(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var builder = new StringBuilder(prompt.Length);
        var space = false;
        foreach (var c in prompt)
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }

            if (char.GetUnicodeCategory(c) == UnicodeCategory.Format)
            {
                continue;
            }

            if (space && builder.Length > 0)
            {
                builder.Append(' ');
            }

            space = false;
            builder.Append(c is '\u2019' or '\u2018' ? '\'' : c);
        }

        return builder.ToString();
    }
}
