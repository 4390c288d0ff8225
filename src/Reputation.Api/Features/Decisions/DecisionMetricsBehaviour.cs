using System.Diagnostics;
using Mediator;
using Reputation.Core.Scoring;
using Reputation.Grains;

namespace Reputation.Api.Features.Decisions;

/// <summary>A decision request: which kind it is and how to read the decision from its answer, for <see cref="DecisionMetricsBehaviour{TMessage, TResponse}"/>.</summary>
public interface IDecisionMessage<in TResponse>
{
    DecisionKind Kind { get; }

    /// <summary>The decision as the contract numbers it (the grain's outcome).</summary>
    int OutcomeOf(TResponse response);
}

/// <summary>
/// Counts every decision answered, by kind and decision, and times it from the validated request to
/// its answer (<c>reputation.decisions</c>, <c>reputation.decision.duration</c>): once, for all three
/// kinds. A request refused as invalid is not a decision; one that fails is not counted either.
/// </summary>
public sealed class DecisionMetricsBehaviour<TMessage, TResponse>(ReputationMetrics metrics) : IPipelineBehavior<TMessage, TResponse>
    where TMessage : IMessage
{
    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken) =>
        message is IDecisionMessage<TResponse> decision ? MeasuredAsync(decision, message, next, cancellationToken) : next(message, cancellationToken);

    private async ValueTask<TResponse> MeasuredAsync(IDecisionMessage<TResponse> decision, TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var startedAt = Stopwatch.GetTimestamp();
        var response = await next(message, cancellationToken);
        metrics.Decided(decision.Kind, decision.OutcomeOf(response), startedAt);
        return response;
    }
}
