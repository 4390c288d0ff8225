using System.Globalization;
using System.Text.Json.Nodes;
using Reputation.Simulator.Generation;
using Reputation.Simulator.Scenarios;

namespace Reputation.Simulator.Running;

/// <summary>
/// The STIX 2.1 bundle a partner lab shares about a campaign it has seen (docs/intel-sharing.md): one
/// identity (the partner), then indicators naming the fingerprints of fills it saw of a share of the
/// campaign's templates (a paraphrased template counts once, its fills drawn from all its paraphrases)
/// and the campaign's proxy ranges, each as <c>[type:value = '...']</c> comparisons joined by OR, at
/// most 16 to an indicator. The partner's fills are its own (their own stream), not the requests the
/// run sends.
/// </summary>
internal static class PartnerIntelBundle
{
    public const int MaxValuesPerIndicator = 16;

    public static PartnerIntelContent Build(Population population, PartnerIntel intel, Func<string, string> fingerprint, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(population);
        ArgumentNullException.ThrowIfNull(intel);
        ArgumentNullException.ThrowIfNull(fingerprint);
        var c = population.Scenario.Campaigns.Select((x, i) => (x, i)).Single(p => p.x.Name == intel.Campaign).i;
        var campaign = population.Scenario.Campaigns[c];
        var r = SimRandom.For(population.Seed, Streams.Intel, (ulong)c);
        var producer = $"identity--{Uuid(SimRandom.For(population.Seed, Streams.Intel, 1UL << 40))}";

        var entries = campaign.Prompts.Templates.Concat(campaign.Prompts.ReasoningTemplates).ToList();
        r.Shuffle(entries);
        var named = entries.Take((int)Math.Round(entries.Count * intel.TemplateShare)).ToList();
        var templatePatterns = new List<string>();
        var fingerprints = new List<string>();
        foreach (var entry in named)
        {
            var mine = Enumerable.Range(0, intel.FingerprintsPerTemplate)
                .Select(_ => fingerprint(PromptTemplate.Fill(r.Pick(entry.Variants), campaign.Prompts.Slots, r)))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            fingerprints.AddRange(mine);
            templatePatterns.Add(string.Join(" OR ", mine.Select(f => $"[x-reputation-prompt-template:fingerprint = '{f}']")));
        }

        var ranges = intel.ProxyRanges ? population.Addresses.CampaignProxies[c].Select(n => n.ToString()).ToList() : [];
        var rangePatterns = ranges.Chunk(MaxValuesPerIndicator)
            .Select(chunk => string.Join(" OR ", chunk.Select(n => n.Contains(':', StringComparison.Ordinal)
                ? $"[ipv6-addr:value = '{n}']"
                : $"[ipv4-addr:value = '{n}']")))
            .ToList();

        var stamp = Stamp(now.AddHours(-1));
        var objects = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "identity", ["spec_version"] = "2.1", ["id"] = producer, ["name"] = intel.ProducerName,
                ["created"] = stamp, ["modified"] = stamp, ["identity_class"] = "organization",
            },
        };
        foreach (var (pattern, name) in templatePatterns.Select(p => (p, "prompt templates of a distillation campaign"))
            .Concat(rangePatterns.Select(p => (p, "proxy exits of a distillation campaign"))))
        {
            objects.Add(new JsonObject
            {
                ["type"] = "indicator", ["spec_version"] = "2.1", ["id"] = $"indicator--{Uuid(r)}",
                ["created_by_ref"] = producer, ["created"] = stamp, ["modified"] = stamp,
                ["name"] = name, ["indicator_types"] = new JsonArray("malicious-activity"),
                ["pattern"] = pattern, ["pattern_type"] = "stix", ["pattern_version"] = "2.1",
                ["valid_from"] = stamp, ["confidence"] = intel.Confidence,
                ["object_marking_refs"] = new JsonArray("marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"),
            });
        }

        var bundle = new JsonObject { ["type"] = "bundle", ["id"] = $"bundle--{Uuid(r)}", ["objects"] = objects };
        return new PartnerIntelContent(bundle.ToJsonString(), producer, templatePatterns.Count + rangePatterns.Count, named.Count, fingerprints, ranges);
    }

    /// <summary>A version-4-shaped UUID from the stream (deterministic per seed).</summary>
    private static string Uuid(SimRandom r)
    {
        Span<byte> b = stackalloc byte[16];
        BitConverter.TryWriteBytes(b, r.NextUInt64());
        BitConverter.TryWriteBytes(b[8..], r.NextUInt64());
        b[6] = (byte)((b[6] & 0x0F) | 0x40);
        b[8] = (byte)((b[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(b);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>The bundle and what it names.</summary>
internal sealed record PartnerIntelContent(
    string Json, string ProducerId, int Indicators, int TemplatesNamed, IReadOnlyList<string> Fingerprints, IReadOnlyList<string> Ranges);
