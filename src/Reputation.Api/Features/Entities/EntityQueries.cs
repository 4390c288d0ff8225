using Mediator;
using Reputation.Api.Errors;
using Reputation.Api.Features.Decisions;
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
        if (!IpRange.TryParse(Network, PrefixLength, out _, out var error))
        {
            errors.Add(error.StartsWith("prefixLength", StringComparison.Ordinal) ? "prefixLength" : "network", error);
        }
    }
}

public sealed record GetPaymentInstrument(string Fingerprint) : IRequest<PaymentInstrumentView?>, IValidatable
{
    public void Validate(ValidationErrors errors) => Fields.Id(errors, "fingerprint", Fingerprint);
}

public sealed class EntityQueryHandlers(IGrainFactory grains) :
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
            Labels = [],
            PaymentInstruments = s.PaymentInstruments,
            IpRanges = s.IpRanges,
            PromptBuckets = [],
            Usage = Usage(s.Usage),
            Payments = Payments(s.Payments),
            PolicyVersion = s.RequestDecision.PolicyVersion,
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
        };
    }

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
