using System.ComponentModel.DataAnnotations;

namespace Reputation.Api.Security;

/// <summary>
/// API keys, stored as SHA-256 hashes, never as keys: <c>printf %s "$KEY" | sha256sum</c>.
/// </summary>
public sealed class ApiKeyOptions : IValidatableObject
{
    public const string SectionName = "Reputation:ApiKeys";

    /// <summary>A key's name is what events record as their sender (docs/operations.md, "API keys").</summary>
    public const int MaxNameLength = 64;

    /// <summary>As long as an account id may be.</summary>
    public const int MaxAccountPrefixLength = 128;

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
            else if (key.Name.Length > MaxNameLength || key.Name.Any(c => char.IsControl(c) || c == '/') || !Core.Text.UnicodeText.IsValid(key.Name))
            {
                yield return new ValidationResult(
                    $"Reputation:ApiKeys:Keys:{i}:Name must be at most {MaxNameLength} characters without '/' or control characters; events record it as their sender.", [nameof(Keys)]);
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

            foreach (var problem in AccountPrefixProblems(key))
            {
                yield return new ValidationResult($"Reputation:ApiKeys:Keys:{i}:AccountPrefixes {problem}", [nameof(Keys)]);
            }
        }
    }

    private static IEnumerable<string> AccountPrefixProblems(ApiKeyEntry key)
    {
        if (key.AccountPrefixes.Count == 0)
        {
            yield break;
        }

        if (key.Scopes.Contains(Scopes.Operate))
        {
            yield return "cannot restrict a key with the 'operate' scope: operators act on every account (labels, lists, voiding); give the gateway a key of its own.";
        }

        for (var p = 0; p < key.AccountPrefixes.Count; p++)
        {
            var prefix = key.AccountPrefixes[p];
            if (string.IsNullOrEmpty(prefix) || prefix.Length > MaxAccountPrefixLength || !Core.Text.UnicodeText.IsValid(prefix) || prefix.Any(char.IsControl))
            {
                yield return $"entry {p} must be 1 to {MaxAccountPrefixLength} characters of text without control characters (an empty prefix would match every account: leave the list out instead).";
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

    /// <summary>
    /// When not empty, the key may write events for and ask decisions about only the accounts whose
    /// id starts with one of these (ordinal, case-sensitive): one gateway or tenant cannot write
    /// another's accounts. Empty: every account.
    /// </summary>
    public List<string> AccountPrefixes { get; init; } = [];
}
