using Microsoft.AspNetCore.Http.HttpResults;

namespace Reputation.Api.Errors;

/// <summary>Problem answers endpoints return themselves (the exception handler maps the rest).</summary>
internal static class Problems
{
    // TypedResults.Problem, not NotFound(problem): NotFound writes the problem as application/json,
    // and every error of the contract is application/problem+json.
    public static ProblemHttpResult NotFound(string title, string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: title, type: "https://tools.ietf.org/html/rfc9110#section-15.5.5");
}
