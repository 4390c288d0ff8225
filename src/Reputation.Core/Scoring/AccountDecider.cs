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
        var released = kind == DecisionKind.Request && inputs.Released is { } r && r.ActiveAt(now) ? r : (ReleaseFacts?)null;
        int? shadowOutcome = shadow is null ? null : Released(Outcome(kind, shadow, Scorer.Score(shadow, now, inputs).Score), result.Score, released, shadow);
        var scored = Outcome(kind, policy, result.Score);
        var kept = Released(scored, result.Score, released, policy);
        if (kept != scored)
        {
            // The score is what it is; the reason says why it does not hold the account.
            result = result with
            {
                Contributions = [new Contribution(ReasonCodes.Released, 1, 0, string.Create(CultureInfo.InvariantCulture,
                    $"an operator released the account at score {released!.Value.Score:0.##}: allowed until {released.Value.Until:u} unless the score passes {released.Value.Score + policy.Countermeasures.ReleaseMargin:0.##}")),
                    .. result.Contributions],
            };
        }

        return new AccountDecision(kept, result, policy.Version, Listed: false, shadowOutcome);
    }

    /// <summary>
    /// A released account is allowed while its score stays within the release margin of the score
    /// it was released at: the evidence an operator already reviewed does not hold it again at once.
    /// </summary>
    private static int Released(int outcome, double score, ReleaseFacts? released, ScoringPolicy policy) =>
        released is { } r && outcome != 0 && score <= r.Score + policy.Countermeasures.ReleaseMargin ? 0 : outcome;

    /// <summary>
    /// What the gateway does to the answers of a request decision's account: the first of the
    /// policy's response rules that matches the outcome, the score band, the campaign and the model;
    /// null for allow and block, and for a throttle no throttle rule matches.
    /// </summary>
    public static ResponseInstruction? Respond(RequestOutcome outcome, double score, string? campaignId, string? model, ScoringPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (outcome is not (RequestOutcome.Degrade or RequestOutcome.Throttle))
        {
            return null;
        }

        foreach (var rule in policy.Countermeasures.Responses)
        {
            if (rule.Outcome == outcome
                && score >= rule.MinScore
                && (rule.Campaign is null || (campaignId is not null && (rule.Campaign == CountermeasurePolicy.CampaignAny || rule.Campaign == campaignId)))
                && (rule.ForModel is null || string.Equals(rule.ForModel, model, StringComparison.Ordinal)))
            {
                return new ResponseInstruction(rule.Mode, rule.Model, rule.Level);
            }
        }

        return null;
    }

    /// <summary>
    /// The hold in force after a request decision: a non-allow outcome begins one when none is in
    /// force (it lasts the policy's time for that outcome) and makes one in force stricter, never
    /// shorter; an allow leaves it as it is (it ends when its time is up or an operator releases it).
    /// </summary>
    public static HoldFacts? Hold(RequestOutcome outcome, DateTimeOffset now, HoldFacts? current, ScoringPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (outcome == RequestOutcome.Allow)
        {
            return current;
        }

        var until = now + policy.Countermeasures.HoldFor(outcome);
        if (current is not { } hold || !hold.ActiveAt(now))
        {
            return new HoldFacts(now, until, outcome);
        }

        return outcome > hold.Outcome ? hold with { Outcome = outcome, Until = until > hold.Until ? until : hold.Until } : hold;
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
