using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Reputation.Contracts;

namespace Reputation.Integration.Tests;

/// <summary>
/// Durable ingestion, with batched and with per-grain storage writes, next to the raw write rate of
/// the same Azurite, measured in one run and reported (docs/decisions/0012-durability.md and
/// 0019-batched-table-storage.md). Figures are printed, not asserted: the machines are noisy. What
/// is asserted is that every accepted event is counted.
/// </summary>
public sealed class IngestionRateTests
{
    private static readonly TimeSpan s_phase = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task Durable_ingestion_and_raw_storage_writes_measured_side_by_side_and_nothing_accepted_is_lost()
    {
        var ct = TestContext.Current.CancellationToken;

        // Raw: upserts of small entities into a table of their own, 16 at a time (the service's
        // writes go through the same client library).
        var rawTable = new TableClient(Azurite.ConnectionString, Azurite.UniqueTable("Raw"));
        await rawTable.CreateIfNotExistsAsync(ct);
        long rawWrites = 0;
        var raw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async worker =>
        {
            for (var i = 0; raw.Elapsed < s_phase; i++)
            {
                await rawTable.UpsertEntityAsync(new TableEntity($"p{worker}", i.ToString(CultureInfo.InvariantCulture)) { ["Data"] = new string('x', 200) }, cancellationToken: ct);
                Interlocked.Increment(ref rawWrites);
            }
        }));
        raw.Stop();
        var rawRate = rawWrites / raw.Elapsed.TotalSeconds;

        // Durable: usage summaries of 400 accounts behind 8 shared ranges, in batches of 200, 4 at a
        // time; with batched storage writes (the default) and with one request per grain write.
        var batched = await DurableAsync("Batched", ct);
        var perGrain = await DurableAsync("PerGrain", ct);

        TestContext.Current.SendDiagnosticMessage(string.Create(CultureInfo.InvariantCulture,
            $"Azurite raw writes: {rawRate:0} writes/s ({rawWrites} in {raw.Elapsed.TotalSeconds:0.0} s, 16 concurrent); " +
            $"durable ingestion (batches of 200, 4 concurrent, 400 accounts on 8 ranges): batched writes {batched:0} events/s, " +
            $"ratio {batched / rawRate:0.00} events per raw write; per-grain writes {perGrain:0} events/s, ratio {perGrain / rawRate:0.00}"));
    }

    /// <summary>Ingests for a while through a service with these storage writes; asserts every accepted event is counted; answers events/s.</summary>
    private static async Task<double> DurableAsync(string writes, CancellationToken ct)
    {
        var ports = ServiceProcess.Ports.Free();
        var settings = new Dictionary<string, string> { ["Reputation__Storage__Writes"] = writes };
        await using var service = ServiceProcess.Start(ports, Azurite.ConnectionString, Azurite.UniqueTable("Rate"), settings: settings);
        await service.WaitUntilReadyAsync(ct);
        var client = service.CreateClient("dev-service-key");
        var now = DateTimeOffset.UtcNow;
        long accepted = 0, next = 0;
        var requestsByAccount = new long[400];
        var durable = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (durable.Elapsed < s_phase)
            {
                var events = Enumerable.Range(0, 200).Select(_ =>
                {
                    var n = Interlocked.Increment(ref next);
                    var account = (int)(n % 400);
                    return new IngestEvent
                    {
                        Id = string.Create(CultureInfo.InvariantCulture, $"rate-{n}"),
                        Type = EventType.Usage,
                        AccountId = string.Create(CultureInfo.InvariantCulture, $"rate-acct-{account}"),
                        OccurredAt = now,
                        Ip = string.Create(CultureInfo.InvariantCulture, $"198.18.{account % 8}.{1 + (account % 200)}"),
                        Requests = 1 + (n % 3),
                    };
                }).ToList();
                var result = await client.IngestAsync(new EventBatch { Events = events }, ct);
                Assert.Empty(result.Rejected);
                Interlocked.Add(ref accepted, result.Accepted);
                foreach (var e in events)
                {
                    Interlocked.Add(ref requestsByAccount[int.Parse(e.AccountId["rate-acct-".Length..], CultureInfo.InvariantCulture)], e.Requests!.Value);
                }
            }
        }));
        var rate = accepted / durable.Elapsed.TotalSeconds;

        // Every accepted request is in its account (the client retried nothing it was not told was accepted).
        Assert.Equal(next, accepted);
        foreach (var account in new[] { 0, 1, 199, 399 })
        {
            var view = await client.GetAccountAsync(string.Create(CultureInfo.InvariantCulture, $"rate-acct-{account}"), ct);
            Assert.Equal(requestsByAccount[account], view?.Usage.RequestsTotal);
        }

        return rate;
    }
}
