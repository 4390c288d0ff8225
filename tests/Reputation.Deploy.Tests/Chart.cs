using System.Text.Json.Nodes;

namespace Reputation.Deploy.Tests;

/// <summary>The chart's files, read once per test, and its objects as Helm renders them.</summary>
internal static class Chart
{
    public static JsonNode Values() => YamlJson.Parse(Repo.ReadText("charts", "reputation", "values.yaml"));

    public static string Template(string name) => File.ReadAllText(Path.Combine(Repo.Templates, name));

    /// <summary>Every file under templates/, by file name.</summary>
    public static IReadOnlyList<string> TemplateNames() =>
        [.. Directory.EnumerateFiles(Repo.Templates).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    /// <summary>The manifests (templates/*.yaml), not the helpers or NOTES.txt.</summary>
    public static IReadOnlyList<string> ManifestNames() => [.. TemplateNames().Where(n => n.EndsWith(".yaml", StringComparison.Ordinal))];

    /// <summary>The object <paramref name="name"/> renders with the default values and <paramref name="helmArgs"/>.</summary>
    public static JsonNode Manifest(string name, params string[] helmArgs) => Helm.Single(Helm.Template(helmArgs), name).Json;

    /// <summary>Whether <paramref name="name"/> renders an object at all with <paramref name="helmArgs"/>.</summary>
    public static bool Renders(string name, params string[] helmArgs) => Helm.Template(helmArgs).Any(o => o.Template == name);
}
