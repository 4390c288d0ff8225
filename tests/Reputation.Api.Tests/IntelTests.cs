using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Reputation.Client;
using Reputation.Contracts;
using Reputation.Core.Intel;
using Reputation.Core.Prompts;

namespace Reputation.Api.Tests;

/// <summary>STIX bundles as a partner lab sends them, and the import and export endpoints.</summary>
internal static class Stix
{
    public const string LabB = "identity--b3f4c6a2-7d1e-4a0b-9c2d-1e5f7a9b3c4d";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Time(DateTimeOffset t) => StixTime.Format(t);

    public static JsonObject Indicator(string pattern, DateTimeOffset now, string? id = null, Action<JsonObject>? edit = null)
    {
        var o = new JsonObject
        {
            ["type"] = "indicator",
            ["spec_version"] = "2.1",
            ["id"] = id ?? StixIds.Random("indicator"),
            ["created"] = Time(now.AddHours(-1)),
            ["modified"] = Time(now.AddHours(-1)),
            ["created_by_ref"] = LabB,
            ["name"] = "harvesting proxy network",
            ["pattern"] = pattern,
            ["pattern_type"] = "stix",
            ["valid_from"] = Time(now.AddHours(-1)),
            ["confidence"] = 100,
            ["indicator_types"] = new JsonArray("malicious-activity"),
            ["object_marking_refs"] = new JsonArray("marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"),
        };
        edit?.Invoke(o);
        return o;
    }

    public static JsonObject LabBIdentity() => new()
    {
        ["type"] = "identity", ["spec_version"] = "2.1", ["id"] = LabB, ["name"] = "Lab B",
        ["created"] = "2026-01-01T00:00:00.000Z", ["modified"] = "2026-01-01T00:00:00.000Z", ["identity_class"] = "organization",
    };

    public static string Bundle(params JsonNode[] objects) =>
        new JsonObject { ["type"] = "bundle", ["id"] = StixIds.Random("bundle"), ["objects"] = new JsonArray(objects) }.ToJsonString();

    public static async Task<HttpResponseMessage> ImportAsync(ApiFactory factory, string body, string key = ApiFactory.OperatorKey) =>
        await factory.CreateDefaultClient().SendAsync(Raw.Post("/v1/intel/stix", body, key), TestContext.Current.CancellationToken);

    public static async Task<StixImportResult> ImportOkAsync(ApiFactory factory, string body)
    {
        using var response = await ImportAsync(factory, body);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonSerializer.Deserialize<StixImportResult>(text, Json)!;
    }

    public static async Task<JsonObject> ExportAsync(ApiFactory factory, string? since = null)
    {
        var path = since is null ? "/v1/intel/stix" : $"/v1/intel/stix?since={Uri.EscapeDataString(since)}";
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get(path), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    public static IEnumerable<JsonObject> Indicators(JsonObject bundle) =>
        bundle["objects"]!.AsArray().Select(o => o!.AsObject()).Where(o => (string?)o["type"] == "indicator");

    /// <summary>A signup of a new account from the address; the decision's reasons.</summary>
    public static async Task<SignupDecisionResponse> SignupAsync(ApiFactory factory, string ip, string? card = null) =>
        ApiAssert.Answered(await factory.CreateReputationClient().DecideSignupAsync(
            new SignupDecisionRequest { AccountId = Unique.Id("intel-acct"), Ip = ip, PaymentFingerprint = card }, TestContext.Current.CancellationToken));

    public static Reason? IntelReason(SignupDecisionResponse d) => d.Reasons.FirstOrDefault(r => r.Code == "THREAT_INTEL_MATCH");
}

[Collection(ApiCollection.Name)]
public sealed class IntelImportTests(ApiFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DateTimeOffset Now => factory.Time.GetUtcNow();

    [Fact]
    public async Task Each_supported_pattern_form_is_imported_and_matches_its_entities()
    {
        var v4 = Unique.Ipv4Range();
        var wide = Unique.Wide16();
        var v6 = Unique.Ipv6Prefix64();
        var card = Unique.Id("pf");
        var fingerprint = SimHash.ToHex((ulong)Random.Shared.NextInt64());
        var wide16 = $"{wide.Prefix[..wide.Prefix.LastIndexOf('.')]}.0.0/16";
        Assert.StartsWith("100.", wide16, StringComparison.Ordinal);
        var result = await Stix.ImportOkAsync(factory, Stix.Bundle(
            Stix.LabBIdentity(),
            Stix.Indicator($"[ipv4-addr:value = '{v4.Host(9)}']", Now),
            Stix.Indicator($"[ipv4-addr:value ISSUBSET '{wide16}']", Now),
            Stix.Indicator($"[ipv6-addr:value = '{v6}::1' OR ipv6-addr:value ISSUBSET '{v6}::/64']", Now),
            Stix.Indicator($"[x-reputation-payment-instrument:fingerprint = '{card}']", Now),
            Stix.Indicator($"[x-reputation-prompt-template:fingerprint = '{fingerprint}']", Now)));

        Assert.Equal(5, result.Imported);
        Assert.Empty(result.SkippedIndicators);
        Assert.Equal(1, result.SkippedTypes["identity"]);

        // An address names the /24 that holds it; a /16 every /24 inside it; an IPv6 address or /64 its /64.
        foreach (var ip in new[] { v4.Host(200), wide.Host(3), $"{v6}::77" })
        {
            var reason = Stix.IntelReason(await Stix.SignupAsync(factory, ip));
            Assert.True(reason is not null, $"no THREAT_INTEL_MATCH for {ip}");
            Assert.Contains("Lab B", reason.Detail, StringComparison.Ordinal);
        }

        Assert.Contains(wide16, Stix.IntelReason(await Stix.SignupAsync(factory, wide.Host(4)))!.Detail, StringComparison.Ordinal);
        Assert.NotNull(Stix.IntelReason(await Stix.SignupAsync(factory, Unique.Ipv4Range().Host(1), card)));

        var client = factory.CreateReputationClient();
        var range = await client.GetIpRangeAsync(wide.Network, 24, Ct);
        var intel = Assert.Single(range!.ThreatIntel);
        Assert.Equal(Stix.LabB, intel.Producer);
        Assert.Equal("Lab B", intel.ProducerName);
        Assert.Equal(wide16, intel.Value);
        Assert.Equal(100, intel.Confidence);
        Assert.Equal("green", intel.Tlp);
        Assert.Equal($"{v4.Host(9)}/32", Assert.Single((await client.GetIpRangeAsync(v4.Network, 24, Ct))!.ThreatIntel).Value);
        Assert.Equal(card, Assert.Single((await client.GetPaymentInstrumentAsync(card, Ct))!.ThreatIntel).Value);

        var account = Unique.Id("intel-prompts");
        await client.IngestAsync(Events.Batch(new IngestEvent
        {
            Id = Unique.Id("u"), Type = EventType.Usage, AccountId = account, OccurredAt = Now, Ip = Unique.Ipv4Range().Host(2), Requests = 3,
            PromptFingerprints = [fingerprint],
        }), Ct);
        var bucket = PromptBands.BucketKeys(SimHash.TryParseHex(fingerprint, out var f) ? f : 0).First();
        var template = await Eventually.ValueAsync(() => client.GetPromptTemplateAsync(bucket, Ct), t => t is not null, "the template view");
        Assert.Equal(fingerprint, Assert.Single(template!.ThreatIntel).Value);
    }

    [Fact]
    public async Task An_imported_indicator_changes_a_signup_decision_as_documented()
    {
        var range = Unique.Ipv4Range();
        var card = Unique.Id("pf-named");
        var before = await Stix.SignupAsync(factory, range.Host(1), card);
        Assert.Equal(SignupDecision.Allow, before.Decision);

        await Stix.ImportOkAsync(factory, Stix.Bundle(
            Stix.Indicator($"[x-reputation-payment-instrument:fingerprint = '{card}']", Now),
            Stix.Indicator($"[ipv4-addr:value = '{range.Range}']", Now)));

        // A card is the customer's own: confidence 100 x default trust 0.5 x weight 0.7 = 0.35, with a
        // new account's 0.15: review.
        var after = await Stix.SignupAsync(factory, Unique.Ipv4Range().Host(2), card);
        Assert.Equal(SignupDecision.Review, after.Decision);
        Assert.NotNull(Stix.IntelReason(after));
        Assert.Equal(1 - ((1 - 0.15) * (1 - 0.35)), after.Score, 3);

        // A range is shared by nature: its indicator counts x the range strength 0.6 (0.21), named in
        // the reasons but not enough to hold a new account on its own.
        var fromRange = await Stix.SignupAsync(factory, range.Host(3));
        Assert.Equal(SignupDecision.Allow, fromRange.Decision);
        Assert.NotNull(Stix.IntelReason(fromRange));
        Assert.Equal(1 - ((1 - 0.15) * (1 - (0.35 * 0.6))), fromRange.Score, 3);
    }

    [Fact]
    public async Task An_indicator_stops_matching_at_valid_until_without_any_call_and_expired_ones_are_skipped()
    {
        var range = Unique.Ipv4Range();
        await Stix.ImportOkAsync(factory, Stix.Bundle(
            Stix.Indicator($"[ipv4-addr:value = '{range.Range}']", Now, edit: o => o["valid_until"] = Stix.Time(Now.AddMinutes(30)))));
        Assert.NotNull(Stix.IntelReason(await Stix.SignupAsync(factory, range.Host(1))));

        factory.Time.Advance(TimeSpan.FromMinutes(31));

        Assert.Null(Stix.IntelReason(await Stix.SignupAsync(factory, range.Host(2))));
        Assert.Empty((await factory.CreateReputationClient().GetIpRangeAsync(range.Network, 24, Ct))!.ThreatIntel);
        var expired = Stix.Indicator($"[ipv4-addr:value = '{Unique.Ipv4Range().Range}']", Now, edit: o => o["valid_until"] = Stix.Time(Now.AddMinutes(-1)));
        var result = await Stix.ImportOkAsync(factory, Stix.Bundle(expired));
        Assert.Equal(0, result.Imported);
        Assert.Contains("expired", Assert.Single(result.SkippedIndicators, s => s.Id == (string)expired["id"]!).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_version_removes_the_indicator_and_an_older_version_does_not_bring_it_back()
    {
        var range = Unique.Ipv4Range();
        var id = StixIds.Random("indicator");
        var pattern = $"[ipv4-addr:value = '{range.Range}']";
        await Stix.ImportOkAsync(factory, Stix.Bundle(Stix.Indicator(pattern, Now, id)));
        Assert.NotNull(Stix.IntelReason(await Stix.SignupAsync(factory, range.Host(1))));

        var revoked = await Stix.ImportOkAsync(factory, Stix.Bundle(Stix.Indicator(pattern, Now, id, o =>
        {
            o["modified"] = Stix.Time(Now);
            o["revoked"] = true;
        })));

        Assert.Equal(1, revoked.Revoked);
        Assert.Null(Stix.IntelReason(await Stix.SignupAsync(factory, range.Host(2))));
        Assert.Empty((await factory.CreateReputationClient().GetIpRangeAsync(range.Network, 24, Ct))!.ThreatIntel);
        var again = await Stix.ImportOkAsync(factory, Stix.Bundle(Stix.Indicator(pattern, Now, id, o => o["modified"] = Stix.Time(Now))));
        Assert.Equal(1, again.Imported);
        var updated = await Stix.ImportOkAsync(factory, Stix.Bundle(Stix.Indicator(pattern, Now, id, o => o["modified"] = Stix.Time(Now.AddSeconds(1)))));
        Assert.Equal(1, updated.Updated);
        var older = await Stix.ImportOkAsync(factory, Stix.Bundle(Stix.Indicator(pattern, Now, id)));
        Assert.Contains("newer version", Assert.Single(older.SkippedIndicators).Reason, StringComparison.Ordinal);
        var same = await Stix.ImportOkAsync(factory, Stix.Bundle(Stix.Indicator(pattern, Now, id, o => o["modified"] = Stix.Time(Now.AddSeconds(1)))));
        Assert.Equal(1, same.Unchanged);
    }

    [Fact]
    public async Task Other_objects_and_unsupported_indicators_are_skipped_and_counted_never_a_failure()
    {
        var file = Stix.Indicator("[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']", Now);
        var and = Stix.Indicator("[ipv4-addr:value = '198.51.100.1'] AND [ipv4-addr:value = '198.51.100.2']", Now);
        var snort = Stix.Indicator("alert tcp any any -> any any", Now, edit: o => o["pattern_type"] = "snort");
        var good = Stix.Indicator($"[ipv4-addr:value = '{Unique.Ipv4Range().Range}']", Now);
        var malware = new JsonObject
        {
            ["type"] = "malware", ["spec_version"] = "2.1", ["id"] = StixIds.Random("malware"), ["name"] = "harvester",
            ["created"] = Stix.Time(Now), ["modified"] = Stix.Time(Now), ["is_family"] = false,
        };
        var relationship = new JsonObject
        {
            ["type"] = "relationship", ["spec_version"] = "2.1", ["id"] = StixIds.Random("relationship"), ["relationship_type"] = "indicates",
            ["source_ref"] = (string)good["id"]!, ["target_ref"] = (string)malware["id"]!, ["created"] = Stix.Time(Now), ["modified"] = Stix.Time(Now),
        };

        var result = await Stix.ImportOkAsync(factory, Stix.Bundle(Stix.LabBIdentity(), malware, relationship, file, and, snort, good));

        Assert.Equal(1, result.Imported);
        Assert.Equal(6, result.Skipped);
        Assert.Equal(1, result.SkippedTypes["malware"]);
        Assert.Equal(1, result.SkippedTypes["relationship"]);
        Assert.Equal(1, result.SkippedTypes["identity"]);
        Assert.Contains("unsupported object type 'file'", result.SkippedIndicators.Single(s => s.Id == (string)file["id"]!).Reason, StringComparison.Ordinal);
        Assert.Contains("AND", result.SkippedIndicators.Single(s => s.Id == (string)and["id"]!).Reason, StringComparison.Ordinal);
        Assert.Contains("snort", result.SkippedIndicators.Single(s => s.Id == (string)snort["id"]!).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_is_a_400_and_nothing_of_it_is_imported()
    {
        var range = Unique.Ipv4Range();
        var body = Stix.Bundle(Stix.Indicator($"[ipv4-addr:value = '{range.Range}']", Now));

        using var response = await Stix.ImportAsync(factory, body[..^2]);

        await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Null(Stix.IntelReason(await Stix.SignupAsync(factory, range.Host(1))));
    }

    [Theory]
    [InlineData("pattern", "\"[ipv4-addr:value = '198.51.100.1'\"", "not valid STIX patterning")]
    [InlineData("spec_version", "\"2.0\"", "only \"2.1\"")]
    [InlineData("valid_from", "null", "valid_from")]
    [InlineData("confidence", "\"high\"", "confidence")]
    public async Task A_bad_indicator_is_a_400_naming_its_id_and_nothing_of_the_bundle_is_imported(string property, string json, string problem)
    {
        var range = Unique.Ipv4Range();
        var bad = Stix.Indicator("[ipv4-addr:value = '198.51.100.1']", Now, edit: o => o[property] = JsonNode.Parse(json));

        using var response = await Stix.ImportAsync(factory, Stix.Bundle(Stix.Indicator($"[ipv4-addr:value = '{range.Range}']", Now), bad));

        var body = await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = body.GetProperty("errors").GetProperty((string)bad["id"]!);
        Assert.Contains(problem, errors[0].GetString(), StringComparison.Ordinal);
        Assert.Null(Stix.IntelReason(await Stix.SignupAsync(factory, range.Host(1))));
    }

    [Fact]
    public async Task A_STIX_2_0_bundle_is_a_400()
    {
        var body = $$"""{"type":"bundle","id":"{{StixIds.Random("bundle")}}","spec_version":"2.0","objects":[]}""";

        using var response = await Stix.ImportAsync(factory, body);

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("2.0", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_needs_the_operate_scope_and_is_audited()
    {
        using var forbidden = await Stix.ImportAsync(factory, Stix.Bundle(), ApiFactory.ServiceKey);
        await Raw.AssertProblemAsync(forbidden, HttpStatusCode.Forbidden);

        var bundle = Stix.Bundle(Stix.Indicator($"[ipv4-addr:value = '{Unique.Ipv4Range().Range}']", Now));
        await Stix.ImportOkAsync(factory, bundle);
        var id = (string)JsonNode.Parse(bundle)!["id"]!;
        using var audit = await factory.CreateDefaultClient().SendAsync(Raw.Get($"/v1/audit?action=intel.import&target={Uri.EscapeDataString("stix:" + id)}", ApiFactory.OperatorKey), Ct);
        Assert.Contains(id, await audit.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}

[Collection(SmallBodyLimitCollection.Name)]
public sealed class IntelBodyLimitTests(SmallBodyLimitFactory factory)
{
    [Fact]
    public async Task A_bundle_larger_than_the_body_limit_is_a_413_problem()
    {
        var now = factory.Time.GetUtcNow();
        var body = Stix.Bundle([.. Enumerable.Range(1, 20).Select(i => Stix.Indicator($"[ipv4-addr:value = '198.51.100.{i}']", now))]);
        Assert.True(body.Length > SmallBodyLimitFactory.MaxRequestBodyBytes);

        using var response = await Stix.ImportAsync(factory, body);

        await Raw.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }
}

[Collection(ApiCollection.Name)]
public sealed class IntelExportTests(ApiFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Lazy<Dictionary<string, JsonSchema>> s_schemas = new(LoadSchemas);

    /// <summary>The OASIS STIX 2.1 schemas: <c>../shared/stix2/schemas</c> beside the repository (see docs/intel-sharing.md).</summary>
    private static Dictionary<string, JsonSchema> LoadSchemas()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Reputation.sln")))
        {
            root = root.Parent;
        }

        Assert.True(root is not null, $"No Reputation.sln above {AppContext.BaseDirectory}");
        var dir = Path.GetFullPath(Path.Combine(root.FullName, "..", "shared", "stix2", "schemas"));
        Assert.True(Directory.Exists(dir), $"The STIX 2.1 schemas are missing: expected a copy of oasis-open/cti-stix2-json-schemas in {dir}");
        // Every file, so that the $refs between them resolve (each registers under its $id).
        return Directory.EnumerateFiles(dir, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .ToDictionary(f => Path.GetRelativePath(dir, f).Replace('\\', '/'), f => JsonSchema.FromFile(f), StringComparer.Ordinal);
    }

    private static bool IsValid(string schema, JsonNode node) =>
        s_schemas.Value[schema].Evaluate(JsonDocument.Parse(node.ToJsonString()).RootElement).IsValid;

    /// <summary>
    /// The bundle against common/bundle.json, and each extension-definition against
    /// common/extension-definition.json: the bundle schema does not list extension-definition among
    /// its object types, and its branch for other objects is a oneOf of the SDO and the SCO common
    /// properties, which an extension definition (an SDO-like object with created and modified)
    /// matches both of, so no extension definition validates through it (docs/intel-sharing.md).
    /// On failure, names each object that fails alone (the schema's anyOf/oneOf errors are noise).
    /// </summary>
    private static void AssertValid(JsonObject bundle)
    {
        var objects = bundle["objects"]!.AsArray();
        var extensions = objects.Where(o => (string?)o!["type"] == "extension-definition").ToList();
        Assert.All(extensions, e => Assert.True(IsValid("common/extension-definition.json", e!), $"not a valid extension-definition: {e!.ToJsonString()}"));
        var rest = new JsonObject
        {
            ["type"] = "bundle",
            ["id"] = (string)bundle["id"]!,
            ["objects"] = new JsonArray([.. objects.Where(o => (string?)o!["type"] != "extension-definition").Select(o => o!.DeepClone())]),
        };
        if (IsValid("common/bundle.json", rest))
        {
            return;
        }

        var failing = rest["objects"]!.AsArray()
            .Where(o => !IsValid("common/bundle.json", new JsonObject { ["type"] = "bundle", ["id"] = (string)bundle["id"]!, ["objects"] = new JsonArray(o!.DeepClone()) }))
            .Select(o => o!.ToJsonString());
        Assert.Fail("the bundle does not validate against the STIX 2.1 schemas; failing objects:\n" + string.Join("\n", failing));
    }

    [Fact]
    public void The_schemas_reject_what_they_should_so_the_validity_checks_can_fail()
    {
        var indicator = Stix.Indicator("[ipv4-addr:value = '198.51.100.1']", DateTimeOffset.UtcNow);
        Assert.True(IsValid("common/bundle.json", JsonNode.Parse(Stix.Bundle(indicator.DeepClone()))!));
        indicator["created"] = "2026-03-01T12:00:00Z"; // created needs milliseconds
        Assert.False(IsValid("common/bundle.json", JsonNode.Parse(Stix.Bundle(indicator))!));
        var extension = StixBundleWriter.Write(new StixProducer(StixIds.Random("identity"), "x", DateTimeOffset.UtcNow), [])["objects"]!.AsArray()
            .Single(o => (string?)o!["type"] == "extension-definition" && (string?)o["name"] == IndicatorPattern.PaymentInstrumentType)!.DeepClone().AsObject();
        Assert.True(IsValid("common/extension-definition.json", extension));
        extension.Remove("schema");
        Assert.False(IsValid("common/extension-definition.json", extension));
    }

    /// <summary>A range labelled fraud, a card and a prompt fingerprint on the deny list, an account on it too (never exported).</summary>
    private static async Task<(string Range, string Card, string Fingerprint, string Account)> ConfirmAsync(ApiFactory deployment)
    {
        var client = deployment.CreateReputationClient(ApiFactory.OperatorKey);
        var range = Unique.Ipv4Range();
        var card = Unique.Id("pf-export");
        var fingerprint = SimHash.ToHex((ulong)Random.Shared.NextInt64());
        var account = Unique.Id("acct-export");
        await client.IngestAsync(Events.Batch(Events.Signup(Unique.Id("s"), account, deployment.Time.GetUtcNow().AddDays(-1), range.Host(5), card)), Ct);
        await client.SetLabelAsync(new LabelRequest { EntityType = EntityType.IpRange, EntityId = range.Range, Label = LabelKind.Fraud, Reason = "harvesting" }, Ct);
        var http = deployment.CreateDefaultClient();
        foreach (var path in new[] { $"/v1/lists/deny/payment-instrument/{card}", $"/v1/lists/deny/prompt-template/{fingerprint}", $"/v1/lists/deny/account/{account}" })
        {
            using var put = await http.SendAsync(Raw.Request(HttpMethod.Put, path, """{"reason":"campaign"}""", ApiFactory.OperatorKey), Ct);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        return (range.Range, card, fingerprint, account);
    }

    private static bool Names(JsonObject bundle, string value) =>
        Stix.Indicators(bundle).Any(i => ((string)i["pattern"]!).Contains($"'{value}'", StringComparison.Ordinal) && i["revoked"] is null);

    [Fact]
    public async Task The_export_is_a_valid_STIX_2_1_bundle_of_ranges_and_fingerprints_never_accounts()
    {
        var (range, card, fingerprint, account) = await ConfirmAsync(factory);

        var bundle = await Eventually.ValueAsync(() => Stix.ExportAsync(factory), b => Names(b, range) && Names(b, card) && Names(b, fingerprint), "the export");

        AssertValid(bundle);
        var objects = bundle["objects"]!.AsArray().Select(o => o!.AsObject()).ToList();
        Assert.Contains(objects, o => (string?)o["type"] == "marking-definition" && (string?)o["name"] == "TLP:GREEN");
        Assert.Equal(2, objects.Count(o => (string?)o["type"] == "extension-definition" && o["extension_types"]![0]!.GetValue<string>() == "new-sco"));
        var producer = objects.Single(o => (string?)o["type"] == "identity" && (string?)o["name"] == "Reputation deployment");
        Assert.All(Stix.Indicators(bundle), i => Assert.Equal((string)producer["id"]!, (string)i["created_by_ref"]!));
        Assert.DoesNotContain(account, bundle.ToJsonString(), StringComparison.Ordinal);
        var rangeIndicator = Stix.Indicators(bundle).Single(i => ((string)i["pattern"]!).Contains(range, StringComparison.Ordinal));
        Assert.Equal($"[ipv4-addr:value ISSUBSET '{range}']", (string)rangeIndicator["pattern"]!);
        Assert.Equal(95, (int)rangeIndicator["confidence"]!);
        Assert.NotNull(rangeIndicator["valid_from"]);
    }

    [Fact]
    public async Task A_campaign_hub_over_the_export_threshold_indicates_its_campaign_by_id_and_no_account()
    {
        // Six flagged accounts on one card: the card is a campaign hub and its risk (0.9) is over the export threshold.
        var card = Unique.Id("pf-campaign");
        var accounts = await Harvesters.CreateAsync(factory.CreateReputationClient(), factory.Time.GetUtcNow(), 6, card: card);

        static bool Indicates(JsonObject bundle, string card) =>
            Stix.Indicators(bundle).SingleOrDefault(i => ((string)i["pattern"]!).Contains($"'{card}'", StringComparison.Ordinal)) is { } indicator
            && bundle["objects"]!.AsArray().Any(o => (string?)o!["type"] == "relationship" && (string?)o["source_ref"] == (string?)indicator["id"]);
        var bundle = await Eventually.ValueAsync(() => Stix.ExportAsync(factory), b => Indicates(b, card), "the card indicating its campaign");

        AssertValid(bundle);
        var objects = bundle["objects"]!.AsArray().Select(o => o!.AsObject()).ToList();
        var indicator = Stix.Indicators(bundle).Single(i => ((string)i["pattern"]!).Contains($"'{card}'", StringComparison.Ordinal));
        var relationship = objects.Single(o => (string?)o["type"] == "relationship" && (string?)o["source_ref"] == (string?)indicator["id"]);
        Assert.Equal("indicates", (string?)relationship["relationship_type"]);
        var campaign = objects.Single(o => (string?)o["id"] == (string?)relationship["target_ref"]);
        Assert.Equal("campaign", (string?)campaign["type"]);
        Assert.True(Core.Campaigns.CampaignRules.IsId((string?)campaign["name"]), (string?)campaign["name"]);
        Assert.All(accounts, a => Assert.DoesNotContain(a, bundle.ToJsonString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Taking_an_entity_off_the_deny_list_exports_it_revoked_since_then()
    {
        var (_, card, _, _) = await ConfirmAsync(factory);
        var first = await Eventually.ValueAsync(() => Stix.ExportAsync(factory), b => Names(b, card), "the card in the export");
        var id = (string)Stix.Indicators(first).Single(i => ((string)i["pattern"]!).Contains(card, StringComparison.Ordinal))["id"]!;
        var since = Stix.Time(factory.Time.GetUtcNow());
        factory.Time.Advance(TimeSpan.FromSeconds(1));

        using var delete = await factory.CreateDefaultClient().SendAsync(Raw.Request(HttpMethod.Delete, $"/v1/lists/deny/payment-instrument/{card}", null, ApiFactory.OperatorKey), Ct);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);

        var changes = await Eventually.ValueAsync(() => Stix.ExportAsync(factory, since), b => Stix.Indicators(b).Any(i => (string)i["id"]! == id), "the revocation");
        AssertValid(changes);
        var revoked = Stix.Indicators(changes).Single(i => (string)i["id"]! == id);
        Assert.True((bool)revoked["revoked"]!);
        Assert.False(Names(await Stix.ExportAsync(factory), card));
    }

    [Fact]
    public async Task A_bad_since_is_a_400()
    {
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get("/v1/intel/stix?since=last-week"), Ct);

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("since", out _));
    }

    [Fact]
    public async Task A_bundle_exported_by_one_deployment_imported_into_another_yields_the_same_indicators()
    {
        var (range, card, fingerprint, _) = await ConfirmAsync(factory);
        var exported = await Eventually.ValueAsync(() => Stix.ExportAsync(factory), b => Names(b, range) && Names(b, card) && Names(b, fingerprint), "the export");
        var indicators = Stix.Indicators(exported).ToList();
        await using var other = new ApiFactory();
        // The two deployments' clocks agree: both move to the later one (the shared clock may have been
        // moved forward by other tests, or may be behind the new one's start when none did).
        var now = factory.Time.GetUtcNow() > other.Time.GetUtcNow() ? factory.Time.GetUtcNow() : other.Time.GetUtcNow();
        factory.Time.SetUtcNow(now);
        other.Time.SetUtcNow(now);

        var result = await Stix.ImportOkAsync(other, exported.ToJsonString());

        Assert.Equal(indicators.Count, result.Imported);
        Assert.Empty(result.SkippedIndicators);
        Assert.Equal(indicators.Count, (await Stix.ImportOkAsync(other, exported.ToJsonString())).Unchanged);
        var source = indicators.Single(i => ((string)i["pattern"]!).Contains(range, StringComparison.Ordinal));
        var network = range[..range.IndexOf('/', StringComparison.Ordinal)];
        var decision = await Stix.SignupAsync(other, network[..^1] + "77");
        var reason = Stix.IntelReason(decision);
        Assert.True(reason is not null, "the other deployment does not match the imported range");
        Assert.Contains((string)source["id"]!, reason.Detail, StringComparison.Ordinal);
        var view = Assert.Single((await other.CreateReputationClient().GetIpRangeAsync(network, 24, Ct))!.ThreatIntel);
        Assert.Equal((string)source["id"]!, view.IndicatorId);
        Assert.Equal((string)source["created_by_ref"]!, view.Producer);
        Assert.Equal("Reputation deployment", view.ProducerName);
        Assert.Equal((int)source["confidence"]!, view.Confidence);
        Assert.Equal(range, view.Value);
        Assert.Equal(StixTime.TryParse((string)source["valid_from"]!, out var from) ? from : default, view.ValidFrom);
        Assert.NotNull(Stix.IntelReason(await Stix.SignupAsync(other, Unique.Ipv4Range().Host(3), card)));

        // And the other deployment does not send them back as its own.
        AssertValid(await Stix.ExportAsync(other));
        Assert.DoesNotContain(Stix.Indicators(await Stix.ExportAsync(other)), i => (string)i["id"]! == (string)source["id"]!);
    }
}
