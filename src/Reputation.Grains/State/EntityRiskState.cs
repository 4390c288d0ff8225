using Reputation.Core.Collections;
using Reputation.Core.Scoring;

namespace Reputation.Grains.State;

/// <summary>
/// An entity's label and the risk it takes from its accounts: which of them are flagged or
/// labelled fraud (capped lists), and the risk computed from those (docs/architecture.md, "Propagation").
/// </summary>
[GenerateSerializer, Alias("reputation.EntityRiskState")]
public sealed class EntityRiskState
{
    public const int AccountCapacity = 256;

    [Id(0)] public Label Label { get; set; }
    [Id(1)] public string? LabelReason { get; set; }
    [Id(2)] public string? LabelledBy { get; set; }
    [Id(3)] public DateTimeOffset? LabelledAt { get; set; }
    [Id(4)] public List<string> ConfirmedFraud { get; set; } = [];
    [Id(5)] public List<string> Flagged { get; set; } = [];
    [Id(6)] public double Risk { get; set; }
    /// <summary>
    /// The risk as one of its flagged accounts sees it: without that account. An account is not
    /// evidence against itself, or one that was flagged once would keep itself flagged through its own card.
    /// </summary>
    [Id(7)] public double RiskOfOthers { get; set; }

    public LabelInfo? Info => Label == Label.None && LabelledAt is null
        ? null
        : new LabelInfo { Label = Label, Reason = LabelReason, By = LabelledBy, At = LabelledAt };

    public void SetLabel(LabelChange change)
    {
        Label = change.Label;
        LabelReason = change.Reason;
        LabelledBy = change.By;
        LabelledAt = change.At;
    }

    /// <summary>Records what an account now is; true when that changed anything.</summary>
    public bool Apply(AccountRisk risk) =>
        Set(Flagged, risk.AccountId, risk.Flagged) | Set(ConfirmedFraud, risk.AccountId, risk.ConfirmedFraud);

    /// <summary>Recomputes the risk; returns how much it moved.</summary>
    public double Recompute(PropagationPolicy policy, long distinctAccounts, double flaggedStrength = 1, double confirmedStrength = 1)
    {
        var distinct = Math.Max(distinctAccounts, Flagged.Count);
        var risk = policy.EntityRisk(Label, ConfirmedFraud.Count, Flagged.Count, distinct, flaggedStrength, confirmedStrength);
        var moved = Math.Abs(risk - Risk);
        Risk = risk;
        RiskOfOthers = Flagged.Count == 0
            ? risk
            : policy.EntityRisk(Label, ConfirmedFraud.Count, Flagged.Count - 1, distinct - 1, flaggedStrength, confirmedStrength);
        return moved;
    }

    private static bool Set(List<string> list, string accountId, bool member)
    {
        if (member)
        {
            return RecentList.Touch(list, accountId, AccountCapacity);
        }

        return list.Remove(accountId);
    }
}
