using Reputation.Api.Errors;
using Reputation.Core.Networks;

namespace Reputation.Api.Features;

/// <summary>Edge validation shared by every endpoint: ids, addresses, fingerprints.</summary>
internal static class Fields
{
    public const int MaxIdLength = 128;

    public static void Id(ValidationErrors errors, string field, string? value, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                errors.Add(field, "is required");
            }

            return;
        }

        if (value.Length > MaxIdLength)
        {
            errors.Add(field, $"must be at most {MaxIdLength} characters");
        }
        else if (value.Any(char.IsControl) || value.Contains('/', StringComparison.Ordinal) || value != value.Trim())
        {
            errors.Add(field, "must not contain control characters, '/' or surrounding spaces");
        }
    }

    public static IpRange? Ip(ValidationErrors errors, string field, string? value, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                errors.Add(field, "is required");
            }

            return null;
        }

        if (!IpRange.TryFromAddress(value, out var range))
        {
            errors.Add(field, "must be an IPv4 or IPv6 address");
            return null;
        }

        return range;
    }

    public static void Country(ValidationErrors errors, string field, string? value)
    {
        if (value is not null && (value.Length != 2 || !value.All(char.IsAsciiLetter)))
        {
            errors.Add(field, "must be an ISO 3166-1 alpha-2 code such as \"DE\"");
        }
    }

    public static void Currency(ValidationErrors errors, string field, string? value, bool required)
    {
        if (value is null)
        {
            if (required)
            {
                errors.Add(field, "is required");
            }

            return;
        }

        if (value.Length != 3 || !value.All(char.IsAsciiLetter))
        {
            errors.Add(field, "must be an ISO 4217 code such as \"USD\"");
        }
    }

    public static void Email(ValidationErrors errors, string field, string? value)
    {
        if (value is not null && (value.Length > 320 || Core.Privacy.EmailHasher.Normalise(value) is null))
        {
            errors.Add(field, "must be an email address");
        }
    }
}
