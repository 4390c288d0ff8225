using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using Reputation.Contracts;

namespace Reputation.Integration.Tests;

/// <summary>
/// Mutual TLS on the silo and gateway ports (Reputation:Silo:Tls) between service processes, as the
/// chart runs them: one certificate from the cluster's CA mounted in every pod, the CA beside it.
/// </summary>
public sealed class SiloTlsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("reputation-silo-tls-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Two_silos_with_tls_form_one_cluster_and_a_plain_client_a_foreign_client_and_a_plain_silo_are_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        using var ca = TestCertificates.Authority("Reputation test cluster CA");
        using var siloCertificate = TestCertificates.Issued(ca, "reputation-silo");
        var (caPath, _) = TestCertificates.WritePem(ca, _directory, "ca");
        var (crtPath, keyPath) = TestCertificates.WritePem(siloCertificate, _directory, "tls");
        await using var cluster = new SiloCluster(2, new Dictionary<string, string>
        {
            ["Reputation__Silo__Tls__Enabled"] = "true",
            ["Reputation__Silo__Tls__CertificatePath"] = crtPath,
            ["Reputation__Silo__Tls__KeyPath"] = keyPath,
            ["Reputation__Silo__Tls__CaPath"] = caPath,
        });

        // Joining means pinging every active silo over the silo port: the second silo becomes
        // Active only if the TLS handshake both ways succeeded.
        await cluster.StartAllAsync(ct);

        // A client with a certificate from the cluster's CA, through silo 0's gateway: both silos
        // answer (the statistics of silo 1 travel over the TLS silo-to-silo connection).
        using var clientCertificate = TestCertificates.Issued(ca, "reputation-client");
        X509Certificate2? presentedBySilo = null;
        using (var client = await ConnectAsync(cluster, 0, clientCertificate, presented => presentedBySilo = presented, ct))
        {
            var management = client.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
            var hosts = await management.GetHosts(onlyActive: true, cancellationToken: ct);
            var statistics = await management.GetRuntimeStatistics([.. hosts.Keys], cancellationToken: ct);

            Assert.Equal([.. cluster.Ports.Select(p => p.Silo).Order()], hosts.Keys.Select(h => h.Endpoint.Port).Order());
            Assert.Equal(2, statistics.Length);
            await client.StopAsync(ct);
        }

        Assert.Equal(siloCertificate.Thumbprint, presentedBySilo?.Thumbprint);

        // A plain Orleans client, and a TLS client whose certificate another CA issued: the gateway
        // ends each connection in the handshake, so neither client ever connects.
        var plain = await RefusedAsync(cluster, 0, certificate: null, ct);
        using var otherCa = TestCertificates.Authority("Some other CA");
        using var foreignCertificate = TestCertificates.Issued(otherCa, "reputation-client");
        var foreign = await RefusedAsync(cluster, 1, foreignCertificate, ct);
        Assert.Contains($"Connection attempt to endpoint S127.0.0.1:{cluster.Ports[0].Gateway}:0 failed", plain, StringComparison.Ordinal);
        Assert.Contains($"Connection attempt to endpoint S127.0.0.1:{cluster.Ports[1].Gateway}:0 failed", foreign, StringComparison.Ordinal);

        // A silo without TLS, same cluster and membership table: it cannot ping the two, so it never
        // joins and gives up when its join attempt time is over.
        var plainPorts = ServiceProcess.Ports.Free();
        var plainSettings = new Dictionary<string, string>(cluster.ClusterSettings)
        {
            ["Reputation__Silo__Tls__Enabled"] = "false",
            ["Reputation__Silo__Membership__MaxJoinAttemptTime"] = "00:00:10",
        };
        await using var plainSilo = ServiceProcess.Start(plainPorts, Azurite.ConnectionString, cluster.StateTable, settings: plainSettings);
        var exitCode = await plainSilo.WaitForExitAsync(ct);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Failed to get ping responses from 2 of 2 active silos", plainSilo.Output, StringComparison.Ordinal);
        var rows = await cluster.ReadMembershipAsync(ct);
        Assert.DoesNotContain(rows, r => r.Port == plainPorts.Silo && r.Status == "Active");
        Assert.Equal(2, rows.Count(r => r.Status == "Active"));

        // The cluster is unharmed: an account signed up through one silo is read through the other.
        var account = $"tls-{Guid.NewGuid():N}";
        var signup = await cluster[0].CreateClient().DecideSignupAsync(new SignupDecisionRequest { AccountId = account, Ip = "198.51.100.7" }, ct);
        var view = await cluster[1].CreateClient().GetAccountAsync(account, ct);
        Assert.False(signup.IsFallback, signup.FallbackCause);
        Assert.Equal(account, view?.AccountId);
    }

    [Fact]
    public async Task Tls_on_with_a_certificate_file_that_is_not_there_the_service_refuses_to_start_and_says_why()
    {
        var ct = TestContext.Current.CancellationToken;
        var missing = Path.Combine(_directory, "absent.crt");
        await using var service = ServiceProcess.Start(ServiceProcess.Ports.Free(), "UseDevelopmentStorage=true", "Unused", settings: new Dictionary<string, string>
        {
            ["Reputation__Storage__Provider"] = "Memory",
            ["Reputation__Silo__Tls__Enabled"] = "true",
            ["Reputation__Silo__Tls__CertificatePath"] = missing,
        });

        var exitCode = await service.WaitForExitAsync(ct);

        Assert.Equal(1, exitCode);
        Assert.Contains($"Reputation:Silo:Tls:CertificatePath: there is no file at '{missing}'.", service.RefusalLine(), StringComparison.Ordinal);
    }

    /// <summary>An Orleans client of the cluster through silo <paramref name="silo"/>'s gateway, connected; bounded.</summary>
    private static async Task<IHost> ConnectAsync(
        SiloCluster cluster, int silo, X509Certificate2 certificate, Action<X509Certificate2> serverPresented, CancellationToken cancellationToken)
    {
        var host = Client(cluster, silo, certificate, new ConnectionFailures(), serverPresented);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await host.StartAsync(timeout.Token);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts a client that must not get in: returns the first failed connection attempt it logs,
    /// and fails if it connects instead (or neither happens within 30 s).
    /// </summary>
    private static async Task<string> RefusedAsync(SiloCluster cluster, int silo, X509Certificate2? certificate, CancellationToken cancellationToken)
    {
        var failures = new ConnectionFailures();
        using var host = Client(cluster, silo, certificate, failures, _ => { });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var start = host.StartAsync(stop.Token);
        await Task.WhenAny(start, failures.First).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        Assert.False(start.IsCompletedSuccessfully, "the client connected");
        await stop.CancelAsync();
        // Refused either way: the client is still retrying when it is stopped, or it has already
        // given up on the gateway (which of the two depends on how fast its attempts fail).
        var ended = await Record.ExceptionAsync(() => start);
        Assert.True(ended is OperationCanceledException or ConnectionFailedException, $"the client failed otherwise: {ended}");
        return await failures.First.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
    }

    private static IHost Client(
        SiloCluster cluster, int silo, X509Certificate2? certificate, ConnectionFailures failures, Action<X509Certificate2> serverPresented)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddProvider(failures);
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, cluster.Ports[silo].Gateway));
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ClusterId;
            });
            if (certificate is not null)
            {
                client.UseTls(certificate, tls =>
                {
                    // What is under test is the silo's check of the client; the client records
                    // which certificate the silo presented, and the test checks it.
                    tls.RemoteCertificateValidation = (presented, _, _) =>
                    {
                        serverPresented(presented);
                        return true;
                    };
                });
            }
        });
        return builder.Build();
    }

    /// <summary>The Orleans client's log, watched for its first failed connection attempt.</summary>
    private sealed class ConnectionFailures : ILoggerProvider, ILogger
    {
        private readonly TaskCompletionSource<string> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<string> First => _first.Task;

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            if (IsEnabled(logLevel) && message.StartsWith("Connection attempt to endpoint", StringComparison.Ordinal))
            {
                _first.TrySetResult($"{message}: {exception?.Message}");
            }
        }

        public void Dispose()
        {
        }
    }
}
