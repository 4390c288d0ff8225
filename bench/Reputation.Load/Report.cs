using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Reputation.Load;

/// <summary>
/// Turns the result lines bench.sh collected into the table of docs/performance.md: each target
/// with the figure measured in this run, and whether it was met.
/// </summary>
internal static partial class Report
{
    public const string Begin = "<!-- bench:begin -->";
    public const string End = "<!-- bench:end -->";

    public static async Task<int> RunAsync(Options o)
    {
        var results = Parse(await File.ReadAllLinesAsync(o.Text("results")));
        var work = o.Text("work");
        var small = o.Number("small");
        var large = o.Number("large");
        var markdown = Build(results, work, small, large, o.Text("command"), o.Text("commit", "unknown"));
        Console.WriteLine(markdown);
        if (o.Text("doc", "") is { Length: > 0 } doc)
        {
            var text = File.Exists(doc) ? await File.ReadAllTextAsync(doc) : "";
            var begin = text.IndexOf(Begin, StringComparison.Ordinal);
            var end = text.IndexOf(End, StringComparison.Ordinal);
            text = begin >= 0 && end > begin
                ? string.Concat(text.AsSpan(0, begin), markdown, text.AsSpan(end + End.Length))
                : text.TrimEnd() + "\n\n" + markdown + "\n";
            await File.WriteAllTextAsync(doc, text);
            Console.WriteLine($"written to {Path.GetFileName(doc)}");
        }

        return 0;
    }

    private static Dictionary<string, Dictionary<string, string>> Parse(IEnumerable<string> lines)
    {
        var results = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var line in lines.Where(l => l.Length > 0))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            results[parts[0]] = parts.Skip(1).Select(p => p.Split('=', 2)).Where(kv => kv.Length == 2)
                .ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
        }

        return results;
    }

    private static string Build(Dictionary<string, Dictionary<string, string>> r, string work, long small, long large, string command, string commit)
    {
        var md = new StringBuilder();
        md.AppendLine(Begin);
        md.AppendLine(Invariant($"### Measured by `./bench.sh` on {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC"));
        md.AppendLine();
        md.AppendLine(Invariant($"Machine: {Environment.ProcessorCount} cores, {MemoryGiB():0.0} GiB memory, {Environment.OSVersion.Platform} {Environment.OSVersion.Version}, .NET {Environment.Version}. Commit `{commit}`. Command: `{command}`."));
        md.AppendLine(Invariant($"Load: wrk -t2 -c32 on the same 2 cores as the service (loopback). Ratios are medians over the rounds, each round a baseline run then its decision run."));
        md.AppendLine();
        md.AppendLine("| measure | figure | target | met |");
        md.AppendLine("|---|---|---|---|");

        foreach (var kind in new[] { "request", "signup", "billing" })
        {
            var ratio = Ratio(r, "durable", kind, out var decisionRps, out var baselineRps);
            if (ratio is null)
            {
                continue;
            }

            var met = kind == "request" ? Met(ratio.Value >= 0.8) : "—";
            md.AppendLine(Invariant($"| {kind} decision / its baseline, throughput (Azure Table storage, {small:N0} accounts) | **{ratio:0.00}** ({decisionRps:N0} vs {baselineRps:N0} req/s) | {(kind == "request" ? "≥ 0.80" : "—")} | {met} |"));
            var (p50, p99, bp50, bp99) = Latencies(r, "durable", kind);
            md.AppendLine(Invariant($"| {kind}: p50 / p99 at the load tool, decision (baseline) | {p50:0.00} / {p99:0.00} ms ({bp50:0.00} / {bp99:0.00} ms) | — | — |"));
            if (ServerPercentiles(work, "durable", kind) is { } server)
            {
                md.AppendLine(Invariant($"| {kind}: server time p50 / p99 (decision histogram: the bucket each falls in) | {Bucket(server.P50, server.Below50)} / {Bucket(server.P99, server.Below99)} | {(kind == "request" ? "p99 < 1 ms" : "—")} | {(kind == "request" ? Met(server.P99 <= 0.001) : "—")} |"));
            }
        }

        var raw = Number(r, "durable.raw", "writes_per_s");
        if (Number(r, "durable.ingest", "events_per_s") is { } durableIngest)
        {
            md.AppendLine(raw is { } w
                ? Invariant($"| durable usage ingestion, batched writes (Azure Table storage), batches of 1,000 distinct of {small:N0} active accounts / raw Azurite upserts | **{durableIngest / w:0.00}** ({durableIngest:N0} events/s vs {w:N0} writes/s) | ≥ 10 | {Met(durableIngest / w >= 10)} |")
                : Invariant($"| durable usage ingestion, batched writes (Azure Table storage), batches of 1,000 distinct of {small:N0} active accounts | {durableIngest:N0} events/s | — | — |"));
        }

        if (Number(r, "pergrain.ingest", "events_per_s") is { } perGrainIngest && raw is { } rawWrites)
        {
            md.AppendLine(Invariant($"| the same with per-grain writes (Orleans' table provider, measured before the batched run on the same Azurite) / raw Azurite upserts | {perGrainIngest / rawWrites:0.00} ({perGrainIngest:N0} events/s vs {rawWrites:N0} writes/s) | — | — |"));
        }

        // The write-ahead log (docs/decisions/0039-write-ahead-log-ingest.md): against the raw rate measured
        // before it (after the batched phase) and after it, and against batched writes, in the same run.
        if (Number(r, "wal.ingest", "events_per_s") is { } walIngest)
        {
            var rawAfter = Number(r, "wal.raw", "writes_per_s");
            var lower = new[] { raw, rawAfter }.Where(w => w is not null).Select(w => w!.Value).DefaultIfEmpty(double.NaN).Max();
            md.AppendLine(Invariant($"| durable usage ingestion through the write-ahead log (Reputation:Ingest:Log=AppendBlob; state written behind), batches of 1,000 distinct of {small:N0} active accounts / raw Azurite upserts (the higher of before and after) | **{walIngest / lower:0.00}** ({walIngest:N0} events/s vs {raw:N0} and {rawAfter:N0} writes/s) | ≥ 10 | {Met(walIngest / lower >= 10)} |"));
            if (Number(r, "durable.ingest", "events_per_s") is { } batchedIngest)
            {
                md.AppendLine(Invariant($"| the write-ahead log / batched writes, the same ingestion | {walIngest / batchedIngest:0.00} ({walIngest:N0} vs {batchedIngest:N0} events/s) | — | — |"));
            }

            if (Number(r, "wal.worst", "events_per_s") is { } walWorst)
            {
                md.AppendLine(Invariant($"| the write-ahead log, every event a new account's (batches of 100) / raw Azurite upserts (the higher) | {walWorst / lower:0.00} ({walWorst:N0} events/s) | — | — |"));
            }
        }

        if (Number(r, "memory.ingest", "events_per_s") is { } memoryIngest)
        {
            md.AppendLine(Invariant($"| usage ingestion, memory storage, batches of 1000 over {large:N0} accounts (one silo) | {memoryIngest:N0} events/s | ≥ 50,000 | {Met(memoryIngest >= 50_000)} |"));
        }

        if (raw is { } single && Number(r, "durable.rawbatch", "writes_per_s") is { } batched)
        {
            md.AppendLine(Invariant($"| raw Azurite upserts in transactions of 100 rows (what batching can get from it at most) / single upserts | {batched / single:0.00} ({batched:N0} vs {single:N0} writes/s) | — | — |"));
        }

        foreach (var (name, writes) in new[] { ("durable.worst", "batched"), ("pergrain.worst", "per-grain") })
        {
            if (raw is { } w && Number(r, name, "events_per_s") is { } worst)
            {
                md.AppendLine(Invariant($"| durable ingestion, {writes} writes, every event a new account's (one account write each) / raw Azurite upserts | {worst / w:0.00} ({worst:N0} events/s vs {w:N0} writes/s) | — | — |"));
            }
        }

        var smallRatio = Ratio(r, "small", "request", out var smallRps, out _);
        var largeRatio = Ratio(r, "large", "request", out var largeRps, out _);
        if (smallRatio is { } s && largeRatio is { } l)
        {
            var change = (l / s) - 1;
            md.AppendLine(Invariant($"| request decision cost, {large:N0} vs {small:N0} accounts (memory storage; decision/baseline ratio at each) | {l:0.00} vs {s:0.00} ({change:+0.0%;-0.0%}; {largeRps:N0} vs {smallRps:N0} req/s) | within 10 % | {Met(Math.Abs(change) <= 0.10)} |"));
        }

        foreach (var (label, empty, full) in new[] { ("Azure Table storage", "durable.empty", "durable.small"), ("memory storage", "memory.empty", "memory.small"), ("memory storage", "memory.empty", "memory.large") })
        {
            if (PerAccount(work, empty, full) is { } m)
            {
                md.AppendLine(Invariant($"| memory per active account grain, {label}, {m.Accounts:N0} accounts (+{m.Others:N0} other grains) after a forced collection: heap / working set | {m.HeapPerAccount:N0} / {m.WorkingSetPerAccount:N0} bytes | ≤ 4,096 (heap) | {Met(m.HeapPerAccount <= 4096)} |"));
            }
        }

        md.AppendLine();
        md.AppendLine("Every run (wrk, client side):");
        md.AppendLine();
        md.AppendLine("| run | req/s | p50 ms | p99 ms | non-2xx | socket errors |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var (name, v) in r.Where(kv => kv.Value.ContainsKey("rps")))
        {
            md.AppendLine(Invariant($"| {name} | {double.Parse(v["rps"], CultureInfo.InvariantCulture):N0} | {v["p50_ms"]} | {v["p99_ms"]} | {v["non2xx"]} | {v["errors"]} |"));
        }

        md.AppendLine();
        md.AppendLine("Other runs:");
        md.AppendLine();
        foreach (var (name, v) in r.Where(kv => !kv.Value.ContainsKey("rps") && !kv.Key.StartsWith("heap.", StringComparison.Ordinal)))
        {
            md.AppendLine(Invariant($"- `{name}`: {string.Join(", ", v.Select(kv => $"{kv.Key} {kv.Value}"))}"));
        }

        md.Append(End);
        return md.ToString();
    }

    private static string Met(bool met) => met ? "yes" : "**no**";

    private static double? Number(Dictionary<string, Dictionary<string, string>> r, string name, string key) =>
        r.TryGetValue(name, out var v) && v.TryGetValue(key, out var text) ? double.Parse(text, CultureInfo.InvariantCulture) : null;

    /// <summary>Median over the rounds of decision req/s ÷ baseline req/s.</summary>
    private static double? Ratio(Dictionary<string, Dictionary<string, string>> r, string phase, string kind, out double decisionRps, out double baselineRps)
    {
        var ratios = new List<double>();
        var decisions = new List<double>();
        var baselines = new List<double>();
        for (var round = 1; ; round++)
        {
            var d = Number(r, Invariant($"{phase}.decision.{kind}.{round}"), "rps");
            var b = Number(r, Invariant($"{phase}.baseline.{kind}.{round}"), "rps");
            if (d is null || b is null)
            {
                break;
            }

            ratios.Add(d.Value / b.Value);
            decisions.Add(d.Value);
            baselines.Add(b.Value);
        }

        decisionRps = Median(decisions);
        baselineRps = Median(baselines);
        return ratios.Count == 0 ? null : Median(ratios);
    }

    private static (double P50, double P99, double BaselineP50, double BaselineP99) Latencies(Dictionary<string, Dictionary<string, string>> r, string phase, string kind)
    {
        double MedianOf(string run, string key) => Median([.. Enumerable.Range(1, 99)
            .Select(round => Number(r, Invariant($"{phase}.{run}.{kind}.{round}"), key))
            .TakeWhile(v => v is not null).Select(v => v!.Value)]);
        return (MedianOf("decision", "p50_ms"), MedianOf("decision", "p99_ms"), MedianOf("baseline", "p50_ms"), MedianOf("baseline", "p99_ms"));
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }

    /// <summary>
    /// p50 and p99 of the server's decision histogram over the measured runs of one kind: the
    /// difference of the bucket counts after and before each run, summed over the rounds; each
    /// percentile is the upper bound of the bucket it falls in.
    /// </summary>
    private static (double P50, double P99, double Below50, double Below99)? ServerPercentiles(string work, string phase, string kind)
    {
        var buckets = new SortedDictionary<double, double>();
        for (var round = 1; ; round++)
        {
            var before = Path.Combine(work, Invariant($"metrics-{phase}.{kind}.{round}.before.txt"));
            var after = Path.Combine(work, Invariant($"metrics-{phase}.{kind}.{round}.after.txt"));
            if (!File.Exists(before) || !File.Exists(after))
            {
                break;
            }

            foreach (var (le, count) in Buckets(after, kind))
            {
                buckets[le] = buckets.GetValueOrDefault(le) + count;
            }

            foreach (var (le, count) in Buckets(before, kind))
            {
                buckets[le] = buckets.GetValueOrDefault(le) - count;
            }
        }

        var total = buckets.Count > 0 ? buckets.Last().Value : 0;
        if (total <= 0)
        {
            return null;
        }

        double At(double q) => buckets.First(b => b.Value >= q * total).Key;
        double Below(double le) => buckets.LastOrDefault(b => b.Key < le).Key;
        var p50 = At(0.50);
        var p99 = At(0.99);
        return (p50, p99, Below(p50), Below(p99));
    }

    /// <summary>"0.25–0.5 ms" for the bucket (below, le]; "> 1000 ms" for the overflow bucket.</summary>
    private static string Bucket(double le, double below) =>
        double.IsPositiveInfinity(le) ? Invariant($"> {below * 1000:0.###} ms") : Invariant($"{below * 1000:0.###}–{le * 1000:0.###} ms");

    private static Dictionary<double, double> Buckets(string file, string kind)
    {
        var buckets = new Dictionary<double, double>();
        foreach (var line in File.ReadLines(file))
        {
            var m = BucketLine().Match(line);
            if (!m.Success || !m.Groups["labels"].Value.Contains(Invariant($"kind=\"{kind}\""), StringComparison.Ordinal))
            {
                continue;
            }

            var le = m.Groups["le"].Value == "+Inf" ? double.PositiveInfinity : double.Parse(m.Groups["le"].Value, CultureInfo.InvariantCulture);
            buckets[le] = buckets.GetValueOrDefault(le) + double.Parse(m.Groups["count"].Value, CultureInfo.InvariantCulture);
        }

        return buckets;
    }

    [GeneratedRegex("""^reputation_decision_duration_seconds_bucket\{(?<labels>[^}]*)le="(?<le>[^"]+)"[^}]*\}\s+(?<count>[0-9.eE+]+)""")]
    private static partial Regex BucketLine();

    private sealed record MemoryPerAccount(long Accounts, long Others, double HeapPerAccount, double WorkingSetPerAccount);

    /// <summary>Heap and working set grown between two reports, per account activation added.</summary>
    private static MemoryPerAccount? PerAccount(string work, string empty, string full)
    {
        var before = Path.Combine(work, $"memory-{empty}.json");
        var after = Path.Combine(work, $"memory-{full}.json");
        if (!File.Exists(before) || !File.Exists(after))
        {
            return null;
        }

        using var a = JsonDocument.Parse(File.ReadAllText(before));
        using var b = JsonDocument.Parse(File.ReadAllText(after));
        static (long Heap, long WorkingSet, long Accounts, long Others) Read(JsonDocument d)
        {
            var root = d.RootElement;
            long accounts = 0, others = 0;
            foreach (var p in root.GetProperty("activations").EnumerateObject())
            {
                if (p.Name.Contains("account", StringComparison.OrdinalIgnoreCase))
                {
                    accounts += p.Value.GetInt64();
                }
                else
                {
                    others += p.Value.GetInt64();
                }
            }

            return (root.GetProperty("managedHeapBytes").GetInt64(), root.GetProperty("workingSetBytes").GetInt64(), accounts, others);
        }

        var x = Read(a);
        var y = Read(b);
        var added = y.Accounts - x.Accounts;
        return added <= 0 ? null : new MemoryPerAccount(added, y.Others - x.Others, (double)(y.Heap - x.Heap) / added, (double)(y.WorkingSet - x.WorkingSet) / added);
    }

    private static double MemoryGiB()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0;
        }
        catch (IOException)
        {
            return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024.0 / 1024.0 / 1024.0;
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
