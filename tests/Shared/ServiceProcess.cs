using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Reputation.Client;

namespace Reputation.Testing;

/// <summary>
/// The service as an operator runs it: its own process (the built Reputation.Api.dll), fixed ports
/// so that a restart takes over the same silo address. Shared by the integration tests (real
/// storage) and the browser tests (memory storage), linked into each project with
/// <see cref="ChildProcess"/>.
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private ServiceProcess(ChildProcess process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public string Output => _process.Output;

    /// <summary>The one line the service prints when it refuses to start (<c>reputation: cannot start ...</c>); fails unless there is exactly one.</summary>
    public string RefusalLine() =>
        Assert.Single(Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            l => l.StartsWith("reputation: cannot start", StringComparison.Ordinal));

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public sealed record Ports(int Http, int Silo, int Gateway)
    {
        public static Ports Free() => new(FreePort(), FreePort(), FreePort());
    }

    public static ServiceProcess Start(
        Ports ports,
        string connectionString,
        string table,
        string environment = "Development",
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var directory = AppContext.BaseDirectory;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory };
        start.ArgumentList.Add(Path.Combine(directory, "Reputation.Api.dll"));
        start.ArgumentList.Add("--contentRoot");
        start.ArgumentList.Add(directory);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{ports.Http}";
        start.Environment["Reputation__Storage__ConnectionString"] = connectionString;
        start.Environment["Reputation__Storage__TableName"] = table;
        // Generous: a just-started Azurite on a busy machine can take seconds to answer its first request.
        start.Environment["Reputation__Storage__StartupTimeout"] = "00:00:30";
        start.Environment["Reputation__Silo__SiloPort"] = ports.Silo.ToString(CultureInfo.InvariantCulture);
        start.Environment["Reputation__Silo__GatewayPort"] = ports.Gateway.ToString(CultureInfo.InvariantCulture);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return new ServiceProcess(ChildProcess.Start(start), new Uri($"http://127.0.0.1:{ports.Http}"));
    }

    /// <summary>Waits for /health/ready, or for the process to end; bounded.</summary>
    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the service exited with {_process.ExitCode} before it was ready:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"the service was not ready within 90 s:\n{Output}");
    }

    public ReputationClient CreateClient(string apiKey = "dev-service-key") =>
        ReputationClient.Create(new HttpClient(), new ReputationClientOptions
        {
            BaseAddress = BaseAddress,
            ApiKey = apiKey,
            DecisionTimeout = TimeSpan.FromSeconds(30),
            ReadTimeout = TimeSpan.FromSeconds(30),
            IngestTimeout = TimeSpan.FromSeconds(30),
        });

    /// <summary>SIGKILL: no shutdown code runs, as when a machine dies.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>SIGTERM, as an orchestrator stops a replica: the service shuts down in order.</summary>
    public void Terminate() => _process.Terminate();

    public ReputationClient CreateClient(TimeSpan decisionTimeout, TimeSpan ingestTimeout) =>
        ReputationClient.Create(new HttpClient(), new ReputationClientOptions
        {
            BaseAddress = BaseAddress,
            ApiKey = "dev-service-key",
            DecisionTimeout = decisionTimeout,
            ReadTimeout = TimeSpan.FromSeconds(30),
            IngestTimeout = ingestTimeout,
            // The caller fails over to another silo itself (SiloLoad).
            IngestMaxRetries = 0,
        });

    public Task<int> WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(TimeSpan.FromSeconds(60), cancellationToken);

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
