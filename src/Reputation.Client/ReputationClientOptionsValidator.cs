using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Reputation.Client;

/// <summary>
/// Data-annotation validation of <see cref="ReputationClientOptions"/>, done with
/// <see cref="Validator"/> directly so the library needs no Microsoft.Extensions.Options.DataAnnotations
/// package; it is what <c>ValidateDataAnnotations()</c> does, for this one type.
/// </summary>
internal sealed class ReputationClientOptionsValidator : IValidateOptions<ReputationClientOptions>
{
    public ValidateOptionsResult Validate(string? name, ReputationClientOptions options)
    {
        var failures = GetFailures(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public static void ThrowIfInvalid(ReputationClientOptions options)
    {
        var failures = GetFailures(options);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(ReputationClientOptions), failures);
        }
    }

    private static List<string> GetFailures(ReputationClientOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results
            .Select(r => $"ReputationClientOptions.{string.Join(",", r.MemberNames)}: {r.ErrorMessage}")
            .ToList();
    }
}
