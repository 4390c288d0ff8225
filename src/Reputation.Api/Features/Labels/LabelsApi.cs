using System.Security.Claims;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Reputation.Api.Security;
using Reputation.Contracts;

namespace Reputation.Api.Features.Labels;

internal static class LabelsApi
{
    public static RouteGroupBuilder MapLabelsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/labels").WithTags("Labels").RequireScope(Scopes.Operate).ProducesCommonProblems();

        api.MapPost("", async Task<Ok<LabelResponse>> (LabelRequest body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new SetLabel(body, user.Identity?.Name ?? "unknown"), ct)))
            .WithName("SetLabel")
            .WithSummary("Label an account, payment instrument, IP range or prompt template fraud, trusted or cleared")
            .WithDescription("Persisted and shown in entity views. A fraud label raises what the entity is linked to and, through it, " +
                "the rest of its cluster (within about a second for the entities' most recent accounts); trusted and cleared lower it the same way. " +
                "Very high-degree entities (carrier NAT ranges) are damped: one fraud account does not condemn their other users.");

        return api;
    }
}
