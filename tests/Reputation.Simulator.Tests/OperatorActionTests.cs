using System.Text.Json;
using System.Text.Json.Nodes;
using Reputation.Contracts;
using Reputation.Simulator.Generation;
using Reputation.Simulator.Metrics;
using Reputation.Simulator.Reporting;
using Reputation.Simulator.Running;
using Reputation.Simulator.Scenarios;

namespace Reputation.Simulator.Tests;

/// <summary>A run with history, honest groups and operator actions, against the in-process fake service.</summary>
public sealed class OperatorActionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static Scenario WithEverything()
    {
        var small = TestScenarios.Small();
        return small with
        {
            TuningSeeds = [11],
            ReportSeeds = [12],
            Legitimate = small.Legitimate with
            {
                Emails = new EmailAddresses(),
                History = new AccountHistory { Days = 5 },
                Returning = new ReturningUsers { Share = 0.1, DormantDays = new NumberRange { Min = 90, Max = 120 }, ReturnWithinMinutes = 10 },
                PopularTool = new PopularTool { Share = 0.3 },
                Teams = [new CompanyTeam { Name = "acme", Accounts = 5, SignupMinute = 2, SignupSpreadMinutes = 5, EmailDomain = "acme.example", PopularToolShare = 0.5 }],
                Classes =
                [
                    new StudentClass
                    {
                        Name = "cs1", Accounts = 4, SignupMinute = 1, SignupSpreadMinutes = 5, ClassStartMinute = 8, ClassMinutes = 10, SchoolDomain = "uni.example",
                        Assignment = ["Question {q}: explain step by step why the sum of two odd numbers is even."],
                        AssignmentSlots = new Dictionary<string, IReadOnlyList<string>> { ["q"] = ["1", "2"] },
                    },
                ],
                Resellers = new Resellers { Cards = 1 },
                LabelledCarrierNats = [new LabelledCarrierNat { Name = "mobile", Accounts = 10, LabelAtMinute = 10 }],
            },
            Intel = new PartnerIntel { AtMinute = 20, Campaign = "hydra", ProducerName = "Lab B", ProducerTrust = 1.0 },
        };
    }

    [Fact]
    public async Task Labels_and_a_partners_bundle_go_to_the_service_at_their_minutes_with_the_figures_before_each()
    {
        var scenario = WithEverything();
        var population = PopulationGenerator.Generate(scenario, scenario.Seed, "t");
        var labelled = population.Accounts.Single(a => a.LabelledFraud);
        var service = new FakeService { Decide = (id, s) => s.Labels.Any(l => l.EntityId == id) ? RequestDecision.Block : RequestDecision.Allow };
        var traffic = new TrafficGenerator(population, DateTimeOffset.UtcNow.AddMinutes(-scenario.DurationMinutes));
        var http = new HttpClient(service) { BaseAddress = new Uri("http://reputation.test/") };
        var runner = new SimulationRunner(service.CreateClient(), population, traffic, new UsageAggregator(Fakes.Fingerprint, Fakes.Elicitation),
            new RunSettings { RunId = "t", ServiceUrl = http.BaseAddress }, TextWriter.Null, new OperatorCalls(http, http.BaseAddress, "test-key"));

        var report = await runner.RunAsync(Ct);

        var label = Assert.Single(service.Labels);
        Assert.Equal((EntityType.Account, labelled.Id, LabelKind.Fraud), (label.EntityType, label.EntityId, label.Label));
        Assert.Equal(["label", "policy", "intel"], report.Operations.Select(o => o.Kind));
        Assert.All(report.Operations, o => Assert.True(o.Succeeded, o.Detail));
        Assert.Equal([10.0, 20.0, 20.0], report.Operations.Select(o => o.SimulatedMinute));

        // The figures before each action: nobody held before the label, the labelled member after it.
        Assert.Equal(["before label mobile", "before intel"], report.Checkpoints.Select(c => c.Name));
        Assert.Equal(0, report.Checkpoints[0].Populations.Single(p => p.Name == PopulationFigures.NatLabelled("mobile")).Held);
        Assert.Equal(1, report.Checkpoints[1].Populations.Single(p => p.Name == PopulationFigures.NatLabelled("mobile")).Held);
        Assert.Equal(1.0, report.Populations.Single(p => p.Name == PopulationFigures.NatLabelled("mobile")).HeldShare);
        Assert.Equal(1.0, report.Populations.Single(p => p.Name == PopulationFigures.NatOthers("mobile")).AllowedShare);
        Assert.Equal(0.0, report.Detection.FalsePositiveRate);
        Assert.Equal(2 * population.Accounts.Count, report.Decisions.Checkpoints);

        // The partner's trust went into the policy, then the bundle was imported.
        var policy = JsonNode.Parse(service.Policy.Json)!;
        var producer = Assert.Single(policy["intel"]!["producerTrust"]!.AsObject());
        Assert.Equal(1.0, (double)producer.Value!);
        Assert.Equal(2, service.Policy.Version);
        var bundle = JsonNode.Parse(Assert.Single(service.Bundles))!;
        Assert.Equal(producer.Key, (string?)bundle["objects"]![0]!["id"]);
    }

    [Fact]
    public async Task The_past_is_sent_before_the_window_and_every_population_has_its_figures()
    {
        var scenario = WithEverything();
        var service = new FakeService();
        var population = PopulationGenerator.Generate(scenario, scenario.Seed, "t");
        var windowStart = DateTimeOffset.UtcNow.AddMinutes(-scenario.DurationMinutes);
        var http = new HttpClient(service) { BaseAddress = new Uri("http://reputation.test/") };
        var runner = new SimulationRunner(service.CreateClient(), population, new TrafficGenerator(population, windowStart), new UsageAggregator(Fakes.Fingerprint, Fakes.Elicitation),
            new RunSettings { RunId = "t", ServiceUrl = http.BaseAddress }, TextWriter.Null, new OperatorCalls(http, http.BaseAddress, "test-key"));

        var report = await runner.RunAsync(Ct);

        Assert.Equal(0, report.Events.Rejected);
        var past = service.Events.Where(e => e.OccurredAt < windowStart.AddSeconds(-1)).ToList();
        Assert.Contains(past, e => e.Type == EventType.Usage && e.Id.Contains("-h", StringComparison.Ordinal));
        Assert.Contains(past, e => e.Type == EventType.Payment && e.Id.Contains("-r", StringComparison.Ordinal));
        var honest = population.Accounts.Where(a => a.Kind == AccountKind.Legitimate).Select(a => a.Id).ToHashSet();
        Assert.All(service.Events.Where(e => e.Type == EventType.Signup && honest.Contains(e.AccountId)), e => Assert.NotNull(e.Email));
        Assert.Contains(service.Events, e => e.OrganizationVerified == true);

        Assert.Equal(
            [PopulationFigures.Ordinary, PopulationFigures.PopularTool, PopulationFigures.Returning, PopulationFigures.Team("acme"), PopulationFigures.Class("cs1"),
             PopulationFigures.Resellers, PopulationFigures.NatOthers("mobile"), PopulationFigures.NatLabelled("mobile"), PopulationFigures.Campaign("hydra")],
            report.Populations.Select(p => p.Name));
        Assert.All(report.Populations, p => Assert.True(p.Accounts > 0, p.Name));
        Assert.All(report.Populations, p => Assert.Equal(1.0, p.AllowedShare));
        Assert.Equal(population.Accounts.Count(a => a.IsOrdinary), report.Populations[0].Accounts);
        Assert.Contains("team acme", ReportPrinter.Format(report), StringComparison.Ordinal);

        // The report survives a round trip through its JSON (the sweep reads it back).
        var back = JsonSerializer.Deserialize<SimulationReport>(ReportPrinter.ToJson(report), ReportPrinter.Json)!;
        Assert.Equal(report.Populations.Select(p => (p.Name, p.Held, p.Accounts)), back.Populations.Select(p => (p.Name, p.Held, p.Accounts)));
        Assert.Equal(report.Checkpoints.Select(c => c.Name), back.Checkpoints.Select(c => c.Name));
    }

    [Fact]
    public void The_partners_bundle_names_a_third_of_the_templates_and_the_proxy_ranges_in_valid_stix()
    {
        var scenario = Generated.Load("partner-intel.json");
        var population = PopulationGenerator.Generate(scenario, scenario.ReportSeeds[0], "t");
        var now = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

        var bundle = PartnerIntelBundle.Build(population, scenario.Intel!, Reputation.Client.PromptFingerprint.Compute, now);

        var json = JsonNode.Parse(bundle.Json)!;
        Assert.Matches("^bundle--[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", (string)json["id"]!);
        var objects = json["objects"]!.AsArray().Select(o => o!.AsObject()).ToList();
        Assert.Equal("identity", (string?)objects[0]["type"]);
        var indicators = objects.Skip(1).ToList();
        Assert.Equal(bundle.Indicators, indicators.Count);
        Assert.All(indicators, i => Assert.Equal(bundle.ProducerId, (string?)i["created_by_ref"]));
        Assert.All(indicators, i => Assert.Equal("2.1", (string?)i["spec_version"]));
        Assert.All(indicators, i => Assert.True(((string)i["pattern"]!).Split(" OR ").Length <= PartnerIntelBundle.MaxValuesPerIndicator));
        Assert.All(indicators, i => Assert.True(DateTimeOffset.Parse((string)i["valid_from"]!, System.Globalization.CultureInfo.InvariantCulture) < now));

        Assert.Equal(4, bundle.TemplatesNamed); // a third of twelve
        Assert.InRange(bundle.Fingerprints.Count, 4, 16);
        Assert.All(bundle.Fingerprints, f => Assert.Matches("^[0-9a-f]{16}$", f));
        Assert.Equal(population.Addresses.CampaignProxies[0].Select(n => n.ToString()).Order(), bundle.Ranges.Order());
        Assert.Equal(40, bundle.Ranges.Count);

        // The named ranges hold ordinary customers too, and the same seed gives the same bundle.
        var ranges = bundle.Ranges.ToHashSet();
        Assert.Contains(population.Accounts, a => a.IsOrdinary && ranges.Contains(Generated.RangeOf(a.SignupIp)));
        Assert.Equal(bundle.Json, PartnerIntelBundle.Build(population, scenario.Intel!, Reputation.Client.PromptFingerprint.Compute, now).Json);
    }
}
