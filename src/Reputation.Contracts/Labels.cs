using System.Text.Json.Serialization;

namespace Reputation.Contracts;

/// <summary>The kinds of entity that carry reputation.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EntityType>))]
public enum EntityType
{
    /// <summary>An account (its id).</summary>
    [JsonStringEnumMemberName("account")] Account,
    /// <summary>A payment fingerprint token.</summary>
    [JsonStringEnumMemberName("payment-instrument")] PaymentInstrument,
    /// <summary>An IP range, <c>network/prefixLength</c> (IPv4 /24, IPv6 /64).</summary>
    [JsonStringEnumMemberName("ip-range")] IpRange,
    /// <summary>A prompt-template bucket (<c>b0:3fa2</c>), or a 16-hex prompt fingerprint standing for its four buckets.</summary>
    [JsonStringEnumMemberName("prompt-template")] PromptTemplate,
    /// <summary>A campaign (<c>cmp-</c> and 16 hex digits): labelling it labels its members.</summary>
    [JsonStringEnumMemberName("campaign")] Campaign,
}

/// <summary>An operator's verdict.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LabelKind>))]
public enum LabelKind
{
    /// <summary>Confirmed abuse: the entity's risk is 1 and it raises what it is linked to.</summary>
    [JsonStringEnumMemberName("fraud")] Fraud,
    /// <summary>Known good: an account's score is cut to a fifth; an entity passes on no risk.</summary>
    [JsonStringEnumMemberName("trusted")] Trusted,
    /// <summary>Removes an earlier fraud or trusted label.</summary>
    [JsonStringEnumMemberName("cleared")] Cleared,
}

/// <summary>Body of <c>POST /v1/labels</c>.</summary>
public sealed record LabelRequest
{
    /// <summary>What kind of entity is labelled.</summary>
    public required EntityType EntityType { get; init; }
    /// <summary>Its id: account id, payment fingerprint, <c>network/prefixLength</c>, a bucket key or 16-hex prompt fingerprint, or a campaign id.</summary>
    public required string EntityId { get; init; }
    /// <summary>fraud, trusted or cleared.</summary>
    public required LabelKind Label { get; init; }
    /// <summary>Why: kept with the label and shown in entity views (no personal data).</summary>
    public required string Reason { get; init; }
}

/// <summary>A label as recorded.</summary>
public sealed record LabelResponse
{
    /// <summary>The labelled entity's kind.</summary>
    public required EntityType EntityType { get; init; }
    /// <summary>The labelled entity's canonical id (prompt fingerprints resolve to their buckets, comma-separated; a campaign merged into another to that one's id).</summary>
    public required string EntityId { get; init; }
    /// <summary>The label now in force.</summary>
    public required LabelKind Label { get; init; }
    /// <summary>Why.</summary>
    public required string Reason { get; init; }
    /// <summary>Name of the API key that set it.</summary>
    public required string LabelledBy { get; init; }
    /// <summary>When.</summary>
    public required DateTimeOffset LabelledAt { get; init; }
    /// <summary>For a campaign: how many of its accounts were labelled (docs/architecture.md, "Campaigns"); null for other entities.</summary>
    public int? AccountsLabelled { get; init; }
}

/// <summary>A label on an entity, in views.</summary>
public sealed record LabelView
{
    /// <summary>fraud or trusted (a cleared label shows as <c>cleared</c> until a new one is set).</summary>
    public required LabelKind Label { get; init; }
    /// <summary>Why.</summary>
    public string? Reason { get; init; }
    /// <summary>Name of the API key that set it.</summary>
    public string? LabelledBy { get; init; }
    /// <summary>When.</summary>
    public DateTimeOffset? LabelledAt { get; init; }
}

/// <summary>Answer of <c>GET /v1/accounts/{accountId}/graph</c>: the account's neighbourhood, bounded.</summary>
public sealed record GraphView
{
    /// <summary>Accounts and entities, the requested account first.</summary>
    public required IReadOnlyList<GraphNode> Nodes { get; init; }
    /// <summary>Links between them.</summary>
    public required IReadOnlyList<GraphEdge> Edges { get; init; }
    /// <summary>True when the limit cut the neighbourhood short.</summary>
    public required bool Truncated { get; init; }
}

/// <summary>A node of the graph.</summary>
/// <param name="Id">Entity id (account id, fingerprint, range, bucket key).</param>
/// <param name="Type">account, payment-instrument, ip-range or prompt-template.</param>
/// <param name="Score">An account's request score, an entity's propagated risk; 0..1.</param>
/// <param name="Labels">Operator labels in force.</param>
public sealed record GraphNode(string Id, EntityType Type, double Score, IReadOnlyList<LabelKind> Labels);

/// <summary>An edge of the graph: an account linked to an entity.</summary>
/// <param name="From">Account id.</param>
/// <param name="To">Entity id.</param>
/// <param name="Kind">uses-payment-instrument, seen-in-ip-range or shares-prompt-template.</param>
public sealed record GraphEdge(string From, string To, string Kind);

/// <summary>Answer of <c>GET /v1/prompt-templates/{bucket}</c>.</summary>
public sealed record PromptTemplateView
{
    /// <summary>The bucket key, <c>b{band}:{4 hex}</c>.</summary>
    public required string Bucket { get; init; }
    /// <summary>Estimated accounts whose prompts here are within Hamming distance 3 of another account's.</summary>
    public required long SharingAccounts { get; init; }
    /// <summary>Usage of the sharing accounts with these prompts.</summary>
    public required UsageCounters Usage { get; init; }
    /// <summary>Most recent sharing accounts (capped sample).</summary>
    public required IReadOnlyList<string> RecentAccounts { get; init; }
    /// <summary>Sampled fingerprints in the bucket.</summary>
    public required IReadOnlyList<string> Fingerprints { get; init; }
    /// <summary>Risk propagated from its accounts, 0..1.</summary>
    public required double Risk { get; init; }
    /// <summary>Operator labels in force (fraud or trusted).</summary>
    public required IReadOnlyList<LabelKind> Labels { get; init; }
    /// <summary>The latest label decision; null if never labelled.</summary>
    public LabelView? LabelDetail { get; init; }
    /// <summary>When first seen.</summary>
    public DateTimeOffset? FirstSeenAt { get; init; }
    /// <summary>When last seen.</summary>
    public DateTimeOffset? LastSeenAt { get; init; }
    /// <summary>Imported threat-intel indicators in force that name it, with their source (docs/intel-sharing.md).</summary>
    public IReadOnlyList<ThreatIntelView> ThreatIntel { get; init; } = [];
    /// <summary>
    /// What its sharers say of it, 0..1: 1 − the larger of the share of sharers that vouch for it
    /// (established or trusted customers, and aged accounts of which nothing is known yet unless found
    /// in lockstep or begun together) and, with five or more, the share of the largest cohort (one range
    /// or one work domain) when it reaches <c>trust.cohortShare</c>. A popular tool's template is near 0, a campaign's near 1; it
    /// weighs every account's <c>PROMPT_TEMPLATE_SHARED</c> for this template beyond <see cref="CustomerBaseSuspicion"/> (docs/detection.md).
    /// </summary>
    public double Suspicion { get; init; }
    /// <summary>
    /// How suspect the service's own customer base reads as a template's sharers, 0..0.5: the median
    /// suspicion of the large templates most of whose sharers vouch for them (one prompt, not one
    /// cohort). An account weighs <see cref="Suspicion"/> by how far it exceeds this,
    /// (suspicion − base) / (1 − base); 0 until three such templates have reported in the last hour
    /// (docs/decisions/0049-customer-base.md).
    /// </summary>
    public double CustomerBaseSuspicion { get; init; }
    /// <summary>Share of the sampled sharers active in the same five-minute bins as at least two others (lockstep), 0..1.</summary>
    public double Lockstep { get; init; }
    /// <summary>Sharers in the bucket's sample (the most recent, up to 64) that the two shares above are taken over.</summary>
    public int SampledSharers { get; init; }
    /// <summary>
    /// Sampled sharers that began together: their first usage within two minutes of one another after
    /// the watching's first fifteen minutes, at least ten and at least half of the sample; 0 when no
    /// such group. They vouch for nothing, as sharers in lockstep do (docs/detection.md, "Starts kept together").
    /// </summary>
    public int BeganTogether { get; init; }
    /// <summary>
    /// The bucket keys on one 16-bit band of a fingerprint, so unrelated prompts that agree on it fall
    /// into it together: its sampled sharers' families of prompts (within Hamming distance 12 of one
    /// another, directly or through others), largest first, when there are two or more and one has five
    /// or more sharers. Each family's accounts read the bucket with their own family's suspicion rather
    /// than <see cref="Suspicion"/> (which is the whole sample's), and their family's share of its sharers
    /// and requests. Empty when the sample is one family (docs/detection.md, "One band, several prompts").
    /// </summary>
    public IReadOnlyList<NearDuplicateGroupView> NearDuplicateGroups { get; init; } = [];
}

/// <summary>One near-duplicate group of a prompt-template bucket's sampled sharers.</summary>
public sealed record NearDuplicateGroupView
{
    /// <summary>Sampled sharers in the group.</summary>
    public int SampledSharers { get; init; }
    /// <summary>What the group's own sharers say of its prompt, 0..1, taken as <see cref="PromptTemplateView.Suspicion"/> is over the group alone.</summary>
    public double Suspicion { get; init; }
}
