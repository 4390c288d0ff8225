using Reputation.Core.Campaigns;
using Reputation.Core.Scoring;

namespace Reputation.Grains.Campaigns;

/// <summary>
/// The <c>CAMPAIGN</c> reason (docs/reason-codes.md): a decision that is not allow names the campaign
/// the account is linked to through a hub. It contributes 0 (the score's reasons already say why) and
/// goes last, after the contributions, so the reasons a score is explained by keep their places.
/// </summary>
internal static class CampaignReason
{
    /// <param name="decision">The decision.</param>
    /// <param name="linked">The campaign a linked entity is a hub of; the caller looks only for a decision that is not allow (decisions are hot).</param>
    public static ReasonEntry[] Of(AccountDecision decision, (string CampaignId, string Via)? linked) =>
        decision.Outcome == 0 || decision.Listed || linked is not { } l
            ? []
            : [new ReasonEntry { Code = CampaignCodes.Campaign, Contribution = 0, Detail = $"linked to campaign {l.CampaignId} through {l.Via}" }];
}
