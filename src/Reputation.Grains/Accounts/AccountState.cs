using Reputation.Core.Scoring;
using Reputation.Grains.State;

namespace Reputation.Grains.Accounts;

/// <summary>
/// Bounded: under 4 KiB whatever the account does. Links are capped samples, most recent first;
/// velocities are ring buffers; the de-duplication window remembers the last <see cref="DedupCapacity"/> event ids.
/// </summary>
[GenerateSerializer, Alias("reputation.AccountState")]
public sealed class AccountState
{
    public const int LinkCapacity = 8;
    public const int DedupCapacity = 128;
    public const int PendingPromptCapacity = 8;
    /// <summary>A dozen templates' four bands each: enough for a campaign's or a class's set, bounded like every link.</summary>
    public const int TemplateSetCapacity = 48;
    public const int SenderCapacity = 4;

    [Id(0)] public DateTimeOffset? CreatedAt { get; set; }
    [Id(1)] public DateTimeOffset? FirstSeenAt { get; set; }
    [Id(2)] public DateTimeOffset? LastSeenAt { get; set; }
    [Id(3)] public string? EmailHash { get; set; }
    [Id(4)] public string? DeviceId { get; set; }
    [Id(5)] public string? Country { get; set; }
    [Id(6)] public List<string> PaymentInstruments { get; set; } = [];
    [Id(7)] public List<string> IpRanges { get; set; } = [];
    /// <summary>61 one-minute buckets: the last hour whole, plus the bucket it slides out of.</summary>
    [Id(8)] public WindowState RequestsPerMinute { get; set; } = WindowState.Create(61);
    [Id(9)] public WindowState RequestsPerHour { get; set; } = WindowState.Create(25);
    [Id(10)] public WindowState TokensPerHour { get; set; } = WindowState.Create(25);
    [Id(11)] public long RequestsTotal { get; set; }
    [Id(12)] public PaymentTally Payments { get; set; } = new();
    [Id(13)] public DedupState Dedup { get; set; } = DedupState.Create(DedupCapacity);
    /// <summary>Prompt-template buckets where this account's prompts matched another account's.</summary>
    [Id(14)] public List<string> PromptBuckets { get; set; } = [];
    /// <summary>Requests weighted by their reasoning-elicitation share, per hour.</summary>
    [Id(15)] public WindowState ElicitedPerHour { get; set; } = WindowState.Create(25);
    [Id(16)] public long RequestsFirstHour { get; set; }
    [Id(17)] public Label Label { get; set; }
    [Id(18)] public string? LabelReason { get; set; }
    [Id(19)] public string? LabelledBy { get; set; }
    [Id(20)] public DateTimeOffset? LabelledAt { get; set; }
    /// <summary>Event time of the latest usage: a request after half an hour without any is an activation.</summary>
    [Id(21)] public DateTimeOffset? LastUsageAt { get; set; }
    /// <summary>
    /// Earlier layout of <see cref="RequestsPerBucket"/>, only read: a record of an earlier build sets
    /// it and its entries become that member's; it reads as null, so nothing is written here again.
    /// </summary>
    [Id(22)]
    public Dictionary<string, long>? BucketRequests
    {
        get => null;
        set => RequestsPerBucket = value is { Count: > 0 } ? KeyedValues.From(value) : RequestsPerBucket;
    }

    /// <summary>Earlier layout of <see cref="RangeLastUsedAt"/>, only read (as <see cref="BucketRequests"/>).</summary>
    [Id(23)]
    public Dictionary<string, DateTimeOffset>? IpRangeSeenAt
    {
        get => null;
        set => RangeLastUsedAt = value is { Count: > 0 } ? KeyedValues.From(value) : RangeLastUsedAt;
    }
    /// <summary>The platform's organisation or workspace (signup), and whether the platform verified it.</summary>
    [Id(24)] public string? OrganizationId { get; set; }
    [Id(25)] public bool OrganizationVerified { get; set; }
    /// <summary>Keyed hash of the email's domain, and its kind (free-mail, disposable, other).</summary>
    [Id(26)] public string? EmailDomainHash { get; set; }
    [Id(27)] public Core.Privacy.EmailDomainKind EmailDomainKind { get; set; }
    /// <summary>Event time of the first usage: aged accounts first used long after creation are dormant.</summary>
    [Id(28)] public DateTimeOffset? FirstUsageAt { get; set; }
    /// <summary>Days with usage, a 64-day map ending at <see cref="UsageDayLatest"/> (<see cref="Core.Scoring.UsageDays"/>).</summary>
    [Id(29)] public ulong UsageDayBits { get; set; }
    [Id(30)] public int UsageDayLatest { get; set; }
    /// <summary>Event times of the first and latest successful payment: renewals make a customer.</summary>
    [Id(31)] public DateTimeOffset? FirstPaidAt { get; set; }
    [Id(32)] public DateTimeOffset? LastPaidAt { get; set; }
    /// <summary>Requests sent with prompts of shared templates, each weighed by its template's suspicion, per hour.</summary>
    [Id(33)] public WindowState SuspectTemplatedPerHour { get; set; } = WindowState.Create(25);
    /// <summary>
    /// The last hour's prompts not counted in <see cref="SuspectTemplatedPerHour"/> when they arrived
    /// (their buckets were not yet shared), newest last, at most <see cref="PendingPromptCapacity"/>:
    /// they count once a bucket of theirs turns out shared and suspect.
    /// </summary>
    [Id(34)] public List<PendingPrompt> PendingPrompts { get; set; } = [];
    /// <summary>Which keys sent its events, at most <see cref="SenderCapacity"/>, most recent first (docs/decisions/0021-event-provenance.md).</summary>
    [Id(35)] public List<Provenance.SenderTally> Senders { get; set; } = [];
    /// <summary>
    /// Per key, the first and latest hour of arrival of its accepted events, at most
    /// <see cref="Provenance.JournalSpan.Capacity"/> keys: the key journal slots that may name the
    /// account, which erasure visits (docs/decisions/0021-event-provenance.md).
    /// </summary>
    [Id(36)] public List<Provenance.JournalSpan> JournalSpans { get; set; } = [];
    /// <summary>The hold its request decisions began, while in force and until released (docs/gateway-contract.md).</summary>
    [Id(37)] public HoldState? Hold { get; set; }
    /// <summary>An operator's last release: allowed while its score stays near the score it was released at.</summary>
    [Id(38)] public ReleaseState? Release { get; set; }
    /// <summary>The watermark key id last issued to it (recorded with the key once per change).</summary>
    [Id(39)] public string? WatermarkKeyId { get; set; }
    /// <summary>
    /// Its shared prompt buckets, most recent first, at most <see cref="TemplateSetCapacity"/>: the set
    /// whose MinHash band keys name its co-occurrence clusters (docs/decisions/0035-template-sets.md).
    /// </summary>
    [Id(60)] public List<string> TemplateSetBuckets { get; set; } = [];
    /// <summary>The band keys of that set it is a member of now (at most <see cref="Core.Sketches.TemplateSets.Bands"/>): erasure visits them.</summary>
    [Id(61)] public List<string> TemplateSetKeys { get; set; } = [];
    /// <summary>
    /// Five-minute bins with any usage, 64 ending at <see cref="ActiveBinLatest"/> (<see cref="Lockstep"/>):
    /// the account's own timing, which its template buckets compare with their other sharers'
    /// (docs/detection.md, "Who shares a template").
    /// </summary>
    [Id(62)] public ulong ActiveBins { get; set; }
    [Id(63)] public int ActiveBinLatest { get; set; }
    /// <summary>
    /// When a template bucket last found the account moving in lockstep with its other sharers beyond
    /// chance (<c>IAccountGrain.InStepAsync</c>) or a template-set cluster did: for
    /// <see cref="SharerProfile.InStepFor"/> after, its entries tell every bucket and cluster so, and
    /// it vouches for none of them (<see cref="SharerTraits.InStepElsewhere"/>).
    /// </summary>
    [Id(64)] public DateTimeOffset? InStepAt { get; set; }
    /// <summary>The largest share of a group (a bucket's or a cluster's sample) in lockstep with it that found it so since <see cref="InStepAt"/> lasts.</summary>
    [Id(66)] public double InStepShare { get; set; }
    /// <summary>
    /// Requests sent with prompts of shared templates, per hour, unweighed: what
    /// <see cref="SuspectTemplatedPerHour"/> counted at their templates' suspicion then, for a
    /// decision to weigh at the templates' suspicion now (a template judged later judges its past hour).
    /// </summary>
    [Id(65)] public WindowState SharedTemplatedPerHour { get; set; } = WindowState.Create(25);
    /// <summary>
    /// Requests the account sent with prompts of each linked template bucket (keys: <see cref="PromptBuckets"/>),
    /// in an array rather than a dictionary (docs/decisions/0045-smaller-account-activations.md).
    /// </summary>
    [Id(100)] public Keyed<long>[] RequestsPerBucket { get; set; } = [];
    /// <summary>Event time each linked range (keys: <see cref="IpRanges"/>) was last used.</summary>
    [Id(101)] public Keyed<DateTimeOffset>[] RangeLastUsedAt { get; set; } = [];
    // Never renumber an Id; a new member takes the next one.
}

[GenerateSerializer, Alias("reputation.HoldState")]
public sealed class HoldState
{
    [Id(0)] public DateTimeOffset Since { get; set; }
    [Id(1)] public DateTimeOffset Until { get; set; }
    [Id(2)] public RequestOutcome Outcome { get; set; }

    public HoldFacts Facts => new(Since, Until, Outcome);

    public static HoldState From(HoldFacts facts) => new() { Since = facts.Since, Until = facts.Until, Outcome = facts.Outcome };
}

[GenerateSerializer, Alias("reputation.ReleaseState")]
public sealed class ReleaseState
{
    [Id(0)] public DateTimeOffset At { get; set; }
    [Id(1)] public DateTimeOffset Until { get; set; }
    [Id(2)] public double Score { get; set; }

    public ReleaseFacts Facts => new(Until, Score);
}

/// <summary>One prompt fingerprint's requests of one usage event, not yet known to be templated.</summary>
[GenerateSerializer, Alias("reputation.PendingPrompt")]
public sealed class PendingPrompt
{
    [Id(0)] public ulong Fingerprint { get; set; }
    [Id(1)] public DateTimeOffset At { get; set; }
    [Id(2)] public long Requests { get; set; }
}
