using System.Diagnostics;
using Mediator;
using Microsoft.Extensions.Options;
using Reputation.Api.Errors;
using Reputation.Api.Hosting;
using Reputation.Contracts;
using Reputation.Core.Scoring;
using Reputation.Grains;
using Reputation.Grains.Policies;

namespace Reputation.Api.Features.Decisions;

public sealed record DecideBilling(BillingDecisionRequest Body) : IRequest<BillingDecisionResponse>, IValidatable, IDecisionMessage<BillingDecisionResponse>
{
    public DecisionKind Kind => DecisionKind.Billing;

    public int OutcomeOf(BillingDecisionResponse response) => (int)response.Decision;

    public void Validate(ValidationErrors errors)
    {
        Fields.Id(errors, "accountId", Body.AccountId);
        Fields.Id(errors, "paymentFingerprint", Body.PaymentFingerprint);
        if (Body.AmountMinor < 0)
        {
            errors.Add("amountMinor", "must not be negative");
        }

        Fields.Currency(errors, "currency", Body.Currency, required: true);
    }
}

public sealed class DecideBillingHandler(IGrainFactory grains, IOptions<ApiOptions> options)
    : IRequestHandler<DecideBilling, BillingDecisionResponse>
{
    public async ValueTask<BillingDecisionResponse> Handle(DecideBilling request, CancellationToken cancellationToken)
    {
        var b = request.Body;
        var result = await grains.Ref<IAccountGrain>(b.AccountId)
            .DecideBillingAsync(b.PaymentFingerprint, b.AmountMinor, b.Currency.ToUpperInvariant());
        return new BillingDecisionResponse
        {
            AccountId = b.AccountId,
            Decision = (BillingDecision)result.Outcome,
            Score = result.Score,
            Reasons = DecisionMapping.Reasons(result, options.Value.TopReasons),
            PolicyVersion = result.PolicyVersion,
        };
    }
}
