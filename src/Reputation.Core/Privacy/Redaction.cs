using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reputation.Core.Privacy;

/// <summary>
/// Replaces an erased account's id in recorded text (docs/security.md, "Erasure"): wherever it stands
/// as a whole token — the whole text, or between characters that cannot be part of an id token
/// (<c>account:alice</c>, <c>deny-list:account:alice</c>, "alice was seen"), never inside a longer
/// token (<c>alice2</c>, <c>malice</c>).
/// </summary>
public static class Redaction
{
    /// <summary>The text with every whole-token occurrence of <paramref name="id"/> replaced; the same instance when there is none.</summary>
    public static string Text(string text, string id, string replacement)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(replacement);
        StringBuilder? result = null;
        var copied = 0;
        var from = 0;
        while (from <= text.Length - id.Length)
        {
            var at = text.IndexOf(id, from, StringComparison.Ordinal);
            if (at < 0)
            {
                break;
            }

            var end = at + id.Length;
            if (Boundary(text, at - 1) && Boundary(text, end))
            {
                result ??= new StringBuilder(text.Length);
                result.Append(text, copied, at - copied).Append(replacement);
                copied = end;
                from = end;
            }
            else
            {
                from = at + 1;
            }
        }

        return result is null ? text : result.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>
    /// JSON text with <see cref="Text"/> applied to every string value (not to property names);
    /// the same instance when nothing changed, so an untouched record keeps its exact text.
    /// </summary>
    public static string Json(string json, string id, string replacement)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (!json.Contains(id, StringComparison.Ordinal))
        {
            return json;
        }

        var node = JsonNode.Parse(json);
        var changed = false;
        var redacted = Walk(node, id, replacement, ref changed);
        return changed ? (redacted?.ToJsonString() ?? "null") : json;
    }

    private static JsonNode? Walk(JsonNode? node, string id, string replacement, ref bool changed)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o.ToList())
                {
                    var walked = Walk(value, id, replacement, ref changed);
                    if (!ReferenceEquals(walked, value))
                    {
                        o[key] = walked;
                    }
                }

                return o;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    var value = a[i];
                    var walked = Walk(value, id, replacement, ref changed);
                    if (!ReferenceEquals(walked, value))
                    {
                        a[i] = walked;
                    }
                }

                return a;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                var text = v.GetValue<string>();
                var redacted = Text(text, id, replacement);
                if (ReferenceEquals(redacted, text))
                {
                    return v;
                }

                changed = true;
                return JsonValue.Create(redacted);
            default:
                return node;
        }
    }

    /// <summary>Start or end of the text, or a character that cannot continue an id token.</summary>
    private static bool Boundary(string text, int index) =>
        index < 0 || index >= text.Length || !(char.IsLetterOrDigit(text[index]) || text[index] is '-' or '_' or '.' or '@' or '+');
}
