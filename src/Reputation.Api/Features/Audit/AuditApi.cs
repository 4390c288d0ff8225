using System.Text.Json;
using Mediator;
using Reputation.Api.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using Reputation.Api.OpenApi;
using Reputation.Api.Security;
using Reputation.Contracts;

namespace Reputation.Api.Features.Audit;

internal static class AuditApi
{
    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/audit").WithTags("Audit").RequireScope(Scopes.Operate).ProducesCommonProblems();

        // Query values arrive as text so a bad one is a validation problem naming it, not a binding failure.
        api.MapGet("", async Task<Ok<AuditPage>> (string? limit, string? before, string? action, string? target, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetAudit(limit, before, action, target), ct)))
            .Audited(AuditActions.Read)
            .WithName("GetAudit")
            .WithSummary("The audit log of operate calls, newest first")
            .WithDescription("Every call that needs the operate scope is recorded with the API key's name, action, target, time, status and, " +
                "for changes, what the API answered. Rejected calls (400, 404, 409, 412, 428) are recorded with their status; calls refused " +
                "with 401 or 403 are not. `limit` 1-500 (default 50); `before` is the `next` cursor of the previous page; `action` and `target` " +
                "filter exactly. Reading the log is itself recorded (action audit.read). Records cannot be edited or deleted: there are no such routes; " +
                "only an erasure (DELETE /v1/accounts/{accountId}) redacts the erased account's id in them, and Reputation:Audit:RetentionDays removes old ones.");

        return api;
    }
}

/// <summary>Audit action names; one per operate endpoint.</summary>
public static class AuditActions
{
    public const string Read = "audit.read";
    public const string LabelSet = "label.set";
    public const string PolicyPut = "policy.put";
    public const string ShadowPut = "policy.shadow.put";
    public const string ShadowDelete = "policy.shadow.delete";
    public const string Backtest = "policy.backtest";
    public const string ListPut = "list.put";
    public const string ListDelete = "list.delete";
    public const string IntelImport = "intel.import";
    public const string AccountErase = "account.erase";
    public const string BenchMemory = "bench.memory";
    public const string KeyVoid = "key.void";
    public const string AccountRelease = "account.release";
    public const string WatermarkRead = "watermark.read";
    public const string ReviewRead = "review.read";
    public const string WebhookPut = "webhook.put";
    public const string WebhookDelete = "webhook.delete";
    public const string WebhookDeliveriesRead = "webhook.deliveries.read";
}

public sealed record GetAudit(string? Limit, string? Before, string? Action, string? Target) : IRequest<AuditPage>, IValidatable
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;
    public const int MaxFilterLength = 256;

    public int LimitValue => Limit is null ? DefaultLimit : int.Parse(Limit, System.Globalization.CultureInfo.InvariantCulture);

    public long? BeforeValue => Before is null ? null : long.Parse(Before, System.Globalization.CultureInfo.InvariantCulture);

    public void Validate(ValidationErrors errors)
    {
        if (Limit is not null && (!int.TryParse(Limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var l) || l is < 1 or > MaxLimit))
        {
            errors.Add("limit", $"must be a whole number from 1 to {MaxLimit}");
        }

        if (Before is not null && (!long.TryParse(Before, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var b) || b < 1))
        {
            errors.Add("before", "must be a sequence number (the next cursor of an earlier page)");
        }

        if (Action is { Length: 0 or > MaxFilterLength })
        {
            errors.Add("action", $"must be 1 to {MaxFilterLength} characters");
        }

        if (Target is { Length: 0 or > MaxFilterLength })
        {
            errors.Add("target", $"must be 1 to {MaxFilterLength} characters");
        }
    }
}

public sealed class GetAuditHandler(IGrainFactory grains) : IRequestHandler<GetAudit, AuditPage>
{
    public async ValueTask<AuditPage> Handle(GetAudit request, CancellationToken cancellationToken)
    {
        var slice = await Grains.Audit.AuditReader.ReadAsync(grains, request.BeforeValue, request.LimitValue, request.Action, request.Target);
        return new AuditPage
        {
            Records = [.. slice.Records.Select(r => new AuditRecord
            {
                Sequence = r.Sequence,
                At = r.At,
                KeyName = r.KeyName,
                Action = r.Action,
                Target = r.Target,
                Status = r.Status,
                Before = Json(r.Before),
                After = Json(r.After),
            })],
            Next = slice.Next,
        };
    }

    private static JsonElement? Json(string? text)
    {
        if (text is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
