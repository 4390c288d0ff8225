using Reputation.Core.Scoring;

namespace Reputation.Grains;

/// <summary>The policy decisions use. Read on every decision, so it must be in memory, never storage.</summary>
public interface IPolicyCache
{
    ScoringPolicy Current { get; }
}

/// <summary>The built-in default policy, version 1: for hosts that do not run the policy grain.</summary>
public sealed class DefaultPolicyCache : IPolicyCache
{
    public ScoringPolicy Current => ScoringPolicy.Default;
}
