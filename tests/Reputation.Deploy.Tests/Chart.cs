using System.Text.Json.Nodes;

namespace Reputation.Deploy.Tests;

/// <summary>The chart's files, read once per test.</summary>
internal static class Chart
{
    public static JsonNode Values() => YamlJson.Parse(Repo.ReadText("charts", "reputation", "values.yaml"));

    public static string Template(string name) => File.ReadAllText(Path.Combine(Repo.Templates, name));

    /// <summary>Every file under templates/, by file name.</summary>
    public static IReadOnlyList<string> TemplateNames() =>
        [.. Directory.EnumerateFiles(Repo.Templates).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    /// <summary>The manifests (templates/*.yaml), not the helpers or NOTES.txt.</summary>
    public static IReadOnlyList<string> ManifestNames() => [.. TemplateNames().Where(n => n.EndsWith(".yaml", StringComparison.Ordinal))];

    /// <summary>A manifest flattened with the default values and parsed as one YAML document.</summary>
    public static JsonNode Manifest(string name) => YamlJson.Parse(HelmTemplate.Flatten(Template(name), Values()));
}
