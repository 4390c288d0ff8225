using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Reputation.Deploy.Tests;

/// <summary>
/// The one check on template text that Helm does not make: which <c>.Values</c> paths the templates
/// name. Helm renders a path that is not in values.yaml as nothing, without a word, so a misspelt
/// value would silently drop a setting; and a value no template reads is a setting that does nothing.
/// Everything else (syntax, blocks, includes, the objects themselves) is left to the real Helm.
/// </summary>
internal static partial class HelmTemplate
{
    /// <summary>Every <c>.Values.a.b.c</c> path named in an action, as its segments.</summary>
    public static IReadOnlyList<string[]> ValueReferences(string text) =>
        [.. ActionRegex().Matches(text)
            .SelectMany(a => ValueRefRegex().Matches(a.Groups["body"].Value))
            .Select(m => m.Groups["path"].Value.TrimStart('.').Split('.'))];

    /// <summary>Whether <paramref name="path"/> names a key in <paramref name="values"/> (its value may be null).</summary>
    public static bool Exists(JsonNode values, IReadOnlyList<string> path)
    {
        JsonNode? node = values;
        foreach (var segment in path)
        {
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(segment, out node))
            {
                return false;
            }
        }

        return true;
    }

    [GeneratedRegex(@"\{\{-?(?<body>.*?)-?\}\}", RegexOptions.Singleline)]
    private static partial Regex ActionRegex();

    [GeneratedRegex(@"(?<![\w.])\$?\.Values(?<path>(\.[A-Za-z_][A-Za-z0-9_]*)+)")]
    private static partial Regex ValueRefRegex();
}
