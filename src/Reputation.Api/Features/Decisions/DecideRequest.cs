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
        MappedRequestDecision? mapped = null;
        var age = 0;
        if (cache.Enabled && cache.TryGet(b.AccountId, key, out var cached))
        {
            result = cached.Result;
            mapped = Mapped(cached, b.Model);
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
            Reasons = mapped?.Reasons ?? DecisionMapping.Reasons(result, options.Value.TopReasons),
            RequestsPerMinute = result.RequestsPerMinute,
            CacheTtlSeconds = Math.Max(0, result.CacheTtlSeconds - age),
            PolicyVersion = result.PolicyVersion,
            HoldUntil = result.HoldUntil,
            Response = mapped is null ? Respond(result, b.Model) : mapped.Response,
            WatermarkKeyId = result.WatermarkKeyId,
        };
    }

    /// <summary>
    /// A cached decision's reasons and response as the contract has them, mapped on its first hit and
    /// kept with it (the policy it was decided under is the one in force while it is answered); the
    /// response again only when the request names another model.
    /// </summary>
    private MappedRequestDecision Mapped(CachedDecision cached, string? model)
    {
        var held = cached.View.Value as MappedRequestDecision;
        if (held is not null && string.Equals(held.Model, model, StringComparison.Ordinal))
        {
            return held;
        }

        var mapped = new MappedRequestDecision(held?.Reasons ?? DecisionMapping.Reasons(cached.Result, options.Value.TopReasons), model, Respond(cached.Result, model));
        cached.View.Value = mapped;
        return mapped;
    }

    private GatewayResponse? Respond(DecisionResult result, string? model) => result.Outcome == 0 ? null : DecisionMapping.Response(
        AccountDecider.Respond((RequestOutcome)result.Outcome, result.Score, result.CampaignId, model, policies.Current));
}

/// <summary>A cached request decision's contract pieces, the same for every hit that names <see cref="Model"/>.</summary>
internal sealed record MappedRequestDecision(IReadOnlyList<Reason> Reasons, string? Model, GatewayResponse? Response);
