using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace Reputation.Core.Scoring;

/// <summary>What a gateway does to the answers of an account it degrades (or throttles, where the policy says so).</summary>
public enum CountermeasureMode
{
    /// <summary>Answer, but replace reasoning traces with a short summary.</summary>
    SummarizeReasoning,
    /// <summary>Answer without any reasoning trace.</summary>
    WithholdReasoning,
    /// <summary>Answer with another (smaller) model: the rule's <c>model</c>.</summary>
    FallbackModel,
    /// <summary>Answer with subtly perturbed output, at the rule's <c>level</c> (0 none, 1 the most the gateway does).</summary>
    Perturb,
}

/// <summary>
/// One response rule of <see cref="CountermeasurePolicy.Responses"/>. The first rule whose conditions
/// all hold answers; a condition left out always holds.
/// </summary>
public sealed record ResponseRule
{
    /// <summary>The outcome the rule is for: <c>degrade</c> (the default) or <c>throttle</c>.</summary>
    public RequestOutcome Outcome { get; init; } = RequestOutcome.Degrade;
    /// <summary>Condition: the decision's score is at least this (0–1; 0 = any score). Score bands are rules in descending order.</summary>
    public double MinScore { get; init; }
    /// <summary>Condition: the account is linked to a campaign: <c>*</c> any campaign, or one campaign id (<c>cmp-</c> and 16 hex digits). Null: with or without.</summary>
    public string? Campaign { get; init; }
    /// <summary>Condition: the model the gateway asked about (the request's <c>model</c>), exactly. Null: any model, or none given.</summary>
    public string? ForModel { get; init; }
    /// <summary>What the gateway does: summarizeReasoning, withholdReasoning, fallbackModel or perturb.</summary>
    public CountermeasureMode Mode { get; init; }
    /// <summary>For <c>fallbackModel</c> (required there, not allowed elsewhere): the model to answer with.</summary>
    public string? Model { get; init; }
    /// <summary>For <c>perturb</c> (required there, not allowed elsewhere): how much, 0–1.</summary>
    public double? Level { get; init; }
}

/// <summary>
/// What the service asks a gateway to do beyond the decision: response modes, how long a hold
/// lasts, and how a release protects an account afterwards (docs/gateway-contract.md).
/// </summary>
public sealed record CountermeasurePolicy
{
    /// <summary>
    /// Response rules, first match wins (at most 64). Every degrade must find one: the list needs a
    /// degrade rule without conditions. A throttle gets a response only if a throttle rule matches.
    /// </summary>
    public IReadOnlyList<ResponseRule> Responses { get; init; } =
    [
        // A campaign's harvest is made worthless for training: perturbed answers.
        new() { Campaign = CampaignAny, Mode = CountermeasureMode.Perturb, Level = 0.3 },
        new() { MinScore = 0.8, Mode = CountermeasureMode.WithholdReasoning },
        new() { Mode = CountermeasureMode.SummarizeReasoning },
    ];

    /// <summary>Minutes a hold begun by a throttle lasts (1–525,600).</summary>
    public int ThrottleHoldMinutes { get; init; } = 60;
    /// <summary>Minutes a hold begun (or made stricter) by a degrade lasts (1–525,600).</summary>
    public int DegradeHoldMinutes { get; init; } = 24 * 60;
    /// <summary>Minutes a hold begun (or made stricter) by a block lasts (1–525,600).</summary>
    public int BlockHoldMinutes { get; init; } = 7 * 24 * 60;
    /// <summary>
    /// After a release, how many hours the account is allowed while its score stays within
    /// <see cref="ReleaseMargin"/> of the score it was released at (1–8,760).
    /// </summary>
    public int ReleaseHours { get; init; } = 7 * 24;
    /// <summary>How much a released account's score may rise above its score at release before it can be held again (0–1).</summary>
    public double ReleaseMargin { get; init; } = 0.1;

    /// <summary>The <see cref="ResponseRule.Campaign"/> value that matches any campaign.</summary>
    public const string CampaignAny = "*";

    // By value, rules included, so a policy read back from JSON equals the one saved.
    public bool Equals(CountermeasurePolicy? other) =>
        other is not null && ThrottleHoldMinutes == other.ThrottleHoldMinutes && DegradeHoldMinutes == other.DegradeHoldMinutes
        && BlockHoldMinutes == other.BlockHoldMinutes && ReleaseHours == other.ReleaseHours && ReleaseMargin.Equals(other.ReleaseMargin)
        && (ReferenceEquals(Responses, other.Responses) || (Responses is not null && other.Responses is not null && Responses.SequenceEqual(other.Responses)));

    public override int GetHashCode() => HashCode.Combine(ThrottleHoldMinutes, DegradeHoldMinutes, BlockHoldMinutes, ReleaseHours, ReleaseMargin, Responses?.Count);

    /// <summary>How long a hold of this outcome lasts; zero for allow.</summary>
    public TimeSpan HoldFor(RequestOutcome outcome) => outcome switch
    {
        RequestOutcome.Throttle => TimeSpan.FromMinutes(ThrottleHoldMinutes),
        RequestOutcome.Degrade => TimeSpan.FromMinutes(DegradeHoldMinutes),
        RequestOutcome.Block => TimeSpan.FromMinutes(BlockHoldMinutes),
        _ => TimeSpan.Zero,
    };
}

/// <summary>What the gateway is asked to do to the account's answers.</summary>
/// <param name="Mode">The response mode.</param>
/// <param name="Model">For <see cref="CountermeasureMode.FallbackModel"/>: the model to use.</param>
/// <param name="Level">For <see cref="CountermeasureMode.Perturb"/>: how much, 0–1.</param>
public readonly record struct ResponseInstruction(CountermeasureMode Mode, string? Model, double? Level);

/// <summary>A hold: since when the account is held, until when, and the strictest request outcome it was held for.</summary>
public readonly record struct HoldFacts(DateTimeOffset Since, DateTimeOffset Until, RequestOutcome Outcome)
{
    public bool ActiveAt(DateTimeOffset now) => now < Until;
}

/// <summary>An operator's release: until when it protects the account, and the score it was released at.</summary>
public readonly record struct ReleaseFacts(DateTimeOffset Until, double Score)
{
    public bool ActiveAt(DateTimeOffset now) => now < Until;
}

/// <summary>
/// Watermark key ids: stable per campaign, or per account before a campaign forms. A key id is an
/// id, not a secret (the gateway holds the secrets it derives from it); it is a hash of the subject
/// so every silo names the same key without asking anyone.
/// </summary>
public static class WatermarkKeys
{
    public const string Prefix = "wm-";

    /// <summary>The key id for a campaign when there is one, else for the account.</summary>
    public static string For(string? campaignId, string accountId) =>
        campaignId is not null ? Of("campaign:" + campaignId) : Of("account:" + accountId);

    /// <summary>A well-formed key id: <c>wm-</c> and 16 lower-case hex digits.</summary>
    public static bool IsValid(string? keyId) =>
        keyId is { Length: 19 } && keyId.StartsWith(Prefix, StringComparison.Ordinal)
            && keyId.AsSpan(Prefix.Length).IndexOfAnyExcept(s_hex) < 0;

    private static readonly System.Buffers.SearchValues<char> s_hex = System.Buffers.SearchValues.Create("0123456789abcdef");

    private static string Of(string subject) =>
        Prefix + XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(subject)).ToString("x16", CultureInfo.InvariantCulture);
}
