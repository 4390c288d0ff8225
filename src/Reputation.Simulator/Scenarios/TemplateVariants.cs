using System.Text.Json;
using System.Text.Json.Serialization;

namespace Reputation.Simulator.Scenarios;

/// <summary>
/// One campaign template: a single text, or several hand-written paraphrases of it (a JSON array), one
/// of which each request picks. Paraphrases are how a campaign keeps one template's fills out of one
/// fingerprint bucket.
/// </summary>
[JsonConverter(typeof(TemplateVariantsConverter))]
internal sealed record TemplateVariants(IReadOnlyList<string> Variants)
{
    public static implicit operator TemplateVariants(string template) => new([template]);

    public static TemplateVariants FromString(string template) => new([template]);

    public bool IsParaphrased => Variants.Count > 1;

    public bool Equals(TemplateVariants? other) => other is not null && Variants.SequenceEqual(other.Variants, StringComparer.Ordinal);

    public override int GetHashCode() => Variants.Count == 0 ? 0 : HashCode.Combine(Variants.Count, Variants[0]);
}

/// <summary>Reads a template as a string or an array of strings; writes one string when there is one variant.</summary>
internal sealed class TemplateVariantsConverter : JsonConverter<TemplateVariants>
{
    public override TemplateVariants Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return new TemplateVariants([reader.GetString()!]);
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("A template is a string, or an array of strings (its paraphrases).");
        }

        var variants = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException("A template's paraphrases are strings.");
            }

            variants.Add(reader.GetString()!);
        }

        return new TemplateVariants(variants);
    }

    public override void Write(Utf8JsonWriter writer, TemplateVariants value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Variants.Count == 1)
        {
            writer.WriteStringValue(value.Variants[0]);
            return;
        }

        writer.WriteStartArray();
        foreach (var variant in value.Variants)
        {
            writer.WriteStringValue(variant);
        }

        writer.WriteEndArray();
    }
}
