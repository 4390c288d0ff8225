using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Reputation.Client;
using Reputation.Contracts;
using Reputation.Load;

// The load driver of ./bench.sh: fills the service with a population through its API and measures
// ingestion. Each command prints one result line starting with "result " (key=value pairs) that
// bench.sh reads, and a progress line every few seconds on stderr.
//
//   populate   --url U --key K --from N --to M [--concurrency C]
//   ingest     --url U --key K --accounts N --seconds S [--batch B] [--concurrency C] [--label L] [--distinct true]
//              [--fingerprints F] [--model M]
//   raw        --connection-string CS --seconds S [--concurrency C] [--rows R]
//   durable    --url U --key K --seconds S [--batch B] [--concurrency C]
//   drop       --connection-string CS --table T
//   log        --connection-string CS [--seconds S] [--inflight I]   the write-ahead-log spike (decision 0037)
//   report     --results F --work DIR --command C --commit X --small N --large M [--doc docs/performance.md]
var command = args.Length > 0 ? args[0] : "";
var options = Options.Parse(args.Skip(1));
try
{
    return command switch
    {
        "populate" => await Commands.PopulateAsync(options),
        "ingest" => await Commands.IngestAsync(options),
        "raw" => await Commands.RawAsync(options),
        "durable" => await Commands.DurableAsync(options),
        "drop" => await Commands.DropAsync(options),
        "log" => await LogSpike.RunAsync(options),
        "report" => await Report.RunAsync(options),
        _ => Usage(),
    };
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync($"reputation-load: {ex.Message}");
    return 2;
}

static int Usage()
{
    Console.Error.WriteLine("usage: Reputation.Load populate|ingest|raw|durable|drop|log|report --option value ... (see bench.sh)");
    return 2;
}

internal sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static Options Parse(IEnumerable<string> args)
    {
        var o = new Options();
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var name = e.Current;
            if (!name.StartsWith("--", StringComparison.Ordinal) || !e.MoveNext())
            {
                throw new ArgumentException($"expected --name value, got '{name}'");
            }

            o._values[name[2..]] = e.Current;
        }

        return o;
    }

    public string Text(string name) =>
        _values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");

    public string Text(string name, string fallback) => _values.TryGetValue(name, out var v) ? v : fallback;

    public long Number(string name) => long.Parse(Text(name), CultureInfo.InvariantCulture);

    public long Number(string name, long fallback) =>
        _values.TryGetValue(name, out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : fallback;
}

internal static class Commands
{
    private static readonly TimeSpan s_progressEvery = TimeSpan.FromSeconds(5);

    private static ReputationClient Client(Options o)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(o.Text("url")) };
        return ReputationClient.Create(http, new ReputationClientOptions
        {
            BaseAddress = new Uri(o.Text("url")),
            ApiKey = o.Text("key"),
            DecisionTimeout = TimeSpan.FromSeconds(30),
            IngestTimeout = TimeSpan.FromMinutes(2),
        });
    }

    /// <summary>Signs up accounts [from, to) with their IP and card, and one usage summary each.</summary>
    public static async Task<int> PopulateAsync(Options o)
    {
        var from = o.Number("from");
        var to = o.Number("to");
        var concurrency = (int)o.Number("concurrency", 4);
        const int AccountsPerBatch = 500;
        var client = Client(o);
        var now = DateTimeOffset.UtcNow;
        var next = from;
        long accepted = 0, rejected = 0;
        var clock = Stopwatch.StartNew();
        using var progress = Progress(() => $"populate: {Interlocked.Read(ref next) - from:N0} of {to - from:N0} accounts");
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (true)
            {
                var start = Interlocked.Add(ref next, AccountsPerBatch) - AccountsPerBatch;
                if (start >= to)
                {
                    return;
                }

                var events = new List<IngestEvent>(AccountsPerBatch * 2);
                for (var i = start; i < Math.Min(start + AccountsPerBatch, to); i++)
                {
                    var account = Population.Account(i);
                    var ip = Population.Ip(i);
                    events.Add(new IngestEvent
                    {
                        Id = account + "-signup", Type = EventType.Signup, AccountId = account, OccurredAt = now,
                        Ip = ip, PaymentFingerprint = Population.Card(i), Country = "NL",
                    });
                    events.Add(new IngestEvent
                    {
                        Id = account + "-usage-0", Type = EventType.Usage, AccountId = account, OccurredAt = now,
                        Ip = ip, Requests = 10, InputTokens = 5_000, OutputTokens = 2_000,
                    });
                }

                var result = await client.IngestAsync(new EventBatch { Events = events });
                Interlocked.Add(ref accepted, result.Accepted + result.Duplicates);
                Interlocked.Add(ref rejected, result.Rejected.Count);
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        Result($"accounts={to - from} events={accepted} rejected={rejected} seconds={seconds:0.0} events_per_s={accepted / seconds:0}");
        return rejected == 0 ? 0 : 1;
    }

    /// <summary>
    /// Usage summaries for random accounts of the population in batches (unique ids, so none is a
    /// duplicate), for a bounded time. With <c>--distinct true</c> no account is twice in a batch.
    /// With <c>--fingerprints F</c> each summary carries F prompt fingerprints of the account's own
    /// templates (<see cref="Population.Fingerprint"/>: shared by the accounts of its template
    /// group), and with <c>--model M</c> names model M: the template buckets' share of the fan-out.
    /// </summary>
    public static async Task<int> IngestAsync(Options o)
    {
        var accounts = o.Number("accounts");
        var seconds = o.Number("seconds");
        var batch = (int)o.Number("batch", 1000);
        var concurrency = (int)o.Number("concurrency", 4);
        var label = o.Text("label", "ingest");
        var distinct = bool.Parse(o.Text("distinct", "false"));
        var fingerprints = (int)o.Number("fingerprints", 0);
        var model = o.Text("model", "");
        if (fingerprints is < 0 or > 64)
        {
            throw new ArgumentException($"--fingerprints takes 0 to 64, not {fingerprints}");
        }

        if (distinct && batch > accounts)
        {
            throw new ArgumentException($"--distinct needs --batch ({batch}) at most --accounts ({accounts})");
        }

        var run = Guid.NewGuid().ToString("N")[..8];
        var client = Client(o);
        long accepted = 0, duplicates = 0, rejected = 0, batches = 0, sequence = 0;
        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        using var progress = Progress(() => $"{label}: {Interlocked.Read(ref accepted):N0} events accepted");
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var random = new Random(worker);
            var order = distinct ? new long[accounts] : null;
            for (var i = 0L; i < (order?.Length ?? 0); i++)
            {
                order![i] = i;
            }

            while (clock.Elapsed < deadline)
            {
                var now = DateTimeOffset.UtcNow;
                var events = new IngestEvent[batch];
                for (var k = 0; k < batch; k++)
                {
                    var i = order is null ? random.NextInt64(accounts) : Draw(order, k, random);
                    events[k] = new IngestEvent
                    {
                        Id = string.Create(CultureInfo.InvariantCulture, $"{run}-{Interlocked.Increment(ref sequence)}"),
                        Type = EventType.Usage, AccountId = Population.Account(i), OccurredAt = now,
                        Ip = Population.Ip(i), Requests = 1 + (k % 5), InputTokens = 800, OutputTokens = 400,
                        PromptFingerprints = fingerprints == 0 ? null : [.. Enumerable.Range(0, fingerprints).Select(f => Population.Fingerprint(i, f))],
                        Model = model.Length == 0 ? null : model,
                    };
                }

                var result = await client.IngestAsync(new EventBatch { Events = events });
                Interlocked.Add(ref accepted, result.Accepted);
                Interlocked.Add(ref duplicates, result.Duplicates);
                Interlocked.Add(ref rejected, result.Rejected.Count);
                Interlocked.Increment(ref batches);
            }
        }));
        var elapsed = clock.Elapsed.TotalSeconds;
        // Every id is new, so a duplicate is an event the client re-sent after an attempt that
        // stored it but did not answer in time: stored once, counted in the rate.
        Result($"label={label} distinct={distinct.ToString().ToLowerInvariant()} fingerprints={fingerprints} events={accepted + duplicates} accepted={accepted} resent_duplicates={duplicates} rejected={rejected} batches={batches} batch={batch} concurrency={concurrency} seconds={elapsed:0.0} events_per_s={(accepted + duplicates) / elapsed:0}");
        return rejected == 0 ? 0 : 1;
    }

    /// <summary>The k-th of a batch drawn without repeats: one step of a Fisher-Yates shuffle of <paramref name="order"/>.</summary>
    private static long Draw(long[] order, int k, Random random)
    {
        var j = random.NextInt64(k, order.Length);
        (order[k], order[j]) = (order[j], order[k]);
        return order[k];
    }

    /// <summary>
    /// Raw upserts of small entities into a table of their own: the storage's own write rate. With
    /// <c>--rows R</c> (2-100), R rows of one partition per request in an entity-group transaction:
    /// what any batching of writes can get from the storage at most.
    /// </summary>
    public static async Task<int> RawAsync(Options o)
    {
        var seconds = o.Number("seconds");
        var concurrency = (int)o.Number("concurrency", 16);
        var rows = (int)o.Number("rows", 1);
        if (rows is < 1 or > 100)
        {
            throw new ArgumentException($"--rows takes 1 to 100, not {rows}");
        }

        var table = new TableClient(o.Text("connection-string"), "BenchRaw" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateIfNotExistsAsync();
        long writes = 0;
        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        using (Progress(() => $"raw storage: {Interlocked.Read(ref writes):N0} writes"))
        {
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
            {
                for (var i = 0; clock.Elapsed < deadline; i++)
                {
                    var row = i.ToString(CultureInfo.InvariantCulture);
                    if (rows == 1)
                    {
                        await table.UpsertEntityAsync(new TableEntity($"p{worker}", row) { ["Data"] = new string('x', 600) });
                    }
                    else
                    {
                        await table.SubmitTransactionAsync([.. Enumerable.Range(0, rows).Select(r => new TableTransactionAction(
                            TableTransactionActionType.UpsertReplace,
                            new TableEntity($"p{worker}", string.Create(CultureInfo.InvariantCulture, $"{row}-{r}")) { ["Data"] = new string('x', 600) }))]);
                    }

                    Interlocked.Add(ref writes, rows);
                }
            }));
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        await table.DeleteAsync();
        Result($"writes={writes} rows_per_request={rows} concurrency={concurrency} seconds={elapsed:0.0} writes_per_s={writes / elapsed:0}");
        return 0;
    }

    /// <summary>
    /// Usage summaries where every event is a different account's (no two events share a grain
    /// write), so each accepted event costs one durable account write: the worst case next to raw.
    /// </summary>
    public static async Task<int> DurableAsync(Options o)
    {
        var seconds = o.Number("seconds");
        var batch = (int)o.Number("batch", 100);
        var concurrency = (int)o.Number("concurrency", 4);
        var client = Client(o);
        var run = Guid.NewGuid().ToString("N")[..8];
        long accepted = 0, rejected = 0, sequence = 0;
        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        using var progress = Progress(() => $"durable: {Interlocked.Read(ref accepted):N0} events accepted");
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (clock.Elapsed < deadline)
            {
                var now = DateTimeOffset.UtcNow;
                var events = new IngestEvent[batch];
                for (var k = 0; k < batch; k++)
                {
                    var n = Interlocked.Increment(ref sequence);
                    events[k] = new IngestEvent
                    {
                        Id = string.Create(CultureInfo.InvariantCulture, $"{run}-{n}"), Type = EventType.Usage,
                        AccountId = string.Create(CultureInfo.InvariantCulture, $"d-{run}-{n}"), OccurredAt = now,
                        Ip = string.Create(CultureInfo.InvariantCulture, $"198.18.{n % 8}.{1 + (n % 200)}"), Requests = 1,
                    };
                }

                var result = await client.IngestAsync(new EventBatch { Events = events });
                Interlocked.Add(ref accepted, result.Accepted);
                Interlocked.Add(ref rejected, result.Rejected.Count);
            }
        }));
        var elapsed = clock.Elapsed.TotalSeconds;
        Result($"events={accepted} rejected={rejected} batch={batch} concurrency={concurrency} seconds={elapsed:0.0} events_per_s={accepted / elapsed:0}");
        return rejected == 0 ? 0 : 1;
    }

    /// <summary>Deletes a table, so that what is measured next starts on an empty store (Azurite slows as it holds more).</summary>
    public static async Task<int> DropAsync(Options o)
    {
        await new TableClient(o.Text("connection-string"), o.Text("table")).DeleteAsync();
        return 0;
    }

    private static void Result(string line) => Console.WriteLine("result " + line);

    private static Timer Progress(Func<string> line) =>
        new(_ => Console.Error.WriteLine("    " + line()), null, s_progressEvery, s_progressEvery);
}
