using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Reputation.Api.Features.Audit;
using Reputation.Api.Security;
using Reputation.Contracts;

namespace Reputation.Api.Features.Keys;

internal static class KeysApi
{
    public static RouteGroupBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/keys").WithTags("Keys").ProducesCommonProblems();

        api.MapPost("/{keyName}/void", async Task<Ok<VoidKeyResult>> (string keyName, VoidKeyRequest body, IMediator mediator, AuditContext audit, CancellationToken ct) =>
            {
                audit.Target = $"key:{keyName}";
                audit.Before = body;
                var result = await mediator.Send(new VoidKey(keyName, body), ct);
                audit.After = result;
                return TypedResults.Ok(result);
            })
            .RequireScope(Scopes.Operate)
            .Audited(AuditActions.KeyVoid)
            .WithName("VoidKeyEvents")
            .WithSummary("Void the events one API key sent, all of them or those of a time window")
            .WithDescription("By arrival time: `from` (default: as far back as the key journal keeps, seven days) to `to` (default: now). " +
                "Each affected account takes back the voided events' counts and the links they created (payment instruments, IP ranges, prompt templates); " +
                "the entities they linked forget the account, and payment and range counters take the events back; a prompt-template bucket takes back what it " +
                "counted of a usage event while it still holds it among its last 256 (templateUsageKept counts the events some bucket no longer held). Idempotent: events voided before are counted " +
                "in alreadyVoided. A `from` older than the journal keeps is a 400 naming it. Events past the journal's 4,096 per key and hour are counted in " +
                "unjournaled and cannot be voided. The key need not be configured any more: void a stolen key after removing it. " +
                "docs/decisions/0021-event-provenance.md says what is and is not rebuilt.");

        return api;
    }
}
