using Reputation.Core.Scoring;
using Reputation.Grains.Policies;

namespace Reputation.Grains;

/// <summary>The policy decisions use. Read on every decision, so it must be in memory, never storage.</summary>
public interface IPolicyCache
{
    ScoringPolicy Current { get; }

    /// <summary>The candidate evaluated beside <see cref="Current"/> (shadow mode), if one is set.</summary>
    ScoringPolicy? Shadow => null;

    /// <summary>Counts one decision's live and shadow outcome for the shadow report.</summary>
    void ObserveShadow(DecisionKind kind, string accountId, int live, int shadow)
    {
    }
}

/// <summary>The built-in default policy, version 1: for hosts that do not run the policy grain.</summary>
public sealed class DefaultPolicyCache : IPolicyCache
{
    public ScoringPolicy Current => ScoringPolicy.Default;
}
