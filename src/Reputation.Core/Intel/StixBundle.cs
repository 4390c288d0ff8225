using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reputation.Core.Text;

namespace Reputation.Core.Intel;

/// <summary>A problem that makes a whole bundle unacceptable: nothing of it is imported. Names the object (its id, or its index) and what is wrong.</summary>
public sealed record StixProblem(string ObjectId, string Problem);

/// <summary>A bundle that is not an acceptable STIX 2.1 bundle.</summary>
public sealed class StixBundleException(IReadOnlyList<StixProblem> problems)
    : Exception("Not an acceptable STIX 2.1 bundle: " + string.Join("; ", problems.Select(p => $"{p.ObjectId}: {p.Problem}")))
{
    public IReadOnlyList<StixProblem> Problems { get; } = problems;
}

/// <summary>The traffic light protocol level an object is marked with (TLP 1.0 white is read as clear).</summary>
public enum TlpLevel
{
    None,
    Clear,
    Green,
    Amber,
    AmberStrict,
    Red,
}

/// <summary>An indicator as read from a bundle; <see cref="Unsupported"/> says why the service will not act on it.</summary>
public sealed record StixIndicator
{
    public required string Id { get; init; }
    public required DateTimeOffset Created { get; init; }
    public required DateTimeOffset Modified { get; init; }
    public required DateTimeOffset ValidFrom { get; init; }
    public DateTimeOffset? ValidUntil { get; init; }
    /// <summary>0..100; null when the producer gave none.</summary>
    public int? Confidence { get; init; }
    public bool Revoked { get; init; }
    public IReadOnlyList<string> IndicatorTypes { get; init; } = [];
    public string? CreatedByRef { get; init; }
    public TlpLevel Tlp { get; init; }
    public string? Name { get; init; }
    public required string Pattern { get; init; }
    public required string PatternType { get; init; }
    public IReadOnlyList<IntelTarget> Targets { get; init; } = [];
    public string? Unsupported { get; init; }
}

/// <summary>What a bundle holds, as far as the service reads it.</summary>
public sealed record StixBundleContent
{
    public required string Id { get; init; }
    /// <summary>Indicators by id (the newest version of each when a bundle holds several).</summary>
    public required IReadOnlyList<StixIndicator> Indicators { get; init; }
    /// <summary>Names of the identity objects in the bundle, by id.</summary>
    public required IReadOnlyDictionary<string, string> Identities { get; init; }
    /// <summary>Objects of every other type, counted by type: never a failure.</summary>
    public required IReadOnlyDictionary<string, int> SkippedTypes { get; init; }
}

/// <summary>Reads STIX 2.1 bundles strictly where it matters to the service (docs/intel-sharing.md, "Validation").</summary>
public static class StixBundleReader
{
    public const int MaxObjects = 10_000;

    /// <summary>The TLP marking definitions STIX 2.1 defines (TLP 1.0) and the OASIS TLP 2.0 ones.</summary>
    public static IReadOnlyDictionary<string, TlpLevel> TlpMarkings { get; } = new Dictionary<string, TlpLevel>(StringComparer.Ordinal)
    {
        ["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"] = TlpLevel.Clear,
        ["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"] = TlpLevel.Green,
        ["marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"] = TlpLevel.Amber,
        ["marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"] = TlpLevel.Red,
        ["marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"] = TlpLevel.Clear,
        ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"] = TlpLevel.Green,
        ["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"] = TlpLevel.Amber,
        ["marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"] = TlpLevel.AmberStrict,
        ["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"] = TlpLevel.Red,
    };

    public static StixBundleContent Read(string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        return Read(document.RootElement);
    }

    public static StixBundleContent Read(JsonElement root)
    {
        // Before anything reads a string: reading one that is not valid text throws.
        if (UnicodeText.FindInvalid(root) is { } invalid)
        {
            throw new StixBundleException([new StixProblem(invalid, UnicodeText.Problem)]);
        }

        var problems = new List<StixProblem>();
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new StixBundleException([new StixProblem("bundle", "the body is not a JSON object")]);
        }

        var bundleId = Str(root, "id");
        var bundle = bundleId ?? "bundle";
        if (Str(root, "type") != "bundle")
        {
            problems.Add(new StixProblem(bundle, "type must be \"bundle\""));
        }

        if (!StixIds.IsValid(bundleId, "bundle"))
        {
            problems.Add(new StixProblem(bundle, "id must be bundle--<UUID>"));
        }

        if (root.TryGetProperty("spec_version", out var bundleVersion))
        {
            problems.Add(new StixProblem(bundle, $"a bundle with spec_version ({bundleVersion}) is STIX 2.0; only STIX 2.1 is accepted"));
        }

        var indicators = new Dictionary<string, StixIndicator>(StringComparer.Ordinal);
        var identities = new Dictionary<string, string>(StringComparer.Ordinal);
        var skipped = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var markings = new Dictionary<string, TlpLevel>(TlpMarkings, StringComparer.Ordinal);
        var objects = new List<JsonElement>();
        if (root.TryGetProperty("objects", out var list))
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                problems.Add(new StixProblem(bundle, "objects must be an array"));
            }
            else if (list.GetArrayLength() > MaxObjects)
            {
                problems.Add(new StixProblem(bundle, string.Create(CultureInfo.InvariantCulture, $"holds {list.GetArrayLength()} objects; at most {MaxObjects} are accepted in one bundle")));
            }
            else
            {
                objects.AddRange(list.EnumerateArray());
            }
        }

        // Markings first: an indicator may come before the marking definition it refers to.
        for (var i = 0; i < objects.Count; i++)
        {
            var o = objects[i];
            if (o.ValueKind == JsonValueKind.Object && Str(o, "type") == "marking-definition" && Str(o, "id") is { } markingId
                && Str(o, "definition_type") == "tlp" && o.TryGetProperty("definition", out var definition)
                && definition.ValueKind == JsonValueKind.Object && Str(definition, "tlp") is { } tlp && ParseTlp(tlp) is { } level)
            {
                markings.TryAdd(markingId, level);
            }
        }

        for (var i = 0; i < objects.Count; i++)
        {
            var o = objects[i];
            var where = string.Create(CultureInfo.InvariantCulture, $"objects[{i}]");
            if (o.ValueKind != JsonValueKind.Object)
            {
                problems.Add(new StixProblem(where, "is not a JSON object"));
                continue;
            }

            var type = Str(o, "type");
            var id = Str(o, "id");
            if (type is null || !IsType(type))
            {
                problems.Add(new StixProblem(id ?? where, "type must be a STIX type name (lowercase letters, digits and hyphens, 3..250 characters)"));
                continue;
            }

            if (!StixIds.IsValid(id, type))
            {
                problems.Add(new StixProblem(id ?? where, $"id must be {type}--<UUID>"));
                continue;
            }

            if (o.TryGetProperty("spec_version", out var version) && (version.ValueKind != JsonValueKind.String || version.GetString() != "2.1"))
            {
                problems.Add(new StixProblem(id!, $"spec_version is {version.GetRawText()}; only \"2.1\" is accepted"));
                continue;
            }

            switch (type)
            {
                case "indicator":
                    if (ReadIndicator(o, id!, markings, problems) is { } indicator
                        && (!indicators.TryGetValue(indicator.Id, out var other) || other.Modified < indicator.Modified))
                    {
                        indicators[indicator.Id] = indicator;
                    }

                    break;
                case "identity":
                    Common(o, id!, problems, requireSpecVersion: true);
                    if (Str(o, "name") is { } name)
                    {
                        identities[id!] = name;
                    }
                    else
                    {
                        problems.Add(new StixProblem(id!, "an identity needs a name"));
                    }

                    skipped[type] = skipped.GetValueOrDefault(type) + 1;
                    break;
                default:
                    skipped[type] = skipped.GetValueOrDefault(type) + 1;
                    break;
            }
        }

        if (problems.Count > 0)
        {
            throw new StixBundleException(problems);
        }

        return new StixBundleContent { Id = bundleId!, Indicators = [.. indicators.Values], Identities = identities, SkippedTypes = skipped };
    }

    private static StixIndicator? ReadIndicator(JsonElement o, string id, Dictionary<string, TlpLevel> markings, List<StixProblem> problems)
    {
        var before = problems.Count;
        var (created, modified) = Common(o, id, problems, requireSpecVersion: true);
        var validFrom = Time(o, id, "valid_from", required: true, problems);
        var validUntil = Time(o, id, "valid_until", required: false, problems);
        if (validFrom is { } from && validUntil is { } until && until <= from)
        {
            problems.Add(new StixProblem(id, "valid_until must be later than valid_from"));
        }

        var pattern = Str(o, "pattern");
        var patternType = Str(o, "pattern_type");
        if (pattern is null)
        {
            problems.Add(new StixProblem(id, "pattern is required (a string)"));
        }

        if (patternType is null)
        {
            problems.Add(new StixProblem(id, "pattern_type is required (a string)"));
        }

        int? confidence = null;
        if (o.TryGetProperty("confidence", out var c))
        {
            if (c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var value) && value is >= 0 and <= 100)
            {
                confidence = value;
            }
            else
            {
                problems.Add(new StixProblem(id, "confidence must be a whole number 0..100"));
            }
        }

        var revoked = false;
        if (o.TryGetProperty("revoked", out var r))
        {
            if (r.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                revoked = r.GetBoolean();
            }
            else
            {
                problems.Add(new StixProblem(id, "revoked must be true or false"));
            }
        }

        var types = Strings(o, id, "indicator_types", problems);
        var markingRefs = Strings(o, id, "object_marking_refs", problems);
        var tlp = TlpLevel.None;
        foreach (var reference in markingRefs)
        {
            if (!StixIds.IsValid(reference, "marking-definition"))
            {
                problems.Add(new StixProblem(id, $"object_marking_refs holds '{reference}', not a marking-definition id"));
            }
            else if (markings.TryGetValue(reference, out var level) && level > tlp)
            {
                tlp = level;
            }
        }

        var createdBy = Str(o, "created_by_ref");
        if (o.TryGetProperty("created_by_ref", out _) && !StixIds.IsValid(createdBy, "identity"))
        {
            problems.Add(new StixProblem(id, "created_by_ref must be an identity id"));
        }

        string? unsupported = null;
        IReadOnlyList<IntelTarget> targets = [];
        if (pattern is not null && patternType is not null)
        {
            if (patternType != "stix")
            {
                unsupported = $"pattern_type '{patternType}' is not supported; only stix";
            }
            else if (o.TryGetProperty("pattern_version", out var pv) && pv.ValueKind == JsonValueKind.String && pv.GetString() is not ("2.1" or "2.0"))
            {
                unsupported = $"pattern_version '{pv.GetString()}' is not supported; only 2.1";
            }
            else
            {
                try
                {
                    var mapping = IndicatorPattern.Map(pattern);
                    targets = mapping.Targets;
                    unsupported = mapping.Unsupported;
                    if (mapping.Refused is { } refused)
                    {
                        problems.Add(new StixProblem(id, refused));
                    }
                }
                catch (StixPatternSyntaxException ex)
                {
                    problems.Add(new StixProblem(id, $"pattern is not valid STIX patterning: {ex.Message}"));
                }
            }
        }

        if (problems.Count > before)
        {
            return null;
        }

        return new StixIndicator
        {
            Id = id,
            Created = created!.Value,
            Modified = modified!.Value,
            ValidFrom = validFrom!.Value,
            ValidUntil = validUntil,
            Confidence = confidence,
            Revoked = revoked,
            IndicatorTypes = types,
            CreatedByRef = createdBy,
            Tlp = tlp,
            Name = Str(o, "name"),
            Pattern = pattern!,
            PatternType = patternType!,
            Targets = targets,
            Unsupported = unsupported,
        };
    }

    /// <summary>spec_version, created and modified, as every SDO has them.</summary>
    private static (DateTimeOffset? Created, DateTimeOffset? Modified) Common(JsonElement o, string id, List<StixProblem> problems, bool requireSpecVersion)
    {
        if (requireSpecVersion && !o.TryGetProperty("spec_version", out _))
        {
            problems.Add(new StixProblem(id, "spec_version is required (\"2.1\")"));
        }

        var created = Time(o, id, "created", required: true, problems);
        var modified = Time(o, id, "modified", required: true, problems);
        if (created is { } c && modified is { } m && m < c)
        {
            problems.Add(new StixProblem(id, "modified must not be earlier than created"));
        }

        return (created, modified);
    }

    private static DateTimeOffset? Time(JsonElement o, string id, string property, bool required, List<StixProblem> problems)
    {
        if (!o.TryGetProperty(property, out var value))
        {
            if (required)
            {
                problems.Add(new StixProblem(id, $"{property} is required (an RFC 3339 UTC timestamp)"));
            }

            return null;
        }

        if (value.ValueKind == JsonValueKind.String && StixTime.TryParse(value.GetString(), out var time))
        {
            return time;
        }

        problems.Add(new StixProblem(id, $"{property} must be an RFC 3339 UTC timestamp such as 2026-03-01T12:00:00.000Z"));
        return null;
    }

    private static List<string> Strings(JsonElement o, string id, string property, List<StixProblem> problems)
    {
        if (!o.TryGetProperty(property, out var value))
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            problems.Add(new StixProblem(id, $"{property} must be an array of strings"));
            return [];
        }

        return [.. value.EnumerateArray().Select(e => e.GetString()!)];
    }

    private static string? Str(JsonElement o, string property) =>
        o.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool IsType(string type) =>
        type.Length is >= 3 and <= 250 && char.IsAsciiLetterLower(type[0])
        && type.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') && !type.Contains("--", StringComparison.Ordinal);

    private static TlpLevel? ParseTlp(string tlp) => tlp switch
    {
        "white" or "clear" => TlpLevel.Clear,
        "green" => TlpLevel.Green,
        "amber" => TlpLevel.Amber,
        "amber+strict" => TlpLevel.AmberStrict,
        "red" => TlpLevel.Red,
        _ => null,
    };
}

/// <summary>One indicator the service exports.</summary>
public sealed record ExportedIndicator
{
    public required string Id { get; init; }
    public required IReadOnlyList<IntelTarget> Targets { get; init; }
    public required DateTimeOffset Created { get; init; }
    public required DateTimeOffset Modified { get; init; }
    public required DateTimeOffset ValidFrom { get; init; }
    public DateTimeOffset? ValidUntil { get; init; }
    public required int Confidence { get; init; }
    public bool Revoked { get; init; }
    public required string Name { get; init; }
    /// <summary>The campaign (<c>cmp-…</c>) whose hub the indicator's entity is, if any: written as a STIX campaign the indicator indicates.</summary>
    public string? Campaign { get; init; }
}

/// <summary>The deployment that produces an export.</summary>
public sealed record StixProducer(string IdentityId, string Name, DateTimeOffset Created);

/// <summary>Writes the service's export bundle (docs/intel-sharing.md, "Export").</summary>
public static class StixBundleWriter
{
    /// <summary>The identity that defines the project's extensions; the same in every deployment.</summary>
    public const string ProjectIdentityId = "identity--6c1d3e5a-93a8-4f0e-b1d2-0c6f2a9e4b71";
    public const string PaymentInstrumentExtensionId = "extension-definition--2f0c8a4e-7d61-4b3a-9e55-1a7c3d9b6e02";
    public const string PromptTemplateExtensionId = "extension-definition--8b4e6d2a-51c9-4f7e-a3b8-6d0e9c2f1a57";
    public const string TlpGreenId = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
    public const string ExtensionVersion = "1.0.0";

    /// <summary>When the extension definitions were first published; part of their identity, never changed.</summary>
    public static readonly DateTimeOffset ExtensionsCreated = new(2026, 1, 15, 0, 0, 0, TimeSpan.Zero);

    public static JsonObject Write(StixProducer producer, IEnumerable<ExportedIndicator> indicators)
    {
        ArgumentNullException.ThrowIfNull(producer);
        ArgumentNullException.ThrowIfNull(indicators);
        var objects = new JsonArray
        {
            Identity(ProjectIdentityId, "Reputation project", ExtensionsCreated, "the authors of the Reputation service's STIX extensions"),
            Identity(producer.IdentityId, producer.Name, producer.Created, "a Reputation deployment sharing the indicators it confirmed"),
            new JsonObject
            {
                ["type"] = "marking-definition",
                ["spec_version"] = "2.1",
                ["id"] = TlpGreenId,
                ["created"] = "2017-01-20T00:00:00.000Z",
                ["definition_type"] = "tlp",
                ["name"] = "TLP:GREEN",
                ["definition"] = new JsonObject { ["tlp"] = "green" },
            },
            Extension(PaymentInstrumentExtensionId, IndicatorPattern.PaymentInstrumentType,
                "A payment instrument, named by the payment processor's fingerprint token for it (never a card number). " +
                "Property fingerprint: string, 1..128 characters, no control characters, '/' or surrounding spaces. " +
                "Pattern: [x-reputation-payment-instrument:fingerprint = '<token>']."),
            Extension(PromptTemplateExtensionId, IndicatorPattern.PromptTemplateType,
                "A prompt template, named by the 64-bit SimHash fingerprint of a normalised prompt (the prompt text is never shared). " +
                "Property fingerprint: string, 16 lowercase hex digits. Prompts within Hamming distance 3 of it count as the template. " +
                "Pattern: [x-reputation-prompt-template:fingerprint = '<16 hex>']."),
        };

        var written = indicators.ToList();
        foreach (var i in written)
        {
            var indicator = new JsonObject
            {
                ["type"] = "indicator",
                ["spec_version"] = "2.1",
                ["id"] = i.Id,
                ["created_by_ref"] = producer.IdentityId,
                ["created"] = StixTime.Format(i.Created),
                ["modified"] = StixTime.Format(i.Modified),
                ["name"] = i.Name,
                ["indicator_types"] = new JsonArray("malicious-activity"),
                ["pattern"] = IndicatorPattern.Format(i.Targets),
                ["pattern_type"] = "stix",
                ["pattern_version"] = "2.1",
                ["valid_from"] = StixTime.Format(i.ValidFrom),
                ["confidence"] = i.Confidence,
                ["object_marking_refs"] = new JsonArray(TlpGreenId),
            };
            if (i.ValidUntil is { } until)
            {
                indicator["valid_until"] = StixTime.Format(until);
            }

            if (i.Revoked)
            {
                indicator["revoked"] = true;
            }

            objects.Add(indicator);
        }

        foreach (var campaign in Campaigns(producer, written))
        {
            objects.Add(campaign);
        }

        return new JsonObject
        {
            ["type"] = "bundle",
            ["id"] = StixIds.Random("bundle"),
            ["objects"] = objects,
        };
    }

    /// <summary>
    /// A campaign object per campaign the live indicators' entities are hubs of, and an
    /// <c>indicates</c> relationship from each such indicator to it. Ids are name-based in the
    /// producer's namespace, so the same campaign keeps its id from one export to the next; the
    /// campaign is named by its id in this deployment and carries no account.
    /// </summary>
    private static IEnumerable<JsonObject> Campaigns(StixProducer producer, List<ExportedIndicator> indicators)
    {
        var ns = StixIds.UuidOf(producer.IdentityId);
        foreach (var campaign in indicators.Where(i => i.Campaign is not null && !i.Revoked).GroupBy(i => i.Campaign!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var id = StixIds.Deterministic("campaign", ns, campaign.Key);
            var created = campaign.Min(i => i.Created);
            yield return new JsonObject
            {
                ["type"] = "campaign",
                ["spec_version"] = "2.1",
                ["id"] = id,
                ["created_by_ref"] = producer.IdentityId,
                ["created"] = StixTime.Format(created),
                ["modified"] = StixTime.Format(campaign.Max(i => i.Modified)),
                ["name"] = campaign.Key,
                ["description"] = "Accounts that share the payment instruments, IP ranges or prompt templates its indicators name, most of them flagged by this deployment.",
                ["first_seen"] = StixTime.Format(created),
                ["object_marking_refs"] = new JsonArray(TlpGreenId),
            };
            foreach (var i in campaign)
            {
                yield return new JsonObject
                {
                    ["type"] = "relationship",
                    ["spec_version"] = "2.1",
                    ["id"] = StixIds.Deterministic("relationship", ns, $"{i.Id} indicates {id}"),
                    ["created_by_ref"] = producer.IdentityId,
                    ["created"] = StixTime.Format(i.Created),
                    ["modified"] = StixTime.Format(i.Modified),
                    ["relationship_type"] = "indicates",
                    ["source_ref"] = i.Id,
                    ["target_ref"] = id,
                    ["object_marking_refs"] = new JsonArray(TlpGreenId),
                };
            }
        }
    }

    private static JsonObject Identity(string id, string name, DateTimeOffset created, string description) => new()
    {
        ["type"] = "identity",
        ["spec_version"] = "2.1",
        ["id"] = id,
        ["created"] = StixTime.Format(created),
        ["modified"] = StixTime.Format(created),
        ["name"] = name,
        ["description"] = description,
        ["identity_class"] = "system",
    };

    private static JsonObject Extension(string id, string scoType, string schema) => new()
    {
        ["type"] = "extension-definition",
        ["spec_version"] = "2.1",
        ["id"] = id,
        ["created_by_ref"] = ProjectIdentityId,
        ["created"] = StixTime.Format(ExtensionsCreated),
        ["modified"] = StixTime.Format(ExtensionsCreated),
        ["name"] = scoType,
        ["description"] = $"New STIX Cyber-observable Object type {scoType}, used in indicator patterns.",
        ["schema"] = schema,
        ["version"] = ExtensionVersion,
        ["extension_types"] = new JsonArray("new-sco"),
    };
}
