using Reputation.Contracts;
using Reputation.Simulator.Generation;
using Reputation.Simulator.Reporting;
using Reputation.Simulator.Running;
using Reputation.Simulator.Scenarios;

namespace Reputation.Simulator.Tests;

/// <summary>The run against an in-process fake of the service: the wiring and the figures it reports.</summary>
public sealed class SimulationRunnerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_service_that_holds_every_campaign_account_gets_full_recall_and_no_false_positives()
    {
        var (population, runner, service, output, _) = Setup(TestScenarios.Small(), campaign => (id, _) => campaign.Contains(id) ? RequestDecision.Block : RequestDecision.Allow);

        var report = await runner.RunAsync(Ct);

        Assert.Equal(1.0, report.Detection.CampaignRecall);
        Assert.Equal(0.0, report.Detection.FalsePositiveRate);
        Assert.Equal(0.0, report.Detection.CampaignRequestsAllowedShare);
        Assert.Equal(new TrafficServed(0.0, 0.0, 0.0, 1.0), report.Detection.CampaignTraffic);
        Assert.All(report.Detection.CampaignOverTime, s => Assert.Equal(0.0, s.Allowed));
        Assert.Equal(1.0, report.Detection.LegitimateRequestsAllowedShare);
        Assert.Equal(TimeToDetection.ReachedStatus, report.Detection.TimeToDetection.Status);
        Assert.Equal(60, report.Detection.FinalDecisionsCampaign["block"]);
        Assert.Equal(300, report.Detection.FinalDecisionsLegitimate["allow"]);
        Assert.Equal(60, report.Detection.TopReasonsCampaignHeld["FAKE_RULE"]);
        Assert.Empty(report.Detection.TopReasonsLegitimateHeld);
        Assert.Contains("detection:", output.ToString(), StringComparison.Ordinal);

        // Held once every campaign account exists: the last campaign signup is at minute 12 at the latest.
        Assert.InRange(report.Detection.TimeToDetection.SimulatedMinute!.Value, 3, 13);
        Assert.All(population.Accounts, a => Assert.True(service.RequestDecisionsFor(a.Id) >= 1));
    }

    [Fact]
    public async Task Campaign_traffic_is_reported_as_served_in_full_degraded_throttled_and_blocked_by_the_requests_each_answer_stood_for()
    {
        // Even-numbered campaign accounts degraded, odd ones throttled: about half of the campaign's requests each, none blocked.
        var (_, runner, _, output, _) = Setup(TestScenarios.Small(), campaign => (id, _) =>
            !campaign.Contains(id) ? RequestDecision.Allow : (id[^1] - '0') % 2 == 0 ? RequestDecision.Degrade : RequestDecision.Throttle);

        var report = await runner.RunAsync(Ct);

        var t = report.Detection.CampaignTraffic;
        Assert.Equal(0.0, t.Full);
        Assert.Equal(0.0, t.Blocked);
        Assert.InRange(t.Degraded!.Value, 0.2, 0.8);
        Assert.Equal(1.0, t.Degraded.Value + t.Throttled!.Value, 9);
        var printed = ReportPrinter.Format(report);
        Assert.Contains("Campaign traffic served", printed, StringComparison.Ordinal);
        Assert.Contains("full 0.0 %", printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_report_keeps_the_template_buckets_of_the_honest_accounts_held_as_the_service_showed_them()
    {
        // The fake holds three honest accounts that sent prompts, and nobody else.
        var population = PopulationGenerator.Generate(TestScenarios.Small(), TestScenarios.Small().Seed, "t");
        var honest = population.Accounts.Where(a => a.IsOrdinary).Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        var heldIds = new HashSet<string>(StringComparer.Ordinal);
        var (_, runner, service, _, _) = Setup(TestScenarios.Small(), _ => (id, fake) =>
        {
            // Decisions are asked for concurrently.
            lock (heldIds)
            {
                if (!heldIds.Contains(id) && heldIds.Count < 3 && honest.Contains(id) && fake.Events.Any(e => e.AccountId == id && e.PromptFingerprints is { Count: > 0 }))
                {
                    heldIds.Add(id);
                }

                return heldIds.Contains(id) ? RequestDecision.Throttle : RequestDecision.Allow;
            }
        });

        var report = await runner.RunAsync(Ct);

        Assert.Equal(3, heldIds.Count);
        var kept = report.Detection.LegitimateHeldTemplates;
        Assert.Equal(report.Detection.SampleLegitimateHeld, kept.Select(h => h.AccountId));
        Assert.Equal(heldIds.Order(StringComparer.Ordinal), kept.Select(h => h.AccountId).Order(StringComparer.Ordinal));
        foreach (var h in kept)
        {
            var sent = service.Events.Where(e => e.AccountId == h.AccountId).SelectMany(e => e.PromptFingerprints ?? []).Select(FakeService.BucketOf).Distinct().Count();
            Assert.Equal(Math.Min(sent, HeldTemplates.MaxBuckets), h.Buckets.Count);
            Assert.All(h.Buckets, b => Assert.Equal((0.5, 0.2, 0.1, 0.3), (b.Suspicion, b.CustomerBaseSuspicion, b.Lockstep, b.Risk)));
            Assert.Equal(h.Buckets.OrderByDescending(b => b.SharingAccounts).Select(b => b.Bucket), h.Buckets.Select(b => b.Bucket));
        }
    }

    [Fact]
    public async Task A_service_that_allows_everything_never_detects()
    {
        var (_, runner, _, _, _) = Setup(TestScenarios.Small(), _ => (_, _) => RequestDecision.Allow);

        var report = await runner.RunAsync(Ct);

        Assert.Equal(0.0, report.Detection.CampaignRecall);
        Assert.Equal(1.0, report.Detection.CampaignRequestsAllowedShare);
        Assert.Equal(new TrafficServed(1.0, 0.0, 0.0, 0.0), report.Detection.CampaignTraffic);
        Assert.Equal(TimeToDetection.NeverStatus, report.Detection.TimeToDetection.Status);
        Assert.Equal(0.0, report.Detection.TimeToDetection.PeakHeldShare);
        // When the campaign was served: every ten-minute slice it sent requests in, all of them allowed.
        var slices = report.Detection.CampaignOverTime;
        Assert.NotEmpty(slices);
        Assert.All(slices, s => Assert.Equal(1.0, s.Allowed));
        Assert.All(slices, s => Assert.Equal(CampaignSlice.Minutes, s.ToMinute - s.FromMinute));
        Assert.Equal(slices.Count, slices.Select(s => (s.Campaign, s.FromMinute)).Distinct().Count());
        Assert.Contains("allowed by 10 minutes", ReportPrinter.Format(report), StringComparison.Ordinal);
        Assert.Equal(30, report.Detection.TimeToDetection.Checks);
    }

    [Fact]
    public async Task Every_event_is_sent_once_in_full_batches_and_none_is_dated_in_the_future()
    {
        var (_, runner, service, _, windowEnd) = Setup(TestScenarios.Small(), _ => (_, _) => RequestDecision.Allow, batchSize: 100);

        var report = await runner.RunAsync(Ct);

        Assert.Equal(0, report.Events.Rejected);
        Assert.Equal(0, report.Events.Duplicates);
        Assert.Equal(report.Events.Sent, report.Events.Accepted);
        Assert.Equal(report.Events.Sent, service.Events.Count);
        Assert.Equal(report.Events.Signups + report.Events.Usage + report.Events.Payments, report.Events.Sent);
        Assert.All(service.BatchSizes, n => Assert.InRange(n, 1, 100));
        Assert.Contains(service.BatchSizes, n => n == 100);
        Assert.All(service.Events, e => Assert.True(e.OccurredAt <= windowEnd, $"{e.Id} at {e.OccurredAt:O}, window ends {windowEnd:O}"));
        Assert.Equal(report.Events.LegitimateRequests + report.Events.CampaignRequests, service.Events.Where(e => e.Type == EventType.Usage).Sum(e => e.Requests!.Value));
        Assert.All(service.Events.Where(e => e.Type == EventType.Usage), e => Assert.All(e.PromptFingerprints!, f => Assert.Matches("^[0-9a-f]{16}$", f)));
    }

    [Fact]
    public async Task The_report_counts_decisions_and_signup_samples()
    {
        var (_, runner, service, _, _) = Setup(TestScenarios.Small(), _ => (_, _) => RequestDecision.Allow);

        var report = await runner.RunAsync(Ct);

        Assert.Equal(360, report.Decisions.Final);
        Assert.True(report.Decisions.SampledDuringRun > 0);
        Assert.True(report.Decisions.DetectionChecks >= 60);
        Assert.Equal(report.Decisions.SampledDuringRun + report.Decisions.DetectionChecks + report.Decisions.Final, report.Decisions.Request);
        Assert.Equal(service.SignupDecisions.Count, report.Decisions.Signup);
        Assert.InRange(report.Decisions.Signup, 10, 40); // signupDecisionShare 0.2 of the ~90 signups in the window
        Assert.Equal(report.Decisions.Signup, report.Decisions.SignupDecisionsCampaign["review"] + report.Decisions.SignupDecisionsLegitimate["review"]);
        Assert.Equal(0, report.Decisions.Fallbacks);
        Assert.True(report.Throughput.EventsPerSecond > 0);
        Assert.True(report.Throughput.DecisionsPerSecond > 0);
    }

    [Fact]
    public async Task False_positives_are_broken_down_by_home_network()
    {
        var (population, _, _, _, _) = Setup(TestScenarios.Small(), _ => (_, _) => RequestDecision.Allow);
        var nat = population.Legitimate.Where(a => a.HomeKind == HomeNetworkKind.CarrierNat).Select(a => a.Id).ToHashSet();
        var (_, natRunner, _, _, _) = Setup(TestScenarios.Small(), _ => (id, _) => nat.Contains(id) ? RequestDecision.Throttle : RequestDecision.Allow);

        var report = await natRunner.RunAsync(Ct);

        Assert.Equal((double)nat.Count / 300, report.Detection.FalsePositiveRate!.Value, 12);
        var natGroup = report.Detection.FalsePositivesByGroup.Single(g => g.Group == "carrier NAT");
        Assert.Equal(1.0, natGroup.Rate);
        Assert.Equal(0.0, report.Detection.FalsePositivesByGroup.Single(g => g.Group == "residential IPv4").Rate);
        Assert.Equal(300, report.Detection.FalsePositivesByGroup.Where(g => g.Group.StartsWith("signed up", StringComparison.Ordinal)).Sum(g => g.Accounts));
        Assert.True(report.Detection.LegitimateHeldDuringRun > 0);
        Assert.True(report.Detection.LegitimateRequestsAllowedShare < 1);
    }

    [Fact]
    public async Task Rejected_events_are_counted_and_shown()
    {
        var (_, runner, _, _, _) = Setup(
            TestScenarios.Small(),
            _ => (_, _) => RequestDecision.Allow,
            reject: e => e.Type == EventType.Payment ? "paymentFingerprint: nope" : null);

        var report = await runner.RunAsync(Ct);

        Assert.True(report.Events.Rejected > 0);
        Assert.Equal(report.Events.Payments, report.Events.Rejected);
        Assert.Contains(report.Events.RejectedSamples, r => r.Error == "paymentFingerprint: nope");
        Assert.Contains("REJECTED EVENTS", ReportPrinter.Format(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_that_refuses_the_key_stops_the_run_before_any_event()
    {
        var service = new FakeService { DecisionStatus = System.Net.HttpStatusCode.Unauthorized };
        var population = PopulationGenerator.Generate(TestScenarios.Small(), 1, "t");
        var runner = new SimulationRunner(service.CreateClient(), population, new TrafficGenerator(population, DateTimeOffset.UtcNow.AddMinutes(-30)),
            new UsageAggregator(Fakes.Fingerprint, Fakes.Elicitation), Settings(), TextWriter.Null);

        var ex = await Assert.ThrowsAsync<SimulationFailedException>(() => runner.RunAsync(Ct));

        Assert.Contains("401", ex.Message, StringComparison.Ordinal);
        Assert.Empty(service.Events);
    }

    [Theory]
    [InlineData(2, true)]
    [InlineData(10, false)]
    public async Task A_service_slow_to_answer_its_first_decisions_is_asked_again_before_the_run_gives_up(int unavailable, bool runs)
    {
        var service = new FakeService { UnavailableDecisions = unavailable };
        var population = PopulationGenerator.Generate(TestScenarios.Small(durationMinutes: 5), 1, "t");
        var runner = new SimulationRunner(service.CreateClient(), population, new TrafficGenerator(population, DateTimeOffset.UtcNow.AddMinutes(-5)),
            new UsageAggregator(Fakes.Fingerprint, Fakes.Elicitation), Settings() with { PreflightAttempts = 3, PreflightRetryDelay = TimeSpan.FromMilliseconds(1) }, TextWriter.Null);

        if (runs)
        {
            Assert.Equal(0, (await runner.RunAsync(Ct)).Events.Rejected);
        }
        else
        {
            var ex = await Assert.ThrowsAsync<SimulationFailedException>(() => runner.RunAsync(Ct));
            Assert.Contains("in 3 attempts", ex.Message, StringComparison.Ordinal);
            Assert.Empty(service.Events);
        }
    }

    [Fact]
    public async Task A_service_that_cannot_take_events_stops_the_run_and_says_where_it_was()
    {
        var service = new FakeService { IngestStatus = System.Net.HttpStatusCode.ServiceUnavailable };
        var population = PopulationGenerator.Generate(TestScenarios.Small(), 1, "t");
        var runner = new SimulationRunner(service.CreateClient(), population, new TrafficGenerator(population, DateTimeOffset.UtcNow.AddMinutes(-30)),
            new UsageAggregator(Fakes.Fingerprint, Fakes.Elicitation), Settings(), TextWriter.Null);

        var ex = await Assert.ThrowsAsync<SimulationFailedException>(() => runner.RunAsync(Ct));

        Assert.Contains("503", ex.Message, StringComparison.Ordinal);
        Assert.Contains("events         0", runner.ProgressLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_population_without_campaigns_reports_no_recall_and_no_detection()
    {
        var (_, runner, _, _, _) = Setup(TestScenarios.Small(campaignAccounts: 0), _ => (_, _) => RequestDecision.Allow);

        var report = await runner.RunAsync(Ct);

        Assert.Null(report.Detection.CampaignRecall);
        Assert.Null(report.Detection.CampaignRequestsAllowedShare);
        Assert.Equal(TimeToDetection.NotApplicableStatus, report.Detection.TimeToDetection.Status);
        Assert.Contains("n/a", ReportPrinter.Format(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Progress_lines_are_printed_while_the_run_goes()
    {
        var (_, runner, _, output, _) = Setup(TestScenarios.Small(), _ => (_, _) => RequestDecision.Allow, progress: TimeSpan.FromMilliseconds(1));

        await runner.RunAsync(Ct);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains("events", StringComparison.Ordinal) && l.Contains("campaign held", StringComparison.Ordinal));
        Assert.EndsWith("done", lines[^1].TrimEnd(), StringComparison.Ordinal);
    }

    private static RunSettings Settings(TimeSpan? progress = null, int batchSize = 1000) => new()
    {
        BatchSize = batchSize,
        RunId = "t",
        ServiceUrl = new Uri("http://reputation.test/"),
        Concurrency = 8,
        IngestConcurrency = 2,
        ProgressInterval = progress ?? TimeSpan.FromSeconds(30),
    };

    private static (Population Population, SimulationRunner Runner, FakeService Service, StringWriter Output, DateTimeOffset WindowEnd) Setup(
        Scenario scenario,
        Func<HashSet<string>, Func<string, FakeService, RequestDecision>> rule,
        Func<IngestEvent, string?>? reject = null,
        TimeSpan? progress = null,
        int batchSize = 1000)
    {
        var population = PopulationGenerator.Generate(scenario, scenario.Seed, "t");
        var campaign = population.Campaign.Select(a => a.Id).ToHashSet();
        var service = new FakeService { Decide = rule(campaign), Reject = reject ?? (_ => null) };
        var windowEnd = DateTimeOffset.UtcNow;
        var traffic = new TrafficGenerator(population, windowEnd.AddMinutes(-scenario.DurationMinutes));
        var output = new StringWriter();
        var runner = new SimulationRunner(service.CreateClient(), population, traffic, new UsageAggregator(Fakes.Fingerprint, Fakes.Elicitation), Settings(progress, batchSize), output);
        return (population, runner, service, output, windowEnd);
    }
}
