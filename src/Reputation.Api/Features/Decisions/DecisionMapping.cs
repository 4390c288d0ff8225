using Reputation.Contracts;
using Reputation.Grains;

namespace Reputation.Api.Features.Decisions;

internal static class DecisionMapping
{
    public static IReadOnlyList<Reason> Reasons(DecisionResult result, int top) =>
        [.. result.Reasons.Where(r => r.Contribution > 0).Take(top).Select(ToReason)];

    public static IReadOnlyList<Reason> AllReasons(DecisionResult result) => [.. result.Reasons.Select(ToReason)];

    private static Reason ToReason(ReasonEntry r) => new(r.Code, r.Contribution, r.Detail);
}
