using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Reputation.Integration.Tests;

/// <summary>
/// An Azurite of a test's own (not the shared one ./test.sh starts), on given loopback ports and
/// data folder, so the test can stop and start it. Stopped with SIGTERM only: Azurite saves its
/// data every 5 s and on shutdown, and a SIGKILL would lose what it has not saved.
/// </summary>
internal sealed class AzuriteProcess : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly StringBuilder _output = new();
    private Process? _process;

    public AzuriteProcess(string location, int blobPort, int queuePort, int tablePort)
    {
        Location = location;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    public string Location { get; }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>On free loopback ports, in a new temporary data folder.</summary>
    public static AzuriteProcess OnFreePorts() =>
        new(Path.Combine(Path.GetTempPath(), "reputation-azurite-" + Guid.NewGuid().ToString("N")), FreePort(), FreePort(), FreePort());

    /// <summary>Starts Azurite and waits (bounded) until its table port accepts connections.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("Azurite is already running");
        }

        Directory.CreateDirectory(Location);
        var start = new ProcessStartInfo(Binary())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--skipApiVersionCheck", "--disableTelemetry", "--location", Location,
            "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
            "--blobPort", Port(BlobPort), "--queuePort", Port(QueuePort), "--tablePort", Port(TablePort),
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("azurite did not start");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = Stopwatch.StartNew();
        while (!await AcceptsAsync(TablePort, cancellationToken))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with {process.ExitCode} during startup:\n{Output}");
            }

            if (deadline.Elapsed > Bound)
            {
                throw new TimeoutException($"Azurite did not accept connections on {TablePort} within {Bound.TotalSeconds} s:\n{Output}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>SIGTERM, then waits (bounded) for Azurite to exit, having saved its data.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(cancellationToken);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Bound);
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(CancellationToken.None);
        }
        finally
        {
            _process?.Dispose();
            try
            {
                Directory.Delete(Location, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>tools/azurite/node_modules/.bin/azurite next to the Reputation.sln above the test's base directory.</summary>
    private static string Binary()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Reputation.sln")))
            {
                var binary = Path.Combine(directory.FullName, "tools", "azurite", "node_modules", ".bin", "azurite");
                return File.Exists(binary)
                    ? binary
                    : throw new InvalidOperationException($"{binary} is missing: install Azurite (./test.sh does, with npm ci in tools/azurite).");
            }
        }

        throw new InvalidOperationException($"no Reputation.sln above {AppContext.BaseDirectory}");
    }

    private static async Task<bool> AcceptsAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
