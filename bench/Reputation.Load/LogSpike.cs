using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Reputation.Contracts;
using Reputation.Storage.Log;

namespace Reputation.Load;

/// <summary>
/// The write-ahead-log spike of issue 12 (docs/decisions/0037-write-ahead-log.md), side by side on
/// one Azurite: its raw single-upsert rate (as <c>raw</c> measures it), then batches of N usage
/// events — the service's own contract, serialised by its source-generated JSON context — logged
/// (a) as one framed append per batch to append blobs under a lease, one blob or one per silo, and
/// (b) as rows of entity-group transactions, one row per chunk of the batch. Each measurement runs
/// for <c>--seconds</c> with <c>--inflight</c> batches outstanding; the raw rate is measured first
/// and again last, since Azurite slows as it holds more. One <c>result</c> line per measurement.
/// </summary>
internal static class LogSpike
{
    private const int DistinctBatches = 8;

    public static async Task<int> RunAsync(Options o)
    {
        var connection = o.Text("connection-string");
        var seconds = TimeSpan.FromSeconds(o.Number("seconds", 8));
        var inflight = (int)o.Number("inflight", 8);
        var run = Guid.NewGuid().ToString("N")[..8];
        var blobs = new BlobServiceClient(connection);
        var batches = new Dictionary<int, byte[][]>
        {
            [100] = [.. Enumerable.Range(0, DistinctBatches).Select(b => Batch(run, b, 100))],
            [1000] = [.. Enumerable.Range(0, DistinctBatches).Select(b => Batch(run, b, 1000))],
        };
        foreach (var (n, payloads) in batches)
        {
            Result($"measure=payload events_per_batch={n} bytes_per_batch={payloads.Average(p => p.Length):0} bytes_per_event={payloads.Average(p => p.Length) / n:0}");
        }

        var raw = await RawAsync(connection, seconds, "raw.first");
        await TableBatchRowsAsync(connection, seconds);

        foreach (var (n, payloads) in batches)
        {
            foreach (var segments in new[] { 1, 4 })
            {
                await AppendAsync(blobs, run, payloads, n, segments, inflight, lease: true, seconds, raw);
            }

            await AppendAsync(blobs, run, payloads, n, segments: 1, inflight, lease: false, seconds, raw);
        }

        await AppendAsync(blobs, run, batches[1000], 1000, segments: 1, inflight: 1, lease: true, seconds, raw);
        await TakeOverAsync(blobs, run, batches[1000]);

        foreach (var (n, payloads) in batches)
        {
            await TableLogAsync(connection, payloads, n, chunkBytes: 2_000, inflight, seconds, raw);
        }

        await TableLogAsync(connection, batches[1000], 1000, chunkBytes: 60_000, inflight, seconds, raw);
        await RawAsync(connection, seconds, "raw.last");
        return 0;
    }

    /// <summary>A batch of usage summaries of distinct accounts as the ingest path receives it, serialised once.</summary>
    private static byte[] Batch(string run, int b, int n)
    {
        var now = DateTimeOffset.UtcNow;
        var events = Enumerable.Range(0, n).Select(k =>
        {
            var i = (b * n) + k;
            return new IngestEvent
            {
                Id = Guid.NewGuid().ToString(), Type = EventType.Usage, AccountId = Population.Account(i % 10_000),
                OccurredAt = now, Ip = Population.Ip(i % 10_000), Requests = 1 + (k % 5), InputTokens = 800, OutputTokens = 400,
                Model = "frontier-large", PromptFingerprints = [$"{run}{i:x8}", $"{i:x8}{run}"],
            };
        }).ToList();
        return JsonSerializer.SerializeToUtf8Bytes(new EventBatch { Events = events }, ContractsJsonContext.Default.EventBatch);
    }

    private static async Task<double> RawAsync(string connection, TimeSpan seconds, string label)
    {
        var table = new TableClient(connection, "LogRaw" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateIfNotExistsAsync();
        var m = await MeasureAsync(label, 16, seconds, async (worker, i) =>
        {
            await table.UpsertEntityAsync(new TableEntity($"p{worker}", i.ToString(CultureInfo.InvariantCulture)) { ["Data"] = new string('x', 600) });
            return (1, 600);
        });
        await table.DeleteAsync();
        Result($"measure={label} concurrency=16 writes={m.Operations} seconds={m.Seconds:0.0} writes_per_s={m.OperationsPerSecond:0}");
        return m.OperationsPerSecond;
    }

    /// <summary>Azurite's ceiling for batching rows: transactions of 100 small rows, as <c>raw --rows 100</c>.</summary>
    private static async Task TableBatchRowsAsync(string connection, TimeSpan seconds)
    {
        var table = new TableClient(connection, "LogRows" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateIfNotExistsAsync();
        var m = await MeasureAsync("rows100", 4, seconds, async (worker, i) =>
        {
            await table.SubmitTransactionAsync([.. Enumerable.Range(0, 100).Select(r => new TableTransactionAction(
                TableTransactionActionType.UpsertReplace,
                new TableEntity($"p{worker}", string.Create(CultureInfo.InvariantCulture, $"{i}-{r}")) { ["Data"] = new string('x', 600) }))]);
            return (100, 60_000);
        });
        await table.DeleteAsync();
        Result($"measure=raw.rows100 concurrency=4 rows={m.Events} seconds={m.Seconds:0.0} rows_per_s={m.EventsPerSecond:0}");
    }

    private static async Task AppendAsync(
        BlobServiceClient blobs, string run, byte[][] payloads, int n, int segments, int inflight, bool lease, TimeSpan seconds, double raw)
    {
        var container = blobs.GetBlobContainerClient($"log-{run}-{n}-{segments}-{(lease ? "l" : "n")}-{inflight}");
        await container.CreateIfNotExistsAsync();
        var clients = Enumerable.Range(0, segments).Select(s => container.GetAppendBlobClient($"silo-{s}/segment-0")).ToArray();
        var logs = new AppendBlobLog[segments];
        for (var s = 0; s < segments; s++)
        {
            if (lease)
            {
                logs[s] = await AppendBlobLog.OpenAsync(clients[s]);
            }
            else
            {
                await clients[s].CreateIfNotExistsAsync();
            }
        }

        var label = $"append.{n}.{segments}{(lease ? "" : ".nolease")}";
        var m = await MeasureAsync(label, inflight, seconds, async (worker, i) =>
        {
            var payload = payloads[(int)(i % payloads.Length)];
            var s = worker % segments;
            if (lease)
            {
                await logs[s].AppendAsync(payload);
            }
            else
            {
                using var frame = new MemoryStream(LogFrames.Frame(payload), writable: false);
                await clients[s].AppendBlockAsync(frame);
            }

            return (n, payload.Length + LogFrames.HeaderSize);
        });

        // Every append acknowledged is in the log, whole: read the segments back.
        var frames = 0L;
        foreach (var client in clients)
        {
            var contents = await AppendBlobLog.ReadAsync(client);
            frames += contents.Payloads.Count;
            if (contents.IgnoredBytes != 0)
            {
                throw new InvalidOperationException($"{client.Name}: {contents.IgnoredBytes} bytes after the last whole frame");
            }
        }

        if (frames != m.Operations)
        {
            throw new InvalidOperationException($"{label}: {m.Operations} appends acknowledged, {frames} frames read back");
        }

        await container.DeleteAsync();
        Result($"measure={label} events_per_append={n} segments={segments} lease={lease.ToString().ToLowerInvariant()} inflight={inflight} appends={m.Operations} seconds={m.Seconds:0.0} appends_per_s={m.OperationsPerSecond:0} events_per_s={m.EventsPerSecond:0} mb_per_s={m.BytesPerSecond / 1e6:0.0} per_raw_upsert={m.EventsPerSecond / raw:0.0}");
    }

    /// <summary>
    /// A survivor's side of a take-over: break the lease of a segment of about 100,000 events, lease it
    /// anew, read it back and parse every event; and the old writer's next append, which must be refused.
    /// </summary>
    private static async Task TakeOverAsync(BlobServiceClient blobs, string run, byte[][] payloads)
    {
        var container = blobs.GetBlobContainerClient($"log-{run}-takeover");
        await container.CreateIfNotExistsAsync();
        var blob = container.GetAppendBlobClient("silo-0/segment-0");
        var writer = await AppendBlobLog.OpenAsync(blob);
        for (var i = 0; i < 100; i++)
        {
            await writer.AppendAsync(payloads[i % payloads.Length]);
        }

        var clock = Stopwatch.StartNew();
        var survivor = await AppendBlobLog.TakeOverAsync(blob);
        var fenced = clock.Elapsed.TotalMilliseconds;
        var contents = await AppendBlobLog.ReadAsync(blob);
        var read = clock.Elapsed.TotalMilliseconds;
        var events = contents.Payloads.Sum(p => JsonSerializer.Deserialize(p.Span, ContractsJsonContext.Default.EventBatch)!.Events.Count);
        var parsed = clock.Elapsed.TotalMilliseconds;
        var refused = false;
        try
        {
            await writer.AppendAsync(payloads[0]);
        }
        catch (LogFencedException)
        {
            refused = true;
        }

        await survivor.AppendAsync(payloads[0]);
        await container.DeleteAsync();
        Result($"measure=takeover events={events} frames={contents.Payloads.Count} break_and_lease_ms={fenced:0} read_ms={read - fenced:0} parse_ms={parsed - read:0} replay_read_events_per_s={events / (parsed / 1000):0} stale_writer_refused={refused.ToString().ToLowerInvariant()}");
    }

    /// <summary>
    /// The alternative "table batch" log: a batch as rows of <paramref name="chunkBytes"/> of one
    /// partition (one per silo), in entity-group transactions of at most 100 rows; a batch is logged
    /// when all its transactions are stored.
    /// </summary>
    private static async Task TableLogAsync(string connection, byte[][] payloads, int n, int chunkBytes, int inflight, TimeSpan seconds, double raw)
    {
        var table = new TableClient(connection, "LogRows" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateIfNotExistsAsync();
        var rowsPerBatch = 0L;
        var m = await MeasureAsync($"table.{n}.{chunkBytes}", inflight, seconds, async (worker, i) =>
        {
            var payload = payloads[(int)(i % payloads.Length)];
            var rows = new List<TableTransactionAction>();
            for (var offset = 0; offset < payload.Length; offset += chunkBytes)
            {
                var chunk = payload.AsMemory(offset, Math.Min(chunkBytes, payload.Length - offset)).ToArray();
                rows.Add(new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(
                    $"silo-{worker % 4}", string.Create(CultureInfo.InvariantCulture, $"{worker:x4}{i:x12}-{offset:x8}")) { ["Data"] = chunk }));
            }

            Interlocked.Exchange(ref rowsPerBatch, rows.Count);
            await Task.WhenAll(rows.Chunk(100).Select(t => table.SubmitTransactionAsync(t)));
            return (n, payload.Length);
        });
        await table.DeleteAsync();
        Result($"measure=table.{n}.{chunkBytes} events_per_batch={n} chunk_bytes={chunkBytes} rows_per_batch={rowsPerBatch} inflight={inflight} batches={m.Operations} seconds={m.Seconds:0.0} batches_per_s={m.OperationsPerSecond:0} events_per_s={m.EventsPerSecond:0} mb_per_s={m.BytesPerSecond / 1e6:0.0} per_raw_upsert={m.EventsPerSecond / raw:0.0}");
    }

    private sealed record Measured(long Operations, long Events, long Bytes, double Seconds)
    {
        public double OperationsPerSecond => Operations / Seconds;
        public double EventsPerSecond => Events / Seconds;
        public double BytesPerSecond => Bytes / Seconds;
    }

    /// <summary>Runs <paramref name="workers"/> loops of <paramref name="operation"/> for a bounded time; each returns the events and bytes it stored.</summary>
    private static async Task<Measured> MeasureAsync(string label, int workers, TimeSpan duration, Func<int, long, Task<(long Events, long Bytes)>> operation)
    {
        long operations = 0, events = 0, bytes = 0, next = 0;
        var clock = Stopwatch.StartNew();
        using (new Timer(_ => Console.Error.WriteLine($"    {label}: {Interlocked.Read(ref operations):N0} operations"), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)))
        {
            await Task.WhenAll(Enumerable.Range(0, workers).Select(async worker =>
            {
                while (clock.Elapsed < duration)
                {
                    var (e, b) = await operation(worker, Interlocked.Increment(ref next));
                    Interlocked.Increment(ref operations);
                    Interlocked.Add(ref events, e);
                    Interlocked.Add(ref bytes, b);
                }
            }));
        }

        return new Measured(operations, events, bytes, clock.Elapsed.TotalSeconds);
    }

    private static void Result(string line) => Console.WriteLine("result " + line);
}
