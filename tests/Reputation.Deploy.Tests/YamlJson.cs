using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Reputation.Deploy.Tests;

/// <summary>
/// YAML to JSON as Helm sees it: plain scalars resolve by the YAML core schema (null, bool, int,
/// float, else string); quoted scalars stay strings. YamlDotNet alone leaves every scalar a string,
/// which would let "replicaCount: three" and "replicaCount: 3" look alike to the schema.
/// </summary>
internal static partial class YamlJson
{
    /// <summary>Every document in <paramref name="yaml"/>, as JSON (an empty document is null).</summary>
    public static IReadOnlyList<JsonNode?> ParseAll(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return [.. stream.Documents.Select(d => Convert(d.RootNode))];
    }

    /// <summary>The single document in <paramref name="yaml"/>.</summary>
    public static JsonNode Parse(string yaml)
    {
        var docs = ParseAll(yaml);
        if (docs.Count != 1 || docs[0] is null)
        {
            throw new InvalidOperationException($"Expected one non-empty YAML document, found {docs.Count}.");
        }

        return docs[0]!;
    }

    public static JsonElement ToElement(JsonNode node) => JsonDocument.Parse(node.ToJsonString()).RootElement.Clone();

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => ConvertMap(map),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(Convert)]),
        YamlScalarNode scalar => ConvertScalar(scalar),
        _ => throw new InvalidOperationException($"Unsupported YAML node {node.NodeType} at {node.Start}."),
    };

    private static JsonObject ConvertMap(YamlMappingNode map)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in map.Children)
        {
            var name = key is YamlScalarNode s ? s.Value ?? "" : throw new InvalidOperationException($"Non-scalar key at {key.Start}.");
            if (obj.ContainsKey(name))
            {
                throw new InvalidOperationException($"Duplicate key '{name}' at {key.Start}.");
            }

            obj[name] = Convert(value);
        }

        return obj;
    }

    private static JsonValue? ConvertScalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (text is "true" or "True" or "TRUE")
        {
            return JsonValue.Create(true);
        }

        if (text is "false" or "False" or "FALSE")
        {
            return JsonValue.Create(false);
        }

        // YAML 1.1 (which Helm's parser follows) reads these as booleans; YAML 1.2 as strings.
        if (Yaml11Bool().IsMatch(text))
        {
            throw new InvalidOperationException($"'{text}' at {scalar.Start} is a boolean to Helm and a string to YAML 1.2: quote it or write true/false.");
        }

        if (Int().IsMatch(text))
        {
            return JsonValue.Create(long.Parse(text, CultureInfo.InvariantCulture));
        }

        if (Float().IsMatch(text))
        {
            return JsonValue.Create(double.Parse(text, CultureInfo.InvariantCulture));
        }

        return JsonValue.Create(text);
    }

    [GeneratedRegex("^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")]
    private static partial Regex Yaml11Bool();

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex Int();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}
