using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Reputation.Client;
using Reputation.Contracts;

namespace Reputation.Integration.Tests;

/// <summary>
/// <c>./run.sh --silos N</c> as a user runs it (on the test Azurite, with the Release build the
/// test run already has): it supervises its silos like an orchestrator. In one class, so the two
/// never load the machine at the same time.
/// </summary>
public sealed partial class RunScriptTests
{
    [Fact]
    public async Task A_silo_killed_with_SIGKILL_is_started_again_on_its_ports_while_the_other_keeps_answering_and_SIGTERM_stops_both()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = RunScript.Start(silos: 2);
        var first = await run.WaitForStartAsync(silo: 1, fromLine: 0, ct);
        var survivor = await run.WaitForStartAsync(silo: 0, fromLine: 0, ct);
        await run.WaitUntilReadyAsync(0, ct);
        await run.WaitUntilReadyAsync(1, ct);
        await AnswersAsync(run, 1, ct);

        // The survivor is probed without pause from before the kill until the replacement answers.
        using var probing = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var probes = ProbeLiveAsync(run.HttpBase(0), probing.Token);
        await run.UntilAsync(() => probes.Answered >= 5, "probes of silo 0 before the kill", ct);

        using (var killed = Process.GetProcessById(first.Pid))
        {
            killed.Kill();
            await killed.WaitForExitAsync(ct);
        }

        var restarted = await run.WaitForStartAsync(silo: 1, fromLine: first.Line + 1, ct);
        Assert.NotEqual(first.Pid, restarted.Pid);
        Assert.Contains(run.Lines, l => l.StartsWith($"==> silo 1 (pid {first.Pid}) exited on signal 9", StringComparison.Ordinal)
            && l.Contains("starting it again", StringComparison.Ordinal));
        await run.WaitUntilReadyAsync(1, ct);
        await AnswersAsync(run, 1, ct);
        await AnswersAsync(run, 0, ct);
        await probing.CancelAsync();
        var probed = await probes.Completion;

        Assert.True(probed.Answered >= 10, $"silo 0 was probed only {probed.Answered} times");
        Assert.Empty(probed.Failures);
        // When the survivor did exit, its own last words say why (an exception's stack is many lines).
        var survivorExit = run.Lines.ToList().FindIndex(l => l.StartsWith("==> silo 0 (pid", StringComparison.Ordinal));
        Assert.True(survivorExit < 0, "silo 0 exited:\n" + string.Join('\n', run.Lines.Take(survivorExit + 1).Where(l => l.StartsWith("[silo 0]", StringComparison.Ordinal) || l.StartsWith("==>", StringComparison.Ordinal)).TakeLast(80)));
        Assert.True(IsRunning(survivor.Pid), "silo 0 is not the process that was started first");

        run.Terminate();
        Assert.Equal(143, await run.WaitForExitAsync(ct));
        Assert.Contains($"==> Stopping the 2 service processes (pids {survivor.Pid} {restarted.Pid}) ...", run.Lines);
        Assert.False(IsRunning(survivor.Pid), $"silo 0 (pid {survivor.Pid}) outlived ./run.sh");
        Assert.False(IsRunning(restarted.Pid), $"silo 1 (pid {restarted.Pid}) outlived ./run.sh");
    }

    [Fact]
    public async Task A_silo_that_dies_at_every_start_is_given_up_after_three_tries_and_the_script_stops()
    {
        var ct = TestContext.Current.CancellationToken;
        // Kubernetes hosting outside a pod: the service refuses to start, every time.
        await using var run = RunScript.Start(silos: 1, new Dictionary<string, string> { ["Reputation__Silo__KubernetesHosting"] = "true" });

        Assert.Equal(1, await run.WaitForExitAsync(ct));
        var output = string.Join('\n', run.Lines);
        Assert.Equal(3, run.Lines.Count(l => l.StartsWith("==> silo 0 started (pid", StringComparison.Ordinal)));
        Assert.Equal(2, run.Lines.Count(l => l.StartsWith("==> silo 0 (pid", StringComparison.Ordinal) && l.Contains("starting it again", StringComparison.Ordinal)));
        Assert.Contains(run.Lines, l => l.StartsWith("error: silo 0 (pid", StringComparison.Ordinal)
            && l.EndsWith("times in a row, so it is not started again", StringComparison.Ordinal));
        Assert.True(output.Contains("error: no silo is left running; stopping", StringComparison.Ordinal), output);
    }

    /// <summary>A decision through the silo answered by the service, not the client's fallback (a cold grain may take a few tries).</summary>
    private static async Task AnswersAsync(RunScript run, int silo, CancellationToken ct)
    {
        using var http = new HttpClient();
        var client = ReputationClient.Create(http, new ReputationClientOptions
        {
            BaseAddress = run.HttpBase(silo),
            ApiKey = "dev-service-key",
            DecisionTimeout = TimeSpan.FromSeconds(10),
        });
        await run.UntilAsync(async () =>
        {
            var decision = await client.DecideRequestAsync(
                new RequestDecisionRequest { AccountId = $"run-{silo}-{Guid.NewGuid():N}", Ip = "198.51.100.9" }, ct);
            return !decision.IsFallback;
        }, $"a decision through silo {silo}", ct);
    }

    private sealed class Probes
    {
        private int _answered;

        public int Answered => Volatile.Read(ref _answered);

        public List<string> Failures { get; } = [];

        public Task<Probes> Completion { get; set; } = null!;

        public void Add() => Interlocked.Increment(ref _answered);
    }

    /// <summary>/health/live of one silo, one probe after another, each bounded, until cancelled.</summary>
    private static Probes ProbeLiveAsync(Uri silo, CancellationToken ct)
    {
        var probes = new Probes();
        probes.Completion = Task.Run(async () =>
        {
            using var http = new HttpClient { BaseAddress = silo, Timeout = TimeSpan.FromSeconds(5) };
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    using var response = await http.GetAsync(new Uri("/health/live", UriKind.Relative), ct);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        probes.Add();
                    }
                    else
                    {
                        probes.Failures.Add($"{DateTimeOffset.UtcNow:O} {(int)response.StatusCode}");
                    }
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    probes.Failures.Add($"{DateTimeOffset.UtcNow:O} {ex.GetType().Name}: {ex.Message}");
                }
            }

            return probes;
        }, CancellationToken.None);
        return probes;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>One <c>./run.sh --silos N --no-build</c> process, its output kept line by line.</summary>
    private sealed partial class RunScript : IAsyncDisposable
    {
        private readonly ChildProcess _process;
        private readonly int _httpPort;

        private RunScript(ChildProcess process, int httpPort)
        {
            _process = process;
            _httpPort = httpPort;
        }

        public IReadOnlyList<string> Lines => _process.Lines;

        public readonly record struct Started(int Line, int Pid);

        public static RunScript Start(int silos, IReadOnlyDictionary<string, string>? settings = null)
        {
            var root = RepositoryRoot();
            var start = new ProcessStartInfo("bash") { WorkingDirectory = root, RedirectStandardInput = true };
            start.ArgumentList.Add(Path.Combine(root, "run.sh"));
            start.ArgumentList.Add("--silos");
            start.ArgumentList.Add(silos.ToString(CultureInfo.InvariantCulture));
            start.ArgumentList.Add("--no-build");
            var http = FreePorts(silos);
            var id = Guid.NewGuid().ToString("N")[..12];
            // Its own ports, cluster, membership table and grain table on the test Azurite (which
            // the script finds listening and leaves running).
            start.Environment["REPUTATION_HTTP_PORT"] = http.ToString(CultureInfo.InvariantCulture);
            start.Environment["REPUTATION_SILO_PORT"] = FreePorts(silos).ToString(CultureInfo.InvariantCulture);
            start.Environment["REPUTATION_GATEWAY_PORT"] = FreePorts(silos).ToString(CultureInfo.InvariantCulture);
            start.Environment["REPUTATION_AZURITE_PORT"] = new Uri(EndpointOf(Azurite.ConnectionString, "BlobEndpoint")).Port.ToString(CultureInfo.InvariantCulture);
            start.Environment["Reputation__Silo__ClusterId"] = $"r{id}";
            start.Environment["Reputation__Silo__ServiceId"] = $"r{id}";
            start.Environment["Reputation__Silo__MembershipTableName"] = $"RunMembers{id}";
            start.Environment["Reputation__Storage__TableName"] = $"RunState{id}";
            start.Environment["Reputation__Storage__StartupTimeout"] = "00:00:30";
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                start.Environment[key] = value;
            }

            return new RunScript(ChildProcess.Start(start), http);
        }

        public Uri HttpBase(int silo) => new($"http://127.0.0.1:{_httpPort + silo}");

        /// <summary>The first "silo N started (pid P)" line of the script from line <paramref name="fromLine"/> on.</summary>
        public async Task<Started> WaitForStartAsync(int silo, int fromLine, CancellationToken ct)
        {
            Started? found = null;
            await UntilAsync(() =>
            {
                var lines = Lines;
                for (var i = fromLine; i < lines.Count; i++)
                {
                    if (StartedLine().Match(lines[i]) is { Success: true } m && m.Groups[1].Value == silo.ToString(CultureInfo.InvariantCulture))
                    {
                        found = new Started(i, int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
                        return true;
                    }
                }

                return false;
            }, $"./run.sh to start silo {silo}", ct);
            return found!.Value;
        }

        public async Task WaitUntilReadyAsync(int silo, CancellationToken ct)
        {
            using var http = new HttpClient { BaseAddress = HttpBase(silo), Timeout = TimeSpan.FromSeconds(5) };
            await UntilAsync(async () =>
            {
                try
                {
                    using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative), ct);
                    return response.IsSuccessStatusCode;
                }
                catch (Exception ex) when ((ex is HttpRequestException or TaskCanceledException) && !ct.IsCancellationRequested)
                {
                    return false;
                }
            }, $"silo {silo} to be ready", ct);
        }

        public Task UntilAsync(Func<bool> condition, string what, CancellationToken ct) =>
            UntilAsync(() => Task.FromResult(condition()), what, ct);

        /// <summary>Polls until the condition holds; fails at once if the script has exited, and after 120 s.</summary>
        public async Task UntilAsync(Func<Task<bool>> condition, string what, CancellationToken ct)
        {
            var waited = Stopwatch.StartNew();
            while (!await condition())
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"./run.sh exited with {_process.ExitCode} while waiting for {what}:\n{_process.Output}");
                }

                if (waited.Elapsed > TimeSpan.FromSeconds(120))
                {
                    throw new TimeoutException($"gave up waiting for {what}:\n{_process.Output}");
                }

                await Task.Delay(100, ct);
            }
        }

        /// <summary>SIGTERM, as when a service manager stops it (Ctrl-C at a terminal is SIGINT, handled alike).</summary>
        public void Terminate() => _process.Terminate();

        public Task<int> WaitForExitAsync(CancellationToken ct) => _process.WaitForExitAsync(TimeSpan.FromSeconds(120), ct);

        /// <summary>After a failed test: the script and every silo it runs.</summary>
        public ValueTask DisposeAsync() => _process.DisposeAsync();

        [GeneratedRegex(@"^==> silo (\d) started \(pid (\d+)\)")]
        private static partial Regex StartedLine();

        private static string EndpointOf(string connectionString, string key) =>
            connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p.Split('=', 2))
                .Single(p => p[0] == key)[1];

        /// <summary>The first of <paramref name="count"/> consecutive free ports on 127.0.0.1 (the script numbers its silos' ports from it).</summary>
        private static int FreePorts(int count)
        {
            for (var attempt = 0; attempt < 100; attempt++)
            {
                var listeners = new List<TcpListener>();
                try
                {
                    var first = new TcpListener(IPAddress.Loopback, 0);
                    first.Start();
                    listeners.Add(first);
                    var port = ((IPEndPoint)first.LocalEndpoint).Port;
                    if (port + count > IPEndPoint.MaxPort)
                    {
                        continue;
                    }

                    for (var next = 1; next < count; next++)
                    {
                        var listener = new TcpListener(IPAddress.Loopback, port + next);
                        listener.Start();
                        listeners.Add(listener);
                    }

                    return port;
                }
                catch (SocketException)
                {
                }
                finally
                {
                    listeners.ForEach(l => l.Stop());
                }
            }

            throw new InvalidOperationException($"found no {count} consecutive free ports");
        }

        private static string RepositoryRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "run.sh")) && File.Exists(Path.Combine(dir.FullName, "Reputation.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException($"No run.sh above {AppContext.BaseDirectory}: the tests must run from inside the repository.");
        }
    }
}
