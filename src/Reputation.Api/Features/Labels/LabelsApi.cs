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

        api.MapPost("", async Task<Ok<LabelResponse>> (LabelRequest body, ClaimsPrincipal user, IMediator mediator, AuditContext audit, CancellationToken ct) =>
            {
                audit.Target = AuditTarget(body.EntityType, body.EntityId);
                var label = await mediator.Send(new SetLabel(body, user.Identity?.Name ?? "unknown"), ct);
                audit.Target = AuditTarget(label.EntityType, label.EntityId);
                audit.After = label;
                return TypedResults.Ok(label);
            })
            .Audited(AuditActions.LabelSet)
            .WithName("SetLabel")
            .WithSummary("Label an account, payment instrument, IP range or prompt template fraud, trusted or cleared")
            .WithDescription("Persisted and shown in entity views. A fraud label raises what the entity is linked to and, through it, " +
                "the rest of its cluster (within about a second for the entities' most recent accounts); trusted and cleared lower it the same way. " +
                "Very high-degree entities (carrier NAT ranges) are damped: one fraud account does not condemn their other users.");

        return api;
    }

    /// <summary><c>{type}:{id}</c> with the type as the API spells it (<c>ip-range:198.51.100.0/24</c>).</summary>
    private static string AuditTarget(EntityType type, string? id) =>
        $"{System.Text.Json.JsonSerializer.Serialize(type).Trim('"')}:{id}";
}
