using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Reputation.Api.Security;
using Reputation.Contracts;

namespace Reputation.Api.Features.Campaigns;

internal static class CampaignsApi
{
    public static RouteGroupBuilder MapCampaignsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/campaigns").WithTags("Campaigns").RequireScope(Scopes.Read).ProducesCommonProblems();

        // Query values arrive as text so a bad one is a validation problem naming it, not a binding failure.
        api.MapGet("", async Task<Ok<CampaignPage>> (string? limit, string? after, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetCampaigns(limit, after), ct)))
            .WithName("ListCampaigns")
            .WithSummary("Campaigns: accounts linked through shared templates, cards and ranges most of whose accounts are flagged, largest first")
            .WithDescription("Largest first, then newest. `limit` 1-100 (default 20); `after` is the `next` of the previous page (the last " +
                "campaign id of that page); absent for the first page. An `after` naming no campaign the service holds is a 400 naming it. " +
                "Campaigns grow and merge while you page: a campaign can move between pages; ids stay valid (a merged campaign's id " +
                "answers with the campaign it joined). The service holds at most 64 campaigns (docs/decisions/0018-campaigns.md).");

        api.MapGet("/{campaignId}", async Task<Results<Ok<CampaignView>, ProblemHttpResult>> (string campaignId, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new GetCampaign(campaignId), ct) is { } view
                    ? TypedResults.Ok(view)
                    : TypedResults.Problem($"The service holds no campaign '{campaignId}' (nor one merged into another).",
                        statusCode: StatusCodes.Status404NotFound, title: "Campaign not found", type: "https://tools.ietf.org/html/rfc9110#section-15.5.5"))
            .WithName("GetCampaign")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A campaign: size, a sample of its members, the entities they share, evidence, first seen, traffic share by model")
            .WithDescription("The id of a campaign merged into another answers with that campaign (its `campaignId` says which). " +
                "Label every member with POST /v1/labels and entityType campaign.");

        return api;
    }
}
