namespace Reputation.Grains.Provenance;

/// <summary>
/// How much the key journal keeps (docs/decisions/0021-event-provenance.md): the accepted events of
/// each key for <see cref="RetentionHours"/>, at most <see cref="EntriesPerHour"/> per key and hour.
/// </summary>
public static class JournalPolicy
{
    /// <summary>Seven days: how far back a key's events can be voided.</summary>
    public const int RetentionHours = 7 * 24;

    /// <summary>Events of one key journaled per hour; the rest are counted as unjournaled and cannot be voided.</summary>
    public const int EntriesPerHour = 4096;

    /// <summary>
    /// Prompt fingerprints of usage events one key's journal keeps per hour (8 bytes or so each, about
    /// 90 KB): a slot of 4,096 entries is some 650 KB, and a stored state holds at most 960 KB. Past
    /// it an entry keeps none, and a void reaches only the buckets its account links.
    /// </summary>
    public const int FingerprintsPerHour = 8192;

    public static TimeSpan Retention => TimeSpan.FromHours(RetentionHours);

    /// <summary>What an account or entity keeps in its event-id window once it took a voided event back.</summary>
    public static string VoidMark(string eventId) => "void\u001f" + eventId;

    /// <summary>A new distinct-count sketch of <paramref name="accounts"/>: what an entity that held them all rebuilds when one is voided.</summary>
    /// <remarks>Begun sparse (<see cref="Core.Sketches.HyperLogLog.Wrap(byte[], int)"/>), as a card's, a range's or a template bucket's is.</remarks>
    public static Core.Sketches.HyperLogLog SparseSketch(IEnumerable<string> accounts, int precision)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        var sketch = Core.Sketches.HyperLogLog.Wrap([], precision);
        foreach (var account in accounts)
        {
            sketch.Add(account);
        }

        return sketch;
    }

    /// <summary>Hours since the Unix epoch: which hour an arrival belongs to.</summary>
    public static long HourOf(DateTimeOffset at) => at.ToUnixTimeSeconds() / 3600;

    /// <summary>
    /// The journal grain of a key and hour: one of <see cref="RetentionHours"/> slots per key, reused
    /// a week later, so a key's journal never holds more than a week whatever it sends.
    /// </summary>
    public static string ShardKey(string keyName, long hour) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{keyName}/{hour % RetentionHours}");
}

/// <summary>A link one event created on its account: <c>payment-instrument:…</c>, <c>ip-range:…</c> or <c>prompt-template:…</c>.</summary>
[GenerateSerializer, Immutable, Alias("reputation.LinkOrigin")]
public sealed record LinkOrigin
{
    [Id(0)] public required string EventId { get; init; }
    [Id(1)] public required string Link { get; init; }

    public const string Instrument = "payment-instrument:";
    public const string Range = "ip-range:";
    public const string Template = "prompt-template:";
}

/// <summary>What an account made of a call's events: accepted or duplicate each, and the links the accepted ones created.</summary>
[GenerateSerializer, Immutable, Alias("reputation.RecordedEvents")]
public sealed record RecordedEvents
{
    [Id(0)] public required EventStatus[] Statuses { get; init; }
    [Id(1)] public LinkOrigin[] Created { get; init; } = [];
}

/// <summary>A signup decision and what recording its signup did.</summary>
[GenerateSerializer, Immutable, Alias("reputation.SignupRecorded")]
public sealed record SignupRecorded
{
    [Id(0)] public required DecisionResult Decision { get; init; }
    [Id(1)] public required RecordedEvents Recorded { get; init; }
}

/// <summary>One accepted event in its key's journal: what it was, when it arrived and the links it created.</summary>
[GenerateSerializer, Alias("reputation.JournalEntry")]
public sealed class JournalEntry
{
    [Id(0)] public required string AccountId { get; init; }
    /// <summary>The event as applied (without the device or the address; a usage event keeps its prompt fingerprints, which name the template buckets it reached).</summary>
    [Id(1)] public required AccountEvent Event { get; init; }
    [Id(2)] public required DateTimeOffset ArrivedAt { get; init; }
    [Id(3)] public string[] CreatedLinks { get; init; } = [];
    [Id(4)] public bool Voided { get; set; }
    /// <summary>
    /// A signup's device id as a hash (<see cref="HashDevice"/>), never the id: what a void needs
    /// to tell whether the account's device is still the one the signup set. Null for other events,
    /// for a signup without a device, and for entries journaled before it was kept.
    /// </summary>
    [Id(5)] public ulong? DeviceHash { get; init; }

    /// <summary>The entry without its usage event's prompt fingerprints: what a slot keeps past its fingerprint budget.</summary>
    public JournalEntry WithoutFingerprints() => Event is UsageEvent { PromptFingerprints.Length: > 0 } u
        ? new JournalEntry
        {
            AccountId = AccountId,
            Event = new UsageEvent
            {
                EventId = u.EventId, OccurredAt = u.OccurredAt, IpRange = u.IpRange, Sender = u.Sender,
                Requests = u.Requests, InputTokens = u.InputTokens, OutputTokens = u.OutputTokens, ReasoningElicitation = u.ReasoningElicitation,
                Model = u.Model,
            },
            ArrivedAt = ArrivedAt,
            CreatedLinks = CreatedLinks,
            Voided = Voided,
            DeviceHash = DeviceHash,
        }
        : this;

    /// <summary>The hash a journal entry keeps of a signup's device id.</summary>
    public static ulong HashDevice(string deviceId) => Core.Collections.DedupWindow.Hash("device\u001f" + deviceId);

    /// <summary>
    /// The entries of one account's accepted events, each with the links it created. The journal keeps
    /// of each event what voiding takes back: no prompt (its fingerprints only), no email or device.
    /// </summary>
    public static IEnumerable<JournalEntry> Of(string accountId, IReadOnlyList<AccountEvent> events, RecordedEvents recorded, DateTimeOffset arrivedAt)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(recorded);
        for (var i = 0; i < events.Count; i++)
        {
            if (recorded.Statuses[i] != EventStatus.Accepted)
            {
                continue;
            }

            var e = events[i];
            yield return new JournalEntry
            {
                AccountId = accountId,
                Event = Slim(e),
                ArrivedAt = arrivedAt,
                CreatedLinks = [.. recorded.Created.Where(c => c.EventId == e.EventId).Select(c => c.Link)],
                DeviceHash = e is SignupEvent { DeviceId: { } device } ? HashDevice(device) : null,
            };
        }
    }

    private static AccountEvent Slim(AccountEvent e) => e switch
    {
        UsageEvent u => new UsageEvent
        {
            EventId = u.EventId, OccurredAt = u.OccurredAt, IpRange = u.IpRange, Sender = u.Sender,
            Requests = u.Requests, InputTokens = u.InputTokens, OutputTokens = u.OutputTokens, ReasoningElicitation = u.ReasoningElicitation,
            // The template buckets it reached are those of its fingerprints' bands (never the prompt).
            PromptFingerprints = u.PromptFingerprints, Model = u.Model,
        },
        SignupEvent s => new SignupEvent
        {
            EventId = s.EventId, OccurredAt = s.OccurredAt, IpRange = s.IpRange, Sender = s.Sender,
            PaymentFingerprint = s.PaymentFingerprint, OrganizationVerified = s.OrganizationVerified,
            // What a void must recognise to forget what the signup said (keyed hashes and the
            // platform's organisation id; never the email, the device or the address).
            OrganizationId = s.OrganizationId, EmailHash = s.EmailHash, EmailDomainHash = s.EmailDomainHash, EmailDomainKind = s.EmailDomainKind,
            Country = s.Country,
        },
        _ => e,
    };
}

/// <summary>One hour of one key's journal.</summary>
[GenerateSerializer, Alias("reputation.KeyJournalState")]
public sealed class KeyJournalState
{
    /// <summary>The hour (since the Unix epoch) the entries belong to; an older hour in the slot has expired.</summary>
    [Id(0)] public long Hour { get; set; }
    [Id(1)] public List<JournalEntry> Entries { get; set; } = [];
    /// <summary>Events accepted past <see cref="JournalPolicy.EntriesPerHour"/>: provenance counted, not voidable.</summary>
    [Id(2)] public long Unjournaled { get; set; }
    /// <summary>Entries of erased accounts taken out of the slot: counted, no longer voidable.</summary>
    [Id(3)] public long Erased { get; set; }
    /// <summary>Prompt fingerprints its entries keep (at most <see cref="JournalPolicy.FingerprintsPerHour"/>).</summary>
    [Id(4)] public int Fingerprints { get; set; }
    // Never renumber an Id; a new member takes the next one.
}

/// <summary>An hour of a key's journal as read: empty when the slot holds another hour.</summary>
[GenerateSerializer, Immutable, Alias("reputation.JournalHour")]
public sealed record JournalHour
{
    [Id(0)] public required JournalEntry[] Entries { get; init; }
    [Id(1)] public long Unjournaled { get; init; }
    [Id(2)] public long Erased { get; init; }
}

/// <summary>The first and latest hour (since the Unix epoch) one key's accepted events for an account arrived in.</summary>
[GenerateSerializer, Alias("reputation.JournalSpan")]
public sealed class JournalSpan
{
    /// <summary>Keys an account remembers spans for; the least recent falls off (its slots are then not visited by erasure).</summary>
    public const int Capacity = 16;

    [Id(0)] public required string Key { get; set; }
    [Id(1)] public long FirstHour { get; set; }
    [Id(2)] public long LastHour { get; set; }

    /// <summary>
    /// The journal slots of <paramref name="key"/> that may hold events of hours
    /// <paramref name="firstHour"/> to <paramref name="lastHour"/>: one hour either side, as the API
    /// stamps arrival after the account answered and its clock may differ; every slot of the key once
    /// the span covers a week. At most <see cref="JournalPolicy.RetentionHours"/>.
    /// </summary>
    public static IEnumerable<string> Slots(string key, long firstHour, long lastHour)
    {
        var from = firstHour - 1;
        var to = Math.Max(from, lastHour + 1);
        var count = Math.Min(to - from + 1, JournalPolicy.RetentionHours);
        for (var hour = from; hour < from + count; hour++)
        {
            yield return JournalPolicy.ShardKey(key, hour);
        }
    }
}

/// <summary>How many events of each key an account accepted, and when the first and the latest arrived.</summary>
[GenerateSerializer, Alias("reputation.SenderTally")]
public sealed class SenderTally
{
    [Id(0)] public required string Key { get; set; }
    [Id(1)] public long Events { get; set; }
    [Id(2)] public DateTimeOffset FirstAt { get; set; }
    [Id(3)] public DateTimeOffset LastAt { get; set; }
    /// <summary>Of <see cref="Events"/>, those an operator voided.</summary>
    [Id(4)] public long Voided { get; set; }
}

/// <summary>What an entity is told to take back of one account's voided events.</summary>
[GenerateSerializer, Immutable, Alias("reputation.VoidedContribution")]
public sealed record VoidedContribution
{
    [Id(0)] public required string EventId { get; init; }
    [Id(1)] public required DateTimeOffset OccurredAt { get; init; }
    [Id(2)] public PaymentKind? Outcome { get; init; }
    [Id(3)] public bool IsSignup { get; init; }
    [Id(4)] public bool VerifiedOrganization { get; init; }
    [Id(5)] public long Requests { get; init; }
    [Id(6)] public long Tokens { get; init; }
    /// <summary>The model a voided usage event named: a template bucket takes its requests back from that model's count.</summary>
    [Id(7)] public string? Model { get; init; }
    /// <summary>
    /// Whether the account knows the voided usage event reached the template bucket (its fingerprints
    /// name it, or the event created the link); false for a bucket it only may have reached.
    /// </summary>
    [Id(8)] public bool Reached { get; init; }
    /// <summary>A signup's organisation as an owner (<see cref="RangeEntry.OwnerGroup"/>).</summary>
    [Id(9)] public string? OwnerGroup { get; init; }
}

/// <summary>What voiding did on one account.</summary>
[GenerateSerializer, Immutable, Alias("reputation.AccountVoided")]
public sealed record AccountVoided
{
    [Id(0)] public int Events { get; init; }
    [Id(1)] public string[] Unlinked { get; init; } = [];
    /// <summary>
    /// Voided usage events that some template bucket they reached no longer held among its counted
    /// events (<see cref="Templates.CountedEvents"/>): that bucket keeps counting them.
    /// </summary>
    [Id(2)] public string[] KeptByTemplates { get; init; } = [];
}
