using System.Net;
using System.Text;

namespace Reputation.Client;

/// <summary>
/// The reputation service answered with an error the client does not hide: a 4xx on a decision
/// (400 validation, 401 no valid key, 403 missing scope, 404 wrong base address: all caller bugs,
/// never replaced by a fallback), or any failure of an ingest or read once retries are spent.
/// </summary>
public sealed class ReputationApiException : Exception
{
    /// <summary>Creates an exception with no status code.</summary>
    public ReputationApiException()
    {
    }

    /// <summary>Creates an exception with a message and no status code.</summary>
    /// <param name="message">The message.</param>
    public ReputationApiException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message, a cause and no status code.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ReputationApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for an answer of the service.</summary>
    /// <param name="statusCode">The HTTP status code of the answer.</param>
    /// <param name="problem">The parsed problem+json body, if the answer had one.</param>
    /// <param name="message">The message; built from the status code and problem when omitted.</param>
    public ReputationApiException(HttpStatusCode statusCode, ReputationProblem? problem, string? message = null)
        : base(message ?? BuildMessage(statusCode, problem))
    {
        StatusCode = statusCode;
        Problem = problem;
    }

    /// <summary>The HTTP status code of the answer (0 when the exception was not made from an answer).</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The parsed problem+json body: title, detail and validation errors; <see langword="null"/> if there was none.</summary>
    public ReputationProblem? Problem { get; }

    private static string BuildMessage(HttpStatusCode statusCode, ReputationProblem? problem)
    {
        var message = new StringBuilder()
            .Append("The reputation service answered ").Append((int)statusCode).Append(' ').Append(statusCode);
        if (problem?.Title is { Length: > 0 } title)
        {
            message.Append(": ").Append(title);
        }

        if (problem?.Detail is { Length: > 0 } detail)
        {
            message.Append(" (").Append(detail).Append(')');
        }

        foreach (var (field, errors) in problem?.Errors ?? new Dictionary<string, string[]>())
        {
            message.Append("; ").Append(field).Append(": ").Append(string.Join(" ", errors));
        }

        return message.ToString();
    }
}
