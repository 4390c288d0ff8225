using System.Globalization;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Reputation.Api.Errors;
using Reputation.Api.Features.Audit;
using Reputation.Api.Security;
using Reputation.Contracts;
using Reputation.Core.Webhooks;
using Reputation.Grains;
using Reputation.Grains.Webhooks;

namespace Reputation.Api.Features.Webhooks;

internal static class WebhooksApi
{
    public static RouteGroupBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/webhooks").WithTags("Webhooks").RequireScope(Scopes.Operate).ProducesCommonProblems();

        api.MapPut("/{name}", async Task<Ok<WebhookView>> (string name, WebhookRequest body, IMediator mediator, AuditContext audit, CancellationToken ct) =>
            {
                audit.Target = "webhook:" + name;
                var view = await mediator.Send(new PutWebhook(name, body), ct);
                audit.After = view;
                return TypedResults.Ok(view);
            })
            .Audited(AuditActions.WebhookPut)
            .WithName("PutWebhook")
            .WithSummary("Create or replace a webhook: a URL, a secret, and the events wanted")
            .WithDescription("Events: account.held, account.released, campaign.formed, campaign.grew, label.applied, policy.promoted. " +
                "Each delivery is a JSON POST {id, type, occurredAt, data} (ids and reasons only, no personal data) with X-Reputation-Timestamp " +
                "(unix seconds), X-Reputation-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + \".\" + body)> and X-Reputation-Delivery " +
                "(the idempotency key, the same on every attempt). Deliveries wait in a durable outbox, are retried with doubling waits across " +
                "restarts and marked failed after Reputation:Webhooks:GiveUpAfterMinutes (24 h); GET .../deliveries shows them. The URL " +
                "must be https outside Development and not loopback or link-local (checked on the address connected to as well). The " +
                "secret is never shown again; PUT again to rotate it. Audited as webhook.put (without the secret).");

        api.MapDelete("/{name}", async Task<Results<NoContent, ProblemHttpResult>> (string name, IMediator mediator, AuditContext audit, CancellationToken ct) =>
            {
                audit.Target = "webhook:" + name;
                return await mediator.Send(new DeleteWebhook(name), ct)
                    ? TypedResults.NoContent()
                    : Problems.NotFound("Webhook not found", $"No webhook '{name}' is configured.");
            })
            .Audited(AuditActions.WebhookDelete)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("DeleteWebhook")
            .WithSummary("Remove a webhook; deliveries still pending are dropped");

        api.MapGet("/{name}/deliveries", async Task<Results<Ok<WebhookDeliveryLog>, ProblemHttpResult>> (string name, IMediator mediator, AuditContext audit, CancellationToken ct) =>
            {
                audit.Target = "webhook:" + name;
                return await mediator.Send(new GetWebhookDeliveries(name), ct) is { } log
                    ? TypedResults.Ok(log)
                    : Problems.NotFound("Webhook not found", $"No webhook '{name}' is configured.");
            })
            .Audited(AuditActions.WebhookDeliveriesRead)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("GetWebhookDeliveries")
            .WithSummary("The webhook's delivery log: pending deliveries, then the last 100 delivered or failed, newest first")
            .WithDescription("Each with its idempotency key, event type, status (pending, delivered, failed), attempts, the last HTTP status " +
                "and error, and for a pending one when it is next attempted. Audited as webhook.deliveries.read.");

        return api;
    }
}

public sealed record PutWebhook(string Name, WebhookRequest Body) : IRequest<WebhookView>, IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        WebhookName.Validate(errors, Name);
        // The form of the URL here; what only Development allows (http, local targets) in the handler, which knows the environment.
        if (WebhookRules.TargetProblem(Body.Url, development: true) is { } problem)
        {
            errors.Add("url", problem);
        }

        if (Body.Secret is null || Body.Secret.Length is < WebhookRules.MinSecretLength or > WebhookRules.MaxSecretLength)
        {
            errors.Add("secret", $"must be {WebhookRules.MinSecretLength} to {WebhookRules.MaxSecretLength} characters");
        }
        else
        {
            Fields.Text(errors, "secret", Body.Secret);
        }

        if (Body.Events is not { Count: > 0 })
        {
            errors.Add("events", "must name at least one event: " + string.Join(", ", WebhookEvents.All));
            return;
        }

        for (var i = 0; i < Body.Events.Count; i++)
        {
            var field = string.Create(CultureInfo.InvariantCulture, $"events[{i}]");
            if (!WebhookEvents.All.Contains(Body.Events[i], StringComparer.Ordinal))
            {
                errors.Add(field, "must be one of " + string.Join(", ", WebhookEvents.All));
            }
            else if (Body.Events.Take(i).Contains(Body.Events[i], StringComparer.Ordinal))
            {
                errors.Add(field, "is named twice");
            }
        }
    }
}

public sealed record DeleteWebhook(string Name) : IRequest<bool>, IValidatable
{
    public void Validate(ValidationErrors errors) => WebhookName.Validate(errors, Name);
}

public sealed record GetWebhookDeliveries(string Name) : IRequest<WebhookDeliveryLog?>, IValidatable
{
    public void Validate(ValidationErrors errors) => WebhookName.Validate(errors, Name);
}

internal static class WebhookName
{
    public static void Validate(ValidationErrors errors, string name)
    {
        if (!WebhookRules.IsName(name))
        {
            errors.Add("name", "must be 1 to 64 lower-case letters, digits and dashes, starting with a letter or digit");
        }
    }
}

public sealed class WebhookHandlers(IGrainFactory grains, WebhookSettings settings) :
    IRequestHandler<PutWebhook, WebhookView>,
    IRequestHandler<DeleteWebhook, bool>,
    IRequestHandler<GetWebhookDeliveries, WebhookDeliveryLog?>
{
    public async ValueTask<WebhookView> Handle(PutWebhook request, CancellationToken cancellationToken)
    {
        var b = request.Body;
        if (WebhookRules.TargetProblem(b.Url, settings.AllowLocalTargets) is { } problem)
        {
            var errors = new ValidationErrors();
            errors.Add("url", problem);
            errors.ThrowIfAny();
        }

        // The grain writes its row and the hub's subscription so that a failure leaves the webhook as it was.
        var saved = await grains.Ref<IWebhookGrain>(request.Name).ConfigureAsync(new WebhookConfig { Url = b.Url, Secret = b.Secret, Events = [.. b.Events] });
        return new WebhookView { Name = saved.Name, Url = saved.Url, Events = saved.Events, UpdatedAt = saved.UpdatedAt, Pending = saved.Pending };
    }

    // The grain removes its row, then its subscription: a removal that fails leaves the webhook whole.
    public async ValueTask<bool> Handle(DeleteWebhook request, CancellationToken cancellationToken) =>
        await grains.Ref<IWebhookGrain>(request.Name).DeleteAsync();

    public async ValueTask<WebhookDeliveryLog?> Handle(GetWebhookDeliveries request, CancellationToken cancellationToken)
    {
        var webhook = grains.Ref<IWebhookGrain>(request.Name);
        if (await webhook.GetAsync() is null)
        {
            return null;
        }

        return new WebhookDeliveryLog
        {
            Deliveries = [.. (await webhook.GetDeliveriesAsync()).Select(d => new WebhookDeliveryView
            {
                Id = d.Id,
                Type = d.Type,
                Status = d.Status,
                CreatedAt = d.CreatedAt,
                Attempts = d.Attempts,
                LastAttemptAt = d.LastAttemptAt,
                NextAttemptAt = d.Status == "pending" ? d.NextAttemptAt : null,
                LastStatusCode = d.LastStatusCode,
                LastError = d.LastError,
                DoneAt = d.DoneAt,
            })],
        };
    }
}
