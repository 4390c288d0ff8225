using System.Diagnostics;
using Mediator;
using Microsoft.Extensions.Options;
using Reputation.Api.Errors;
using Reputation.Api.Hosting;
using Reputation.Contracts;
using Reputation.Core.Networks;
using Reputation.Core.Scoring;
using Reputation.Grains;
using Reputation.Grains.Accounts;
using Reputation.Grains.Policies;

namespace Reputation.Api.Features.Decisions;

public sealed record DecideRequest(RequestDecisionRequest Body) : IRequest<RequestDecisionResponse>, IValidatable, IDecisionMessage<RequestDecisionResponse>
{
    public DecisionKind Kind => DecisionKind.Request;

    public int OutcomeOf(RequestDecisionResponse response) => (int)response.Decision;

    public void Validate(ValidationErrors errors)
    {
        Fields.Id(errors, "accountId", Body.AccountId);
        Fields.Ip(errors, "ip", Body.Ip);
        Fields.Model(errors, "model", Body.Model);
    }
}

/// <remarks>
/// An account asked about again is answered from this silo's copy of its last decision while
/// nothing it was decided from has changed (<see cref="IDecisionCache"/>,
/// docs/decisions/0023-decision-cache.md); otherwise, and for accounts active on another silo, by the
/// account grain.
/// </remarks>
public sealed class DecideRequestHandler(
    IGrainFactory grains,
    IDecisionCache cache,
    IPolicyCache policies,
    ReputationClock time,
    IOptions<ApiOptions> options,
    ReputationMetrics metrics)
    : IRequestHandler<DecideRequest, RequestDecisionResponse>
{
    public async ValueTask<RequestDecisionResponse> Handle(DecideRequest request, CancellationToken cancellationToken)
    {
        var b = request.Body;
        IpRange.TryFromAddress(b.Ip, out var range);
        var key = range.ToString();
        DecisionResult result;
        var age = 0;
        if (cache.Enabled && cache.TryGet(b.AccountId, key, out var cached))
        {
            result = cached.Result;
            // Counted for the shadow report as the grain counts each decision it makes.
            if (cached.ShadowOutcome is { } shadow)
            {
                policies.ObserveShadow(DecisionKind.Request, b.AccountId, result.Outcome, shadow);
            }

            // The gateway caches for what is left of the time the decision was good for.
            age = (int)Math.Max(0, (time.UtcNow - cached.DecidedAt).TotalSeconds);
            metrics.DecisionCacheLookup(hit: true);
        }
        else
        {
            result = await grains.Ref<IAccountGrain>(b.AccountId).DecideRequestAsync(key);
            if (cache.Enabled)
            {
                metrics.DecisionCacheLookup(hit: false);
            }
        }

        return new RequestDecisionResponse
        {
            AccountId = b.AccountId,
            Decision = (RequestDecision)result.Outcome,
            Score = result.Score,
            Reasons = DecisionMapping.Reasons(result, options.Value.TopReasons),
            RequestsPerMinute = result.RequestsPerMinute,
            CacheTtlSeconds = Math.Max(0, result.CacheTtlSeconds - age),
            PolicyVersion = result.PolicyVersion,
            HoldUntil = result.HoldUntil,
            Response = result.Outcome == 0 ? null : DecisionMapping.Response(
                AccountDecider.Respond((RequestOutcome)result.Outcome, result.Score, result.CampaignId, b.Model, policies.Current)),
            WatermarkKeyId = result.WatermarkKeyId,
        };
    }
}
