using Reputation.Core.Scoring;

namespace Reputation.Core.Backtests;

/// <summary>
/// The facts one decision was made from, as <see cref="AccountDecider"/> saw them, kept to decide
/// them again under another policy. Nothing that names a person or an entity beyond the account id
/// (needed to name the accounts a candidate would decide differently): counts, shares, risks,
/// labels and standing of the account and its entities, a charge's amount and currency, whether a
/// list entry allows or denies, a threat-intel match's confidence and producer. The IP range's
/// name, a list entry's reason and a match's description only word the reasons, so they are
/// dropped; no email hash, device, address, prompt or fingerprint was ever among the facts.
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

    /// <summary>Copies what a decision read (its spans are the grain's buffers), without the names and texts that only word its reasons.</summary>
    public static DecisionSample Of(string accountId, DecisionKind kind, DateTimeOffset at, in ScoreInputs inputs, ListMatch? listed)
    {
        var others = new RangeFacts[inputs.OtherRanges.Length];
        for (var i = 0; i < others.Length; i++)
        {
            others[i] = inputs.OtherRanges[i] with { Range = "" };
        }

        var intel = new IntelMatchFacts[inputs.ThreatIntel.Length];
        for (var i = 0; i < intel.Length; i++)
        {
            intel[i] = inputs.ThreatIntel[i] with { What = "" };
        }

        return new()
        {
            AccountId = accountId,
            Kind = kind,
            At = at,
            Account = inputs.Account,
            Range = inputs.Range is { } range ? range with { Range = "" } : null,
            OtherRanges = others,
            Instruments = inputs.Instruments.ToArray(),
            Templates = inputs.Templates.ToArray(),
            ThreatIntel = intel,
            Charge = inputs.Charge,
            Released = inputs.Released,
            Listed = listed is { } hit ? new ListMatch(hit.Deny, "", "") : null,
        };
    }

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
