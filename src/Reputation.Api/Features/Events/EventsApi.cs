using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Reputation.Api.Security;
using Reputation.Contracts;

namespace Reputation.Api.Features.Events;

internal static class EventsApi
{
    public static RouteGroupBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/events").WithTags("Events").RequireScope(Scopes.Ingest).ProducesCommonProblems();

        api.MapPost("", async Task<Accepted<EventBatchResult>> (HttpRequest request, IMediator mediator, IOptions<JsonOptions> json, CancellationToken ct) =>
            {
                var events = await EventBatchReader.ReadAsync(request, json.Value.SerializerOptions, ct);
                return TypedResults.Accepted((string?)null, await mediator.Send(new IngestEvents(events, KeyAccounts.Of(request.HttpContext.User)), ct));
            })
            .Accepts<EventBatch>("application/json")
            .WithName("IngestEvents")
            .WithSummary("Ingest 1 to 1000 signup, usage and payment events")
            .WithDescription("Each event is applied on its own: a malformed one is rejected alone with its index, the rest are applied. " +
                "The event id is the idempotency key: a re-sent event counts once (duplicates). Accepted events are persisted before the answer. " +
                "Velocity windows use occurredAt; an event more than 5 minutes in the future is rejected. " +
                "A key restricted to account-id prefixes has an event for any other account rejected alone. A body that is not JSON is a 400 with nothing applied.");

        return api;
    }
}
