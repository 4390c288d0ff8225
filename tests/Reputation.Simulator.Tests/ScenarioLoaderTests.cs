using System.Text.Json;
using System.Text.Json.Nodes;
using Reputation.Simulator.Scenarios;

namespace Reputation.Simulator.Tests;

public sealed class ScenarioLoaderTests
{
    public static TheoryData<string> ScenarioFiles => new("shared-cards.json", "no-shared-cards.json", "slow-and-low.json");

    [Theory]
    [MemberData(nameof(ScenarioFiles))]
    public void The_shipped_scenarios_load_and_validate(string file)
    {
        var scenario = ScenarioLoader.LoadFile(Path.Combine(TestScenarios.RepositoryRoot(), "scenarios", file));

        Assert.Equal(Path.GetFileNameWithoutExtension(file), scenario.Name);
        Assert.Equal(2000, scenario.Legitimate.Accounts);
        Assert.InRange(scenario.Campaigns.Sum(c => c.Accounts), 300, 1000);
        Assert.InRange(scenario.DurationMinutes, 60, 180);
        Assert.Empty(ScenarioLoader.Validate(scenario));
    }

    [Fact]
    public void The_shipped_scenarios_are_about_what_their_names_say()
    {
        var root = Path.Combine(TestScenarios.RepositoryRoot(), "scenarios");
        var shared = ScenarioLoader.LoadFile(Path.Combine(root, "shared-cards.json"));
        var none = ScenarioLoader.LoadFile(Path.Combine(root, "no-shared-cards.json"));
        var slow = ScenarioLoader.LoadFile(Path.Combine(root, "slow-and-low.json"));

        Assert.All(shared.Campaigns, c => Assert.True(c.Cards.AccountsPerCard > 1));
        Assert.All(none.Campaigns, c => Assert.Equal(0, c.Cards.AccountsPerCard));
        Assert.All(slow.Campaigns, c => Assert.InRange(c.RequestsPerHour * c.Ramp.RateMultiplier, 1, 10));
    }

    [Fact]
    public void A_minimal_scenario_takes_the_defaults()
    {
        var scenario = ScenarioLoader.Parse("""{ "name": "tiny", "durationMinutes": 10, "legitimate": { "accounts": 5 } }""");

        Assert.Equal(60, scenario.StepSeconds);
        Assert.Empty(scenario.Campaigns);
        Assert.Equal(0.9, scenario.Measurement.DetectionThreshold);
        Assert.Equal(300, scenario.Legitimate.Network.ResidentialRanges);
    }

    [Fact]
    public void Comments_and_trailing_commas_are_allowed()
    {
        var scenario = ScenarioLoader.Parse("""
            // a note
            { "name": "tiny", "durationMinutes": 10, "legitimate": { "accounts": 5, }, }
            """);

        Assert.Equal("tiny", scenario.Name);
    }

    [Fact]
    public void An_unknown_field_is_named_with_its_path()
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse(
            """{ "name": "x", "durationMinutes": 10, "legitimate": { "accounts": 5, "acounts": 6 } }""", "typo.json"));

        Assert.Contains("typo.json", ex.Message, StringComparison.Ordinal);
        var error = Assert.Single(ex.Errors);
        Assert.StartsWith("legitimate.acounts:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_type_is_named_with_its_path()
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse(
            """{ "name": "x", "durationMinutes": 10, "campaigns": [ { "name": "c", "accounts": "many" } ] }"""));

        Assert.StartsWith("campaigns[0].accounts:", Assert.Single(ex.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_section_is_refused_by_name()
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse("""{ "name": "x", "durationMinutes": 10, "legitimate": null }"""));

        Assert.StartsWith("legitimate:", Assert.Single(ex.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_json_is_reported_with_its_line()
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse("{\n \"name\": \"x\",\n \"durationMinutes\": }"));

        Assert.Contains("line 3", Assert.Single(ex.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_says_so()
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.LoadFile(Path.Combine(Path.GetTempPath(), "no-such-scenario-" + Guid.NewGuid() + ".json")));

        Assert.Contains("cannot read", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("$.durationMinutes", "0", "durationMinutes:")]
    [InlineData("$.name", "\"\"", "name:")]
    [InlineData("$.stepSeconds", "7", "stepSeconds:")]
    [InlineData("$.modelRelease.atMinute", "500", "modelRelease.atMinute:")]
    [InlineData("$.legitimate.newSignupShare", "1.5", "legitimate.newSignupShare:")]
    [InlineData("$.legitimate.network.ipv6Share", "0.9", "legitimate.network:")]
    [InlineData("$.legitimate.countries", "[\"Germany\"]", "legitimate.countries[0]:")]
    [InlineData("$.legitimate.activity.requestsPerActiveHour", "{ \"min\": 10, \"max\": 5 }", "legitimate.activity.requestsPerActiveHour.max:")]
    [InlineData("$.legitimate.existingAccountAgeDays", "{ \"min\": 0, \"max\": 5 }", "legitimate.existingAccountAgeDays.min:")]
    [InlineData("$.legitimate.payments.currency", "\"usd\"", "legitimate.payments.currency:")]
    [InlineData("$.campaigns[0].accounts", "0", "campaigns[0].accounts:")]
    [InlineData("$.campaigns[0].name", "\"has space\"", "campaigns[0].name:")]
    [InlineData("$.campaigns[0].signup", "{ \"startMinute\": 20, \"spreadMinutes\": 20 }", "campaigns[0].signup:")]
    [InlineData("$.campaigns[0].proxy", "{ \"ipv4Ranges\": 0, \"ipv6Ranges\": 0 }", "campaigns[0].proxy:")]
    [InlineData("$.campaigns[0].requestsPerHour", "6000", "campaigns[0].requestsPerHour:")]
    [InlineData("$.campaigns[0].prompts.ordinaryShare", "-0.1", "campaigns[0].prompts.ordinaryShare:")]
    [InlineData("$.campaigns[0].payments", "{ \"declineShare\": 0.7, \"chargebackShare\": 0.6 }", "campaigns[0].payments:")]
    [InlineData("$.measurement.detectionThreshold", "0", "measurement.detectionThreshold:")]
    [InlineData("$.measurement.maxDecisionSamplePerStep", "0", "measurement.maxDecisionSamplePerStep:")]
    public void A_value_out_of_its_range_is_named(string path, string valueJson, string expectedField)
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse(With(path, valueJson)));

        Assert.Contains(ex.Errors, e => e.StartsWith(expectedField, StringComparison.Ordinal));
    }

    [Fact]
    public void A_template_slot_without_values_is_named()
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse(
            With("$.campaigns[0].prompts.templates", """["Write {language} code for {unknownSlot}."]""")));

        var error = Assert.Single(ex.Errors);
        Assert.StartsWith("campaigns[0].prompts.templates[0]:", error, StringComparison.Ordinal);
        Assert.Contains("{unknownSlot}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unbalanced_template_is_named()
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse(
            With("$.campaigns[0].prompts.reasoningTemplates", """["Solve {problem step by step"]""")));

        Assert.Contains(ex.Errors, e => e.StartsWith("campaigns[0].prompts.reasoningTemplates[0]: has an unbalanced", StringComparison.Ordinal));
    }

    [Fact]
    public void A_campaign_over_its_own_per_account_limit_is_refused()
    {
        // 600 an hour is 10 a minute, times the ramp's 2 is 20, over the limit of 15.
        var json = With("$.campaigns[0].requestsPerHour", "600", With("$.campaigns[0].perAccountLimitPerMinute", "15"));

        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse(json));

        Assert.Contains(ex.Errors, e => e.StartsWith("campaigns[0].requestsPerHour:", StringComparison.Ordinal) && e.Contains("perAccountLimitPerMinute", StringComparison.Ordinal));
    }

    [Fact]
    public void More_ipv4_ranges_than_the_benchmark_space_holds_are_refused()
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse(With("$.legitimate.network.residentialRanges", "505")));

        Assert.Contains(ex.Errors, e => e.Contains("198.18.0.0/15 holds only 512", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_campaigns_may_not_share_a_name()
    {
        var node = JsonNode.Parse(ValidJson())!;
        var campaigns = node["campaigns"]!.AsArray();
        campaigns.Add(campaigns[0]!.DeepClone());

        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse(node.ToJsonString()));

        Assert.Contains(ex.Errors, e => e.StartsWith("campaigns[1].name:", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_error_is_reported_at_once()
    {
        var json = With("$.durationMinutes", "-5", With("$.legitimate.withCardShare", "2"));

        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse(json));

        Assert.Contains(ex.Errors, e => e.StartsWith("durationMinutes:", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("legitimate.withCardShare:", StringComparison.Ordinal));
    }

    public static TheoryData<string> AllScenarioFiles => new(
        Directory.EnumerateFiles(Path.Combine(TestScenarios.RepositoryRoot(), "scenarios"), "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(AllScenarioFiles))]
    public void Every_shipped_scenario_names_five_report_seeds_disjoint_from_its_tuning_seeds(string file)
    {
        var scenario = ScenarioLoader.LoadFile(Path.Combine(TestScenarios.RepositoryRoot(), "scenarios", file));

        Assert.Equal(Path.GetFileNameWithoutExtension(file), scenario.Name);
        Assert.Equal(5, scenario.ReportSeeds.Count);
        Assert.NotEmpty(scenario.TuningSeeds);
        Assert.Empty(scenario.ReportSeeds.Intersect(scenario.TuningSeeds));
        Assert.Contains(scenario.Seed, scenario.TuningSeeds);
        Assert.InRange(scenario.Legitimate.Accounts, 1000, 2000);
        Assert.NotEmpty(scenario.Campaigns);
    }

    [Fact]
    public void The_original_scenarios_are_tuning_seeds_of_their_own_first_seed()
    {
        var root = Path.Combine(TestScenarios.RepositoryRoot(), "scenarios");

        Assert.Equal(42UL, ScenarioLoader.LoadFile(Path.Combine(root, "shared-cards.json")).TuningSeeds[0]);
        Assert.Equal(7UL, ScenarioLoader.LoadFile(Path.Combine(root, "no-shared-cards.json")).TuningSeeds[0]);
        Assert.Equal(1234UL, ScenarioLoader.LoadFile(Path.Combine(root, "slow-and-low.json")).TuningSeeds[0]);
    }

    [Theory]
    [InlineData("[1, 2]", "[2, 3]", "reportSeeds:")]
    [InlineData("[1]", "[]", "reportSeeds:")]
    [InlineData("[]", "[2]", "tuningSeeds:")]
    [InlineData("[1]", "[11, 12]", "seed:")]
    [InlineData("[1, 1]", "[2]", "tuningSeeds:")]
    public void Seed_sets_must_be_given_together_and_be_disjoint(string tuning, string report, string expectedField)
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse(With("$.tuningSeeds", tuning, With("$.reportSeeds", report))));

        Assert.Contains(ex.Errors, e => e.StartsWith(expectedField, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("$.legitimate.teams", """[{ "name": "a", "emailDomain": "Not A Domain" }]""", "legitimate.teams[0].emailDomain:")]
    [InlineData("$.legitimate.teams", """[{ "name": "a", "emailDomain": "a.example", "popularToolShare": 0.5 }]""", "legitimate.teams[0].popularToolShare:")]
    [InlineData("$.legitimate.classes", """[{ "name": "c", "schoolDomain": "u.example", "signupMinute": 10, "signupSpreadMinutes": 10, "classStartMinute": 5, "assignment": ["x"] }]""", "legitimate.classes[0].classStartMinute:")]
    [InlineData("$.legitimate.classes", """[{ "name": "c", "schoolDomain": "u.example", "assignment": ["do {q}"] }]""", "legitimate.classes[0].assignment[0]:")]
    [InlineData("$.legitimate.returning", """{ "share": 0.1, "dormantDays": { "min": 5, "max": 10 } }""", "legitimate.returning.dormantDays.min:")]
    [InlineData("$.legitimate.returning", """{ "share": 0.1, "neverUsedShare": 1.5 }""", "legitimate.returning.neverUsedShare:")]
    [InlineData("$.legitimate.popularTool", """{ "versionShares": [0.5, 0.2] }""", "legitimate.popularTool.versionShares:")]
    [InlineData("$.legitimate.popularTool", """{ "versionShares": [0.25, 0.25, 0.25, 0.25] }""", "legitimate.popularTool.versionShares (count):")]
    [InlineData("$.legitimate.history", """{ "days": 0 }""", "legitimate.history.days:")]
    [InlineData("$.legitimate.emails", """{ "freeMailShare": 0.8, "disposableShare": 0.3 }""", "legitimate.emails:")]
    [InlineData("$.legitimate.labelledCarrierNats", """[{ "name": "n", "accounts": 1 }]""", "legitimate.labelledCarrierNats[0].accounts:")]
    [InlineData("$.legitimate.labelledCarrierNats", """[{ "name": "n" }, { "name": "n" }]""", "legitimate.labelledCarrierNats[1].name:")]
    [InlineData("$.campaigns[0].proxy", """{ "residentialRanges": 41 }""", "campaigns[0].proxy.residentialRanges:")]
    [InlineData("$.campaigns[0].signup", """{ "startMinute": 2, "agedDays": { "min": 0, "max": 3 } }""", "campaigns[0].signup.agedDays.min:")]
    [InlineData("$.campaigns[0].schedule", """{ "startMinute": 20, "stopMinute": 10 }""", "campaigns[0].schedule.stopMinute:")]
    [InlineData("$.campaigns[0].pivot", """{ "share": 1.5 }""", "campaigns[0].pivot.share:")]
    [InlineData("$.campaigns[0].prompts.templates", """[["Write {language} code.", "Code in {nope}."]]""", "campaigns[0].prompts.templates[0][1]:")]
    [InlineData("$.campaigns[0].prompts.templates", """[[]]""", "campaigns[0].prompts.templates[0]:")]
    [InlineData("$.campaigns[0].prompts.templates", """[42]""", "campaigns[0].prompts.templates[0]:")]
    [InlineData("$.intel", """{ "campaign": "nobody" }""", "intel.campaign:")]
    [InlineData("$.intel", """{ "campaign": "hydra", "fingerprintsPerTemplate": 17 }""", "intel.fingerprintsPerTemplate:")]
    public void A_wrong_value_of_the_newer_options_is_named(string path, string valueJson, string expectedField)
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse(With(path, valueJson)));

        Assert.Contains(ex.Errors, e => e.StartsWith(expectedField, StringComparison.Ordinal));
    }

    [Fact]
    public void A_template_may_be_a_list_of_paraphrases()
    {
        var scenario = ScenarioLoader.Parse(With("$.campaigns[0].prompts.templates", """["Write {language} code.", ["Code this in {language}.", "In {language}, please."]]"""));

        var templates = scenario.Campaigns[0].Prompts.Templates;
        Assert.False(templates[0].IsParaphrased);
        Assert.Equal(["Code this in {language}.", "In {language}, please."], templates[1].Variants);
        Assert.Contains("[\"Code this in {language}.\",\"In {language}, please.\"]", JsonSerializer.Serialize(scenario, ScenarioLoader.Json), StringComparison.Ordinal);
    }

    [Fact]
    public void The_valid_base_of_these_tests_is_valid() => Assert.Equal("small", ScenarioLoader.Parse(ValidJson()).Name);

    private static string ValidJson() => JsonSerializer.Serialize(TestScenarios.Small(), ScenarioLoader.Json);

    /// <summary>The valid small scenario with the value at a simple JSON path replaced.</summary>
    private static string With(string path, string valueJson, string? json = null)
    {
        var root = JsonNode.Parse(json ?? ValidJson())!;
        var parts = path[2..].Replace("]", "", StringComparison.Ordinal).Split('.');
        JsonNode parent = root;
        for (var i = 0; i < parts.Length; i++)
        {
            var (name, index) = parts[i].Split('[') is [var n, var ix] ? (n, int.Parse(ix, System.Globalization.CultureInfo.InvariantCulture)) : (parts[i], -1);
            var last = i == parts.Length - 1;
            if (last && index < 0)
            {
                parent[name] = JsonNode.Parse(valueJson);
            }
            else if (last)
            {
                parent[name]![index] = JsonNode.Parse(valueJson);
            }
            else
            {
                parent = index < 0 ? parent[name]! : parent[name]![index]!;
            }
        }

        return root.ToJsonString();
    }
}
