using System.Net;
using System.Net.Sockets;
using Reputation.Contracts;
using Reputation.Simulator.Generation;
using Reputation.Simulator.Scenarios;

namespace Reputation.Simulator.Tests;

/// <summary>Everything a scenario generates for one seed, for tests of the generator (no service).</summary>
internal sealed class Generated
{
    public required Population Population { get; init; }
    public required IReadOnlyList<IngestEvent> PriorSignups { get; init; }
    public required PriorTraffic Prior { get; init; }
    public required IReadOnlyList<StepTraffic> Steps { get; init; }

    public Scenario Scenario => Population.Scenario;

    public IEnumerable<SimRequest> Requests => Steps.SelectMany(s => s.Requests);

    public IEnumerable<IngestEvent> Signups => PriorSignups.Concat(Steps.SelectMany(s => s.Signups));

    public static Generated Of(Scenario scenario, ulong? seed = null)
    {
        var population = PopulationGenerator.Generate(scenario, seed ?? scenario.Seed, "t");
        var traffic = new TrafficGenerator(population, TestScenarios.WindowStart);
        var steps = new List<StepTraffic>();
        while (traffic.HasNextStep)
        {
            steps.Add(traffic.NextStep());
        }

        return new Generated
        {
            Population = population,
            PriorSignups = traffic.PriorSignups(),
            Prior = HistoryGenerator.Generate(population, traffic.TimeOf),
            Steps = steps,
        };
    }

    public static Scenario Load(string file) => ScenarioLoader.LoadFile(Path.Combine(TestScenarios.RepositoryRoot(), "scenarios", file));

    /// <summary>The /24 or /64 of an address, as the service names ranges.</summary>
    public static string RangeOf(string ip)
    {
        var address = IPAddress.Parse(ip);
        var prefix = address.AddressFamily == AddressFamily.InterNetwork ? 24 : 64;
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return $"{new IPAddress(bytes)}/{prefix}";
    }

    public static int Distance(string a, string b) =>
        System.Numerics.BitOperations.PopCount(Reputation.Client.PromptFingerprint.ComputeValue(a) ^ Reputation.Client.PromptFingerprint.ComputeValue(b));
}
