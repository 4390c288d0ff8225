using System.Diagnostics;
using Mediator;
using Microsoft.Extensions.Options;
using Reputation.Api.Errors;
using Reputation.Api.Hosting;
using Reputation.Contracts;
using Reputation.Core.Networks;
using Reputation.Core.Scoring;
using Reputation.Grains;
using Reputation.Grains.Policies;

namespace Reputation.Api.Features.Decisions;

public sealed record DecideRequest(RequestDecisionRequest Body) : IRequest<RequestDecisionResponse>, IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        Fields.Id(errors, "accountId", Body.AccountId);
        Fields.Ip(errors, "ip", Body.Ip);
        Fields.Model(errors, "model", Body.Model);
    }
}

public sealed class DecideRequestHandler(IGrainFactory grains, IOptions<ApiOptions> options, ReputationMetrics metrics)
    : IRequestHandler<DecideRequest, RequestDecisionResponse>
{
    public async ValueTask<RequestDecisionResponse> Handle(DecideRequest request, CancellationToken cancellationToken)
    {
        var startedAt = Stopwatch.GetTimestamp();
        var b = request.Body;
        IpRange.TryFromAddress(b.Ip, out var range);
        var result = await grains.Ref<IAccountGrain>(b.AccountId).DecideRequestAsync(range.ToString());
        metrics.Decided(DecisionKind.Request, result.Outcome, startedAt);
        return new RequestDecisionResponse
        {
            AccountId = b.AccountId,
            Decision = (RequestDecision)result.Outcome,
            Score = result.Score,
            Reasons = DecisionMapping.Reasons(result, options.Value.TopReasons),
            RequestsPerMinute = result.RequestsPerMinute,
            CacheTtlSeconds = result.CacheTtlSeconds,
            PolicyVersion = result.PolicyVersion,
        };
    }
}
