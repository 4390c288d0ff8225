namespace Reputation.Contracts;

/// <summary>Answer of <c>POST /v1/intel/stix</c>: what the import did with each object of the bundle.</summary>
public sealed record StixImportResult
{
    /// <summary>The bundle's id.</summary>
    public required string BundleId { get; init; }
    /// <summary>Indicators new to this deployment.</summary>
    public required int Imported { get; init; }
    /// <summary>Indicators held already and replaced by a newer version (a later <c>modified</c>).</summary>
    public required int Updated { get; init; }
    /// <summary>Indicators held already in this very version.</summary>
    public required int Unchanged { get; init; }
    /// <summary>Held indicators removed because the bundle revoked them.</summary>
    public required int Revoked { get; init; }
    /// <summary>Objects not acted on: every object that is not an indicator, and the indicators in <see cref="SkippedIndicators"/>.</summary>
    public required int Skipped { get; init; }
    /// <summary>Objects that are not indicators, counted by STIX type (identity, malware, marking-definition, ...).</summary>
    public required IReadOnlyDictionary<string, int> SkippedTypes { get; init; }
    /// <summary>Each indicator not acted on, with the reason (unsupported pattern, expired, a newer version held, ...).</summary>
    public required IReadOnlyList<SkippedIndicator> SkippedIndicators { get; init; }
    /// <summary>Imported indicators this deployment holds now (at most 1,000).</summary>
    public required int Held { get; init; }
}

/// <summary>An indicator of an import that the service does not act on.</summary>
public sealed record SkippedIndicator
{
    /// <summary>The indicator's STIX id.</summary>
    public required string Id { get; init; }
    /// <summary>Why it is skipped.</summary>
    public required string Reason { get; init; }
}

/// <summary>An imported threat-intel indicator in force on an entity, with its source.</summary>
public sealed record ThreatIntelView
{
    /// <summary>The indicator's STIX id.</summary>
    public required string IndicatorId { get; init; }
    /// <summary>The producer's STIX identity id (the indicator's <c>created_by_ref</c>); null when it named none.</summary>
    public string? Producer { get; init; }
    /// <summary>The producer's name, when the bundle held its identity object.</summary>
    public string? ProducerName { get; init; }
    /// <summary>The value of the pattern that matched: a network (<c>198.51.0.0/16</c> for a /24 inside it), a payment fingerprint, a prompt fingerprint.</summary>
    public required string Value { get; init; }
    /// <summary>The indicator's confidence, 0..100; null when it stated none (the policy's <c>intel.defaultConfidence</c> applies).</summary>
    public int? Confidence { get; init; }
    /// <summary>From when it applies.</summary>
    public required DateTimeOffset ValidFrom { get; init; }
    /// <summary>Until when it applies; null for no end.</summary>
    public DateTimeOffset? ValidUntil { get; init; }
    /// <summary>The TLP marking: clear, green, amber, amber+strict, red, or null when unmarked.</summary>
    public string? Tlp { get; init; }
    /// <summary>The STIX indicator_types (malicious-activity, anonymization, ...).</summary>
    public IReadOnlyList<string> IndicatorTypes { get; init; } = [];
    /// <summary>The indicator's name, if it had one.</summary>
    public string? Name { get; init; }
}
