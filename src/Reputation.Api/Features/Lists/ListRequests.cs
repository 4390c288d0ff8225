using System.Net;
using Mediator;
using Reputation.Api.Errors;
using Reputation.Api.Features.Labels;
using Reputation.Contracts;
using Reputation.Core.Networks;
using Reputation.Core.Prompts;
using Reputation.Grains;

namespace Reputation.Api.Features.Lists;

/// <summary>Route values of the list endpoints, parsed and canonicalised.</summary>
internal static class ListKeys
{
    public static ListName? List(ValidationErrors errors, string? list)
    {
        switch (list)
        {
            case "allow":
                return ListName.Allow;
            case "deny":
                return ListName.Deny;
            default:
                errors.Add("list", "must be allow or deny");
                return null;
        }
    }

    public static (ListEntity Entity, string Id)? Entity(ValidationErrors errors, string? entityType, string? entityId)
    {
        ListEntity? entity = entityType switch
        {
            "account" => ListEntity.Account,
            "payment-instrument" => ListEntity.PaymentInstrument,
            "ip-range" => ListEntity.IpRange,
            "prompt-template" => ListEntity.PromptTemplate,
            _ => null,
        };
        if (entity is null)
        {
            errors.Add("entityType", "must be account, payment-instrument, ip-range or prompt-template");
            return null;
        }

        switch (entity.Value)
        {
            case ListEntity.IpRange:
                if (IpPrefix.TryParse(entityId, out var network, out var error))
                {
                    return (ListEntity.IpRange, IpPrefix.ToKey(network));
                }

                errors.Add("entityId", error);
                return null;
            case ListEntity.PromptTemplate:
                if (EntityReference.TryTemplate(entityId, out var bucket, out var fingerprint))
                {
                    return (ListEntity.PromptTemplate, bucket ?? SimHash.ToHex(fingerprint));
                }

                errors.Add("entityId", EntityReference.TemplateError);
                return null;
            default:
                var before = errors.Any;
                Fields.Id(errors, "entityId", entityId);
                return errors.Any && !before ? null : (entity.Value, entityId!);
        }
    }

    /// <summary>
    /// Tells the threat-intel export registry of a deny-list change (docs/intel-sharing.md, "Export"):
    /// ranges, cards and prompt fingerprints are shared; accounts and bucket keys never are.
    /// </summary>
    public static void ReportDeny(IGrainFactory grains, ListEntity entity, string id, bool denied, DateTimeOffset? expiresAt)
    {
        (string Key, Core.Intel.IntelEntity Kind)? subject = entity switch
        {
            ListEntity.IpRange => ($"ip-range/{id}", Core.Intel.IntelEntity.IpRange),
            ListEntity.PaymentInstrument when Core.Intel.IndicatorPattern.IsPaymentFingerprint(id) => ($"payment-instrument/{id}", Core.Intel.IntelEntity.PaymentInstrument),
            ListEntity.PromptTemplate when SimHash.TryParseHex(id, out _) => ($"prompt-template/{id}", Core.Intel.IntelEntity.PromptTemplate),
            _ => null,
        };
        if (subject is { } s)
        {
            _ = grains.GetGrain<IIntelGrain>(IntelGrain.Key).ReportLocalAsync(new LocalIntelReport
            {
                Key = s.Key,
                Values = [new IntelValue { Entity = s.Kind, Value = id }],
                DenyListed = denied,
                DenyExpiresAt = expiresAt,
            });
        }
    }

    public static EntityType ToContract(ListEntity entity) => entity switch
    {
        ListEntity.Account => EntityType.Account,
        ListEntity.PaymentInstrument => EntityType.PaymentInstrument,
        ListEntity.IpRange => EntityType.IpRange,
        _ => EntityType.PromptTemplate,
    };

    public static ListEntry ToContract(ListItem e) => new()
    {
        List = e.List == ListName.Allow ? ListKind.Allow : ListKind.Deny,
        EntityType = ToContract(e.Entity),
        EntityId = e.EntityId,
        Reason = e.Reason,
        AddedBy = e.AddedBy,
        AddedAt = e.AddedAt,
        ExpiresAt = e.ExpiresAt,
    };
}

/// <summary>What a PUT did. <see cref="Previous"/> and <see cref="Entry"/> are the before and after an audit log needs.</summary>
public sealed record PutListEntryResult(ListPutStatus Status, ListEntry? Previous, ListEntry? Entry);

public sealed record PutListEntry(string List, string EntityType, string EntityId, ListEntryRequest Body, string By) : IRequest<PutListEntryResult>, IValidatable
{
    public const int MaxReasonLength = 500;

    public void Validate(ValidationErrors errors)
    {
        ListKeys.List(errors, List);
        if (ListKeys.Entity(errors, EntityType, EntityId) is (ListEntity.IpRange, var key)
            && IPNetwork.TryParse(key, out var network) && IpPrefix.IsTooWide(network))
        {
            // Only new entries: one stored before the bound can still be removed (DELETE) and is not applied (ListCache).
            errors.Add("entityId", IpPrefix.TooWideError(network));
        }

        if (string.IsNullOrWhiteSpace(Body.Reason))
        {
            errors.Add("reason", "is required");
        }
        else if (Body.Reason.Trim().Length > MaxReasonLength)
        {
            errors.Add("reason", $"must be at most {MaxReasonLength} characters");
        }
        else
        {
            Fields.Text(errors, "reason", Body.Reason);
        }
    }
}

public sealed class PutListEntryHandler(IGrainFactory grains, IListCache cache, ReputationClock time) : IRequestHandler<PutListEntry, PutListEntryResult>
{
    public async ValueTask<PutListEntryResult> Handle(PutListEntry request, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var list = ListKeys.List(errors, request.List)!.Value;
        var (entity, id) = ListKeys.Entity(errors, request.EntityType, request.EntityId)!.Value;
        var now = time.UtcNow;
        if (request.Body.ExpiresAt is { } expires && expires <= now)
        {
            errors.Add("expiresAt", "must be in the future (absent = never)");
            errors.ThrowIfAny();
        }

        var result = await grains.GetGrain<IListsGrain>(ListsGrain.Key).PutAsync(new ListItem
        {
            List = list,
            Entity = entity,
            EntityId = id,
            Reason = request.Body.Reason.Trim(),
            AddedBy = request.By,
            AddedAt = now,
            ExpiresAt = request.Body.ExpiresAt,
        });
        if (result.Change is { } change)
        {
            // This silo's decisions see the change at once; the others hear it from the grain.
            cache.Apply(change);
            if (list == ListName.Deny)
            {
                ListKeys.ReportDeny(grains, entity, id, denied: true, request.Body.ExpiresAt);
            }
        }

        var previous = result.Previous is null ? null : ListKeys.ToContract(result.Previous);
        var entry = result.Status != ListPutStatus.Applied ? null
            : ListKeys.ToContract(result.Change?.Entry ?? result.Previous!);
        return new PutListEntryResult(result.Status, previous, entry);
    }
}

/// <summary>What a DELETE did: the entry removed, null when there was none.</summary>
public sealed record RemoveListEntryResult(ListEntry? Previous);

public sealed record RemoveListEntry(string List, string EntityType, string EntityId) : IRequest<RemoveListEntryResult>, IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        ListKeys.List(errors, List);
        ListKeys.Entity(errors, EntityType, EntityId);
    }
}

public sealed class RemoveListEntryHandler(IGrainFactory grains, IListCache cache) : IRequestHandler<RemoveListEntry, RemoveListEntryResult>
{
    public async ValueTask<RemoveListEntryResult> Handle(RemoveListEntry request, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var list = ListKeys.List(errors, request.List)!.Value;
        var (entity, id) = ListKeys.Entity(errors, request.EntityType, request.EntityId)!.Value;
        var result = await grains.GetGrain<IListsGrain>(ListsGrain.Key).RemoveAsync(list, entity, id);
        if (result.Change is { } change)
        {
            cache.Apply(change);
            if (list == ListName.Deny)
            {
                ListKeys.ReportDeny(grains, entity, id, denied: false, null);
            }
        }

        return new RemoveListEntryResult(result.Previous is null ? null : ListKeys.ToContract(result.Previous));
    }
}

public sealed record GetListPage(string List, int? Limit, string? After) : IRequest<ListPage>, IValidatable
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public void Validate(ValidationErrors errors)
    {
        ListKeys.List(errors, List);
        if (Limit is < 1 or > MaxLimit)
        {
            errors.Add("limit", $"must be 1..{MaxLimit}");
        }

        if (After is { Length: > 1024 })
        {
            errors.Add("after", "must be the next value of an earlier page");
        }
    }
}

public sealed class GetListPageHandler(IGrainFactory grains) : IRequestHandler<GetListPage, ListPage>
{
    public async ValueTask<ListPage> Handle(GetListPage request, CancellationToken cancellationToken)
    {
        var list = ListKeys.List(new ValidationErrors(), request.List)!.Value;
        var page = await grains.GetGrain<IListsGrain>(ListsGrain.Key).GetPageAsync(list, request.After, request.Limit ?? GetListPage.DefaultLimit);
        return new ListPage { Entries = [.. page.Entries.Select(ListKeys.ToContract)], Next = page.Next };
    }
}
