using System.Security.Claims;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Reputation.Api.Security;
using Reputation.Contracts;

namespace Reputation.Api.Features.Decisions;

internal static class DecisionsApi
{
    public static RouteGroupBuilder MapDecisionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/decisions").WithTags("Decisions").RequireScope(Scopes.Decide).ProducesCommonProblems();

        api.MapPost("/signup", async Task<Ok<SignupDecisionResponse>> (SignupDecisionRequest body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new DecideSignup(body, user.Identity?.Name), ct)))
            .RestrictedToKeyAccounts<SignupDecisionRequest>(b => b.AccountId)
            .WithName("DecideSignup")
            .WithSummary("Signup decision: allow, review, challenge or deny a new account")
            .WithDescription("Records the signup (idempotent for the same account and attributes) and scores it. A raw email is normalised and keyed-hashed on arrival and never stored or logged.");

        api.MapPost("/request", async Task<Ok<RequestDecisionResponse>> (RequestDecisionRequest body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new DecideRequest(body), ct)))
            .RestrictedToKeyAccounts<RequestDecisionRequest>(b => b.AccountId)
            .WithName("DecideRequest")
            .WithSummary("Rate-limiter decision: allow, throttle, degrade or block, with a rate and a cache time")
            .WithDescription("Read-only and in memory. Unknown accounts get the new-account answer, never a 404. " +
                "Every answer other than allow carries holdUntil (when the account's hold ends unless renewed or released); a degrade " +
                "(and a throttle where the policy's countermeasures.responses say so) carries response {mode: summarizeReasoning | " +
                "withholdReasoning | fallbackModel (with model) | perturb (with level 0-1)}, chosen by the first rule matching the " +
                "outcome, score band, campaign and the request's model; a degrade carries watermarkKeyId, one per campaign (per account " +
                "before one forms). While the account's cluster member cannot be reached (it died and is not yet declared dead) or is " +
                "slower than Reputation:DecisionCache:StaleAfterMilliseconds, the last answer this instance gave for the account and IP " +
                "range comes back again with stale: true and cacheTtlSeconds at most 1; an account it never answered gets 503 " +
                "problem+json with Retry-After. Absent where they do not apply (stale: when false). Example of a degraded campaign member: " +
                "{\"decision\":\"degrade\",\"holdUntil\":\"2026-12-07T16:05:00+00:00\",\"response\":{\"mode\":\"fallbackModel\",\"model\":\"frontier-small\"}," +
                "\"watermarkKeyId\":\"wm-6b1e0f4c2a9d7e35\", ...}. The gateway contract: docs/gateway-contract.md.");

        api.MapPost("/billing", async Task<Ok<BillingDecisionResponse>> (BillingDecisionRequest body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new DecideBilling(body), ct)))
            .RestrictedToKeyAccounts<BillingDecisionRequest>(b => b.AccountId)
            .WithName("DecideBilling")
            .WithSummary("Billing decision: allow, hold or deny a charge")
            .WithDescription("Read-only. Payment outcomes are reported as payment events to POST /v1/events.");

        return api;
    }
}
