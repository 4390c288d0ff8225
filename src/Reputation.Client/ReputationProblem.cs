using System.Text.Json;

namespace Reputation.Client;

/// <summary>An RFC 9457 <c>application/problem+json</c> error answer of the reputation service.</summary>
public sealed record ReputationProblem
{
    private static readonly IReadOnlyDictionary<string, string[]> _noErrors =
        new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);

    private static readonly IReadOnlyDictionary<string, JsonElement> _noExtensions =
        new Dictionary<string, JsonElement>(StringComparer.Ordinal);

    /// <summary>URI reference identifying the problem type.</summary>
    public string? Type { get; init; }

    /// <summary>Short summary of the problem type.</summary>
    public string? Title { get; init; }

    /// <summary>The HTTP status code, as the service put it in the body.</summary>
    public int? Status { get; init; }

    /// <summary>Explanation of this occurrence of the problem.</summary>
    public string? Detail { get; init; }

    /// <summary>URI reference identifying this occurrence.</summary>
    public string? Instance { get; init; }

    /// <summary>
    /// Validation errors by field (the <c>errors</c> member of a validation problem); empty when there
    /// are none. Keys compare case-insensitively, so <c>accountId</c> finds <c>AccountId</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; init; } = _noErrors;

    /// <summary>Every other member of the problem object (for example <c>traceId</c>).</summary>
    public IReadOnlyDictionary<string, JsonElement> Extensions { get; init; } = _noExtensions;

    /// <summary>Parses a problem+json body; <see langword="null"/> when the text is not a JSON object.</summary>
    /// <param name="json">The response body.</param>
    /// <returns>The problem, or <see langword="null"/>.</returns>
    public static ReputationProblem? TryParse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object ? FromElement(document.RootElement) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ReputationProblem FromElement(JsonElement root)
    {
        string? type = null, title = null, detail = null, instance = null;
        int? status = null;
        var errors = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        var extensions = new Dictionary<string, JsonElement>(StringComparer.Ordinal);

        foreach (var property in root.EnumerateObject())
        {
            switch (property.Name.ToLowerInvariant())
            {
                case "type": type = AsString(property.Value); break;
                case "title": title = AsString(property.Value); break;
                case "detail": detail = AsString(property.Value); break;
                case "instance": instance = AsString(property.Value); break;
                case "status" when property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out var s):
                    status = s;
                    break;
                case "errors" when property.Value.ValueKind == JsonValueKind.Object:
                    foreach (var field in property.Value.EnumerateObject())
                    {
                        errors[field.Name] = AsMessages(field.Value);
                    }

                    break;
                default:
                    extensions[property.Name] = property.Value.Clone();
                    break;
            }
        }

        return new ReputationProblem
        {
            Type = type,
            Title = title,
            Status = status,
            Detail = detail,
            Instance = instance,
            Errors = errors,
            Extensions = extensions,
        };
    }

    private static string? AsString(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString() : value.ValueKind == JsonValueKind.Null ? null : value.GetRawText();

    private static string[] AsMessages(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => value.EnumerateArray().Select(e => AsString(e) ?? "").ToArray(),
        JsonValueKind.Null => [],
        _ => [AsString(value) ?? ""],
    };
}
