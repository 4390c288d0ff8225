using System.Globalization;
using System.Security.Claims;
using System.Text;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Reputation.Api.Features.Audit;
using Reputation.Api.Security;
using Reputation.Contracts;
using Reputation.Grains.Policies;

namespace Reputation.Api.Features.Policies;

/// <summary>
/// Versioned policies: <c>GET</c> gives the current version with an <c>ETag</c> of its version;
/// <c>PUT</c> needs <c>If-Match</c> with it (optimistic concurrency). Every silo applies a new
/// version of <c>default</c> at once (docs/decisions/0008-policies.md).
/// </summary>
internal static class PoliciesApi
{
    public static RouteGroupBuilder MapPoliciesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/policies/{name}").WithTags("Policies").ProducesCommonProblems();

        api.MapGet("", async Task<Results<ContentHttpResult, ProblemHttpResult>> (string name, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                if (await mediator.Send(new GetPolicy(name), ct) is not { } revision)
                {
                    return NotFound(name);
                }

                Versioned(http, revision);
                return TypedResults.Content(revision.Json, "application/json", Encoding.UTF8);
            })
            .RequireScope(Scopes.Read)
            .Produces<Reputation.Core.Scoring.ScoringPolicy>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("GetPolicy")
            .WithSummary("A policy's current version, with its ETag")
            .WithDescription("`default` always exists (the built-in policy is version 1). The ETag is the version in quotes; send it back in If-Match to save.");

        api.MapPut("", async Task<IResult> (string name, HttpContext http, ClaimsPrincipal user, IMediator mediator, AuditContext audit, CancellationToken ct) =>
            {
                audit.Target = $"policy:{name}";
                if (!TryIfMatch(http.Request, out var expected, out var problem))
                {
                    return problem!;
                }

                using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
                var json = await reader.ReadToEndAsync(ct);
                var before = await mediator.Send(new GetPolicy(name), ct);
                audit.Before = before is null ? null : Element(before.Json);
                var result = await mediator.Send(new SavePolicy(name, json, expected, user.Identity?.Name ?? "unknown"), ct);
                if (result.Saved is not { } saved)
                {
                    http.Response.Headers.ETag = ETag(result.CurrentVersion);
                    return TypedResults.Problem(
                        statusCode: StatusCodes.Status412PreconditionFailed,
                        title: "The policy changed since you read it",
                        detail: string.Create(CultureInfo.InvariantCulture,
                            $"If-Match named version {expected}; the current version is {result.CurrentVersion}. GET it, apply your change again and PUT with its ETag."));
                }

                Versioned(http, saved);
                audit.After = Element(saved.Json);
                return TypedResults.Content(saved.Json, "application/json", Encoding.UTF8);
            })
            .RequireScope(Scopes.Operate)
            .Audited(AuditActions.PolicyPut)
            .Accepts<Reputation.Core.Scoring.ScoringPolicy>("application/json")
            .Produces<Reputation.Core.Scoring.ScoringPolicy>()
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired)
            .WithName("PutPolicy")
            .WithSummary("Save a new version of a policy (If-Match required)")
            .WithDescription("The body is a whole policy as GET returns it (`name` and `version` are set by the service). " +
                "If-Match must carry the current version's ETag: 412 if it changed meanwhile, 428 without If-Match; a new named policy takes If-Match \"0\". " +
                "A policy that is unsafe or inconsistent (thresholds out of order, weights or quotas out of range, unknown fields) is a 400 naming each bad field, and nothing is saved. " +
                "To restore an earlier version, PUT the policy from its history entry.");

        api.MapGet("/history", async Task<Results<Ok<PolicyHistoryEntry[]>, ProblemHttpResult>> (string name, IMediator mediator, CancellationToken ct) =>
            {
                var history = await mediator.Send(new GetPolicyHistory(name), ct);
                return history.Length == 0
                    ? NotFound(name)
                    : TypedResults.Ok(history.Select(r => new PolicyHistoryEntry(r.Version, r.By, r.At, Element(r.Json))).ToArray());
            })
            .RequireScope(Scopes.Read)
            .WithName("GetPolicyHistory")
            .WithSummary("Saved versions of a policy, newest first, with who saved each and when")
            .WithDescription("The last 100 versions. Each entry's `policy` can be PUT back (with the current ETag) to restore it.");

        api.MapPut("/shadow", async Task<Ok<ShadowView>> (string name, HttpContext http, ClaimsPrincipal user, IMediator mediator, AuditContext audit, CancellationToken ct) =>
            {
                audit.Target = $"policy:{name}/shadow";
                using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
                var json = await reader.ReadToEndAsync(ct);
                var shadow = await mediator.Send(new SetShadow(name, json, user.Identity?.Name ?? "unknown"), ct);
                audit.After = shadow;
                return TypedResults.Ok(shadow);
            })
            .RequireScope(Scopes.Operate)
            .Audited(AuditActions.ShadowPut)
            .Accepts<Reputation.Core.Scoring.ScoringPolicy>("application/json")
            .WithName("PutShadowPolicy")
            .WithSummary("Set a candidate policy evaluated beside the live one (shadow mode)")
            .WithDescription("Only for `default`, the live policy. Every decision is also decided under the candidate; responses never change. " +
                "The body is validated as a PUT of the policy is (400 naming each bad field). Setting a candidate again starts a new report. " +
                "To promote it, PUT its policy to /v1/policies/default with If-Match.");

        api.MapDelete("/shadow", async Task<Results<NoContent, ProblemHttpResult>> (string name, IMediator mediator, AuditContext audit, CancellationToken ct) =>
            {
                audit.Target = $"policy:{name}/shadow";
                return await mediator.Send(new ClearShadow(name), ct)
                    ? TypedResults.NoContent()
                    : TypedResults.Problem("No candidate policy is set.", statusCode: StatusCodes.Status404NotFound, title: "No shadow policy");
            })
            .RequireScope(Scopes.Operate)
            .Audited(AuditActions.ShadowDelete)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("DeleteShadowPolicy")
            .WithSummary("Remove the candidate policy; decisions stop being evaluated under it");

        api.MapGet("/shadow/report", async Task<Results<Ok<ShadowReport>, ProblemHttpResult>> (string name, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new GetShadowReport(name), ct) is { } report
                    ? TypedResults.Ok(report)
                    : TypedResults.Problem("No candidate policy is set: PUT one to /v1/policies/default/shadow.", statusCode: StatusCodes.Status404NotFound, title: "No shadow policy"))
            .RequireScope(Scopes.Read)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("GetShadowReport")
            .WithSummary("What the candidate would have decided since it was set")
            .WithDescription("Counts by (live decision, shadow decision) per decision kind, the number that would change, and up to 100 accounts whose decision would change. " +
                "Each silo adds its counts every second, so the report is at most about a second behind.");

        api.MapPost("/backtest", async Task<Results<Ok<BacktestResult>, ProblemHttpResult>> (string name, HttpContext http, IMediator mediator, AuditContext audit, CancellationToken ct) =>
            {
                audit.Target = $"policy:{name}";
                using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
                var json = await reader.ReadToEndAsync(ct);
                if (await mediator.Send(new RunBacktest(name, json), ct) is not { } result)
                {
                    return NotFound(name);
                }

                // What was compared and how much it changed; the accounts stay in the answer only.
                audit.After = new { result.CurrentVersion, result.Silos, result.Sampled, result.Changed };
                return TypedResults.Ok(result);
            })
            .RequireScope(Scopes.Operate)
            .Audited(AuditActions.Backtest)
            .Accepts<Reputation.Core.Scoring.ScoringPolicy>("application/json")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("BacktestPolicy")
            .WithSummary("Decide recent sampled decisions again under a candidate policy")
            .WithDescription("Each silo keeps a bounded sample of the facts its recent decisions were made from (a reservoir per decision kind, " +
                "`Reputation:Backtest:SamplePerKind`). The candidate in the body (a whole policy, validated as a PUT of the policy is: 400 naming each bad field) " +
                "and the named policy's current version decide every silo's sample again; the answer counts the decisions by (current, candidate) outcome per kind, " +
                "names up to 100 accounts per kind whose decision changes, and gives score histograms in tenths. Nothing is saved and no answer changes. " +
                "Like shadow mode, but at once and on decisions already made; 404 for a policy never saved.");

        return api;
    }

    private static ProblemHttpResult NotFound(string name) =>
        TypedResults.Problem($"No policy named '{name}' was ever saved; PUT one with If-Match \"0\" to create it.",
            statusCode: StatusCodes.Status404NotFound, title: "Policy not found", type: "https://tools.ietf.org/html/rfc9110#section-15.5.5");

    private static System.Text.Json.JsonElement Element(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static void Versioned(HttpContext http, PolicyRevision revision)
    {
        http.Response.Headers.ETag = ETag(revision.Version);
        http.Response.Headers.LastModified = revision.At.ToString("R", CultureInfo.InvariantCulture);
    }

    private static string ETag(int version) => string.Create(CultureInfo.InvariantCulture, $"\"{version}\"");

    private static bool TryIfMatch(HttpRequest request, out int version, out IResult? problem)
    {
        version = 0;
        problem = null;
        var header = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(header))
        {
            problem = TypedResults.Problem(statusCode: StatusCodes.Status428PreconditionRequired, title: "If-Match is required",
                detail: "Send the ETag of the version you edited (GET the policy first), for example If-Match: \"3\".");
            return false;
        }

        if (EntityTagHeaderValue.TryParse(header, out var tag) && !tag.IsWeak
            && int.TryParse(tag.Tag.AsSpan().Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out version))
        {
            return true;
        }

        problem = TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "If-Match is not a policy version",
            detail: "If-Match must be one ETag of the form \"3\" (a version number in quotes).",
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["If-Match"] = ["must be a version ETag such as \"3\""] } });
        return false;
    }
}

/// <summary>One saved version of a policy.</summary>
/// <param name="Version">The version number (its ETag without quotes).</param>
/// <param name="By">Name of the API key that saved it (<c>built-in</c> for the default's version 1).</param>
/// <param name="At">When it was saved.</param>
/// <param name="Policy">The whole policy as saved.</param>
public sealed record PolicyHistoryEntry(int Version, string By, DateTimeOffset At, System.Text.Json.JsonElement Policy);
