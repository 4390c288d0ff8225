using System.Text.Json;
using System.Text.Json.Serialization;
using Refit;

namespace Reputation.Client;

/// <summary>The wire JSON of REST contract v1: camelCase, enums as their lowercase names, nulls omitted when writing.</summary>
internal static class ReputationJson
{
    // One options instance for every client: System.Text.Json caches type metadata per options instance.
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly SystemTextJsonContentSerializer _serializer = new(Options);

    public static RefitSettings CreateRefitSettings() => new(_serializer);
}
