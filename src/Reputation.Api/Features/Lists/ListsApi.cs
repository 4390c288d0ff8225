using System.Security.Claims;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Reputation.Api.OpenApi;
using Reputation.Api.Features.Audit;
using Reputation.Api.Security;
using Reputation.Contracts;
using Reputation.Grains;

namespace Reputation.Api.Features.Lists;

internal static class ListsApi
{
    private const string EntityPath = "/{list}/{entityType}/{**entityId}";

    public static RouteGroupBuilder MapListsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/lists").WithTags("Lists").ProducesCommonProblems();

        api.MapPut(EntityPath, async Task<Results<Ok<ListEntry>, ProblemHttpResult>> (
                string list, string entityType, string entityId, ListEntryRequest body, ClaimsPrincipal user, IMediator mediator, AuditContext audit, CancellationToken ct) =>
            {
                audit.Target = $"{list}-list:{entityType}:{entityId}";
                var result = await mediator.Send(new PutListEntry(list, entityType, entityId, body, user.Identity?.Name ?? "unknown"), ct);
                audit.Before = result.Previous;
                audit.After = result.Status == ListPutStatus.Applied ? result.Entry : null;
                return result.Status switch
                {
                    ListPutStatus.Applied => TypedResults.Ok(result.Entry!),
                    ListPutStatus.OnOtherList => TypedResults.Problem(
                        statusCode: StatusCodes.Status409Conflict,
                        title: "The entity is on the other list.",
                        detail: $"{entityType} {result.Previous!.EntityId} is on the {(result.Previous.List == ListKind.Allow ? "allow" : "deny")} list; remove it there first."),
                    _ => TypedResults.Problem(
                        statusCode: StatusCodes.Status409Conflict,
                        title: "The list is full.",
                        detail: $"The {list} list holds its maximum of {ListsGrain.MaxEntriesPerList} entries; remove one first."),
                };
            })
            .RequireScope(Scopes.Operate)
            .Audited(AuditActions.ListPut)
            .WithName("PutListEntry")
            .WithSummary("Put an account, payment instrument, IP range or prompt template on the allow or deny list")
            .WithDescription("Idempotent: the same entry again answers 200 and keeps its addedAt. `list` is allow or deny; `entityType` is " +
                "account, payment-instrument, ip-range or prompt-template. An IP range is `network/prefixLength`, at most an IPv4 /8 or an IPv6 /32 " +
                "(IPv4 8..32, IPv6 32..128, e.g. `198.18.0.0/16`; wider is a 400 naming entityId); host bits set is a 400 (the error names the network meant), and a deny " +
                "on a /16 covers every /24 in it. A prompt template is a bucket key (`b0:3fa2`) or a 16-hex fingerprint (its four buckets). " +
                "`reason` 1..500 characters; `expiresAt` optional, in the future (absent = never). An entity on the other list is a 409: " +
                "remove it there first. Each list holds at most 1,000 entries (409 past it). Decisions on every silo see the change within a second.")
            .Produces<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json");

        api.MapDelete(EntityPath, async Task<Results<NoContent, ProblemHttpResult>> (
                string list, string entityType, string entityId, IMediator mediator, AuditContext audit, CancellationToken ct) =>
            {
                audit.Target = $"{list}-list:{entityType}:{entityId}";
                var result = await mediator.Send(new RemoveListEntry(list, entityType, entityId), ct);
                audit.Before = result.Previous;
                return result.Previous is null
                    ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not listed.", detail: $"{entityType} {entityId} is not on the {list} list.")
                    : TypedResults.NoContent();
            })
            .RequireScope(Scopes.Operate)
            .Audited(AuditActions.ListDelete)
            .WithName("DeleteListEntry")
            .WithSummary("Remove an entity from the allow or deny list")
            .WithDescription("204 when removed, 404 when it was not on that list (or its entry had expired). The id is canonicalised as for PUT.")
            .Produces<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json");

        api.MapGet("/{list}", async Task<Ok<ListPage>> (string list, int? limit, string? after, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetListPage(list, limit, after), ct)))
            .RequireScope(Scopes.Read)
            .WithName("GetList")
            .WithSummary("List the entries in force on the allow or deny list")
            .WithDescription("Ordered by entity type and id. `limit` 1..1000 entries (default 100). `after` is a key cursor: the `next` " +
                "of the previous page, which is the last entry's `entityType/entityId`; absent for the first page. Expired entries are not listed.");

        return api;
    }
}
