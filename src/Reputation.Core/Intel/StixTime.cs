using System.Globalization;
using System.Text.RegularExpressions;

namespace Reputation.Core.Intel;

/// <summary>STIX timestamps: RFC 3339 in UTC with a <c>Z</c>; written with millisecond precision, as <c>created</c> and <c>modified</c> require.</summary>
public static partial class StixTime
{
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (text is null || !Shape().IsMatch(text))
        {
            return false;
        }

        // Leap second 60 is valid STIX; .NET has none: count it as the next second.
        var leap = text.AsSpan(17, 2).SequenceEqual("60");
        var parsed = leap ? string.Concat(text.AsSpan(0, 17), "59", text.AsSpan(19)) : text;
        if (!DateTimeOffset.TryParse(parsed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value))
        {
            return false;
        }

        if (leap)
        {
            value = value.AddSeconds(1);
        }

        return true;
    }

    /// <summary>UTC, milliseconds, Z: <c>2026-03-01T12:00:00.000Z</c>.</summary>
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A timestamp cut to the milliseconds it is written with, so what is exported compares equal to what is read back.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    [GeneratedRegex(@"^[0-9]{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\.[0-9]{1,9})?Z$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
