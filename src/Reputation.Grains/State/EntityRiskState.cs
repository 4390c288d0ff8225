using Reputation.Core.Campaigns;
using Reputation.Core.Collections;
using Reputation.Core.Scoring;
using Reputation.Core.Sketches;

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
    /// <summary>
    /// Every account ever flagged or labelled fraud here (HyperLogLog, 256 bytes), allocated with the
    /// first one: counts past the capped <see cref="Flagged"/> list, for campaign hubs.
    /// </summary>
    [Id(8)] public byte[]? FlaggedSketch { get; set; }
    /// <summary>The campaign this entity was last told it belongs to as a hub (docs/decisions/0018-campaigns.md).</summary>
    [Id(9)] public string? CampaignId { get; set; }
    /// <summary>It was a campaign hub when its risk was last recomputed.</summary>
    [Id(10)] public bool Hub { get; set; }
    /// <summary>Its flagged accounts when it last reported to the campaign registry; 0 when not reported as a hub.</summary>
    [Id(11)] public long HubReportedFlagged { get; set; }
    /// <summary>Of <see cref="Flagged"/>, those that were new accounts when flagged (kept by ranges only).</summary>
    [Id(12)] public List<string> FlaggedNew { get; set; } = [];
    // Never renumber an Id; a new member takes the next one.

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

    /// <summary>The campaign it carries in its signals: its campaign while it is a hub, else none.</summary>
    public string? HubCampaignId => Hub ? CampaignId : null;

    /// <summary>Accounts flagged here: the capped list's count, or once it is full the sketch of all ever flagged.</summary>
    public long FlaggedEstimate => Flagged.Count < AccountCapacity || FlaggedSketch is null
        ? Flagged.Count
        : Math.Max(Flagged.Count, HyperLogLog.Wrap(FlaggedSketch).Estimate());

    /// <summary>Records what an account now is; true when that changed anything. With <paramref name="trackNew"/>, also whether it is a flagged new account.</summary>
    public bool Apply(AccountRisk risk, bool trackNew = false)
    {
        if (risk.Flagged || risk.ConfirmedFraud)
        {
            HyperLogLog.Wrap(FlaggedSketch ??= new byte[1 << CampaignRules.SketchPrecision]).Add(risk.AccountId);
        }

        var changed = Set(Flagged, risk.AccountId, risk.Flagged) | Set(ConfirmedFraud, risk.AccountId, risk.ConfirmedFraud);
        return trackNew ? Set(FlaggedNew, risk.AccountId, risk.Flagged && risk.New) | changed : changed;
    }

    /// <summary>
    /// An erased account leaves its place in the flagged and confirmed-fraud lists to an anonymous
    /// placeholder: the counts and the risk stay as they were, the id goes (docs/security.md, "Erasure").
    /// </summary>
    public bool ReplaceAccount(string accountId, string placeholder) =>
        Erasure.ErasedAccounts.Replace(Flagged, accountId, placeholder)
        | Erasure.ErasedAccounts.Replace(ConfirmedFraud, accountId, placeholder)
        | Erasure.ErasedAccounts.Replace(FlaggedNew, accountId, placeholder);

    /// <summary>The risk from the entity's label and its confirmed-fraud accounts alone, flagged ones left out.</summary>
    public double RiskOfConfirmed(PropagationPolicy policy, long distinctAccounts) =>
        policy.EntityRisk(Label, ConfirmedFraud.Count, ConfirmedFraud.Count, Math.Max(distinctAccounts, Flagged.Count));

    /// <summary>
    /// The risk a new account reads: the operators' labels (confirmed share over all accounts, as for
    /// everyone) and the flagged new accounts as a share of the recent signups, never "flagged aged
    /// accounts here, so every newcomer too" (docs/decisions/0017-evidence-in-proportion.md).
    /// </summary>
    public double RiskForNew(PropagationPolicy policy, long distinctAccounts, long recentSignups, double strength, bool withoutOne)
    {
        var confirmed = ConfirmedFraud.Count;
        var distinct = Math.Max(distinctAccounts, Flagged.Count);
        var labels = policy.EntityRisk(Label, confirmed, confirmed, distinct, strength, strength);
        if (Label != Label.None)
        {
            return labels;
        }

        var flaggedNew = Math.Max(FlaggedNew.Count - (withoutOne ? 1 : 0), 0);
        var signups = Math.Max(recentSignups - (withoutOne ? 1 : 0), 0);
        var newcomers = flaggedNew == 0 ? 0 : policy.EntityRisk(Label.None, 0, flaggedNew, Math.Max(signups, flaggedNew), strength, strength);
        return 1 - ((1 - labels) * (1 - newcomers));
    }

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
