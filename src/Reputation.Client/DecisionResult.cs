namespace Reputation.Client;

/// <summary>
/// A decision from <see cref="ReputationClient"/>: either the service's answer or, when the service
/// could not answer, the configured fallback decision, flagged as such so it is never silent.
/// </summary>
/// <typeparam name="TResponse">The decision response type.</typeparam>
public sealed class DecisionResult<TResponse>
    where TResponse : class
{
    /// <summary>Creates a result.</summary>
    /// <param name="response">The decision.</param>
    /// <param name="fallbackCause">Why the fallback was used (see <see cref="FallbackCauses"/>), or <see langword="null"/> for the service's own answer.</param>
    public DecisionResult(TResponse response, string? fallbackCause = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        Response = response;
        FallbackCause = fallbackCause;
    }

    /// <summary>The decision to act on: the service's, or the fallback when <see cref="IsFallback"/>.</summary>
    public TResponse Response { get; }

    /// <summary>Whether <see cref="Response"/> is the configured fallback rather than the service's answer.</summary>
    public bool IsFallback => FallbackCause is not null;

    /// <summary>
    /// Why the fallback was used: <c>timeout</c>, <c>unreachable</c>, <c>http 503</c> (the status code),
    /// <c>invalid response</c>; <see langword="null"/> when the service answered.
    /// </summary>
    public string? FallbackCause { get; }

    /// <inheritdoc />
    public override string ToString() => IsFallback ? $"fallback ({FallbackCause}): {Response}" : Response.ToString()!;
}

/// <summary>The values of <see cref="DecisionResult{TResponse}.FallbackCause"/>.</summary>
public static class FallbackCauses
{
    /// <summary>The service did not answer within the decision timeout.</summary>
    public const string Timeout = "timeout";

    /// <summary>The service could not be reached (connection refused or reset, DNS failure, TLS failure).</summary>
    public const string Unreachable = "unreachable";

    /// <summary>The service answered success, but with a body that is not a decision.</summary>
    public const string InvalidResponse = "invalid response";

    /// <summary>The cause for a status code the service answered with, for example <c>http 503</c>.</summary>
    /// <param name="statusCode">The HTTP status code.</param>
    /// <returns>The cause text.</returns>
    public static string Http(int statusCode) => $"http {statusCode}";
}
