using System.Text.Json;
using Reputation.Simulator.Reporting;

namespace Reputation.Simulator.Tests;

public sealed class ReportPrinterTests
{
    [Fact]
    public void Percentages_are_invariant_and_absent_rates_are_not_applicable()
    {
        Assert.Equal("12.5 %", ReportPrinter.Percent(0.125));
        Assert.Equal("0.0 %", ReportPrinter.Percent(0));
        Assert.Equal("n/a", ReportPrinter.Percent(null));
    }

    [Fact]
    public void The_table_shows_recall_false_positives_and_time_to_detection()
    {
        var text = ReportPrinter.Format(Report(recall: 0.25, ttd: new TimeToDetection { Status = TimeToDetection.NeverStatus, Threshold = 0.9, PeakHeldShare = 0.3, Checks = 120 }));

        Assert.Contains("Campaign recall (held at the end)", text, StringComparison.Ordinal);
        Assert.Contains("25.0 %  (25 / 100)", text, StringComparison.Ordinal);
        Assert.Contains("never (peak 30.0 % over 120 checks)", text, StringComparison.Ordinal);
        Assert.Contains("False-positive rate", text, StringComparison.Ordinal);
        Assert.DoesNotContain("REJECTED", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reached_detection_shows_the_events_it_took()
    {
        var text = ReportPrinter.Format(Report(recall: 1, ttd: new TimeToDetection
        {
            Status = TimeToDetection.ReachedStatus, Threshold = 0.9, EventsSent = 12345, Step = 7, SimulatedMinute = 8, ElapsedSeconds = 3.2, PeakHeldShare = 1, Checks = 10,
        }));

        Assert.Contains("12,345 events (step 7, simulated minute 8, 3.2 s)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_json_report_is_camel_case_and_keeps_absent_rates_as_null()
    {
        var json = ReportPrinter.ToJson(Report(recall: null, ttd: new TimeToDetection { Status = TimeToDetection.NotApplicableStatus, Threshold = 0.9, PeakHeldShare = 0, Checks = 0 }));
        using var doc = JsonDocument.Parse(json);
        var detection = doc.RootElement.GetProperty("detection");

        Assert.Equal(JsonValueKind.Null, detection.GetProperty("campaignRecall").ValueKind);
        Assert.Equal("not applicable", detection.GetProperty("timeToDetection").GetProperty("status").GetString());
        Assert.Equal(0, doc.RootElement.GetProperty("events").GetProperty("rejected").GetInt64());
    }

    internal static SimulationReport Report(double? recall, TimeToDetection ttd) => new()
    {
        Scenario = "s",
        Seed = 1,
        RunId = "r",
        ServiceUrl = "http://127.0.0.1:5080/",
        StartedAt = TestScenarios.WindowStart,
        WindowStart = TestScenarios.WindowStart,
        WindowEnd = TestScenarios.WindowStart.AddHours(1),
        SimulatedMinutes = 60,
        Steps = 60,
        WallSeconds = 10,
        Accounts = new AccountCounts { Legitimate = 1000, LegitimateSignedUpInWindow = 10, Campaign = 100, ByCampaign = [new CampaignAccounts("c", 100, 10, 8)] },
        Events = new EventCounts
        {
            Sent = 10, Accepted = 10, Duplicates = 0, Rejected = 0, Signups = 1, Usage = 8, Payments = 1, Batches = 1,
            LegitimateRequests = 5, CampaignRequests = 5, RejectedSamples = [],
        },
        Decisions = new DecisionCounts
        {
            Request = 1, SampledDuringRun = 0, DetectionChecks = 0, Final = 1, Signup = 0, Fallbacks = 0,
            SignupDecisionsCampaign = new Dictionary<string, long>(), SignupDecisionsLegitimate = new Dictionary<string, long>(),
        },
        Throughput = new Throughput { EventsPerSecond = 1, DecisionsPerSecond = 1, IngestSeconds = 1, DecisionSeconds = 1 },
        Detection = new DetectionFigures
        {
            CampaignRecall = recall,
            ByCampaign = [new CampaignRecall("c", 100, (int)((recall ?? 0) * 100), recall)],
            CampaignRequestsAllowedShare = 0.5,
            LegitimateRequestsAllowedShare = 1,
            FalsePositiveRate = 0.001,
            FalsePositivesByGroup = [new GroupRate("carrier NAT", 300, 1, 1 / 300.0)],
            LegitimateHeldDuringRun = 1,
            TimeToDetection = ttd,
            FinalDecisionsLegitimate = new Dictionary<string, long> { ["allow"] = 999, ["block"] = 1 },
            FinalDecisionsCampaign = new Dictionary<string, long> { ["allow"] = 75, ["block"] = 25 },
            TopReasonsCampaignHeld = new Dictionary<string, long>(),
            TopReasonsLegitimateHeld = new Dictionary<string, long>(),
        },
        Caveats = [],
    };
}
