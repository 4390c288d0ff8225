using System.Text.Json.Nodes;
using Reputation.Core.Intel;
using Reputation.Core.Policies;
using Reputation.Core.Scoring;

namespace Reputation.Core.Tests;

public sealed class StixBundleTests
{
    private const string Producer = "identity--b3f4c6a2-7d1e-4a0b-9c2d-1e5f7a9b3c4d";

    private static JsonObject Indicator(string pattern, string? id = null, Action<JsonObject>? edit = null)
    {
        var o = new JsonObject
        {
            ["type"] = "indicator",
            ["spec_version"] = "2.1",
            ["id"] = id ?? StixIds.Random("indicator"),
            ["created"] = "2026-03-01T12:00:00.000Z",
            ["modified"] = "2026-03-01T12:00:00.000Z",
            ["created_by_ref"] = Producer,
            ["pattern"] = pattern,
            ["pattern_type"] = "stix",
            ["valid_from"] = "2026-03-01T12:00:00Z",
            ["confidence"] = 80,
            ["indicator_types"] = new JsonArray("malicious-activity"),
            ["object_marking_refs"] = new JsonArray("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"),
        };
        edit?.Invoke(o);
        return o;
    }

    private static string Bundle(params JsonNode[] objects) =>
        new JsonObject { ["type"] = "bundle", ["id"] = StixIds.Random("bundle"), ["objects"] = new JsonArray(objects) }.ToJsonString();

    [Fact]
    public void Indicators_are_read_with_their_fields_and_other_objects_are_counted_by_type()
    {
        var identity = new JsonObject
        {
            ["type"] = "identity", ["spec_version"] = "2.1", ["id"] = Producer, ["name"] = "Lab B",
            ["created"] = "2026-01-01T00:00:00.000Z", ["modified"] = "2026-01-01T00:00:00.000Z",
        };
        var malware = new JsonObject { ["type"] = "malware", ["spec_version"] = "2.1", ["id"] = StixIds.Random("malware") };
        var custom = new JsonObject { ["type"] = "x-other-lab-thing", ["id"] = StixIds.Random("x-other-lab-thing") };

        var content = StixBundleReader.Read(Bundle(identity, Indicator("[ipv4-addr:value ISSUBSET '198.51.0.0/16']", edit: o => o["valid_until"] = "2026-04-01T00:00:00Z"), malware, custom));

        var indicator = Assert.Single(content.Indicators);
        Assert.Equal([new IntelTarget(IntelEntity.IpRange, "198.51.0.0/16")], indicator.Targets);
        Assert.Equal(80, indicator.Confidence);
        Assert.Equal(Producer, indicator.CreatedByRef);
        Assert.Equal(TlpLevel.Green, indicator.Tlp);
        Assert.Equal(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero), indicator.ValidUntil);
        Assert.Equal(["malicious-activity"], indicator.IndicatorTypes);
        Assert.Equal("Lab B", content.Identities[Producer]);
        Assert.Equal(1, content.SkippedTypes["malware"]);
        Assert.Equal(1, content.SkippedTypes["x-other-lab-thing"]);
        Assert.Equal(1, content.SkippedTypes["identity"]);
    }

    [Fact]
    public void Of_several_versions_of_one_indicator_the_newest_is_taken()
    {
        var id = StixIds.Random("indicator");
        var content = StixBundleReader.Read(Bundle(
            Indicator("[ipv4-addr:value = '198.51.100.1']", id, o => o["modified"] = "2026-03-02T00:00:00.000Z"),
            Indicator("[ipv4-addr:value = '198.51.100.2']", id)));

        Assert.Equal("198.51.100.1/32", Assert.Single(content.Indicators).Targets[0].Value);
    }

    [Theory]
    [InlineData("spec_version", "\"2.0\"", "only \"2.1\"")]
    [InlineData("valid_from", "\"yesterday\"", "valid_from must be an RFC 3339")]
    [InlineData("confidence", "101", "confidence")]
    [InlineData("pattern", "\"[ipv4-addr:value = \"", "not valid STIX patterning")]
    [InlineData("created_by_ref", "\"lab-b\"", "created_by_ref")]
    [InlineData("revoked", "\"yes\"", "revoked")]
    [InlineData("valid_until", "\"2026-01-01T00:00:00Z\"", "later than valid_from")]
    public void A_bad_indicator_fails_the_bundle_naming_its_id(string property, string json, string problem)
    {
        var id = StixIds.Random("indicator");
        var bad = Indicator("[ipv4-addr:value = '198.51.100.1']", id, o => o[property] = JsonNode.Parse(json));

        var ex = Assert.Throws<StixBundleException>(() => StixBundleReader.Read(Bundle(Indicator("[ipv4-addr:value = '198.51.100.9']"), bad)));

        var p = Assert.Single(ex.Problems);
        Assert.Equal(id, p.ObjectId);
        Assert.Contains(problem, p.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Bundles_of_the_wrong_shape_or_version_fail()
    {
        Assert.Throws<StixBundleException>(() => StixBundleReader.Read("""{"type":"bundle","id":"bundle--1","objects":[]}"""));
        Assert.Throws<StixBundleException>(() => StixBundleReader.Read("""[1,2]"""));
        var v20 = Assert.Throws<StixBundleException>(() => StixBundleReader.Read($$"""{"type":"bundle","id":"{{StixIds.Random("bundle")}}","spec_version":"2.0","objects":[]}"""));
        Assert.Contains("STIX 2.0", v20.Problems[0].Problem, StringComparison.Ordinal);
        var noId = Assert.Throws<StixBundleException>(() => StixBundleReader.Read(Bundle(new JsonObject { ["type"] = "indicator" })));
        Assert.Equal("objects[0]", noId.Problems[0].ObjectId);
    }

    [Fact]
    public void Unsupported_pattern_types_are_read_but_marked_unsupported()
    {
        var content = StixBundleReader.Read(Bundle(Indicator("alert tcp any any -> any any", edit: o => o["pattern_type"] = "snort")));

        Assert.Contains("pattern_type 'snort'", Assert.Single(content.Indicators).Unsupported, StringComparison.Ordinal);
    }

    [Fact]
    public void The_written_bundle_reads_back_to_the_same_indicators()
    {
        var producer = new StixProducer("identity--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "Lab A", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var exported = new ExportedIndicator
        {
            Id = StixIds.Deterministic("indicator", Guid.NewGuid(), "x"),
            Targets = [new IntelTarget(IntelEntity.IpRange, "198.51.0.0/16"), new IntelTarget(IntelEntity.PromptTemplate, "0123456789abcdef")],
            Created = new DateTimeOffset(2026, 3, 1, 0, 0, 0, 123, TimeSpan.Zero),
            Modified = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero),
            ValidFrom = new DateTimeOffset(2026, 3, 1, 0, 0, 0, 123, TimeSpan.Zero),
            ValidUntil = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero),
            Confidence = 95,
            Name = "confirmed",
        };

        var content = StixBundleReader.Read(StixBundleWriter.Write(producer, [exported]).ToJsonString());

        var read = Assert.Single(content.Indicators);
        Assert.Equal(exported.Id, read.Id);
        Assert.Equal(exported.Targets, read.Targets);
        Assert.Equal(exported.Created, read.Created);
        Assert.Equal(exported.ValidFrom, read.ValidFrom);
        Assert.Equal(exported.ValidUntil, read.ValidUntil);
        Assert.Equal(95, read.Confidence);
        Assert.Equal(producer.IdentityId, read.CreatedByRef);
        Assert.Equal(TlpLevel.Green, read.Tlp);
        Assert.Equal("Lab A", content.Identities[producer.IdentityId]);
        Assert.Equal(2, content.SkippedTypes["extension-definition"]);
    }

    [Fact]
    public void Indicators_of_a_campaigns_hubs_indicate_one_campaign_object_named_by_its_id()
    {
        var producer = new StixProducer("identity--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "Lab A", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        ExportedIndicator Indicator(string name, string? campaign, bool revoked = false, int day = 1) => new()
        {
            Id = StixIds.Deterministic("indicator", Guid.Empty, name),
            Targets = [new IntelTarget(IntelEntity.PaymentInstrument, name)],
            Created = new DateTimeOffset(2026, 3, day, 0, 0, 0, TimeSpan.Zero),
            Modified = new DateTimeOffset(2026, 3, day + 1, 0, 0, 0, TimeSpan.Zero),
            ValidFrom = new DateTimeOffset(2026, 3, day, 0, 0, 0, TimeSpan.Zero),
            Confidence = 85,
            Name = name,
            Campaign = campaign,
            Revoked = revoked,
        };
        ExportedIndicator[] indicators =
        [
            Indicator("pf-1", "cmp-00000000000000aa", day: 2),
            Indicator("pf-2", "cmp-00000000000000aa", day: 1),
            Indicator("pf-3", "cmp-00000000000000aa", revoked: true),
            Indicator("pf-4", null),
        ];

        var bundle = StixBundleWriter.Write(producer, indicators);
        var again = StixBundleWriter.Write(producer, indicators);

        var objects = bundle["objects"]!.AsArray().Select(o => o!.AsObject()).ToList();
        var campaign = Assert.Single(objects, o => (string?)o["type"] == "campaign");
        Assert.Equal("cmp-00000000000000aa", (string?)campaign["name"]);
        Assert.Equal("2026-03-01T00:00:00.000Z", (string?)campaign["first_seen"]);
        Assert.Equal((string?)campaign["id"], (string?)again["objects"]!.AsArray().Single(o => (string?)o!["type"] == "campaign")!["id"]);
        var relationships = objects.Where(o => (string?)o["type"] == "relationship").ToList();
        Assert.Equal([indicators[0].Id, indicators[1].Id], relationships.Select(r => (string)r["source_ref"]!));
        Assert.All(relationships, r =>
        {
            Assert.Equal("indicates", (string?)r["relationship_type"]);
            Assert.Equal((string?)campaign["id"], (string?)r["target_ref"]);
        });

        // Readers that know only indicators skip both.
        var content = StixBundleReader.Read(bundle.ToJsonString());
        Assert.Equal(4, content.Indicators.Count);
        Assert.Equal(1, content.SkippedTypes["campaign"]);
        Assert.Equal(2, content.SkippedTypes["relationship"]);
    }
}

public sealed class ThreatIntelScoringTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private const string Trusted = "identity--11111111-2222-4333-8444-555555555555";

    private static ScoreResult Score(ScoringPolicy policy, params IntelMatchFacts[] matches) =>
        Scorer.Score(policy, Now, new ScoreInputs { Account = new AccountFacts(Now.AddDays(-60), 0), ThreatIntel = matches });

    [Fact]
    public void A_match_counts_confidence_times_producer_trust_and_the_strongest_one_speaks()
    {
        var policy = ScoringPolicy.Default with { Intel = new ThreatIntelPolicy { ProducerTrust = new Dictionary<string, double> { [Trusted] = 1 } } };

        var result = Score(policy, new IntelMatchFacts(80, null, "IP range a"), new IntelMatchFacts(90, Trusted, "IP range b"));

        var c = Assert.Single(result.Contributions);
        Assert.Equal(ReasonCodes.ThreatIntelMatch, c.Code);
        Assert.Equal(0.9, c.Value, 6);
        Assert.Equal(0.9 * policy.Weights.ThreatIntelMatch, result.Score, 6);
        Assert.Contains("IP range b", c.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_producer_trusted_0_is_ignored()
    {
        var policy = ScoringPolicy.Default with { Intel = new ThreatIntelPolicy { DefaultTrust = 0 } };

        Assert.Empty(Score(policy, new IntelMatchFacts(100, null, "x")).Contributions);
    }

    [Fact]
    public void Intel_policy_fields_are_validated_and_round_trip_through_json()
    {
        var policy = ScoringPolicy.Default with
        {
            Weights = ScoringPolicy.Default.Weights with { ThreatIntelMatch = 1.5 },
            Intel = new ThreatIntelPolicy
            {
                DefaultTrust = -1, ExportThreshold = 0, DefaultConfidence = 101,
                ProducerTrust = new Dictionary<string, double> { ["lab-b"] = 0.5, [Trusted] = 2 },
            },
        };

        var fields = PolicyValidator.Validate(policy).Select(e => e.Field).ToList();

        Assert.Equal(["weights.threatIntelMatch", "intel.defaultTrust", "intel.exportThreshold", "intel.defaultConfidence", $"intel.producerTrust.{Trusted}", "intel.producerTrust.lab-b"], fields);
        var valid = ScoringPolicy.Default with { Intel = new ThreatIntelPolicy { ProducerTrust = new Dictionary<string, double> { [Trusted] = 0.9 } } };
        Assert.Equal(valid, PolicyJson.Deserialize(PolicyJson.Serialize(valid)));
        Assert.NotEqual(ScoringPolicy.Default, valid);
    }
}
