using Reputation.Contracts;
using Reputation.Core.Campaigns;
using Reputation.Core.Scoring;
using Reputation.Grains;

namespace Reputation.Api.Features.Decisions;

internal static class DecisionMapping
{
    // LIST_ALLOW and RELEASED contribute 0 but are the whole explanation of their decision. CAMPAIGN
    // contributes 0 and names what the account is part of: it follows the top reasons, in addition to them.
    public static IReadOnlyList<Reason> Reasons(DecisionResult result, int top) =>
        [.. result.Reasons.Where(r => r.Contribution > 0 || r.Code is ReasonCodes.ListAllow or ReasonCodes.Released).Take(top)
            .Concat(result.Reasons.Where(r => r.Code == CampaignCodes.Campaign)).Select(ToReason)];

    public static IReadOnlyList<Reason> AllReasons(DecisionResult result) => [.. result.Reasons.Select(ToReason)];

    public static GatewayResponse? Response(ResponseInstruction? instruction) => instruction is not { } i ? null : new GatewayResponse
    {
        Mode = (ResponseMode)i.Mode,
        Model = i.Model,
        Level = i.Level,
    };

    private static Reason ToReason(ReasonEntry r) => new(r.Code, r.Contribution, r.Detail);
}
