using System.ComponentModel.DataAnnotations;

namespace Reputation.Api.Security;

/// <summary>
/// API keys, stored as SHA-256 hashes, never as keys: <c>printf %s "$KEY" | sha256sum</c>.
/// </summary>
public sealed class ApiKeyOptions : IValidatableObject
{
    public const string SectionName = "Reputation:ApiKeys";

    public List<ApiKeyEntry> Keys { get; init; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Keys.Count == 0)
        {
            yield return new ValidationResult(
                "No API keys are configured: set Reputation:ApiKeys:Keys (name, sha256, scopes) — outside Development there are no default keys.",
                [nameof(Keys)]);
        }

        for (var i = 0; i < Keys.Count; i++)
        {
            var key = Keys[i];
            if (string.IsNullOrWhiteSpace(key.Name))
            {
                yield return new ValidationResult($"Reputation:ApiKeys:Keys:{i}:Name is required.", [nameof(Keys)]);
            }
            else if (Keys.FindIndex(k => k.Name == key.Name) < i)
            {
                yield return new ValidationResult(
                    $"Reputation:ApiKeys:Keys:{i}:Name '{key.Name}' is taken by another key; the name tells keys apart in the audit trail and the rate limits.", [nameof(Keys)]);
            }

            if (key.Sha256 is null || key.Sha256.Length != 64 || !key.Sha256.All(Uri.IsHexDigit))
            {
                yield return new ValidationResult($"Reputation:ApiKeys:Keys:{i}:Sha256 must be 64 hex characters (the SHA-256 of the key).", [nameof(Keys)]);
            }

            foreach (var scope in key.Scopes.Where(s => !Scopes.All.Contains(s)))
            {
                yield return new ValidationResult(
                    $"Reputation:ApiKeys:Keys:{i}:Scopes has unknown scope '{scope}'; known: {string.Join(", ", Scopes.All)}.", [nameof(Keys)]);
            }
        }
    }
}

public sealed class ApiKeyEntry
{
    /// <summary>Who the key belongs to; shows in logs and the audit trail, never the key itself.</summary>
    public string Name { get; init; } = "";

    /// <summary>Lower- or upper-case hex SHA-256 of the key.</summary>
    public string Sha256 { get; init; } = "";

    public List<string> Scopes { get; init; } = [];
}
