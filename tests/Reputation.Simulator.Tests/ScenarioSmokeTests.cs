extern alias api;

using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Reputation.Client;
using Reputation.Simulator.Generation;
using Reputation.Simulator.Metrics;
using Reputation.Simulator.Running;
using Reputation.Simulator.Scenarios;

namespace Reputation.Simulator.Tests;

/// <summary>
/// The real service in process (silo, endpoints, keys; memory storage, its own silo ports), as
/// tests/Reputation.Api.Tests hosts it, on the real clock: a run's events are dated before now.
/// </summary>
public sealed class SmokeServiceFactory : WebApplicationFactory<api::Program>
{
    public const string OperatorKey = "dev-operator-key";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment("Development");
        builder.UseSetting("Reputation:Storage:Provider", "Memory");
        builder.UseSetting("Reputation:Silo:SiloPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Reputation:Silo:GatewayPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// Each newer scenario, shrunk to a few dozen accounts, run end to end against a fresh real service.
/// It asserts what must hold whatever the engine decides — no event refused, a final decision for
/// every account, every population's figures present and shares in [0, 1], the operator's label and
/// the partner's bundle taken — never detection quality, which ./detect.sh measures.
/// </summary>
public sealed class ScenarioSmokeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> NewScenarios => HonestPopulationTests.NewScenarios;

    [Theory]
    [MemberData(nameof(NewScenarios))]
    public async Task A_tiny_run_against_the_real_service_completes_with_every_figure_present(string file)
    {
        var scenario = Shrink(Generated.Load(file));
        Assert.Empty(ScenarioLoader.Validate(scenario));
        await using var factory = new SmokeServiceFactory();
        var http = factory.CreateDefaultClient();
        var client = ReputationClient.Create(http, new ReputationClientOptions
        {
            BaseAddress = http.BaseAddress!,
            ApiKey = SmokeServiceFactory.OperatorKey,
            DecisionTimeout = TimeSpan.FromSeconds(30),
            ReadTimeout = TimeSpan.FromSeconds(30),
            IngestTimeout = TimeSpan.FromSeconds(60),
        });
        var population = PopulationGenerator.Generate(scenario, scenario.Seed, "smoke");
        var windowEnd = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var runner = new SimulationRunner(
            client,
            population,
            new TrafficGenerator(population, windowEnd.AddMinutes(-scenario.DurationMinutes)),
            UsageAggregator.Default,
            new RunSettings { RunId = "smoke", ServiceUrl = http.BaseAddress!, Concurrency = 8, IngestConcurrency = 2 },
            TextWriter.Null,
            new OperatorCalls(http, http.BaseAddress!, SmokeServiceFactory.OperatorKey));

        var report = await runner.RunAsync(Ct);

        Assert.Equal(0, report.Events.Rejected);
        Assert.Equal(report.Events.Sent, report.Events.Accepted + report.Events.Duplicates);
        Assert.True(report.Events.Usage > 0 && report.Events.Signups == population.Accounts.Count);
        Assert.Equal(0, report.Decisions.Fallbacks);
        Assert.Equal(population.Accounts.Count, report.Decisions.Final);
        var finals = report.Detection.FinalDecisionsLegitimate.Values.Sum() + report.Detection.FinalDecisionsCampaign.Values.Sum();
        Assert.Equal(population.Accounts.Count(a => a.IsOrdinary || a.Kind == AccountKind.Campaign), finals);
        Assert.InRange(report.Detection.CampaignRecall!.Value, 0, 1);
        Assert.InRange(report.Detection.FalsePositiveRate!.Value, 0, 1);

        var expected = Expected(scenario);
        Assert.Equal(expected, report.Populations.Select(p => p.Name));
        Assert.All(report.Populations, p =>
        {
            Assert.True(p.Accounts > 0, $"{p.Name} has no accounts");
            Assert.InRange(p.HeldShare!.Value, 0, 1);
            Assert.Equal(1, p.HeldShare!.Value + p.AllowedShare!.Value, 9);
        });

        // One checkpoint before the actions of each minute that has any.
        var minutes = scenario.Legitimate.LabelledCarrierNats.Select(n => n.LabelAtMinute).Concat(scenario.Intel is { } i ? [i.AtMinute] : []).Distinct().Count();
        Assert.Equal(minutes, report.Checkpoints.Count);
        Assert.All(report.Checkpoints, c => Assert.Equal(expected, c.Populations.Select(p => p.Name)));
        Assert.Equal(
            scenario.Legitimate.LabelledCarrierNats.Count + (scenario.Intel is null ? 0 : scenario.Intel.ProducerTrust is null ? 1 : 2),
            report.Operations.Count);
        Assert.All(report.Operations, o => Assert.True(o.Succeeded, $"{o.Kind} {o.Target}: {o.Detail}"));
    }

    /// <summary>The population names the report must hold, in order, for a scenario.</summary>
    private static List<string> Expected(Scenario s)
    {
        var l = s.Legitimate;
        var names = new List<string> { PopulationFigures.Ordinary };
        if (l.PopularTool is not null)
        {
            names.Add(PopulationFigures.PopularTool);
        }

        if (l.Returning is not null)
        {
            names.Add(PopulationFigures.Returning);
            if (l.Returning.NeverUsedShare > 0)
            {
                names.Add(PopulationFigures.NeverUsed);
            }
        }

        names.AddRange(l.Teams.Select(t => PopulationFigures.Team(t.Name)));
        names.AddRange(l.Classes.Select(c => PopulationFigures.Class(c.Name)));
        if (l.Resellers is not null)
        {
            names.Add(PopulationFigures.Resellers);
        }

        names.AddRange(l.LabelledCarrierNats.SelectMany(n => new[] { PopulationFigures.NatOthers(n.Name), PopulationFigures.NatLabelled(n.Name) }));
        names.AddRange(s.Campaigns.Select(c => PopulationFigures.Campaign(c.Name)));
        return names;
    }

    /// <summary>
    /// The scenario with a few dozen accounts (ordinary users, each group, each campaign) and a short
    /// past; the minutes (class, label, intel, schedule) are unchanged. Enough ordinary users that the
    /// popular tool and returning users each have some.
    /// </summary>
    internal static Scenario Shrink(Scenario s) => s with
    {
        Legitimate = s.Legitimate with
        {
            Accounts = 60,
            Returning = s.Legitimate.Returning is { } r
                ? r with { Share = Math.Max(r.Share, 0.2), NeverUsedShare = r.NeverUsedShare > 0 ? Math.Max(r.NeverUsedShare, 0.5) : 0 }
                : null,
            History = s.Legitimate.History is { } h ? h with { Days = 3 } : null,
            Teams = [.. s.Legitimate.Teams.Select(t => t with { Accounts = Math.Min(t.Accounts, 5) })],
            Classes = [.. s.Legitimate.Classes.Select(c => c with { Accounts = Math.Min(c.Accounts, 5) })],
            Resellers = s.Legitimate.Resellers is { } resellers ? resellers with { Cards = 1 } : null,
            LabelledCarrierNats = [.. s.Legitimate.LabelledCarrierNats.Select(n => n with { Accounts = 6 })],
        },
        Campaigns = [.. s.Campaigns.Select(c => c with { Accounts = 12 })],
        Measurement = s.Measurement with { DetectionSample = 12 },
    };
}
