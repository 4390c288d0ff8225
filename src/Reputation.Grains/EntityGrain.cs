using Reputation.Core.Scoring;
using Reputation.Grains.State;

namespace Reputation.Grains;

/// <summary>State every linked entity keeps for labels and propagation.</summary>
public interface IEntityState
{
    EntityRiskState Risk { get; }

    /// <summary>Most recent accounts first: the ones told of a change.</summary>
    List<string> RecentAccounts { get; }
}

/// <summary>
/// What ranges, cards and templates do alike: take labels, track their accounts' standing, recompute
/// their risk and tell their most recent accounts when it moved (docs/decisions/0005-propagation.md).
/// </summary>
public abstract class EntityGrain<TState>(IPersistentState<TState> state, IPolicyCache policies, ReputationMetrics metrics)
    : Grain, IEntityGrain
    where TState : class, IEntityState
{
    private GroupCommit? _commit;

    protected IPersistentState<TState> Persisted => state;

    protected IPolicyCache Policies => policies;

    /// <summary>For the propagation metric: ip-range, payment-instrument, prompt-template.</summary>
    protected abstract string Kind { get; }

    /// <summary>Distinct accounts, for damping.</summary>
    protected abstract long Degree { get; }

    protected virtual (double Flagged, double Confirmed) Strength(PropagationPolicy policy) => (1, 1);

    /// <summary>The entity as the threat-intel export names it: its registry key and pattern values (none: nothing to export).</summary>
    protected abstract (string Key, IReadOnlyList<IntelValue> Values) IntelSubject { get; }

    /// <summary>The one-way call that tells an account of this entity's new signals.</summary>
    protected abstract Func<IAccountGrain, Task> Notification(int hop);

    async ValueTask<LabelInfo> IEntityGrain.SetLabelAsync(LabelChange change)
    {
        state.State.Risk.SetLabel(change);
        await RiskChangedAsync(labelChanged: true, hop: 0);
        return Propagation.Info(state.State.Risk);
    }

    async Task IEntityGrain.AccountRiskChangedAsync(AccountRisk risk)
    {
        if (state.State.Risk.Apply(risk))
        {
            await RiskChangedAsync(labelChanged: false, risk.Hop);
        }
    }

    private async Task RiskChangedAsync(bool labelChanged, int hop)
    {
        var policy = policies.Current.Propagation;
        var (flagged, confirmed) = Strength(policy);
        var before = state.State.Risk.Risk;
        var moved = state.State.Risk.Recompute(policy, Degree, flagged, confirmed);
        await WriteAsync();
        ReportToIntel(labelChanged, before);
        if (Propagation.ShouldNotify(policy, moved, labelChanged, hop))
        {
            metrics.Propagated(Kind, Propagation.NotifyAccounts(GrainFactory, policy, state.State.RecentAccounts, Notification(hop + 1)));
        }
    }

    /// <summary>
    /// Tells the export registry (docs/intel-sharing.md, "Export") when the entity is labelled, or its
    /// risk crosses the policy's export threshold either way: one one-way call per crossing, not per change.
    /// </summary>
    private void ReportToIntel(bool labelChanged, double before)
    {
        var threshold = policies.Current.Intel.ExportThreshold;
        var risk = state.State.Risk;
        if (!labelChanged && (before >= threshold) == (risk.Risk >= threshold))
        {
            return;
        }

        var (key, values) = IntelSubject;
        if (values.Count > 0)
        {
            _ = GrainFactory.Ref<IIntelGrain>(IntelGrain.Key).ReportLocalAsync(new LocalIntelReport
            {
                Key = key,
                Values = values,
                LabelledFraud = risk.Label == Label.Fraud,
                Risk = risk.Risk,
            });
        }
    }

    /// <summary>Completes once the state as it is now is in storage (group commit: <see cref="GroupCommit"/>).</summary>
    protected Task WriteAsync() => (_commit ??= new GroupCommit(
        state.WriteStateAsync,
        // Memory now holds what storage does not; reload on the next call rather than serve it.
        DeactivateOnIdle)).WriteAsync();
}
