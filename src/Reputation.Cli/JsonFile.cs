using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reputation.Cli;

internal static class JsonFile
{
    public static JsonSerializerOptions Indented { get; } = new() { WriteIndented = true };

    /// <summary>The file as a JSON object, or why it is not one.</summary>
    public static bool TryReadObject(FileInfo file, [NotNullWhen(true)] out JsonObject? value, out string problem)
    {
        try
        {
            value = JsonNode.Parse(File.ReadAllText(file.FullName)) as JsonObject;
            problem = value is null ? "the top level is not an object" : "";
            return value is not null;
        }
        catch (JsonException e)
        {
            value = null;
            problem = e.Message;
            return false;
        }
    }
}
