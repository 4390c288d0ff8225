using Reputation.Api.Errors;
using Reputation.Core.Networks;
using Reputation.Core.Text;

namespace Reputation.Api.Features;

/// <summary>Edge validation shared by every endpoint: ids, addresses, fingerprints, text.</summary>
internal static class Fields
{
    public const int MaxIdLength = 128;

    /// <summary>
    /// A free-text field (a reason, a model name) must be valid Unicode; true when it is (or is
    /// null). Ids, emails and every route and query value are checked through here too.
    /// </summary>
    public static bool Text(ValidationErrors errors, string field, string? value)
    {
        if (UnicodeText.IsValid(value))
        {
            return true;
        }

        errors.Add(field, UnicodeText.Problem);
        return false;
    }

    public const int MaxReasonLength = 500;

    /// <summary>An operator's reason (labels, releases): required, at most <see cref="MaxReasonLength"/> characters of valid text.</summary>
    public static void Reason(ValidationErrors errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(field, "is required");
        }
        else if (value.Length > MaxReasonLength)
        {
            errors.Add(field, $"must be at most {MaxReasonLength} characters");
        }
        else
        {
            Text(errors, field, value);
        }
    }

    /// <summary>A model name: at most <see cref="MaxIdLength"/> characters of valid text without control characters.</summary>
    public static void Model(ValidationErrors errors, string field, string? value)
    {
        if (value is not null && Text(errors, field, value) && (value.Length > MaxIdLength || value.Any(char.IsControl)))
        {
            errors.Add(field, $"must be at most {MaxIdLength} characters, without control characters");
        }
    }

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
        else if (Text(errors, field, value) && (value.Any(char.IsControl) || value.Contains('/', StringComparison.Ordinal) || value != value.Trim()))
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
        if (value is not null && Text(errors, field, value) && (value.Length > 320 || Core.Privacy.EmailHasher.Normalise(value) is null))
        {
            errors.Add(field, "must be an email address");
        }
    }
}
