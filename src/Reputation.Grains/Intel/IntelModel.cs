using Reputation.Core.Intel;

namespace Reputation.Grains;

/// <summary>One entity an indicator names (a canonical network, a payment fingerprint, a 16-hex prompt fingerprint).</summary>
[GenerateSerializer, Immutable, Alias("reputation.IntelValue")]
public sealed record IntelValue
{
    [Id(0)] public required IntelEntity Entity { get; init; }
    [Id(1)] public required string Value { get; init; }

    public IntelTarget Target => new(Entity, Value);

    public static IntelValue Of(IntelTarget t) => new() { Entity = t.Entity, Value = t.Value };
}

/// <summary>An imported STIX indicator in force: what it names, who said so, how sure, until when.</summary>
[GenerateSerializer, Immutable, Alias("reputation.IntelIndicator")]
public sealed record IntelIndicator
{
    [Id(0)] public required string Id { get; init; }
    /// <summary>The producer's STIX identity id (created_by_ref); null when the indicator named none.</summary>
    [Id(1)] public string? Producer { get; init; }
    [Id(2)] public string? ProducerName { get; init; }
    [Id(3)] public required IReadOnlyList<IntelValue> Values { get; init; }
    /// <summary>0..100; null when the producer stated none (the policy's default applies).</summary>
    [Id(4)] public int? Confidence { get; init; }
    [Id(5)] public required DateTimeOffset ValidFrom { get; init; }
    [Id(6)] public DateTimeOffset? ValidUntil { get; init; }
    [Id(7)] public required DateTimeOffset Created { get; init; }
    [Id(8)] public required DateTimeOffset Modified { get; init; }
    [Id(9)] public IReadOnlyList<string> IndicatorTypes { get; init; } = [];
    [Id(10)] public TlpLevel Tlp { get; init; }
    [Id(11)] public string? Name { get; init; }
    [Id(12)] public required DateTimeOffset ImportedAt { get; init; }

    /// <summary>In force: from valid_from, until (not at) valid_until.</summary>
    public bool AppliesAt(DateTimeOffset now) => ValidFrom <= now && (ValidUntil is not { } until || until > now);

    public bool ExpiredAt(DateTimeOffset now) => ValidUntil is { } until && until <= now;
}

/// <summary>What an import asks of the store: indicators to put (newer versions replace older) and ids to revoke.</summary>
[GenerateSerializer, Immutable, Alias("reputation.IntelImport")]
public sealed record IntelImport
{
    [Id(0)] public required IReadOnlyList<IntelIndicator> Put { get; init; }
    [Id(1)] public required IReadOnlyList<IntelRevocation> Revoke { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.IntelRevocation")]
public sealed record IntelRevocation
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required DateTimeOffset Modified { get; init; }
    /// <summary>The revocation's created_by_ref: only the producer of the held indicator may revoke it.</summary>
    [Id(2)] public string? Producer { get; init; }
}

[GenerateSerializer, Alias("reputation.IntelImportStatus")]
public enum IntelImportStatus
{
    Applied,
    /// <summary>The store would hold more than <see cref="IntelGrain.MaxIndicators"/>; nothing changed.</summary>
    Full,
}

/// <summary>What one indicator of an import did.</summary>
[GenerateSerializer, Alias("reputation.IntelOutcome")]
public enum IntelOutcome
{
    Imported,
    Updated,
    Unchanged,
    Revoked,
    /// <summary>The store holds a newer version; this one is ignored.</summary>
    Older,
    /// <summary>A revocation of an indicator the store does not hold.</summary>
    NotHeld,
    /// <summary>The store holds this id from another producer (created_by_ref); only that producer may update or revoke it.</summary>
    OtherProducer,
}

[GenerateSerializer, Immutable, Alias("reputation.IntelImportResult")]
public sealed record IntelImportResult
{
    [Id(0)] public required IntelImportStatus Status { get; init; }
    /// <summary>By indicator id.</summary>
    [Id(1)] public required IReadOnlyDictionary<string, IntelOutcome> Outcomes { get; init; }
    [Id(2)] public required long Version { get; init; }
    [Id(3)] public int Held { get; init; }
}

/// <summary>Every indicator in force, at a version.</summary>
[GenerateSerializer, Immutable, Alias("reputation.IntelSnapshot")]
public sealed record IntelSnapshot
{
    [Id(0)] public required long Version { get; init; }
    [Id(1)] public required IReadOnlyList<IntelIndicator> Indicators { get; init; }
}

/// <summary>This deployment as a STIX producer.</summary>
[GenerateSerializer, Immutable, Alias("reputation.IntelIdentity")]
public sealed record IntelIdentity
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required DateTimeOffset Created { get; init; }
}

/// <summary>What an entity grain or a deny-list change tells the export registry about one of this deployment's entities.</summary>
[GenerateSerializer, Immutable, Alias("reputation.LocalIntelReport")]
public sealed record LocalIntelReport
{
    /// <summary><c>ip-range/198.51.100.0/24</c>, <c>payment-instrument/pf_1</c>, <c>prompt-template/b0:3fa2</c> or <c>prompt-template/0123456789abcdef</c>.</summary>
    [Id(0)] public required string Key { get; init; }
    [Id(1)] public required IReadOnlyList<IntelValue> Values { get; init; }
    /// <summary>Set by entity grains: the entity's label is fraud and its risk.</summary>
    [Id(2)] public bool? LabelledFraud { get; init; }
    [Id(3)] public double? Risk { get; init; }
    /// <summary>Set by deny-list changes: on the deny list, until when.</summary>
    [Id(4)] public bool? DenyListed { get; init; }
    [Id(5)] public DateTimeOffset? DenyExpiresAt { get; init; }
    /// <summary>Set by entity grains: the campaign the entity is a hub of, null when none.</summary>
    [Id(6)] public string? CampaignId { get; init; }
}

/// <summary>One of this deployment's entities the registry knows of, with what it last exported of it.</summary>
[GenerateSerializer, Alias("reputation.LocalIntelEntry")]
public sealed class LocalIntelEntry
{
    [Id(0)] public required string Key { get; set; }
    [Id(1)] public required List<IntelValue> Values { get; set; }
    [Id(2)] public bool LabelledFraud { get; set; }
    [Id(3)] public double Risk { get; set; }
    [Id(4)] public bool DenyListed { get; set; }
    [Id(5)] public DateTimeOffset? DenyExpiresAt { get; set; }
    /// <summary>Whether the last evaluation found it confirmed (exported live) or not (exported revoked).</summary>
    [Id(6)] public bool Published { get; set; }
    /// <summary>Bumped each time it is confirmed again after a revocation: a revoked STIX object stays revoked, so it gets a new id.</summary>
    [Id(7)] public int Generation { get; set; }
    [Id(8)] public DateTimeOffset Created { get; set; }
    [Id(9)] public DateTimeOffset Modified { get; set; }
    [Id(10)] public int Confidence { get; set; }
    [Id(11)] public DateTimeOffset? ValidUntil { get; set; }
    [Id(12)] public DateTimeOffset TouchedAt { get; set; }
    /// <summary>Exported revoked: confirming it again starts a new generation (a new STIX id).</summary>
    [Id(13)] public bool Revoked { get; set; }
    /// <summary>The campaign the entity is a hub of, as its grain last said.</summary>
    [Id(14)] public string? CampaignId { get; set; }
}

/// <summary>One indicator of the export, before it is written as STIX.</summary>
[GenerateSerializer, Immutable, Alias("reputation.LocalIntelExport")]
public sealed record LocalIntelExport
{
    [Id(0)] public required string Key { get; init; }
    [Id(1)] public required int Generation { get; init; }
    [Id(2)] public required IReadOnlyList<IntelValue> Values { get; init; }
    [Id(3)] public required DateTimeOffset Created { get; init; }
    [Id(4)] public required DateTimeOffset Modified { get; init; }
    [Id(5)] public required int Confidence { get; init; }
    [Id(6)] public DateTimeOffset? ValidUntil { get; init; }
    [Id(7)] public required bool Revoked { get; init; }
    [Id(8)] public required string Reason { get; init; }
    /// <summary>The campaign the indicator's entity is a hub of, if any: exported as a STIX campaign it indicates.</summary>
    [Id(9)] public string? CampaignId { get; init; }
}

[GenerateSerializer, Immutable, Alias("reputation.IntelExport")]
public sealed record IntelExport
{
    [Id(0)] public required IntelIdentity Identity { get; init; }
    [Id(1)] public required IReadOnlyList<LocalIntelExport> Indicators { get; init; }
}

[GenerateSerializer, Alias("reputation.IntelState")]
public sealed class IntelState
{
    /// <summary>Imported indicators in force, by STIX id.</summary>
    [Id(0)] public Dictionary<string, IntelIndicator> Indicators { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public long Version { get; set; }
    [Id(2)] public IntelIdentity? Identity { get; set; }
}

[GenerateSerializer, Alias("reputation.LocalIntelState")]
public sealed class LocalIntelState
{
    /// <summary>This deployment's entities that were ever confirmed, by <see cref="LocalIntelReport.Key"/>.</summary>
    [Id(0)] public Dictionary<string, LocalIntelEntry> Entries { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A silo's copy of the imported indicators, told when they change.</summary>
[Alias("reputation.IIntelObserver")]
public interface IIntelObserver : IGrainObserver
{
    [Alias("Changed"), OneWay]
    Task ChangedAsync(long version);
}

/// <summary>
/// Threat intel (docs/intel-sharing.md): imported indicators, copied to every silo, and the registry
/// of this deployment's own confirmed entities that the export reads. One grain, key <see cref="IntelGrain.Key"/>.
/// </summary>
[Alias("reputation.IIntelGrain")]
public interface IIntelGrain : IGrainWithStringKey
{
    [Alias("Import")]
    ValueTask<IntelImportResult> ImportAsync(IntelImport import);

    [Alias("Subscribe")]
    ValueTask<IntelSnapshot?> SubscribeAsync(IIntelObserver observer, long knownVersion);

    [Alias("Unsubscribe")]
    ValueTask UnsubscribeAsync(IIntelObserver observer);

    [Alias("GetIdentity")]
    ValueTask<IntelIdentity> GetIdentityAsync();

    [Alias("ReportLocal"), OneWay]
    Task ReportLocalAsync(LocalIntelReport report);

    /// <summary>The registry's indicators: in force, or (with <paramref name="since"/>) every one modified since, revoked ones included.</summary>
    [Alias("GetExport")]
    ValueTask<IntelExport> GetExportAsync(DateTimeOffset? since, double exportThreshold);
}
