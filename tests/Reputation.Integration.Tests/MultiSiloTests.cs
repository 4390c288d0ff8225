using System.Globalization;
using Reputation.Contracts;

namespace Reputation.Integration.Tests;

/// <summary>
/// Several silos on one machine (AzureTable clustering on Azurite): one killed under load, one
/// stopped with SIGTERM. In one class, so the two never load the machine at the same time.
/// </summary>
public sealed class MultiSiloTests
{
    [Fact]
    public async Task One_of_three_silos_killed_under_load_decisions_keep_answering_nothing_acknowledged_is_lost_and_it_rejoins()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = new SiloCluster(3);
        await cluster.StartAllAsync(ct);
        await EachSiloAnswersAsync(cluster, [0, 1, 2], ct);

        const int killed = 2;
        var load = new SiloLoad([cluster[0], cluster[1], cluster[2]], decisionTimeout: TimeSpan.FromSeconds(2));
        using var stop = new CancellationTokenSource();
        // Bounded whatever happens: the conditions below end it sooner.
        stop.CancelAfter(TimeSpan.FromSeconds(45));
        var running = load.RunAsync(ingestWorkers: 3, decisionWorkers: 3, stop.Token, ct);

        // As a gateway's steady traffic does, every silo has answered about every account before the
        // kill: a survivor gives its last answer, stale, while the account's grain is unreachable
        // (docs/decisions/0038-stale-answers-on-failover.md). An account a survivor never answered
        // would still fail there until the death is declared.
        await UntilAsync(
            () => load.Decisions.Count(d => d.Answered) >= 300 && load.AcknowledgedEvents >= 200 && load.EachSiloAnsweredEveryAccount([0, 1, 2]),
            "load before the kill", stop.Token);
        var killedAt = load.Now;
        await cluster[killed].KillAsync();

        // Orleans declares it dead once the others' probes miss; until then calls to its grains wait.
        await cluster.WaitForMembershipAsync(
            rows => cluster.RowsOf(rows, killed).Any(r => r.Status == "Dead"), "the killed silo declared dead", ct);
        var declaredDeadAt = load.Now;
        await UntilAsync(
            () => load.Decisions.Count(d => d.At > declaredDeadAt && d.FirstSilo != killed && !d.FirstFellBack) >= 300,
            "decisions answered by the two others after the death", stop.Token);
        await stop.CancelAsync();
        await running;

        var after = load.Decisions.Where(d => d.At >= killedAt).ToList();
        var toSurvivors = after.Where(d => d.FirstSilo != killed).ToList();
        // What the cluster did: decisions asked of the two live silos that fell back. Calls to the
        // killed one's own port are refused at once for as long as the caller keeps sending there.
        var survivorsFailed = toSurvivors.Where(d => d.FirstFellBack).ToList();
        var unanswered = after.Where(d => !d.Answered).ToList();
        // The target: a decision that failed on its first silo is answered by the next one.
        var failedAfterOneRetry = after.Where(d => !d.AnsweredWithinOneRetry).ToList();
        // Given from a survivor's copy of the account's last decision while its grain was unreachable.
        var stale = after.Where(d => d.Stale).ToList();
        var staleCounted = await StaleCountsAsync([cluster[0], cluster[1]], ct);
        Report(string.Create(CultureInfo.InvariantCulture,
            $"kill test: {load.Decisions.Count} decisions, {after.Count} after the kill; " +
            $"through the two surviving silos {survivorsFailed.Count} of {toSurvivors.Count} fell back ({Share(survivorsFailed.Count, toSurvivors.Count)}), " +
            $"{Window(survivorsFailed, killedAt)}; sent to the killed silo's port {after.Count - toSurvivors.Count}, all refused and failed over; " +
            $"answered stale {stale.Count} ({Share(stale.Count, after.Count)}), {Window(stale, killedAt)}; " +
            $"not answered within one retry {failedAfterOneRetry.Count} ({Share(failedAfterOneRetry.Count, after.Count)}), {Window(failedAfterOneRetry, killedAt)}; " +
            $"unanswered even after failing over to every silo: {unanswered.Count} ({Share(unanswered.Count, after.Count)}), {Window(unanswered, killedAt)}; " +
            $"declared dead {(declaredDeadAt - killedAt).TotalSeconds:0.0} s after the kill; " +
            $"first-attempt causes: {string.Join(", ", after.Where(d => d.FirstFellBack).GroupBy(d => d.FirstFallbackCause).Select(g => $"{g.Key} {g.Count()}"))}; " +
            $"events acknowledged {load.AcknowledgedEvents}, ingest failovers {load.IngestFailovers}; " +
            $"stale answers the survivors counted, by cause: {staleCounted}"));

        Assert.Empty(load.Errors);
        Assert.Contains(after, d => d.At > declaredDeadAt && d.FirstSilo != killed && !d.FirstFellBack);
        // The target: at most 0.1 % not answered by the first silo asked or, after it failed, the next
        // one; and none unanswered later than 10 s after the kill.
        Assert.True(failedAfterOneRetry.Count * 1000 <= after.Count,
            $"{failedAfterOneRetry.Count} of {after.Count} decisions were not answered within one retry, {Window(failedAfterOneRetry, killedAt)}");
        Assert.DoesNotContain(unanswered, d => d.At - killedAt > TimeSpan.FromSeconds(10));

        // Restarted on its own ports it takes its place: a new generation, active beside the old dead row.
        cluster.Start(killed);
        await cluster[killed].WaitUntilReadyAsync(ct);
        await cluster.WaitForMembershipAsync(rows => rows.Count(r => r.Status == "Active") == 3, "3 active silos after the restart", ct);
        await EachSiloAnswersAsync(cluster, [killed], ct);

        // Send 200 acknowledged events again through the restarted silo: all duplicates, counted once.
        var again = load.Acknowledged().Take(200).Select(e => new IngestEvent
        {
            Id = e.Id,
            Type = EventType.Usage,
            AccountId = e.Account,
            OccurredAt = DateTimeOffset.UtcNow,
            Requests = e.Requests,
        }).ToList();
        var resent = await cluster[killed].CreateClient().IngestAsync(new EventBatch { Events = again }, ct);

        var found = await EveryAcknowledgedEventIsCountedAsync(cluster[killed], load, ct);
        Report(string.Create(CultureInfo.InvariantCulture,
            $"kill test, after the restart: requests of acknowledged events {found.Expected}, found in the accounts {found.Actual}; " +
            $"{again.Count} acknowledged events re-sent: {resent.Duplicates} duplicates, {resent.Accepted} accepted"));
        Assert.Equal(again.Count, resent.Duplicates);
    }

    [Fact]
    public async Task A_silo_stopped_with_SIGTERM_leaves_the_cluster_and_callers_that_retry_on_another_silo_see_no_error()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = new SiloCluster(2);
        await cluster.StartAllAsync(ct);
        await EachSiloAnswersAsync(cluster, [0, 1], ct);

        const int stopped = 0;
        var load = new SiloLoad([cluster[0], cluster[1]], decisionTimeout: TimeSpan.FromSeconds(5));
        using var stop = new CancellationTokenSource();
        stop.CancelAfter(TimeSpan.FromSeconds(45));
        var running = load.RunAsync(ingestWorkers: 2, decisionWorkers: 2, stop.Token, ct);

        await UntilAsync(() => load.Decisions.Count(d => d.Answered) >= 200 && load.AcknowledgedEvents >= 100, "load before SIGTERM", stop.Token);
        var stoppedAt = load.Now;
        cluster[stopped].Terminate();
        var exitCode = await cluster[stopped].WaitForExitAsync(ct);
        var exitedAt = load.Now;
        var rows = await cluster.ReadMembershipAsync(ct);
        await UntilAsync(() => load.Decisions.Count(d => d.At > exitedAt && d.Answered) >= 200, "decisions after the exit", stop.Token);
        await stop.CancelAsync();
        await running;

        var after = load.Decisions.Where(d => d.At >= stoppedAt).ToList();
        Report(string.Create(CultureInfo.InvariantCulture,
            $"SIGTERM test: exit code {exitCode} {(exitedAt - stoppedAt).TotalSeconds:0.0} s after SIGTERM; {after.Count} decisions after it, " +
            $"first attempt fell back {after.Count(d => d.FirstFellBack)}, unanswered after failing over {after.Count(d => !d.Answered)}; " +
            $"events acknowledged {load.AcknowledgedEvents}, ingest failovers {load.IngestFailovers}; " +
            $"membership at exit: {string.Join(", ", rows)}"));

        Assert.Equal(0, exitCode);
        // It left: its row says so at once, without waiting for the others' probes to vote it dead.
        Assert.Equal("Dead", Assert.Single(cluster.RowsOf(rows, stopped)).Status);
        Assert.Empty(load.Errors);
        Assert.All(load.Decisions, d => Assert.True(d.Answered, $"the decision asked at {d.At} was answered by no silo"));

        await EveryAcknowledgedEventIsCountedAsync(cluster[1], load, ct);
    }

    [Fact]
    public async Task The_service_refuses_to_start_when_the_silo_and_gateway_ports_are_the_same()
    {
        var ct = TestContext.Current.CancellationToken;
        var ports = ServiceProcess.Ports.Free();
        var settings = new Dictionary<string, string>
        {
            ["Reputation__Silo__Clustering"] = "AzureTable",
            ["Reputation__Silo__GatewayPort"] = ports.Silo.ToString(CultureInfo.InvariantCulture),
        };

        await using var service = ServiceProcess.Start(ports, Azurite.ConnectionString, Azurite.UniqueTable("Ports"), settings: settings);
        var exitCode = await service.WaitForExitAsync(ct);

        Assert.Equal(1, exitCode);
        var line = service.RefusalLine();
        Assert.Contains("Reputation:Silo:SiloPort and Reputation:Silo:GatewayPort must differ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_service_refuses_kubernetes_hosting_without_azure_table_membership()
    {
        var ct = TestContext.Current.CancellationToken;
        var settings = new Dictionary<string, string> { ["Reputation__Silo__KubernetesHosting"] = "true" };

        await using var service = ServiceProcess.Start(ServiceProcess.Ports.Free(), Azurite.ConnectionString, Azurite.UniqueTable("Kube"), settings: settings);
        var exitCode = await service.WaitForExitAsync(ct);

        Assert.Equal(1, exitCode);
        var line = service.RefusalLine();
        Assert.Contains("KubernetesHosting needs Reputation:Silo:Clustering=AzureTable", line, StringComparison.Ordinal);

        // With it, outside a pod, Orleans' Kubernetes hosting itself refuses: the pod's environment is missing.
        settings["Reputation__Silo__Clustering"] = "AzureTable";
        await using var outsideAPod = ServiceProcess.Start(ServiceProcess.Ports.Free(), Azurite.ConnectionString, Azurite.UniqueTable("Kube"), settings: settings);
        Assert.Equal(1, await outsideAPod.WaitForExitAsync(ct));
        Assert.Contains(outsideAPod.Output.Split('\n', StringSplitOptions.TrimEntries),
            l => l.StartsWith("reputation: cannot start", StringComparison.Ordinal) && l.Contains("POD_NAMESPACE", StringComparison.Ordinal));
    }

    /// <summary>A decision through each listed silo is answered, not a fallback (a cold grain may take a few tries).</summary>
    private static async Task EachSiloAnswersAsync(SiloCluster cluster, int[] silos, CancellationToken ct)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(TimeSpan.FromSeconds(60));
        foreach (var index in silos)
        {
            var client = cluster[index].CreateClient();
            await UntilAsync(async () =>
            {
                var decision = await client.DecideRequestAsync(
                    new RequestDecisionRequest { AccountId = $"probe-{index}-{Guid.NewGuid():N}", Ip = "198.51.100.9" }, bound.Token);
                return !decision.IsFallback;
            }, $"a decision through silo {index}", bound.Token);
        }
    }

    /// <summary>Every usage event a silo acknowledged is in its account's request total; re-sent duplicates count once.</summary>
    private static async Task<(long Expected, long Actual)> EveryAcknowledgedEventIsCountedAsync(ServiceProcess silo, SiloLoad load, CancellationToken ct)
    {
        var expected = load.AcknowledgedRequestsByAccount();
        var client = silo.CreateClient();
        var actual = new Dictionary<string, long>();
        foreach (var account in load.Accounts)
        {
            actual[account] = (await client.GetAccountAsync(account, ct))?.Usage.RequestsTotal ?? 0;
        }

        Assert.Equal(
            load.Accounts.Select(a => (a, expected.GetValueOrDefault(a))),
            load.Accounts.Select(a => (a, actual[a])));
        Assert.True(expected.Values.Sum() > 0);
        return (expected.Values.Sum(), actual.Values.Sum());
    }

    /// <summary>The silos' <c>reputation_decision_stale_total</c> summed by cause, as "cause n, ..." (their /metrics is open in Development).</summary>
    private static async Task<string> StaleCountsAsync(IEnumerable<ServiceProcess> silos, CancellationToken ct)
    {
        var byCause = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var silo in silos)
        {
            using var http = new HttpClient { BaseAddress = silo.BaseAddress };
            var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct);
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(
                text, "^reputation_decision_stale_total\\{[^}]*cause=\"([a-z]+)\"[^}]*\\} ([0-9.e+]+)", System.Text.RegularExpressions.RegexOptions.Multiline))
            {
                byCause[m.Groups[1].Value] = byCause.GetValueOrDefault(m.Groups[1].Value) + double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            }
        }

        return byCause.Count == 0 ? "none" : string.Join(", ", byCause.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:0}")));
    }

    private static Task UntilAsync(Func<bool> condition, string what, CancellationToken ct) =>
        UntilAsync(() => Task.FromResult(condition()), what, ct);

    private static async Task UntilAsync(Func<Task<bool>> condition, string what, CancellationToken ct)
    {
        try
        {
            while (!await condition())
            {
                await Task.Delay(100, ct);
            }
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"gave up waiting for {what}");
        }
    }

    private static string Window(List<DecisionSample> failures, TimeSpan killedAt) =>
        failures.Count == 0
            ? "no window"
            : string.Create(CultureInfo.InvariantCulture,
                $"from {(failures.Min(d => d.At) - killedAt).TotalSeconds:0.0} s to {(failures.Max(d => d.At) - killedAt).TotalSeconds:0.0} s after the kill");

    private static string Share(int part, int whole) =>
        whole == 0 ? "n/a" : (100.0 * part / whole).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    private static void Report(string message)
    {
        TestContext.Current.SendDiagnosticMessage(message);
        TestContext.Current.TestOutputHelper?.WriteLine(message);
    }
}
