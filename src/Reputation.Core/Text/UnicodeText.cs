using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Reputation.Core.Text;

/// <summary>
/// Whether text is valid Unicode as the service accepts it: no lone UTF-16 surrogate (which JSON
/// can carry as an escape such as <c>\ud800</c> and which cannot be stored, logged or sent back as
/// UTF-8) and no non-character (U+FDD0..U+FDEF and the last two code points of every plane,
/// reserved for a process's internal use and never meant to be interchanged).
/// </summary>
public static class UnicodeText
{
    /// <summary>What a caller is told about a string that is not valid text.</summary>
    public const string Problem = "must be valid Unicode text (no lone surrogate or non-character)";

    /// <summary>True when <paramref name="text"/> is null or holds only scalar values that are not non-characters.</summary>
    public static bool IsValid(string? text) => text is null || IndexOfInvalid(text) < 0;

    /// <summary>The index of the first lone surrogate or non-character, or -1 when there is none.</summary>
    public static int IndexOfInvalid(ReadOnlySpan<char> text)
    {
        // Everything below U+D800 is a valid scalar value and no non-character: the common case is one vectorised scan.
        var start = text.IndexOfAnyInRange('\uD800', '\uFFFF');
        if (start < 0)
        {
            return -1;
        }

        for (var i = start; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text[i..], out var rune, out var consumed) != OperationStatus.Done || IsNonCharacter(rune.Value))
            {
                return i;
            }

            i += consumed;
        }

        return -1;
    }

    /// <summary>U+FDD0..U+FDEF, and U+nFFFE and U+nFFFF in every plane n.</summary>
    public static bool IsNonCharacter(int codePoint) => codePoint is >= 0xFDD0 and <= 0xFDEF || (codePoint & 0xFFFE) == 0xFFFE;

    /// <summary>
    /// The JSON path (<c>objects[3].pattern</c>) of the first property name or string value in
    /// <paramref name="element"/> that is not valid text, or null when all are. For bodies read as
    /// a document rather than bound to a type, which would otherwise fail when a string is read.
    /// </summary>
    /// <remarks>Recursion is bounded by the depth the document was parsed with.</remarks>
    public static string? FindInvalid(JsonElement element) => FindInvalid(element, "");

    private static string? FindInvalid(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return IsValidString(element) ? null : Root(path);
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindInvalid(item, string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]")) is { } found)
                    {
                        return found;
                    }

                    index++;
                }

                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return Root(path);
                    }

                    if (!IsValid(name))
                    {
                        return Root(path);
                    }

                    if (FindInvalid(property.Value, path.Length == 0 ? name : $"{path}.{name}") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static bool IsValidString(JsonElement element)
    {
        try
        {
            // The reader refuses a lone surrogate escape or invalid UTF-8 when it makes the string.
            return IsValid(element.GetString());
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string Root(string path) => path.Length == 0 ? "body" : path;
}
