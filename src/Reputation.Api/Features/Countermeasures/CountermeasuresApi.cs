using System.Security.Claims;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Reputation.Api.Errors;
using Reputation.Api.Features.Audit;
using Reputation.Api.Security;
using Reputation.Contracts;

namespace Reputation.Api.Features.Countermeasures;

/// <summary>Releasing a held account and attributing watermark keys (docs/gateway-contract.md, docs/operations.md).</summary>
internal static class CountermeasuresApi
{
    public static IEndpointRouteBuilder MapCountermeasuresApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/accounts/{accountId}/release", async Task<Results<Ok<ReleaseResult>, ProblemHttpResult>> (
                string accountId, ReleaseRequest body, ClaimsPrincipal user, IMediator mediator, AuditContext audit, CancellationToken ct) =>
            {
                audit.Target = "account:" + accountId;
                if (await mediator.Send(new ReleaseAccount(accountId, body, user.Identity?.Name ?? "unknown"), ct) is not { } released)
                {
                    return Problems.NotFound("Account not found", $"No event or signup was ever seen for account '{accountId}'.");
                }

                audit.After = released;
                return TypedResults.Ok(released);
            })
            .WithTags("Accounts")
            .RequireScope(Scopes.Operate)
            .Audited(AuditActions.AccountRelease)
            .ProducesCommonProblems()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("ReleaseAccount")
            .WithSummary("Release a held account: end its hold and record a cleared label, so the same evidence does not hold it again at once")
            .WithDescription("Ends the account's hold (its request decisions carry no holdUntil until a new one begins), records a cleared " +
                "label with the reason, and remembers the account's request score now: for countermeasures.releaseHours the account is " +
                "allowed (reason RELEASED) while its score stays within countermeasures.releaseMargin of that score; new evidence that " +
                "raises it further holds it again. A list entry still overrides. Audited as account.release. 404 if the account was never seen.");

        app.MapGet("/v1/watermarks/{keyId}", async Task<Results<Ok<WatermarkView>, ProblemHttpResult>> (
                string keyId, IMediator mediator, AuditContext audit, CancellationToken ct) =>
            {
                audit.Target = "watermark:" + keyId;
                return await mediator.Send(new GetWatermark(keyId), ct) is { } view
                    ? TypedResults.Ok(view)
                    : Problems.NotFound("Watermark key not found", $"No decision ever issued watermark key '{keyId}'.");
            })
            .WithTags("Watermarks")
            .RequireScope(Scopes.Operate)
            .Audited(AuditActions.WatermarkRead)
            .ProducesCommonProblems()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("GetWatermark")
            .WithSummary("Whom a watermark key was issued to, and when: its campaign (or account) and the accounts given it")
            .WithDescription("A degrade carries watermarkKeyId, the same for every member of a campaign (per account before one forms). " +
                "Outputs of a released model that carry the gateway's watermark of a key are attributed here. Key ids are ids, not " +
                "secrets: the gateway holds the secrets. Audited as watermark.read. 400 for a malformed key id, 404 for one never issued.");

        return app;
    }
}
