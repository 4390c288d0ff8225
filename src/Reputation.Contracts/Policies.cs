using System.Text.Json;

namespace Reputation.Contracts;

/// <summary>The shadow (candidate) policy evaluated beside the live one.</summary>
public sealed record ShadowView
{
    /// <summary>Changes with every PUT of a candidate; its report counts from then.</summary>
    public required int ShadowId { get; init; }
    /// <summary>Name of the API key that set it.</summary>
    public required string SetBy { get; init; }
    /// <summary>When it was set.</summary>
    public required DateTimeOffset SetAt { get; init; }
    /// <summary>The candidate policy, whole.</summary>
    public required JsonElement Policy { get; init; }
}

/// <summary>How many decisions had one live outcome and one shadow outcome.</summary>
/// <typeparam name="T">The decision kind's outcome.</typeparam>
public sealed record ShadowCell<T>(T Live, T Shadow, long Count) where T : struct, Enum;

/// <summary>
/// What the candidate would have decided, since it was set, per decision kind: counts by (live
/// decision, shadow decision), and a sample of accounts whose decision would change.
/// </summary>
public sealed record ShadowReport
{
    /// <summary>The candidate this report is about (see <see cref="ShadowView.ShadowId"/>).</summary>
    public required int ShadowId { get; init; }
    /// <summary>Name of the API key that set the candidate.</summary>
    public required string SetBy { get; init; }
    /// <summary>When the candidate was set: the report counts from then.</summary>
    public required DateTimeOffset SetAt { get; init; }
    /// <summary>Decisions counted, all kinds.</summary>
    public required long Decisions { get; init; }
    /// <summary>Decisions whose shadow outcome differs from the live one.</summary>
    public required long Changed { get; init; }
    /// <summary>Signup decisions by (live, shadow) outcome; pairs never seen are left out.</summary>
    public required IReadOnlyList<ShadowCell<SignupDecision>> Signup { get; init; }
    /// <summary>Request decisions by (live, shadow) outcome.</summary>
    public required IReadOnlyList<ShadowCell<RequestDecision>> Request { get; init; }
    /// <summary>Billing decisions by (live, shadow) outcome.</summary>
    public required IReadOnlyList<ShadowCell<BillingDecision>> Billing { get; init; }
    /// <summary>Up to 100 accounts whose decision would change.</summary>
    public required IReadOnlyList<string> ChangedAccounts { get; init; }
    /// <summary>Each silo adds its counts every second: the report is at most about a second behind.</summary>
    public required double DelaySeconds { get; init; }
}
