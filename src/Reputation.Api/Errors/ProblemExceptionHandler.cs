using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Orleans.Runtime;

namespace Reputation.Api.Errors;

/// <summary>
/// Maps exceptions to problem+json: client mistakes to 4xx naming what is wrong, storage and
/// cluster trouble to 503 (retry later), anything else to a 500 without internals.
/// </summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            return true;
        }

        var problem = IsMissingBody(httpContext, exception) ? MissingBody() : Problem(exception);
        switch (problem.Status)
        {
            case StatusCodes.Status503ServiceUnavailable:
                logger.DependencyUnavailable(exception.GetType().Name, exception);
                httpContext.Response.Headers.RetryAfter = "1";
                break;
            case StatusCodes.Status500InternalServerError:
                logger.UnhandledException(exception.GetType().Name, exception);
                break;
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>
    /// An endpoint that reads a JSON body was sent none: minimal APIs say so in words meant for the
    /// endpoint's author ("Implicit body inferred for parameter ..."); the caller is told the body is missing.
    /// </summary>
    private static bool IsMissingBody(HttpContext httpContext, Exception exception) =>
        exception is BadHttpRequestException { StatusCode: StatusCodes.Status400BadRequest, InnerException: null }
        // The handler runs with the endpoint cleared; the feature keeps the one that failed.
        && httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>() is not null
        && httpContext.Request.ContentLength is null or 0
        && httpContext.Request.Headers.TransferEncoding.Count == 0;

    private static HttpValidationProblemDetails MissingBody() => ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["body"] = ["is required: this call takes a JSON body (Content-Type: application/json)"],
    });

    /// <summary>The status an exception is answered with (the audit trail records the same one).</summary>
    public static int StatusFor(Exception exception) => Problem(exception).Status!.Value;

    private static ProblemDetails Problem(Exception exception) => exception switch
    {
        RequestValidationException validation => ValidationProblem(validation.Errors),
        // Keyed by the object id (or objects[i]) so the producer can find the object at fault.
        Core.Intel.StixBundleException stix => new HttpValidationProblemDetails(stix.Problems
            .GroupBy(p => p.ObjectId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Problem).ToArray(), StringComparer.Ordinal))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "Not an acceptable STIX 2.1 bundle; nothing was imported.",
            Detail = string.Join("; ", stix.Problems.Take(20).Select(p => $"{p.ObjectId}: {p.Problem}")),
        },
        // A missing or mistyped field is a validation problem like any other: errors names the field.
        BadHttpRequestException { InnerException: JsonException json } when JsonProblem.FieldErrors(json) is { } fields => ValidationProblem(fields),
        BadHttpRequestException bad => new ProblemDetails
        {
            Status = bad.StatusCode,
            Title = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request body too large." : "Malformed request.",
            Detail = Describe(bad),
        },
        JsonException json => new ProblemDetails { Status = StatusCodes.Status400BadRequest, Title = "Malformed JSON body.", Detail = JsonProblem.Describe(json) },
        AuditUnavailableException => new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "Temporarily unavailable.",
            Detail = "The call could not be audited, so it is not acknowledged; a change it made may already be in force. Retry the call.",
        },
        Features.Events.IngestLogUnavailableException => new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "Temporarily unavailable.",
            Detail = "The batch could not be written to the service's log; nothing of it was acknowledged. Retry the batch.",
        },
        _ when IsUnavailable(exception) => new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "Temporarily unavailable.",
            Detail = "Storage or the cluster did not answer; nothing was acknowledged. Retry the call.",
        },
        _ => new ProblemDetails { Status = StatusCodes.Status500InternalServerError, Title = "Internal error." },
    };

    /// <summary>
    /// Storage or the cluster did not answer: Orleans' own exceptions and timeouts, an Azure storage
    /// failure, a connection that failed, and the AggregateException the Azure SDK throws when all its
    /// retries failed (when every failure in it is one of these).
    /// </summary>
    private static bool IsUnavailable(Exception exception) => exception switch
    {
        TimeoutException or OrleansException or SiloUnavailableException or Azure.RequestFailedException
            or HttpRequestException or System.Net.Sockets.SocketException => true,
        AggregateException { InnerExceptions.Count: > 0 } aggregate => aggregate.InnerExceptions.All(IsUnavailable),
        _ => false,
    };

    private static HttpValidationProblemDetails ValidationProblem(IDictionary<string, string[]> errors) =>
        new(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "One or more fields are invalid.",
            Detail = string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")),
        };

    private static string Describe(BadHttpRequestException bad) =>
        bad.InnerException is JsonException json ? JsonProblem.Describe(json)
        : bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is larger than the service accepts."
        : ParameterType().Replace(bad.Message, "\"$1\"");

    /// <summary>
    /// Minimal APIs name a parameter with its code type (<c>"LabelRequest body"</c>, <c>"int limit"</c>);
    /// a caller is told the parameter's name only.
    /// </summary>
    [System.Text.RegularExpressions.GeneratedRegex("\"[^\"\\s]+ ([^\"\\s]+)\"")]
    private static partial System.Text.RegularExpressions.Regex ParameterType();
}

internal static partial class ProblemLog
{
    [LoggerMessage(1001, LogLevel.Warning, "Dependency unavailable ({ExceptionType}); answered 503")]
    public static partial void DependencyUnavailable(this ILogger logger, string exceptionType, Exception exception);

    [LoggerMessage(1002, LogLevel.Error, "Unhandled {ExceptionType}; answered 500")]
    public static partial void UnhandledException(this ILogger logger, string exceptionType, Exception exception);
}

/// <summary>Turns System.Text.Json errors into messages that name the field, not .NET types.</summary>
internal static class JsonProblem
{
    // The reader fails the same way for a string that is not valid Unicode (a lone surrogate escape) as for a value of another type.
    private const string WrongType = "value has the wrong type, is not one of the allowed values or is not valid Unicode text";

    public static string Describe(JsonException exception)
    {
        var path = PathOf(exception);
        var message = exception.Message;
        if (IsMissingRequired(message))
        {
            var start = message.IndexOf(':', StringComparison.Ordinal);
            var fields = start >= 0 ? message[(start + 1)..].Trim().TrimEnd('.') : "some";
            return $"missing required field(s) {fields}";
        }

        if (IsWrongType(message))
        {
            return path is null ? "the body has a value of the wrong type" : $"{path}: {WrongType}";
        }

        return path is null ? "the body is not valid JSON" : $"{path}: not valid JSON";
    }

    /// <summary>The fields a binding failure is about, as validation errors; null when it names none (the body is not JSON).</summary>
    public static Dictionary<string, string[]>? FieldErrors(JsonException exception)
    {
        var message = exception.Message;
        if (IsMissingRequired(message))
        {
            var start = message.IndexOf(':', StringComparison.Ordinal);
            var names = start < 0 ? [] : message[(start + 1)..].TrimEnd('.')
                .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(n => n.Trim('\''))
                .Where(n => n.Length > 0)
                .Distinct(StringComparer.Ordinal)
                .ToList();
            return names.Count == 0 ? null : names.ToDictionary(n => n, _ => (string[])["is required"], StringComparer.Ordinal);
        }

        return IsWrongType(message) && PathOf(exception) is { } path
            ? new Dictionary<string, string[]>(StringComparer.Ordinal) { [path] = [WrongType] }
            : null;
    }

    /// <summary>
    /// What is wrong with the field a deserialisation failure is at, in words that name no code
    /// type (the serializer's own messages name the .NET types it was converting to).
    /// </summary>
    public static string FieldMessage(JsonException exception)
    {
        var message = exception.Message;
        return IsMissingRequired(message) ? Describe(exception)
            : IsWrongType(message) ? WrongType
            : message.Contains("could not be mapped", StringComparison.OrdinalIgnoreCase) ? "is not a known field"
            : message.Contains("cannot be null", StringComparison.OrdinalIgnoreCase) ? "must not be null"
            : "is not valid JSON here";
    }

    private static string? PathOf(JsonException exception) =>
        exception.Path is { Length: > 0 } p && p != "$" ? p.TrimStart('$', '.') : null;

    private static bool IsMissingRequired(string message) => message.Contains("missing required properties", StringComparison.OrdinalIgnoreCase);

    private static bool IsWrongType(string message) => message.Contains("could not be converted", StringComparison.OrdinalIgnoreCase);
}
