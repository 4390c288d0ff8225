using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Reputation.Api.Features.Audit;
using Reputation.Api.Security;
using Reputation.Contracts;
using Reputation.Core.Text;
using Reputation.Grains;

namespace Reputation.Api.Features.Intel;

internal static class IntelApi
{
    public static RouteGroupBuilder MapIntelApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/intel").WithTags("Threat intel").ProducesCommonProblems();

        api.MapPost("/stix", async Task<Results<Ok<StixImportResult>, ProblemHttpResult>> (
                HttpRequest http, ClaimsPrincipal user, IMediator mediator, AuditContext audit, CancellationToken ct) =>
            {
                if (!http.HasJsonContentType())
                {
                    return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type.",
                        detail: "A STIX bundle is sent as application/json (or application/stix+json).");
                }

                // Read here rather than bound: a body that is not JSON is a 400 before anything is read
                // as STIX, and the body limit applies while it streams in (413).
                using var document = await JsonDocument.ParseAsync(http.Body, new JsonDocumentOptions { MaxDepth = 64 }, ct);
                // The bundle's id names the audit record only when it is valid text (StixBundleReader refuses the bundle otherwise).
                audit.Target = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("id", out var id)
                    && id.ValueKind == JsonValueKind.String && UnicodeText.FindInvalid(id) is null ? $"stix:{id.GetString()}" : "stix";
                var outcome = await mediator.Send(new ImportStix(document.RootElement), ct);
                if (outcome.Result is not { } result)
                {
                    return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The threat-intel store is full.",
                        detail: $"It holds {outcome.Held} indicators and at most {IntelGrain.MaxIndicators}; nothing of this bundle was imported. Revoke or let some expire first.");
                }

                audit.After = new { result.BundleId, result.Imported, result.Updated, result.Unchanged, result.Revoked, result.Skipped, result.Held };
                return TypedResults.Ok(result);
            })
            .RequireScope(Scopes.Operate)
            .Audited(AuditActions.IntelImport)
            .Accepts<JsonObject>("application/json", "application/stix+json")
            .WithName("ImportStix")
            .WithSummary("Import a STIX 2.1 bundle of threat-intel indicators")
            .WithDescription("Acts on `indicator` objects whose `pattern` (pattern_type `stix`) names IPv4/IPv6 addresses or CIDRs " +
                "(`[ipv4-addr:value = '198.51.100.7']`, `[ipv4-addr:value ISSUBSET '198.51.0.0/16']`, `ipv6-addr`) or the project's extension " +
                "types (`[x-reputation-payment-instrument:fingerprint = '...']`, `[x-reputation-prompt-template:fingerprint = '<16 hex>']`), " +
                "comparisons joined by OR. Reads valid_from / valid_until, confidence, revoked, indicator_types, created_by_ref and TLP " +
                "object_marking_refs. Every other object, and every indicator outside that subset, is skipped and counted (with a reason " +
                "per indicator), never a failure. A bundle that is not valid JSON, not STIX 2.1, or holds an indicator with a missing or " +
                "malformed property or a pattern that is not STIX patterning is a 400 whose `errors` are keyed by object id; nothing of " +
                "it is imported. At most 1,000 indicators are held (409 past it). Bodies over `Reputation:Api:MaxRequestBodyBytes` are a 413. " +
                "See docs/intel-sharing.md.")
            .Produces<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")
            .Produces<ProblemDetails>(StatusCodes.Status413PayloadTooLarge, "application/problem+json")
            .Produces<ProblemDetails>(StatusCodes.Status415UnsupportedMediaType, "application/problem+json");

        api.MapGet("/stix", async Task<Ok<JsonObject>> (string? since, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ExportStix(since), ct)))
            .RequireScope(Scopes.Intel, Scopes.Read)
            .WithName("ExportStix")
            .WithSummary("Export this deployment's confirmed indicators as one STIX 2.1 bundle")
            .WithDescription("IP ranges, payment instruments and prompt templates labelled fraud, on the deny list, or whose risk reached " +
                "the policy's `intel.exportThreshold` — never accounts. The bundle holds this deployment's identity, the TLP:GREEN marking, " +
                "the extension definitions of the custom fingerprint types and one indicator per entity. Without `since`: the indicators in " +
                "force. With `since` (RFC 3339): every indicator modified since, revoked ones (`revoked: true`) included. " +
                "A partner's key gets the `intel` scope, which opens this export and nothing else; keys with `read` may export too.");

        return api;
    }
}
