using Reputation.Core.Scoring;
using Reputation.Grains.State;

namespace Reputation.Grains;

/// <summary>
/// How an entity passes a change in its risk or label on to its accounts: only when it moved by the
/// policy's threshold (or its label, or which of its accounts are confirmed fraud, changed), only below the hop limit, and only to its most recent
/// accounts (fan-out bounded by the policy). One-way calls: no entity ever waits on an account.
/// </summary>
internal static class Propagation
{
    public static bool ShouldNotify(PropagationPolicy policy, double moved, bool labelChanged, int hop) =>
        hop < policy.HopLimit && (labelChanged || moved >= policy.Threshold);

    public static int NotifyAccounts(IGrainFactory grains, PropagationPolicy policy, IEnumerable<string> accounts, Func<IAccountGrain, Task> notify)
    {
        var sent = 0;
        foreach (var account in accounts.Take(policy.FanOut))
        {
            _ = notify(grains.Ref<IAccountGrain>(account));
            sent++;
        }

        return sent;
    }

    public static LabelInfo Info(EntityRiskState risk) =>
        risk.Info ?? new LabelInfo { Label = Label.None };
}
