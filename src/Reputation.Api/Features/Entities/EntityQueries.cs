using Mediator;
using Reputation.Api.Errors;
using Reputation.Api.Features.Decisions;
using Reputation.Api.Features.Graph;
using Reputation.Api.Features.Labels;
using Reputation.Contracts;
using Reputation.Core.Networks;
using Reputation.Grains;

namespace Reputation.Api.Features.Entities;

public sealed record GetAccount(string AccountId) : IRequest<AccountView?>, IValidatable
{
    public void Validate(ValidationErrors errors) => Fields.Id(errors, "accountId", AccountId);
}

public sealed record GetIpRange(string Network, int PrefixLength) : IRequest<IpRangeView?>, IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (!EntityReference.TryRange(Network, PrefixLength, out _, out var field, out var error))
        {
            errors.Add(field, error);
        }
    }
}

public sealed record GetPaymentInstrument(string Fingerprint) : IRequest<PaymentInstrumentView?>, IValidatable
{
    public void Validate(ValidationErrors errors) => Fields.Id(errors, "fingerprint", Fingerprint);
}

public sealed record GetPromptTemplate(string Bucket) : IRequest<PromptTemplateView?>, IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (!EntityReference.IsBucket(Bucket))
        {
            errors.Add("bucket", EntityReference.BucketError);
        }
    }
}

public sealed class EntityQueryHandlers(IGrainFactory grains, IIntelCache intel) :
    IRequestHandler<GetPromptTemplate, PromptTemplateView?>,
    IRequestHandler<GetAccount, AccountView?>,
    IRequestHandler<GetIpRange, IpRangeView?>,
    IRequestHandler<GetPaymentInstrument, PaymentInstrumentView?>
{
    public async ValueTask<AccountView?> Handle(GetAccount request, CancellationToken cancellationToken)
    {
        var s = await grains.GetGrain<IAccountGrain>(request.AccountId).GetSnapshotAsync();
        return s is null ? null : new AccountView
        {
            AccountId = s.AccountId,
            CreatedAt = s.CreatedAt,
            LastSeenAt = s.LastSeenAt,
            Score = s.RequestDecision.Score,
            RequestDecision = (RequestDecision)s.RequestDecision.Outcome,
            Reasons = DecisionMapping.AllReasons(s.RequestDecision),
            Labels = GetGraphHandler.Labels(s.Label),
            LabelDetail = Detail(s.Label),
            PaymentInstruments = s.PaymentInstruments,
            IpRanges = s.IpRanges,
            PromptBuckets = s.PromptBuckets,
            Usage = Usage(s.Usage),
            Payments = Payments(s.Payments),
            PolicyVersion = s.RequestDecision.PolicyVersion,
            HoldUntil = s.HoldUntil,
            ReleasedUntil = s.ReleasedUntil,
            Senders = [.. s.Senders.OrderByDescending(t => t.LastAt).Select(t => new EventSenderView
            {
                Key = t.Key, Events = t.Events, Voided = t.Voided, FirstAt = t.FirstAt, LastAt = t.LastAt,
            })],
        };
    }

    public async ValueTask<IpRangeView?> Handle(GetIpRange request, CancellationToken cancellationToken)
    {
        IpRange.TryParse(request.Network, request.PrefixLength, out var range, out _);
        var s = await grains.GetGrain<IIpRangeGrain>(range.ToString()).GetSnapshotAsync();
        return s is null ? null : new IpRangeView
        {
            Range = s.Range,
            DistinctAccounts = s.DistinctAccounts,
            SignupsLastHour = s.SignupsLastHour,
            SignupsLastDay = s.SignupsLastDay,
            Usage = Usage(s.Usage),
            RecentAccounts = s.RecentAccounts,
            FirstSeenAt = s.FirstSeenAt,
            LastSeenAt = s.LastSeenAt,
            Risk = s.Risk,
            Labels = GetGraphHandler.Labels(s.Label),
            LabelDetail = Detail(s.Label),
            ThreatIntel = Intel(intel.Match([s.Range], [], [])),
        };
    }

    public async ValueTask<PaymentInstrumentView?> Handle(GetPaymentInstrument request, CancellationToken cancellationToken)
    {
        var s = await grains.GetGrain<IPaymentInstrumentGrain>(request.Fingerprint).GetSnapshotAsync();
        return s is null ? null : new PaymentInstrumentView
        {
            Fingerprint = s.Fingerprint,
            DistinctAccounts = s.DistinctAccounts,
            Payments = Payments(s.Payments),
            RecentAccounts = s.RecentAccounts,
            FirstSeenAt = s.FirstSeenAt,
            LastSeenAt = s.LastSeenAt,
            Risk = s.Risk,
            Labels = GetGraphHandler.Labels(s.Label),
            LabelDetail = Detail(s.Label),
            Usage = Usage(s.Usage),
            ThreatIntel = Intel(intel.Match([], [s.Fingerprint], [])),
        };
    }

    public async ValueTask<PromptTemplateView?> Handle(GetPromptTemplate request, CancellationToken cancellationToken)
    {
        var s = await grains.GetGrain<IPromptTemplateGrain>(request.Bucket).GetSnapshotAsync();
        return s is null ? null : new PromptTemplateView
        {
            Bucket = s.Bucket,
            SharingAccounts = s.SharingAccounts,
            Usage = Usage(s.Usage),
            RecentAccounts = s.RecentAccounts,
            Fingerprints = s.Fingerprints,
            Risk = s.Risk,
            Labels = GetGraphHandler.Labels(s.Label),
            LabelDetail = Detail(s.Label),
            FirstSeenAt = s.FirstSeenAt,
            LastSeenAt = s.LastSeenAt,
            ThreatIntel = Intel(intel.Match([], [], [s.Bucket])),
            Suspicion = s.Suspicion,
            CustomerBaseSuspicion = s.BaseSuspicion,
            Lockstep = s.Lockstep,
            SampledSharers = s.SampledSharers,
            BeganTogether = s.BeganTogether,
            NearDuplicateGroups = [.. s.NearDuplicateGroups.Select(g => new NearDuplicateGroupView { SampledSharers = g.SampledSharers, Suspicion = g.Suspicion })],
        };
    }

    private static List<ThreatIntelView> Intel(IReadOnlyList<IntelHit> hits) =>
    [
        .. hits.Select(h => new ThreatIntelView
        {
            IndicatorId = h.Indicator.Id,
            Producer = h.Indicator.Producer,
            ProducerName = h.Indicator.ProducerName,
            Value = h.Value.Value,
            Confidence = h.Indicator.Confidence,
            ValidFrom = h.Indicator.ValidFrom,
            ValidUntil = h.Indicator.ValidUntil,
            Tlp = h.Indicator.Tlp switch
            {
                Core.Intel.TlpLevel.Clear => "clear",
                Core.Intel.TlpLevel.Green => "green",
                Core.Intel.TlpLevel.Amber => "amber",
                Core.Intel.TlpLevel.AmberStrict => "amber+strict",
                Core.Intel.TlpLevel.Red => "red",
                _ => null,
            },
            IndicatorTypes = h.Indicator.IndicatorTypes,
            Name = h.Indicator.Name,
        }),
    ];

    private static LabelView? Detail(LabelInfo? label) => label is null ? null : new LabelView
    {
        Label = label.Label switch { Core.Scoring.Label.Fraud => LabelKind.Fraud, Core.Scoring.Label.Trusted => LabelKind.Trusted, _ => LabelKind.Cleared },
        Reason = label.Reason,
        LabelledBy = label.By,
        LabelledAt = label.At,
    };

    private static UsageCounters Usage(UsageSnapshot u) => new()
    {
        RequestsLastMinute = u.RequestsLastMinute,
        RequestsLastHour = u.RequestsLastHour,
        RequestsLastDay = u.RequestsLastDay,
        TokensLastHour = u.TokensLastHour,
        RequestsTotal = u.RequestsTotal,
    };

    private static PaymentCounters Payments(PaymentSnapshot p) => new()
    {
        Succeeded = p.Succeeded,
        Declined = p.Declined,
        Chargebacks = p.Chargebacks,
        Refunded = p.Refunded,
    };
}
