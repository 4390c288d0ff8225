using Reputation.Contracts;
using Reputation.Core.Scoring;
using Reputation.Grains;

namespace Reputation.Api.Features.Decisions;

internal static class DecisionMapping
{
    // LIST_ALLOW contributes 0 but is the whole explanation of its decision.
    public static IReadOnlyList<Reason> Reasons(DecisionResult result, int top) =>
        [.. result.Reasons.Where(r => r.Contribution > 0 || r.Code == ReasonCodes.ListAllow).Take(top).Select(ToReason)];

    public static IReadOnlyList<Reason> AllReasons(DecisionResult result) => [.. result.Reasons.Select(ToReason)];

    private static Reason ToReason(ReasonEntry r) => new(r.Code, r.Contribution, r.Detail);
}
