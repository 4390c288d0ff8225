using Reputation.Core.Privacy;
using Reputation.Core.Scoring;

namespace Reputation.Grains;

public enum PaymentKind
{
    Succeeded,
    Declined,
    Chargeback,
    Refunded,
}

public enum EventStatus
{
    Accepted,
    Duplicate,
}

/// <summary>An event for one account, already validated and canonicalised at the edge.</summary>
[GenerateSerializer, Alias("reputation.AccountEvent")]
public abstract class AccountEvent
{
    [Id(0)] public required string EventId { get; init; }
    [Id(1)] public required DateTimeOffset OccurredAt { get; init; }
    /// <summary>Canonical IP range key (<c>198.51.100.0/24</c>), if the event carried an address.</summary>
    [Id(2)] public string? IpRange { get; init; }
    /// <summary>The configured name of the API key that sent it (never the key); null from inside the service.</summary>
    [Id(3)] public string? Sender { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.SignupEvent")]
public sealed class SignupEvent : AccountEvent
{
    [Id(0)] public string? EmailHash { get; init; }
    [Id(1)] public string? PaymentFingerprint { get; init; }
    [Id(2)] public string? DeviceId { get; init; }
    [Id(3)] public string? Country { get; init; }
    [Id(4)] public string? OrganizationId { get; init; }
    [Id(5)] public bool OrganizationVerified { get; init; }
    /// <summary>Keyed hash of the email's domain (never the domain itself).</summary>
    [Id(6)] public string? EmailDomainHash { get; init; }
    [Id(7)] public EmailDomainKind EmailDomainKind { get; init; }
    /// <summary>
    /// During an email hash key rotation, the id the same signup decision had under the previous key:
    /// the account treats either as the signup's (docs/operations.md, "Rotating the email hash key").
    /// </summary>
    [Id(8)] public string? PreviousKeyEventId { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.UsageEvent")]
public sealed class UsageEvent : AccountEvent
{
    [Id(0)] public long Requests { get; init; }
    [Id(1)] public long InputTokens { get; init; }
    [Id(2)] public long OutputTokens { get; init; }
    [Id(3)] public ulong[] PromptFingerprints { get; init; } = [];
    [Id(4)] public double? ReasoningElicitation { get; init; }
    [Id(5)] public string? Model { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.PaymentEvent")]
public sealed class PaymentEvent : AccountEvent
{
    [Id(0)] public required string PaymentFingerprint { get; init; }
    [Id(1)] public required PaymentKind Outcome { get; init; }
    [Id(2)] public long? AmountMinor { get; init; }
    [Id(3)] public string? Currency { get; init; }
}

/// <summary>What an account tells an IP range about one of its events.</summary>
[GenerateSerializer, Immutable, Alias("reputation.RangeEntry")]
public sealed record RangeEntry
{
    /// <summary>The id the entity remembers this entry by (and the account confirms it by).</summary>
    public ulong DedupId() => Core.Collections.DedupWindow.Hash(EventId);

    [Id(0)] public required string EventId { get; init; }
    [Id(1)] public required DateTimeOffset OccurredAt { get; init; }
    [Id(2)] public bool IsSignup { get; init; }
    [Id(3)] public long Requests { get; init; }
    [Id(4)] public long Tokens { get; init; }
    /// <summary>The account's first request after half an hour or more without any.</summary>
    [Id(5)] public bool Activated { get; init; }
    /// <summary>A signup of a member of a verified organisation: an onboarding team, not a signup burst.</summary>
    [Id(6)] public bool VerifiedOrganization { get; init; }
    /// <summary>
    /// A signup's organisation as an owner (<c>organization:…</c>, verified or not): its members'
    /// signups within an hour count once in the range's signup velocity; null: the account alone.
    /// </summary>
    [Id(7)] public string? OwnerGroup { get; init; }
}

/// <summary>What an account tells a payment instrument about one of its events.</summary>
[GenerateSerializer, Immutable, Alias("reputation.InstrumentEntry")]
public sealed record InstrumentEntry
{
    /// <summary>The id the entity remembers this entry by (and the account confirms it by).</summary>
    public ulong DedupId() => Core.Collections.DedupWindow.Hash(EventId);

    [Id(0)] public required string EventId { get; init; }
    [Id(1)] public required DateTimeOffset OccurredAt { get; init; }
    /// <summary>Null for a link without a payment (a signup naming the instrument).</summary>
    [Id(2)] public PaymentKind? Outcome { get; init; }
    /// <summary>Requests of a usage event, counted against the instrument's cluster quota.</summary>
    [Id(3)] public long Requests { get; init; }
    [Id(4)] public bool Activated { get; init; }
    /// <summary>
    /// Who the account is to the card when it is one of a group that counts as one owner
    /// (<c>organization:…</c> for an organisation's members); null: itself.
    /// </summary>
    [Id(5)] public string? OwnerGroup { get; init; }
}

/// <summary>What an account tells a prompt-template bucket about one fingerprint of a usage event.</summary>
[GenerateSerializer, Immutable, Alias("reputation.TemplateEntry")]
public sealed record TemplateEntry
{
    /// <summary>The id the entity remembers this entry by (and the account confirms it by).</summary>
    public ulong DedupId() => Core.Collections.DedupWindow.Hash(EventId + "/" + Fingerprint.ToString("x16", System.Globalization.CultureInfo.InvariantCulture));

    [Id(0)] public required string EventId { get; init; }
    [Id(1)] public required DateTimeOffset OccurredAt { get; init; }
    [Id(2)] public required ulong Fingerprint { get; init; }
    [Id(3)] public long Requests { get; init; }
    [Id(4)] public bool Activated { get; init; }
    /// <summary>What the account is (new, established, dormant, trusted), for the bucket's sharer profile.</summary>
    [Id(5)] public Standing Standing { get; init; }
    /// <summary>Short tags of where the account is (its range) and which cohort (its work domain; 0 when none), never the values.</summary>
    [Id(6)] public ushort RangeTag { get; init; }
    [Id(7)] public ushort DomainTag { get; init; }
    /// <summary>The model the requests were for, when the usage event named one (a campaign's traffic by model).</summary>
    [Id(8)] public string? Model { get; init; }
    /// <summary>The account's own five-minute bins with usage, all its traffic (<see cref="Lockstep"/>), and the newest of them.</summary>
    [Id(9)] public ulong AccountBins { get; init; }
    [Id(10)] public int AccountLatestBin { get; init; }
    /// <summary>Whether a template or cluster found the account in lockstep with its sharers beyond chance lately (<see cref="SharerTraits.InStepElsewhere"/>).</summary>
    [Id(11)] public bool InStep { get; init; }
    /// <summary>When the account's activity began: its first usage the service saw (<see cref="CoStart"/>); null when unknown.</summary>
    [Id(12)] public DateTimeOffset? AccountFirstUsageAt { get; init; }
}

/// <summary>An operator's label; <see cref="Label.None"/> clears one.</summary>
[GenerateSerializer, Immutable, Alias("reputation.LabelChange")]
public sealed record LabelChange
{
    [Id(0)] public required Label Label { get; init; }
    [Id(1)] public required string Reason { get; init; }
    [Id(2)] public required string By { get; init; }
    [Id(3)] public required DateTimeOffset At { get; init; }
}

/// <summary>The label an entity carries, for views.</summary>
[GenerateSerializer, Immutable, Alias("reputation.LabelInfo")]
public sealed record LabelInfo
{
    [Id(0)] public required Label Label { get; init; }
    [Id(1)] public string? Reason { get; init; }
    [Id(2)] public string? By { get; init; }
    [Id(3)] public DateTimeOffset? At { get; init; }
}

/// <summary>What an account tells its entities when it becomes flagged or unflagged, or is labelled.</summary>
[GenerateSerializer, Immutable, Alias("reputation.AccountRisk")]
public sealed record AccountRisk
{
    [Id(0)] public required string AccountId { get; init; }
    /// <summary>Its score is at or above the policy's flagged score.</summary>
    [Id(1)] public bool Flagged { get; init; }
    /// <summary>An operator labelled it fraud.</summary>
    [Id(2)] public bool ConfirmedFraud { get; init; }
    /// <summary>Hops from where the change started.</summary>
    [Id(3)] public int Hop { get; init; }
    /// <summary>A new account (younger than <c>ramps.newAccountMaturity</c>): a range weighs its flagged new accounts for its new signups.</summary>
    [Id(4)] public bool New { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.ReasonEntry")]
public sealed record ReasonEntry
{
    [Id(0)] public required string Code { get; init; }
    [Id(1)] public required double Contribution { get; init; }
    [Id(2)] public required string Detail { get; init; }
}

/// <summary>A decision of any kind; <see cref="Outcome"/> is the kind's own outcome enum as an int.</summary>
[GenerateSerializer, Immutable, Alias("reputation.DecisionResult")]
public sealed record DecisionResult
{
    [Id(0)] public required int Outcome { get; init; }
    [Id(1)] public required double Score { get; init; }
    /// <summary>Every contribution, largest first.</summary>
    [Id(2)] public required ReasonEntry[] Reasons { get; init; }
    [Id(3)] public required int PolicyVersion { get; init; }
    [Id(4)] public int RequestsPerMinute { get; init; }
    [Id(5)] public int CacheTtlSeconds { get; init; }
    /// <summary>Request decisions other than allow: when the account's hold ends.</summary>
    [Id(6)] public DateTimeOffset? HoldUntil { get; init; }
    /// <summary>Request decisions other than allow: the campaign the account is linked to, if any (the response mode depends on it).</summary>
    [Id(7)] public string? CampaignId { get; init; }
    /// <summary>Degrade: the watermark key id of the account's campaign, or of the account.</summary>
    [Id(8)] public string? WatermarkKeyId { get; init; }
}

/// <summary>What a release did: the hold it ended, the score it was released at, until when it protects, the cleared label.</summary>
[GenerateSerializer, Immutable, Alias("reputation.ReleaseOutcome")]
public sealed record ReleaseOutcome
{
    [Id(0)] public DateTimeOffset? HoldUntil { get; init; }
    [Id(1)] public required double Score { get; init; }
    [Id(2)] public required DateTimeOffset ReleasedUntil { get; init; }
    [Id(3)] public required LabelInfo Label { get; init; }
}

/// <summary>Whom a watermark key was issued to.</summary>
[GenerateSerializer, Immutable, Alias("reputation.WatermarkSnapshot")]
public sealed record WatermarkSnapshot
{
    [Id(0)] public string? CampaignId { get; init; }
    [Id(1)] public string? AccountId { get; init; }
    [Id(2)] public required DateTimeOffset IssuedAt { get; init; }
    [Id(3)] public required DateTimeOffset LastIssuedAt { get; init; }
    [Id(4)] public required long AccountsIssued { get; init; }
    [Id(5)] public required string[] Accounts { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.UsageSnapshot")]
public sealed record UsageSnapshot
{
    [Id(0)] public long RequestsLastMinute { get; init; }
    [Id(1)] public long RequestsLastHour { get; init; }
    [Id(2)] public long RequestsLastDay { get; init; }
    [Id(3)] public long TokensLastHour { get; init; }
    [Id(4)] public long RequestsTotal { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.PaymentSnapshot")]
public sealed record PaymentSnapshot
{
    [Id(0)] public long Succeeded { get; init; }
    [Id(1)] public long Declined { get; init; }
    [Id(2)] public long Chargebacks { get; init; }
    [Id(3)] public long Refunded { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.AccountSnapshot")]
public sealed record AccountSnapshot
{
    [Id(0)] public required string AccountId { get; init; }
    [Id(1)] public DateTimeOffset? CreatedAt { get; init; }
    [Id(2)] public DateTimeOffset? LastSeenAt { get; init; }
    [Id(3)] public required DecisionResult RequestDecision { get; init; }
    [Id(4)] public required string[] PaymentInstruments { get; init; }
    [Id(5)] public required string[] IpRanges { get; init; }
    [Id(6)] public required UsageSnapshot Usage { get; init; }
    [Id(7)] public required PaymentSnapshot Payments { get; init; }
    [Id(8)] public LabelInfo? Label { get; init; }
    [Id(9)] public string[] PromptBuckets { get; init; } = [];
    /// <summary>Which keys sent its events (docs/decisions/0021-event-provenance.md).</summary>
    [Id(10)] public Provenance.SenderTally[] Senders { get; init; } = [];
    /// <summary>When the hold in force ends, if one is.</summary>
    [Id(11)] public DateTimeOffset? HoldUntil { get; init; }
    /// <summary>Until when an operator's release protects it, if one does.</summary>
    [Id(12)] public DateTimeOffset? ReleasedUntil { get; init; }
    /// <summary>The platform's organisation its signup named, if any.</summary>
    [Id(13)] public string? OrganizationId { get; init; }
    /// <summary>Whether the platform verified that organisation (a trust seed).</summary>
    [Id(14)] public bool OrganizationVerified { get; init; }
    /// <summary>The co-occurrence clusters (template-set band keys) its set of shared templates is a member of (docs/decisions/0035-template-sets.md).</summary>
    [Id(60)] public string[] TemplateSets { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("reputation.RangeSnapshot")]
public sealed record RangeSnapshot
{
    [Id(0)] public required string Range { get; init; }
    [Id(1)] public long DistinctAccounts { get; init; }
    [Id(2)] public long SignupsLastHour { get; init; }
    [Id(3)] public long SignupsLastDay { get; init; }
    [Id(4)] public required UsageSnapshot Usage { get; init; }
    [Id(5)] public required string[] RecentAccounts { get; init; }
    [Id(6)] public DateTimeOffset? FirstSeenAt { get; init; }
    [Id(7)] public DateTimeOffset? LastSeenAt { get; init; }
    [Id(8)] public double Risk { get; init; }
    [Id(9)] public LabelInfo? Label { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.TemplateSnapshot")]
public sealed record TemplateSnapshot
{
    [Id(0)] public required string Bucket { get; init; }
    [Id(1)] public long SharingAccounts { get; init; }
    [Id(2)] public required UsageSnapshot Usage { get; init; }
    [Id(3)] public required string[] RecentAccounts { get; init; }
    [Id(4)] public required string[] Fingerprints { get; init; }
    [Id(5)] public DateTimeOffset? FirstSeenAt { get; init; }
    [Id(6)] public DateTimeOffset? LastSeenAt { get; init; }
    [Id(7)] public double Risk { get; init; }
    [Id(8)] public LabelInfo? Label { get; init; }
    /// <summary>What its sharers say of it (docs/detection.md, "Who shares a template"), 0..1.</summary>
    [Id(9)] public double Suspicion { get; init; }
    /// <summary>Share of its sampled sharers in lockstep, 0..1.</summary>
    [Id(10)] public double Lockstep { get; init; }
    /// <summary>Sharers in its sample (up to 64), of which the two shares above are taken.</summary>
    [Id(11)] public int SampledSharers { get; init; }
    /// <summary>Sampled sharers that began together after the watching began (<see cref="SharerProfile.BeganTogether"/>); 0 when no such group.</summary>
    [Id(12)] public int BeganTogether { get; init; }
    /// <summary>
    /// The sample's families of prompts judged apart, largest first (<see cref="SharerProfile.GroupSuspicion"/>):
    /// empty when the sample is one family.
    /// </summary>
    [Id(13)] public NearGroupSnapshot[] NearDuplicateGroups { get; init; } = [];
    /// <summary>How suspect the customer base reads as a template's sharers when this was profiled (<see cref="Core.Scoring.CustomerBase"/>), 0..0.5.</summary>
    [Id(14)] public double BaseSuspicion { get; init; }
}

/// <summary>One near-duplicate group of a bucket's sampled sharers and what its own sharers say of it.</summary>
[GenerateSerializer, Immutable, Alias("reputation.NearGroupSnapshot")]
public sealed record NearGroupSnapshot
{
    [Id(0)] public int SampledSharers { get; init; }
    [Id(1)] public double Suspicion { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.InstrumentSnapshot")]
public sealed record InstrumentSnapshot
{
    [Id(0)] public required string Fingerprint { get; init; }
    [Id(1)] public long DistinctAccounts { get; init; }
    [Id(2)] public required PaymentSnapshot Payments { get; init; }
    [Id(3)] public required string[] RecentAccounts { get; init; }
    [Id(4)] public DateTimeOffset? FirstSeenAt { get; init; }
    [Id(5)] public DateTimeOffset? LastSeenAt { get; init; }
    [Id(6)] public double Risk { get; init; }
    [Id(7)] public LabelInfo? Label { get; init; }
    [Id(8)] public required UsageSnapshot Usage { get; init; }
}

/// <summary>What a range reports to its accounts for scoring.</summary>
[GenerateSerializer, Immutable, Alias("reputation.RangeSignals")]
public sealed record RangeSignals
{
    [Id(0)] public required string Range { get; init; }
    [Id(1)] public long SignupsLastHour { get; init; }
    [Id(2)] public long DistinctAccounts { get; init; }
    [Id(3)] public long RequestsLastHour { get; init; }
    [Id(4)] public double Risk { get; init; }
    [Id(5)] public Label Label { get; init; }
    /// <summary>Accounts activating in its busiest five minutes of the last hour.</summary>
    [Id(6)] public long PeakActivations { get; init; }
    /// <summary>The risk without one flagged account: what a flagged account reads (<see cref="State.EntityRiskState.RiskOfOthers"/>).</summary>
    [Id(7)] public double RiskOfOthers { get; init; }
    /// <summary>The campaign it is a hub of, if it is one (docs/decisions/0018-campaigns.md).</summary>
    [Id(8)] public string? CampaignId { get; init; }
    /// <summary>
    /// The risk a new account reads (docs/decisions/0017-evidence-in-proportion.md, "New signups"):
    /// operators' labels as for everyone, and of flagged accounts only the new ones, as a share of
    /// the range's signups of the last day.
    /// </summary>
    [Id(9)] public double RiskForNew { get; init; }
    /// <summary><see cref="RiskForNew"/> without one flagged new account: what a flagged new account reads.</summary>
    [Id(10)] public double RiskForNewOfOthers { get; init; }
}

/// <summary>What a prompt-template bucket reports to its accounts for scoring.</summary>
[GenerateSerializer, Immutable, Alias("reputation.TemplateSignals")]
public sealed record TemplateSignals
{
    [Id(0)] public required string Bucket { get; init; }
    /// <summary>Accounts whose fingerprints here are within Hamming distance 3 of another account's.</summary>
    [Id(1)] public long SharingAccounts { get; init; }
    [Id(2)] public long RequestsLastHour { get; init; }
    [Id(3)] public double Risk { get; init; }
    [Id(4)] public Label Label { get; init; }
    /// <summary>Accounts activating in its busiest five minutes of the last hour.</summary>
    [Id(5)] public long PeakActivations { get; init; }
    /// <summary>The risk without one flagged account: what a flagged account reads (<see cref="State.EntityRiskState.RiskOfOthers"/>).</summary>
    [Id(6)] public double RiskOfOthers { get; init; }
    /// <summary>How suspect its sharers are, 0..1 (<see cref="TemplateFacts.Suspicion"/>).</summary>
    [Id(7)] public double Suspicion { get; init; } = 1;
    /// <summary>Share of its sampled sharers in lockstep (<see cref="TemplateFacts.Lockstep"/>).</summary>
    [Id(8)] public double Lockstep { get; init; }
    /// <summary>The campaign it is a hub of, if it is one (docs/decisions/0018-campaigns.md).</summary>
    [Id(9)] public string? CampaignId { get; init; }
    /// <summary>
    /// Whether the account it answers shares the bucket (one of its fingerprints here is within
    /// Hamming distance 3 of another account's): false for a chance meeting in one 16-bit band, which
    /// neither links the account nor counts its requests as templated. Notifications go to sharers: true.
    /// </summary>
    [Id(10)] public bool Shared { get; init; } = true;
    /// <summary>How far its last-hour requests went to newly released models beyond the service's share (<see cref="TemplateFacts.Pivot"/>).</summary>
    [Id(70)] public double Pivot { get; init; }
    /// <summary>How suspect the customer base reads as a template's sharers (<see cref="TemplateFacts.BaseSuspicion"/>).</summary>
    [Id(71)] public double BaseSuspicion { get; init; }
}

/// <summary>What a payment instrument reports to its accounts for scoring.</summary>
[GenerateSerializer, Immutable, Alias("reputation.InstrumentSignals")]
public sealed record InstrumentSignals
{
    [Id(0)] public required string Fingerprint { get; init; }
    [Id(1)] public long DistinctAccounts { get; init; }
    [Id(2)] public long Chargebacks { get; init; }
    [Id(3)] public long Declines { get; init; }
    [Id(4)] public long RequestsLastHour { get; init; }
    [Id(5)] public double Risk { get; init; }
    [Id(6)] public Label Label { get; init; }
    /// <summary>Accounts activating in its busiest five minutes of the last hour.</summary>
    [Id(7)] public long PeakActivations { get; init; }
    /// <summary>The risk without one flagged account: what a flagged account reads (<see cref="State.EntityRiskState.RiskOfOthers"/>).</summary>
    [Id(8)] public double RiskOfOthers { get; init; }
    /// <summary>Distinct owners: members of one organisation count once (null: not tracked).</summary>
    [Id(9)] public long? DistinctOwners { get; init; }
    /// <summary>The campaign it is a hub of, if it is one (docs/decisions/0018-campaigns.md).</summary>
    [Id(10)] public string? CampaignId { get; init; }
    /// <summary>
    /// The risk from operators' labels alone (the card's label, its confirmed-fraud accounts): what a
    /// member reads when the card's accounts are one owner, its own organisation, whose flagged
    /// members are not its neighbours (docs/decisions/0005-propagation.md, "One owner").
    /// </summary>
    [Id(11)] public double RiskOfConfirmed { get; init; }
}

/// <summary>An account's stored events, as an entity holds them: the account's id hash and its event id hashes.</summary>
[GenerateSerializer, Immutable, Alias("reputation.AccountConfirmation")]
public sealed class AccountConfirmation
{
    /// <summary><see cref="Core.Collections.DedupWindow.Hash"/> of the account id.</summary>
    [Id(90)] public ulong Account { get; init; }

    /// <summary>Hashes of the event ids the account stored.</summary>
    [Id(91)] public ulong[] Ids { get; init; } = [];
}
