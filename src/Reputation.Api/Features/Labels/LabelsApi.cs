using System.Security.Claims;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Reputation.Api.Features.Audit;
using Reputation.Api.Security;
using Reputation.Contracts;

namespace Reputation.Api.Features.Labels;

internal static class LabelsApi
{
    public static RouteGroupBuilder MapLabelsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/labels").WithTags("Labels").RequireScope(Scopes.Operate).ProducesCommonProblems();

        api.MapPost("", async Task<Results<Ok<LabelResponse>, ProblemHttpResult>> (LabelRequest body, ClaimsPrincipal user, IMediator mediator, AuditContext audit, CancellationToken ct) =>
            {
                audit.Target = AuditTarget(body.EntityType, body.EntityId);
                if (await mediator.Send(new SetLabel(body, user.Identity?.Name ?? "unknown"), ct) is not { } label)
                {
                    return TypedResults.Problem($"The service holds no campaign '{body.EntityId}' (nor one merged into another); GET /v1/campaigns lists those it holds.",
                        statusCode: StatusCodes.Status404NotFound, title: "Campaign not found", type: "https://tools.ietf.org/html/rfc9110#section-15.5.5");
                }

                audit.Target = AuditTarget(label.EntityType, label.EntityId);
                audit.After = label;
                return TypedResults.Ok(label);
            })
            .Audited(AuditActions.LabelSet)
            .WithName("SetLabel")
            .WithSummary("Label an account, payment instrument, IP range, prompt template or campaign fraud, trusted or cleared")
            .WithDescription("Persisted and shown in entity views. A fraud label raises what the entity is linked to and, through it, " +
                "the rest of its cluster (within about a second for the entities' most recent accounts); trusted and cleared lower it the same way. " +
                "Very high-degree entities (carrier NAT ranges) are damped: one fraud account does not condemn their other users. " +
                "A campaign (entityType campaign, entityId cmp-…) is labelled through its members: every account the service holds for it " +
                "(the flagged accounts each of its listed shared entities keeps, up to 256 each, and its sampled members) gets the label; " +
                "accountsLabelled says how many. A well-formed campaign id the service does not hold is a 404; a malformed one a 400 naming entityId.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return api;
    }

    /// <summary><c>{type}:{id}</c> with the type as the API spells it (<c>ip-range:198.51.100.0/24</c>).</summary>
    private static string AuditTarget(EntityType type, string? id) =>
        $"{System.Text.Json.JsonSerializer.Serialize(type).Trim('"')}:{id}";
}
