using System.Text.Json;
using System.Text.Json.Serialization;
using Reputation.Core.Scoring;

namespace Reputation.Core.Policies;

/// <summary>
/// The JSON form of a <see cref="ScoringPolicy"/>, as the API shows it and as it is stored: camelCase,
/// enums as strings, and an unknown field is an error (a misspelt field must not be silently ignored).
/// </summary>
public static class PolicyJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    public static string Serialize(ScoringPolicy policy) => JsonSerializer.Serialize(policy, Options);

    public static ScoringPolicy Deserialize(string json) =>
        JsonSerializer.Deserialize<ScoringPolicy>(json, Options) ?? throw new JsonException("A policy cannot be null.");

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
