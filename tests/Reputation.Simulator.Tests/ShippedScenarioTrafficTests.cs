using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Reputation.Contracts;
using Reputation.Simulator.Generation;
using Reputation.Simulator.Scenarios;

namespace Reputation.Simulator.Tests;

/// <summary>
/// The three scenarios the engine was first tuned on must keep generating exactly the traffic they
/// generated before the simulator grew new options (history, cohorts, sticky proxies, ...): every new
/// option defaults to off and draws from its own random streams. The digests were taken from the
/// generator as it was before those options existed.
/// </summary>
public sealed class ShippedScenarioTrafficTests
{
    [Theory]
    [InlineData("shared-cards.json", 42UL, "93a48884b0615e13")]
    [InlineData("no-shared-cards.json", 7UL, "700f7db0031746d3")]
    [InlineData("slow-and-low.json", 1234UL, "67f53a4820f459c9")]
    public void The_original_scenarios_generate_the_same_traffic_as_before(string file, ulong seed, string digest)
    {
        var scenario = ScenarioLoader.LoadFile(Path.Combine(TestScenarios.RepositoryRoot(), "scenarios", file));

        Assert.Equal(digest, Digest(scenario, seed));
    }

    /// <summary>SHA-256 (first 8 bytes, hex) over every signup, payment and request of the whole window, in order.</summary>
    internal static string Digest(Scenario scenario, ulong seed)
    {
        var population = PopulationGenerator.Generate(scenario, seed, "golden");
        var traffic = new TrafficGenerator(population, TestScenarios.WindowStart);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var line = new StringBuilder();
        void Add(string text)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(text));
            hash.AppendData("\n"u8);
        }

        foreach (var e in traffic.PriorSignups())
        {
            Add(Describe(e));
        }

        while (traffic.HasNextStep)
        {
            var step = traffic.NextStep();
            foreach (var e in step.Signups.Concat(step.Payments))
            {
                Add(Describe(e));
            }

            foreach (var r in step.Requests)
            {
                line.Clear();
                line.Append(CultureInfo.InvariantCulture, $"r|{r.Account.Id}|{r.Second}|{r.Ip}|{r.Model}|{r.InputTokens}|{r.OutputTokens}|{r.Prompt}");
                Add(line.ToString());
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset().AsSpan(0, 8));
    }

    private static string Describe(IngestEvent e) => string.Create(CultureInfo.InvariantCulture,
        $"{e.Type}|{e.Id}|{e.AccountId}|{e.OccurredAt:O}|{e.Ip}|{e.PaymentFingerprint}|{e.Country}|{e.Outcome}|{e.AmountMinor}|{e.Currency}|{e.Email}|{e.OrganizationId}|{e.OrganizationVerified}");
}
