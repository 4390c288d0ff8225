using BenchmarkDotNet.Attributes;
using Reputation.Core.Networks;
using Reputation.Core.Prompts;
using Reputation.Core.Scoring;
using Reputation.Core.Sketches;
using Reputation.Core.Windows;

namespace Reputation.Benchmarks;

/// <summary>The decision path's pure work: scoring an account from its facts and its linked entities'.</summary>
[MemoryDiagnoser]
public class ScoringBenchmarks
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly ScoringPolicy _policy = ScoringPolicy.Default;
    private readonly InstrumentFacts[] _instruments = [new(DistinctAccounts: 6, Chargebacks: 1, Declines: 3) { RequestsLastHour = 4000, Risk = 0.4 }];
    private readonly TemplateFacts[] _templates = [new(SharingAccounts: 120, RequestsLastHour: 9000) { Risk = 0.3, TrafficShare = 0.6 }];
    private readonly RangeFacts[] _others = [new("203.0.113.0/24", 0, 40) { Risk = 0.2 }];

    [Benchmark(Description = "score: a new account, nothing linked")]
    public double Lone() => Scorer.Score(_policy, s_now, new ScoreInputs { Account = new AccountFacts(s_now.AddHours(-2), 3) }).Score;

    [Benchmark(Description = "score: every signal on")]
    public double Linked() => Scorer.Score(_policy, s_now, new ScoreInputs
    {
        Account = new AccountFacts(s_now.AddHours(-2), 40) { RequestsLastHour = 300, ReasoningShare = 0.5, RequestsFirstHour = 500, RangesLastDay = 5 },
        Range = new RangeFacts("198.51.100.0/24", SignupsLastHour: 9, DistinctAccounts: 240) { RequestsLastHour = 20000, Risk = 0.35, PeakActivations = 30 },
        Instruments = _instruments,
        Templates = _templates,
        OtherRanges = _others,
    }).Score;
}

[MemoryDiagnoser]
public class FingerprintBenchmarks
{
    private const string Prompt = "You are an expert Rust engineer. Solve the task below and show your full working before the final code block. Task: merge overlapping intervals";

    [Benchmark(Description = "SimHash of a templated prompt")]
    public ulong Fingerprint() => SimHash.Compute(Prompt);
}

[MemoryDiagnoser]
public class SketchBenchmarks
{
    private readonly HyperLogLog _hll = new();
    private readonly HyperLogLog _empty = new();
    private readonly SlidingCounter _minutes = SlidingCounter.PerMinute(61);
    private DateTimeOffset _at = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private ulong _next;

    /// <summary>Every bucket of the ring in use, as for a busy account: the estimate reads a whole hour.</summary>
    [GlobalSetup]
    public void FillRing()
    {
        for (var minute = 0; minute < 61; minute++)
        {
            _minutes.Add(_at.AddMinutes(minute - 60), 1 + minute);
        }
    }

    [Benchmark(Description = "HyperLogLog add (hash)")]
    public bool HllAdd() => _hll.AddHash(unchecked(++_next * 0x9E3779B97F4A7C15UL));

    [Benchmark(Description = "HyperLogLog estimate, unchanged since the last one (cached)")]
    public long HllEstimate() => _hll.Estimate();

    [Benchmark(Description = "HyperLogLog merge of an empty sketch, then estimate (recomputed)")]
    public long HllRecomputedEstimate()
    {
        // A merge always drops the cached estimate, so this measures computing it (plus the merge).
        _hll.Merge(_empty);
        return _hll.Estimate();
    }

    [Benchmark(Description = "ring buffer add, one second later")]
    public bool RingAdd()
    {
        _at = _at.AddSeconds(1);
        return _minutes.Add(_at, 3);
    }

    [Benchmark(Description = "ring buffer sliding hour estimate")]
    public long RingEstimate() => _minutes.Estimate(_at, TimeSpan.FromHours(1));
}

[MemoryDiagnoser]
public class NetworkBenchmarks
{
    [Benchmark(Description = "IPv4 address to its /24")]
    public bool Ipv4() => IpRange.TryFromAddress("198.51.100.23", out _);

    [Benchmark(Description = "IPv6 address to its /64")]
    public bool Ipv6() => IpRange.TryFromAddress("2001:db8:1:2:3:4:5:6", out _);

    [Benchmark(Description = "IPv4-mapped IPv6 to its IPv4 /24")]
    public bool Mapped() => IpRange.TryFromAddress("::ffff:198.51.100.23", out _);
}
