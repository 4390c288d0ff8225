using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace Reputation.Core.Prompts;

/// <summary>
/// Reduces a prompt to its template: what a campaign keeps fixed survives, what it varies from one
/// request to the next (numbers, quoted names and topics, code, links, addresses) becomes a
/// placeholder. Two fills of one template normalise to the same text, or to texts that differ only
/// in the bare words of their slots (see <see cref="SimHash"/> for how those are weighed).
/// </summary>
/// <remarks>
/// In order: invisible format characters (zero-width spaces, joiners, BOM) and private-use
/// characters are removed, so they cannot split words; typographic quotes and apostrophes become
/// their ASCII forms; whitespace runs become one space; fenced code (<c>```...```</c> or
/// <c>~~~</c>, also an unclosed fence) becomes <c>```_```</c> and inline code <c>`...`</c>
/// <c>`_`</c>; URLs become <c>&lt;url&gt;</c>, email addresses <c>&lt;email&gt;</c>; spans in
/// double or single quotes become <c>"_"</c> (a quote only opens where a word cannot end and a
/// single quote only closes where a word cannot go on, so <c>5"</c>, <c>what's</c> and
/// <c>students'</c> are not spans), and the quote marks no span claimed are dropped, all but
/// apostrophes inside a word; numbers (any run of digits, with decimal or thousands
/// separators: <c>3.14</c>, <c>1,000</c>) become <c>#</c>; then the text is lower-cased
/// (invariant) and trimmed. Placeholders other than <c>#</c> are set off by spaces so they are
/// words of their own. Normalising normalised text changes nothing. Every pattern is linear in the
/// input and has a match timeout as a second guard.
/// </remarks>
public static partial class PromptNormalizer
{
    /// <summary>A quoted span: the name, topic or passage a template was filled with.</summary>
    public const string QuotedPlaceholder = "\"_\"";

    /// <summary>Inline code.</summary>
    public const string CodePlaceholder = "`_`";

    /// <summary>A fenced code block.</summary>
    public const string CodeBlockPlaceholder = "```_```";

    /// <summary>A URL.</summary>
    public const string UrlPlaceholder = "<url>";

    /// <summary>An email address.</summary>
    public const string EmailPlaceholder = "<email>";

    /// <summary>A number.</summary>
    public const string NumberPlaceholder = "#";

    private static readonly SearchValues<char> s_typographicQuotes = SearchValues.Create("\u2018\u2019\u201A\u201B\u201C\u201D\u201E\u201F\u00AB\u00BB");

    /// <summary>The normalised template text of <paramref name="prompt"/>; empty for an empty or blank prompt.</summary>
    public static string Normalize(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (string.IsNullOrWhiteSpace(prompt))
        {
            return string.Empty;
        }

        // Masks go in as private-use characters and become placeholder text at the end, so no
        // later pattern can match inside an earlier placeholder (``` contains `, "_" contains ").
        var text = FoldQuoteMarks(RemoveFormatAndPrivateUseCharacters(prompt));
        text = Whitespace().Replace(text, " ");
        text = CodeFence().Replace(text, " \uE001 ");
        text = InlineCode().Replace(text, " \uE002 ");
        text = Url().Replace(text, " \uE003 ");
        text = Email().Replace(text, " \uE004 ");
        text = Quoted().Replace(text, " \uE005 ");
        text = StrayQuote().Replace(text, " ");
        text = Number().Replace(text, NumberPlaceholder);
        text = text.ToLowerInvariant();
        text = Whitespace().Replace(text, " ").Trim();
        return new StringBuilder(text)
            .Replace("\uE001", CodeBlockPlaceholder)
            .Replace("\uE002", CodePlaceholder)
            .Replace("\uE003", UrlPlaceholder)
            .Replace("\uE004", EmailPlaceholder)
            .Replace("\uE005", QuotedPlaceholder)
            .ToString();
    }

    /// <summary>True for a whole word that is one of the placeholders <see cref="Normalize"/> writes.</summary>
    internal static bool IsPlaceholder(string word) =>
        word is QuotedPlaceholder or CodePlaceholder or CodeBlockPlaceholder or UrlPlaceholder or EmailPlaceholder or NumberPlaceholder;

    // Typographic quotes behave as their ASCII forms: a curly-quoted name is a quoted span, a curly apostrophe an apostrophe.
    private static string FoldQuoteMarks(string text)
    {
        if (text.AsSpan().IndexOfAny(s_typographicQuotes) < 0)
        {
            return text;
        }

        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = chars[i] switch
            {
                '\u2018' or '\u2019' or '\u201A' or '\u201B' => '\'',
                '\u201C' or '\u201D' or '\u201E' or '\u201F' or '\u00AB' or '\u00BB' => '"',
                var c => c,
            };
        }

        return new string(chars);
    }

    private static bool IsRemoved(char c) =>
        char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.PrivateUse;

    private static string RemoveFormatAndPrivateUseCharacters(string text)
    {
        var index = 0;
        while (index < text.Length && !IsRemoved(text[index]))
        {
            index++;
        }

        if (index == text.Length)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        builder.Append(text, 0, index);
        for (; index < text.Length; index++)
        {
            if (!IsRemoved(text[index]))
            {
                builder.Append(text[index]);
            }
        }

        return builder.ToString();
    }

    // No pattern has a match timeout. A timeout is wall-clock: on a starved CPU an ordinary prompt
    // threw RegexMatchTimeoutException in the caller's process, and a fingerprint must not depend on
    // the machine's load. Each pattern is linear by construction instead: matches start only where
    // a run starts (look-behinds) and spans are bounded or unambiguous.

    // Lazy up to the next fence, or to the end when the fence is never closed (pasted code).
    [GeneratedRegex(@"(?:```|~~~)[\s\S]*?(?:```|~~~|\z)", RegexOptions.CultureInvariant)]
    private static partial Regex CodeFence();

    [GeneratedRegex(@"`[^`]{1,500}`", RegexOptions.CultureInvariant)]
    private static partial Regex InlineCode();

    // Starts only where a word cannot go on, so masking a number before it (3www -> #www) never makes a URL appear.
    [GeneratedRegex(@"(?<![\p{L}\p{N}_#.@/\-])(?:(?:https?|ftp)://|www\.)[^\s<>""'`]+[^\s<>""'`.,;:!?)\]}]", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    // The look-behind makes a match start only at the start of a run, which keeps the scan linear.
    [GeneratedRegex(@"(?<![\w.+#-])\w[\w.+-]*@[\w-]+(?:\.[\w-]+)+", RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    // A quote opens only where a word cannot end (so 5" is an inch mark) and a single quote closes
    // only where a word cannot go on (so don't, students' and o'clock stay words).
    [GeneratedRegex(
        @"(?<![\p{L}\p{N}])""[^""]{1,4000}""|(?<![\p{L}\p{N}])'(?=[^\s'])[^']{0,500}(?<=[^\s'])'(?![\p{L}\p{N}])",
        RegexOptions.CultureInvariant)]
    private static partial Regex Quoted();

    // What no span claimed: inch marks, unbalanced quotes, a trailing possessive apostrophe. Only
    // an apostrophe inside a word survives, so the only quote marks left are in placeholders.
    [GeneratedRegex(@"[""`]|(?<!\p{L})'|'(?!\p{L})", RegexOptions.CultureInvariant)]
    private static partial Regex StrayQuote();

    [GeneratedRegex(@"\d+(?:[.,]\d+)*", RegexOptions.CultureInvariant)]
    private static partial Regex Number();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();
}
