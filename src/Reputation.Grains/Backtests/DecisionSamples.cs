using Reputation.Core.Backtests;
using Reputation.Core.Scoring;

namespace Reputation.Grains.Backtests;

/// <summary>How many decisions of each kind a silo keeps the facts of for backtests.</summary>
/// <param name="Capacity">Per kind (signup, request, billing); zero keeps none.</param>
/// <param name="Seed">Seeds the slots taken (tests); null: a random seed.</param>
public sealed record DecisionSampleSettings(int Capacity, int? Seed = null)
{
    public static DecisionSampleSettings Default { get; } = new(4_096);
}

/// <summary>
/// This silo's sample of recent decisions' facts, one reservoir per decision kind
/// (docs/decisions/0033-backtest-sample.md): every decision an account grain makes is offered, a
/// uniform sample of those the silo made since it started is kept, and its size never passes the
/// capacity. The facts are built only for a decision that is kept.
/// </summary>
public interface IDecisionSamples
{
    /// <summary>Offers one decision; copies its facts when it takes a slot.</summary>
    void Offer(DecisionKind kind, string accountId, DateTimeOffset at, in ScoreInputs inputs, ListMatch? listed);

    /// <summary>The decisions held now, all kinds.</summary>
    IReadOnlyList<DecisionSample> Snapshot();

    /// <summary>Drops an erased account's decisions; how many.</summary>
    int Forget(string accountId);
}

public sealed class DecisionSamples : IDecisionSamples
{
    private readonly Reservoir<DecisionSample>[] _reservoirs;
    private readonly bool _enabled;

    public DecisionSamples(DecisionSampleSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var seed = settings.Seed ?? Random.Shared.Next();
        _reservoirs = [.. Enum.GetValues<DecisionKind>().Select(k => new Reservoir<DecisionSample>(settings.Capacity, new Random(seed + (int)k)))];
        _enabled = settings.Capacity > 0;
    }

    public void Offer(DecisionKind kind, string accountId, DateTimeOffset at, in ScoreInputs inputs, ListMatch? listed)
    {
        if (!_enabled)
        {
            return;
        }

        var reservoir = _reservoirs[(int)kind];
        lock (reservoir)
        {
            var slot = reservoir.Offer();
            if (slot >= 0)
            {
                reservoir.Put(slot, DecisionSample.Of(accountId, kind, at, inputs, listed));
            }
        }
    }

    public IReadOnlyList<DecisionSample> Snapshot()
    {
        var all = new List<DecisionSample>();
        foreach (var reservoir in _reservoirs)
        {
            lock (reservoir)
            {
                all.AddRange(reservoir.ToArray());
            }
        }

        return all;
    }

    public int Forget(string accountId)
    {
        var forgot = 0;
        foreach (var reservoir in _reservoirs)
        {
            lock (reservoir)
            {
                forgot += reservoir.RemoveWhere(s => string.Equals(s.AccountId, accountId, StringComparison.Ordinal));
            }
        }

        return forgot;
    }
}
