using System.Globalization;

namespace Reputation.Core.Scoring;

/// <summary>The three decisions the service makes about an account.</summary>
public enum DecisionKind
{
    Signup,
    Request,
    Billing,
}

/// <summary>An allow- or deny-list entry in force for the account or one of the entities the decision reads.</summary>
/// <param name="Deny">A deny entry (else allow).</param>
/// <param name="What">What is listed, for the reason: "the account", "a linked payment instrument", ...</param>
/// <param name="Reason">The entry's reason as the operator wrote it.</param>
public readonly record struct ListMatch(bool Deny, string What, string Reason);

/// <summary>What a charge is, for a billing decision.</summary>
/// <param name="AmountMinor">The amount in the currency's minor units.</param>
/// <param name="Currency">ISO 4217 code, recorded with the decision.</param>
/// <param name="PriorSucceededPayments">Successful payments the account made before.</param>
public readonly record struct ChargeFacts(long AmountMinor, string Currency, long PriorSucceededPayments);

/// <summary>A decision: the kind's outcome (its enum as an int), the score and its contributions, and a candidate's outcome.</summary>
public sealed record AccountDecision(int Outcome, ScoreResult Result, int PolicyVersion, bool Listed, int? ShadowOutcome);

/// <summary>
/// The one decision path for signup, request and billing: a list entry overrides, else the score
/// under the live policy decides by the kind's thresholds, and a shadow candidate is scored on the
/// same facts. Pure — no clock, no I/O, no Orleans — so every rule is unit-tested; the account grain
/// only gathers the facts and records what was decided.
/// </summary>
public static class AccountDecider
{
    public static AccountDecision Decide(DecisionKind kind, DateTimeOffset now, in ScoreInputs inputs, ListMatch? listed, ScoringPolicy policy, ScoringPolicy? shadow)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (listed is { } hit)
        {
            // A list entry decides alike under the live policy and a candidate: counted as unchanged.
            var outcome = hit.Deny ? Strictest(kind) : 0;
            var reason = new Contribution(hit.Deny ? ReasonCodes.ListDeny : ReasonCodes.ListAllow, 1, hit.Deny ? 1 : 0,
                $"{hit.What} is on the {(hit.Deny ? "deny" : "allow")} list: {hit.Reason}");
            return new AccountDecision(outcome, new ScoreResult(hit.Deny ? 1 : 0, [reason]), policy.Version, Listed: true, shadow is null ? null : outcome);
        }

        var result = Scorer.Score(policy, now, inputs);
        int? shadowOutcome = shadow is null ? null : Outcome(kind, shadow, Scorer.Score(shadow, now, inputs).Score);
        return new AccountDecision(Outcome(kind, policy, result.Score), result, policy.Version, Listed: false, shadowOutcome);
    }

    /// <summary>The kind's outcome for a score under a policy's thresholds.</summary>
    public static int Outcome(DecisionKind kind, ScoringPolicy policy, double score)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return kind switch
        {
            DecisionKind.Signup => (int)policy.Signup.Decide(score),
            DecisionKind.Request => (int)policy.Request.Decide(score),
            _ => (int)policy.Billing.Decide(score),
        };
    }

    /// <summary>What a deny entry answers: the kind's strictest outcome.</summary>
    public static int Strictest(DecisionKind kind) => kind switch
    {
        DecisionKind.Signup => (int)SignupOutcome.Deny,
        DecisionKind.Request => (int)RequestOutcome.Block,
        _ => (int)BillingOutcome.Deny,
    };

    internal static string Money(long amountMinor, string currency) =>
        string.Create(CultureInfo.InvariantCulture, $"{amountMinor} {currency} (minor units)");
}
