using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Reputation.Deploy.Tests;

/// <summary>One <c>{{ ... }}</c> action: where it is and what is inside, without the trim markers.</summary>
internal sealed record TemplateAction(int Start, int End, string Body)
{
    public string Keyword => Body.Split([' ', '\t', '\n', '('], 2)[0];
}

/// <summary>
/// What can be checked about a Helm template without Helm: its actions, their nesting, the values
/// and defines they name, and a flattened text to parse as YAML. This is not rendering: conditions
/// are not evaluated (both branches stay), ranges are not expanded, and only plain value
/// references (<c>{{ .Values.a.b }}</c>, optionally <c>| quote</c>) are replaced by their values.
/// </summary>
internal static partial class HelmTemplate
{
    private static readonly string[] Openers = ["if", "range", "with", "define", "block"];

    public static IReadOnlyList<TemplateAction> Actions(string text) =>
        [.. ActionRegex().Matches(text).Select(m => new TemplateAction(m.Index, m.Index + m.Length, m.Groups["body"].Value.Trim()))];

    /// <summary>Unbalanced delimiters and blocks, each as a sentence; empty when the structure is sound.</summary>
    public static IReadOnlyList<string> StructureProblems(string text)
    {
        var problems = new List<string>();
        var rest = ActionRegex().Replace(text, "");
        if (rest.Contains("{{", StringComparison.Ordinal) || rest.Contains("}}", StringComparison.Ordinal))
        {
            problems.Add("a '{{' or '}}' has no partner");
        }

        var open = new Stack<TemplateAction>();
        foreach (var action in Actions(text).Where(a => !a.Body.StartsWith("/*", StringComparison.Ordinal)))
        {
            if (Openers.Contains(action.Keyword))
            {
                open.Push(action);
            }
            else if (action.Keyword == "else" && open.Count == 0)
            {
                problems.Add($"'{{{{ {action.Body} }}}}' at {action.Start} is outside any block");
            }
            else if (action.Keyword == "end" && !open.TryPop(out _))
            {
                problems.Add($"'{{{{ end }}}}' at {action.Start} closes nothing");
            }
        }

        problems.AddRange(open.Select(a => $"'{{{{ {a.Body} }}}}' at {a.Start} is never closed by '{{{{ end }}}}'"));
        return problems;
    }

    /// <summary>The action that closes the block opened by <paramref name="opener"/>.</summary>
    public static TemplateAction EndOf(string text, TemplateAction opener)
    {
        var depth = 0;
        foreach (var action in Actions(text).Where(a => a.Start >= opener.Start))
        {
            if (Openers.Contains(action.Keyword))
            {
                depth++;
            }
            else if (action.Keyword == "end" && --depth == 0)
            {
                return action;
            }
        }

        throw new InvalidOperationException($"'{{{{ {opener.Body} }}}}' is never closed.");
    }

    /// <summary>Every <c>.Values.a.b.c</c> path named in an action, as its segments.</summary>
    public static IReadOnlyList<string[]> ValueReferences(string text) =>
        [.. Actions(text).SelectMany(a => ValueRefRegex().Matches(a.Body)).Select(m => m.Groups["path"].Value.TrimStart('.').Split('.'))];

    public static IReadOnlyList<string> Includes(string text) =>
        [.. Actions(text).SelectMany(a => IncludeRegex().Matches(a.Body)).Select(m => m.Groups["name"].Value)];

    public static IReadOnlyList<string> Defines(string text) =>
        [.. Actions(text).SelectMany(a => DefineRegex().Matches(a.Body)).Select(m => m.Groups["name"].Value)];

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

    /// <summary>
    /// The template as YAML: lines holding only an action are dropped, plain value references
    /// become their values, every other action becomes <c>x</c>.
    /// </summary>
    public static string Flatten(string text, JsonNode values)
    {
        var lines = new List<string>();
        foreach (var line in CommentRegex().Replace(text, "").Split('\n'))
        {
            var actions = ActionRegex().Matches(line);
            if (actions.Count == 1 && actions[0].Value.Length == line.Trim().Length)
            {
                continue;
            }

            lines.Add(ActionRegex().Replace(line, m => Substitute(m.Groups["body"].Value.Trim(), values)));
        }

        return string.Join('\n', lines);
    }

    private static string Substitute(string body, JsonNode values)
    {
        var m = PlainValueRegex().Match(body);
        if (!m.Success)
        {
            return "x";
        }

        var path = m.Groups["path"].Value.TrimStart('.').Split('.');
        JsonNode? node = values;
        foreach (var segment in path)
        {
            node = node is JsonObject obj && obj.TryGetPropertyValue(segment, out var next)
                ? next
                : throw new InvalidOperationException($".Values.{string.Join('.', path)} is not in values.yaml.");
        }

        var scalar = node switch
        {
            null => "null",
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            JsonValue v => v.ToJsonString(),
            _ => throw new InvalidOperationException($".Values.{string.Join('.', path)} is not a scalar."),
        };
        return m.Groups["quote"].Success ? JsonSerializer.Serialize(scalar) : scalar;
    }

    [GeneratedRegex(@"\{\{-?(?<body>.*?)-?\}\}", RegexOptions.Singleline)]
    private static partial Regex ActionRegex();

    [GeneratedRegex(@"\{\{-?\s*/\*.*?\*/\s*-?\}\}", RegexOptions.Singleline)]
    private static partial Regex CommentRegex();

    [GeneratedRegex(@"(?<![\w.])\$?\.Values(?<path>(\.[A-Za-z_][A-Za-z0-9_]*)+)")]
    private static partial Regex ValueRefRegex();

    [GeneratedRegex(@"^\$?\.Values(?<path>(\.[A-Za-z_][A-Za-z0-9_]*)+)(?<quote>\s*\|\s*quote)?$")]
    private static partial Regex PlainValueRegex();

    [GeneratedRegex(@"\b(include|template)\s+""(?<name>[^""]+)""")]
    private static partial Regex IncludeRegex();

    [GeneratedRegex(@"\bdefine\s+""(?<name>[^""]+)""")]
    private static partial Regex DefineRegex();
}
