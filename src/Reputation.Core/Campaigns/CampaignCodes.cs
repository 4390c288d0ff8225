namespace Reputation.Core.Campaigns;

/// <summary>
/// Codes campaigns add to the vocabulary of <see cref="Scoring.ReasonCodes"/> (docs/reason-codes.md):
/// stable, never renamed. Campaign evidence otherwise reuses the reason codes of the signals it stands for.
/// </summary>
public static class CampaignCodes
{
    /// <summary>
    /// A decision's reason naming the campaign the account is linked to through one of its shared
    /// entities; contributes 0 and is listed after the top reasons.
    /// </summary>
    public const string Campaign = "CAMPAIGN";

    /// <summary>Campaign evidence: IP ranges whose accounts are mostly flagged.</summary>
    public const string IpRangeShared = "IP_RANGE_SHARED";
}
