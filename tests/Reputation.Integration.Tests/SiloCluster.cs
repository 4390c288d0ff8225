using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;

namespace Reputation.Integration.Tests;

/// <summary>
/// Several service processes on this machine forming one Orleans cluster through Azure Table
/// membership on the test Azurite. Its cluster id, membership table and grain table are its own,
/// so runs never see each other's silos; the ports are chosen once and kept, so a restarted silo
/// takes its own place.
/// </summary>
internal sealed class SiloCluster : IAsyncDisposable
{
    private readonly ServiceProcess?[] _silos;
    private readonly Dictionary<string, string> _settings;

    /// <param name="count">How many silos.</param>
    /// <param name="settings">Environment settings every silo gets on top of the cluster's own (e.g. TLS).</param>
    public SiloCluster(int count, IReadOnlyDictionary<string, string>? settings = null)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        ClusterId = $"c{id}";
        MembershipTable = $"Members{id}";
        StateTable = $"State{id}";
        Ports = [.. Enumerable.Range(0, count).Select(_ => ServiceProcess.Ports.Free())];
        _silos = new ServiceProcess?[count];
        _settings = new Dictionary<string, string>
        {
            ["Reputation__Silo__Clustering"] = "AzureTable",
            ["Reputation__Silo__ClusterId"] = ClusterId,
            ["Reputation__Silo__ServiceId"] = ClusterId,
            ["Reputation__Silo__MembershipTableName"] = MembershipTable,
            // Declare a dead silo in seconds, not the default minute (docs/decisions/0011-multi-silo.md).
            ["Reputation__Silo__Membership__ProbeTimeout"] = "00:00:02",
            ["Reputation__Silo__Membership__NumMissedProbesLimit"] = "2",
            ["Reputation__Silo__Membership__DeathVoteExpirationTimeout"] = "00:00:30",
            ["Reputation__Silo__Membership__TableRefreshTimeout"] = "00:00:02",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            _settings[key] = value;
        }
    }

    /// <summary>The settings that put a silo in this cluster (clustering, ids, membership table and timeouts).</summary>
    public IReadOnlyDictionary<string, string> ClusterSettings => _settings;

    public string ClusterId { get; }

    public string MembershipTable { get; }

    public string StateTable { get; }

    public IReadOnlyList<ServiceProcess.Ports> Ports { get; }

    public int Count => _silos.Length;

    public ServiceProcess this[int index] => _silos[index] ?? throw new InvalidOperationException($"silo {index} is not running");

    public ServiceProcess Start(int index)
    {
        if (_silos[index] is { HasExited: false })
        {
            throw new InvalidOperationException($"silo {index} is already running");
        }

        var silo = ServiceProcess.Start(Ports[index], Azurite.ConnectionString, StateTable, settings: _settings);
        _silos[index] = silo;
        return silo;
    }

    /// <summary>Starts every silo at once and waits until each is ready and the table lists all of them active.</summary>
    public async Task StartAllAsync(CancellationToken cancellationToken)
    {
        var silos = Enumerable.Range(0, Count).Select(Start).ToList();
        await Task.WhenAll(silos.Select(s => s.WaitUntilReadyAsync(cancellationToken)));
        await WaitForMembershipAsync(rows => rows.Count(r => r.Status == "Active") == Count, $"{Count} active silos", cancellationToken);
    }

    /// <summary>The membership rows of this cluster: one per silo generation.</summary>
    public async Task<IReadOnlyList<MembershipRow>> ReadMembershipAsync(CancellationToken cancellationToken)
    {
        var table = new TableClient(Azurite.ConnectionString, MembershipTable);
        var rows = new List<MembershipRow>();
        await foreach (var entity in table.QueryAsync<TableEntity>(e => e.PartitionKey == ClusterId, cancellationToken: cancellationToken))
        {
            // Orleans writes every column as a string.
            if (entity.GetString("Status") is { } status
                && int.TryParse(entity.GetString("Port"), CultureInfo.InvariantCulture, out var port)
                && int.TryParse(entity.GetString("Generation"), CultureInfo.InvariantCulture, out var generation))
            {
                rows.Add(new MembershipRow(port, generation, status));
            }
        }

        return rows;
    }

    /// <summary>Polls the membership table until <paramref name="condition"/> holds (bounded: a broken cluster fails the test, it does not hang it).</summary>
    public async Task<IReadOnlyList<MembershipRow>> WaitForMembershipAsync(
        Func<IReadOnlyList<MembershipRow>, bool> condition, string what, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        IReadOnlyList<MembershipRow> rows = [];
        while (waited.Elapsed < TimeSpan.FromSeconds(90))
        {
            rows = await ReadMembershipAsync(cancellationToken);
            if (condition(rows))
            {
                return rows;
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException($"membership never showed {what}; last rows: {string.Join(", ", rows)}");
    }

    /// <summary>The rows of the silo at <paramref name="index"/> (one per generation it ran as).</summary>
    public IEnumerable<MembershipRow> RowsOf(IReadOnlyList<MembershipRow> rows, int index) => rows.Where(r => r.Port == Ports[index].Silo);

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            if (silo is not null)
            {
                await silo.DisposeAsync();
            }
        }
    }
}

internal sealed record MembershipRow(int Port, int Generation, string Status);
