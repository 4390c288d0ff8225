using System.Globalization;
using Mediator;
using Reputation.Api.Errors;
using Reputation.Contracts;
using Reputation.Core.Campaigns;
using Reputation.Core.Networks;
using Reputation.Core.Prompts;
using Reputation.Core.Webhooks;
using Reputation.Grains;
using Reputation.Grains.Review;
using Reputation.Grains.Webhooks;
using CoreLabel = Reputation.Core.Scoring.Label;

namespace Reputation.Api.Features.Labels;

/// <summary>A label; the answer is null when the entity is a campaign the service does not hold (404).</summary>
public sealed record SetLabel(LabelRequest Body, string By) : IRequest<LabelResponse?>, IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        Fields.Reason(errors, "reason", Body.Reason);

        if (!Enum.IsDefined(Body.Label))
        {
            errors.Add("label", "must be fraud, trusted or cleared");
        }

        if (Keys(Body.EntityType, Body.EntityId, out var error) is null)
        {
            errors.Add("entityId", error!);
        }
    }

    /// <summary>The grain keys an entity id names, or null with the reason it names none (<see cref="EntityReference"/>).</summary>
    internal static IReadOnlyList<string>? Keys(EntityType type, string? id, out string? error)
    {
        error = null;
        switch (type)
        {
            case EntityType.Account:
            case EntityType.PaymentInstrument:
                return EntityReference.TryId(id, out error) ? [id!] : null;
            case EntityType.IpRange:
                return EntityReference.TryRange(id, out var range, out error) ? [range.ToString()] : null;
            case EntityType.PromptTemplate:
                if (EntityReference.TryTemplate(id, out var bucket, out var fingerprint))
                {
                    return bucket is not null ? [bucket] : [.. PromptBands.BucketKeys(fingerprint)];
                }

                error = EntityReference.TemplateError;
                return null;
            case EntityType.Campaign:
                if (CampaignRules.IsId(id))
                {
                    return [id!];
                }

                error = "a campaign id is cmp- and 16 lowercase hex digits, as GET /v1/campaigns lists it";
                return null;
            default:
                error = "entityType must be account, payment-instrument, ip-range, prompt-template or campaign";
                return null;
        }
    }
}

public sealed class SetLabelHandler(IGrainFactory grains, ReputationClock time) : IRequestHandler<SetLabel, LabelResponse?>
{
    private Task<LabelInfo> Apply(EntityType type, string key, LabelChange change) => type switch
    {
        EntityType.Account => grains.GetGrain<IAccountGrain>(key).SetLabelAsync(change).AsTask(),
        EntityType.PaymentInstrument => grains.GetGrain<IPaymentInstrumentGrain>(key).SetLabelAsync(change).AsTask(),
        EntityType.IpRange => grains.GetGrain<IIpRangeGrain>(key).SetLabelAsync(change).AsTask(),
        _ => grains.GetGrain<IPromptTemplateGrain>(key).SetLabelAsync(change).AsTask(),
    };

    public async ValueTask<LabelResponse?> Handle(SetLabel request, CancellationToken cancellationToken)
    {
        var b = request.Body;
        var keys = SetLabel.Keys(b.EntityType, b.EntityId, out _)!;
        var change = new LabelChange
        {
            Label = b.Label switch { LabelKind.Fraud => CoreLabel.Fraud, LabelKind.Trusted => CoreLabel.Trusted, _ => CoreLabel.None },
            Reason = b.Reason.Trim(),
            By = request.By,
            At = time.UtcNow,
        };

        int? labelled = null;
        if (b.EntityType == EntityType.Campaign)
        {
            // A campaign is labelled through its members (docs/architecture.md, "Campaigns").
            if (await grains.GetGrain<ICampaignRegistryGrain>(CampaignRegistryGrain.Key).GetAsync(keys[0]) is not { } campaign)
            {
                return null;
            }

            keys = [campaign.Id];
            labelled = await CampaignMembers.LabelAsync(grains, await CampaignMembers.CollectAsync(grains, campaign), change);
            // Reviewed: the campaign leaves the review queue, under the id it was asked by too.
            var queue = grains.Ref<IReviewQueueGrain>(ReviewQueueGrain.Key);
            await Task.WhenAll(new[] { campaign.Id, b.EntityId }.Distinct(StringComparer.Ordinal).Select(queue.LeaveCampaignAsync));
        }
        else
        {
            await Task.WhenAll(keys.Select(key => Apply(b.EntityType, key, change)));
        }

        var entityId = string.Join(',', keys);
        await WebhookPublisher.PublishAsync(grains, WebhookEvents.LabelApplied,
            string.Create(CultureInfo.InvariantCulture, $"{(int)b.EntityType}:{entityId}:{change.At.UtcTicks}"), change.At,
            new { entityType = b.EntityType, entityId, label = b.Label, reason = change.Reason, by = change.By, accountsLabelled = labelled });
        return new LabelResponse
        {
            EntityType = b.EntityType,
            EntityId = entityId,
            Label = b.Label,
            Reason = change.Reason,
            LabelledBy = change.By,
            LabelledAt = change.At,
            AccountsLabelled = labelled,
        };
    }
}
