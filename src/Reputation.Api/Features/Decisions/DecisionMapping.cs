using Reputation.Contracts;
using Reputation.Core.Campaigns;
using Reputation.Core.Scoring;
using Reputation.Grains;

namespace Reputation.Api.Features.Decisions;

internal static class DecisionMapping
{
    // LIST_ALLOW contributes 0 but is the whole explanation of its decision. CAMPAIGN contributes 0
    // and names what the account is part of: it follows the top reasons, in addition to them.
    public static IReadOnlyList<Reason> Reasons(DecisionResult result, int top) =>
        [.. result.Reasons.Where(r => r.Contribution > 0 || r.Code == ReasonCodes.ListAllow).Take(top)
            .Concat(result.Reasons.Where(r => r.Code == CampaignCodes.Campaign)).Select(ToReason)];

    public static IReadOnlyList<Reason> AllReasons(DecisionResult result) => [.. result.Reasons.Select(ToReason)];

    private static Reason ToReason(ReasonEntry r) => new(r.Code, r.Contribution, r.Detail);
}
