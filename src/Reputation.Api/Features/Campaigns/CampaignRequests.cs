using System.Globalization;
using Mediator;
using Reputation.Api.Errors;
using Reputation.Contracts;
using Reputation.Core.Campaigns;
using Reputation.Grains;

namespace Reputation.Api.Features.Campaigns;

public sealed record GetCampaigns(string? Limit, string? After) : IRequest<CampaignPage>, IValidatable
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = CampaignRegistryGrain.MaxPageSize;

    public int LimitValue => Limit is null ? DefaultLimit : int.Parse(Limit, CultureInfo.InvariantCulture);

    public void Validate(ValidationErrors errors)
    {
        if (Limit is not null && (!int.TryParse(Limit, NumberStyles.None, CultureInfo.InvariantCulture, out var l) || l is < 1 or > MaxLimit))
        {
            errors.Add("limit", $"must be a whole number from 1 to {MaxLimit}");
        }

        if (After is not null && !CampaignRules.IsId(After))
        {
            errors.Add("after", "must be a campaign id (cmp- and 16 lowercase hex digits), the next of the previous page");
        }
    }
}

public sealed class GetCampaignsHandler(IGrainFactory grains) : IRequestHandler<GetCampaigns, CampaignPage>
{
    public async ValueTask<CampaignPage> Handle(GetCampaigns request, CancellationToken cancellationToken)
    {
        var page = await grains.GetGrain<ICampaignRegistryGrain>(CampaignRegistryGrain.Key).GetPageAsync(request.After, request.LimitValue);
        if (page.UnknownCursor)
        {
            var errors = new ValidationErrors();
            errors.Add("after", "names no campaign the service holds (it may have been dropped); start again from the first page");
            errors.ThrowIfAny();
        }

        return new CampaignPage { Campaigns = [.. page.Campaigns.Select(CampaignMapping.ToView)], Next = page.Next };
    }
}

/// <summary>One campaign; null when the service holds none by that id.</summary>
public sealed record GetCampaign(string CampaignId) : IRequest<CampaignView?>;

public sealed class GetCampaignHandler(IGrainFactory grains) : IRequestHandler<GetCampaign, CampaignView?>
{
    public async ValueTask<CampaignView?> Handle(GetCampaign request, CancellationToken cancellationToken) =>
        !CampaignRules.IsId(request.CampaignId) ? null
            : await grains.GetGrain<ICampaignRegistryGrain>(CampaignRegistryGrain.Key).GetAsync(request.CampaignId) is { } campaign
                ? CampaignMapping.ToView(campaign)
                : null;
}

internal static class CampaignMapping
{
    public static CampaignView ToView(CampaignSnapshot c)
    {
        var total = c.RequestsByModel.Values.Sum();
        return new CampaignView
        {
            CampaignId = c.Id,
            Size = c.Size,
            Members = c.Members,
            SharedEntities = [.. c.Hubs.Select(h => new CampaignEntity { Type = TypeOf(h.Type), Id = h.Id })],
            Evidence = [.. c.Evidence.Select(e => new CampaignEvidence { Code = e.Code, Value = e.Value, Detail = e.Detail })],
            FirstSeenAt = c.FirstSeenAt,
            TrafficByModel = total <= 0
                ? new Dictionary<string, double>(StringComparer.Ordinal)
                : c.RequestsByModel.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
                    .ToDictionary(p => p.Key, p => Math.Round(p.Value / (double)total, 4), StringComparer.Ordinal),
        };
    }

    private static EntityType TypeOf(string kind) => kind switch
    {
        EntityGrains.PaymentInstrument => EntityType.PaymentInstrument,
        EntityGrains.IpRange => EntityType.IpRange,
        _ => EntityType.PromptTemplate,
    };
}
