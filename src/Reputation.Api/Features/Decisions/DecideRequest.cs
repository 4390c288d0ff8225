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
/// account grain. When that grain cannot be reached (its silo died and is not yet declared dead) or
/// does not answer within <see cref="LastDecisionSettings.Patience"/>, the last decision this handler
/// answered for the account and range is given again marked stale
/// (docs/decisions/0038-stale-answers-on-failover.md); an account without one gets the failure (503).
/// </remarks>
public sealed class DecideRequestHandler(
    IGrainFactory grains,
    IDecisionCache cache,
    LastRequestDecisions last,
    IPolicyCache policies,
    ReputationClock time,
    IOptions<ApiOptions> options,
    ReputationMetrics metrics)
    : IRequestHandler<DecideRequest, RequestDecisionResponse>
{
    /// <summary>The most a gateway may cache a stale answer: it asks again as soon as the account can be decided.</summary>
    public const int StaleCacheTtlSeconds = 1;

    public async ValueTask<RequestDecisionResponse> Handle(DecideRequest request, CancellationToken cancellationToken)
    {
        var b = request.Body;
        IpRange.TryFromAddress(b.Ip, out var range);
        var key = range.ToString();
        DecisionResult result;
        MappedRequestDecision? mapped = null;
        var age = 0;
        var stale = false;
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
            // Not remembered as a last answer: the cache holds the decisions of this silo's own grains,
            // which cannot be unreachable from it; the last answers are for grains on other silos.
        }
        else
        {
            if (cache.Enabled)
            {
                metrics.DecisionCacheLookup(hit: false);
            }

            var call = grains.Ref<IAccountGrain>(b.AccountId).DecideRequestAsync(key);
            if (call.IsCompletedSuccessfully || !last.TryGet(b.AccountId, key, out var held))
            {
                result = await call;
            }
            else
            {
                (result, stale) = await DecideOrStaleAsync(call.AsTask(), held, cancellationToken);
            }

            if (!stale)
            {
                last.Remember(b.AccountId, key, new LastDecision(result, time.UtcNow));
            }
        }

        return new RequestDecisionResponse
        {
            AccountId = b.AccountId,
            Decision = (RequestDecision)result.Outcome,
            Score = result.Score,
            Reasons = mapped?.Reasons ?? DecisionMapping.Reasons(result, options.Value.TopReasons),
            RequestsPerMinute = result.RequestsPerMinute,
            CacheTtlSeconds = stale
                ? Math.Min(StaleCacheTtlSeconds, Math.Max(0, result.CacheTtlSeconds))
                : Math.Max(0, result.CacheTtlSeconds - age),
            PolicyVersion = result.PolicyVersion,
            HoldUntil = result.HoldUntil,
            Response = mapped is null ? Respond(result, b.Model) : mapped.Response,
            WatermarkKeyId = result.WatermarkKeyId,
            Stale = stale,
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

    /// <summary>
    /// The grain's decision, or <paramref name="held"/> (stale) when the grain's silo cannot be
    /// reached or the grain does not answer within the patience; any other failure is the grain's own
    /// and is thrown.
    /// </summary>
    private async Task<(DecisionResult Result, bool Stale)> DecideOrStaleAsync(Task<DecisionResult> call, LastDecision held, CancellationToken cancellationToken)
    {
        try
        {
            return (await call.WaitAsync(last.Settings.Patience, cancellationToken), false);
        }
        catch (Exception e) when (LastRequestDecisions.MeansUnreachable(e))
        {
            if (!call.IsCompleted)
            {
                // Still under way: its outcome, whatever it is, is no longer awaited by anyone.
                _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                    TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            metrics.StaleDecision(timedOut: e is TimeoutException);
            return (held.Result, true);
        }
    }
}

/// <summary>A cached request decision's contract pieces, the same for every hit that names <see cref="Model"/>.</summary>
internal sealed record MappedRequestDecision(IReadOnlyList<Reason> Reasons, string? Model, GatewayResponse? Response);
