namespace Reputation.Api.Errors;

/// <summary>A request that names what is wrong with it, field by field; becomes a 400 validation problem.</summary>
public sealed class RequestValidationException(IDictionary<string, string[]> errors)
    : Exception("The request is invalid: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")))
{
    public IDictionary<string, string[]> Errors { get; } = errors;
}

/// <summary>Collects field errors; <see cref="ThrowIfAny"/> ends validation.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
    }

    public string First => _errors.Select(e => $"{e.Key}: {e.Value[0]}").First();

    public void ThrowIfAny()
    {
        if (Any)
        {
            throw new RequestValidationException(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
        }
    }
}

/// <summary>A request that can check itself; run by the validation pipeline behaviour before its handler.</summary>
public interface IValidatable
{
    void Validate(ValidationErrors errors);
}

/// <summary>The audit record of an operate call could not be written; answered 503 (retry).</summary>
public sealed class AuditUnavailableException(Exception inner)
    : Exception("The audit record could not be written.", inner);
