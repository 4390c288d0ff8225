using Reputation.Core.Scoring;

namespace Reputation.Core.Backtests;

/// <summary>
/// The facts one decision was made from, as <see cref="AccountDecider"/> saw them, kept to decide
/// them again under another policy. Nothing personal beyond the account id (needed to name the
/// accounts a candidate would decide differently): counts, shares, risks and labels of the account
/// and its entities, the canonical IP range (/24, /64) the decision was asked from, the charge's
/// amount and currency, a list entry's reason and a threat-intel match's description. No email
/// hash, device, address of an individual, prompt or fingerprint.
/// </summary>
public sealed record DecisionSample
{
    public required string AccountId { get; init; }

    public required DecisionKind Kind { get; init; }

    /// <summary>When it was decided: the decider's "now" (account age, windows, a release in force).</summary>
    public required DateTimeOffset At { get; init; }

    public required AccountFacts Account { get; init; }

    public RangeFacts? Range { get; init; }

    public RangeFacts[] OtherRanges { get; init; } = [];

    public InstrumentFacts[] Instruments { get; init; } = [];

    public TemplateFacts[] Templates { get; init; } = [];

    public IntelMatchFacts[] ThreatIntel { get; init; } = [];

    public ChargeFacts? Charge { get; init; }

    public ReleaseFacts? Released { get; init; }

    /// <summary>The list entry in force, which decides alike under every policy.</summary>
    public ListMatch? Listed { get; init; }

    /// <summary>Copies what a decision read (its spans are the grain's buffers).</summary>
    public static DecisionSample Of(string accountId, DecisionKind kind, DateTimeOffset at, in ScoreInputs inputs, ListMatch? listed) => new()
    {
        AccountId = accountId,
        Kind = kind,
        At = at,
        Account = inputs.Account,
        Range = inputs.Range,
        OtherRanges = inputs.OtherRanges.ToArray(),
        Instruments = inputs.Instruments.ToArray(),
        Templates = inputs.Templates.ToArray(),
        ThreatIntel = inputs.ThreatIntel.ToArray(),
        Charge = inputs.Charge,
        Released = inputs.Released,
        Listed = listed,
    };

    /// <summary>The facts again, as the decider reads them.</summary>
    public ScoreInputs Inputs() => new()
    {
        Account = Account,
        Range = Range,
        OtherRanges = OtherRanges,
        Instruments = Instruments,
        Templates = Templates,
        ThreatIntel = ThreatIntel,
        Charge = Charge,
        Released = Released,
    };
}
