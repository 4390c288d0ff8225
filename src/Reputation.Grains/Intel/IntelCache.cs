using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Reputation.Core.Intel;
using Reputation.Core.Networks;
using Reputation.Core.Prompts;

namespace Reputation.Grains;

/// <summary>An imported indicator in force that names an entity of a decision.</summary>
/// <param name="Indicator">The indicator.</param>
/// <param name="Value">The value of its pattern that matched (a /16 for a /24 inside it).</param>
/// <param name="Entity">The entity it matched, for the reason: "IP range 198.51.7.0/24".</param>
public sealed record IntelHit(IntelIndicator Indicator, IntelValue Value, string Entity);

/// <summary>
/// This silo's copy of the imported indicators: what decisions and entity views read instead of
/// storage or another grain. Loaded when the silo starts, told of each change by
/// <see cref="IntelGrain"/>, re-subscribed every <see cref="IntelCache.RenewEvery"/> (which also
/// repairs a missed change) — the pattern of <see cref="ListCache"/>. Validity is checked against
/// the clock at every match, so an indicator stops matching at its valid_until without a call.
/// </summary>
public interface IIntelCache
{
    /// <summary>Indicators in force naming any of the ranges (network keys), instruments or prompt buckets given.</summary>
    IReadOnlyList<IntelHit> Match(IEnumerable<string> ranges, IEnumerable<string> instruments, IEnumerable<string> buckets);

    /// <summary>Whether any indicator is held at all (so a decision can skip building what to match).</summary>
    bool IsEmpty { get; }

    /// <summary>The indicators in force as one object: another object once they change (for what was decided under them).</summary>
    object Revision { get; }

    /// <summary>Reloads from the grain now (the import handler waits for it, so the caller's next decision sees its import).</summary>
    Task RenewAsync();
}

public sealed partial class IntelCache(IGrainFactory grains, ReputationClock time, ILogger<IntelCache> logger)
    : SiloCopy<IIntelObserver>(grains, IntelCache.RenewEvery), IIntelCache, IIntelObserver
{
    internal static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(10);
    internal static readonly TimeSpan ObserverExpiry = TimeSpan.FromMinutes(2);

    private readonly Lock _lock = new();
    private volatile Index _index = Index.Empty;

    public bool IsEmpty => _index.Count == 0;

    public object Revision => _index;

    public IReadOnlyList<IntelHit> Match(IEnumerable<string> ranges, IEnumerable<string> instruments, IEnumerable<string> buckets)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentNullException.ThrowIfNull(instruments);
        ArgumentNullException.ThrowIfNull(buckets);
        var index = _index;
        if (index.Count == 0)
        {
            return [];
        }

        var now = time.UtcNow;
        List<IntelHit>? hits = null;
        void Add(IntelIndicator indicator, IntelEntity entity, string value, string what)
        {
            if (indicator.AppliesAt(now))
            {
                (hits ??= []).Add(new IntelHit(indicator, new IntelValue { Entity = entity, Value = value }, what));
            }
        }

        if (index.Ranges.Count > 0 || index.Within.Count > 0)
        {
            foreach (var range in ranges)
            {
                if (!IPNetwork.TryParse(range, out var network))
                {
                    continue;
                }

                var what = $"IP range {range}";
                var found = new List<(IPNetwork Network, IntelIndicator[] Indicators)>();
                index.Ranges.TryFindContaining(network, found, static (e, list) =>
                {
                    list.Add(e);
                    return false; // keep looking: every containing network counts
                }, out _);
                foreach (var (net, indicators) in found)
                {
                    foreach (var indicator in indicators)
                    {
                        Add(indicator, IntelEntity.IpRange, IpPrefix.ToKey(net), what);
                    }
                }

                if (index.Within.TryGetValue(range, out var narrower))
                {
                    foreach (var (value, indicator) in narrower)
                    {
                        Add(indicator, IntelEntity.IpRange, value, what);
                    }
                }
            }
        }

        foreach (var fingerprint in instruments)
        {
            if (index.Instruments.TryGetValue(fingerprint, out var indicators))
            {
                foreach (var indicator in indicators)
                {
                    Add(indicator, IntelEntity.PaymentInstrument, fingerprint, "a linked payment instrument");
                }
            }
        }

        foreach (var bucket in buckets)
        {
            if (index.Buckets.TryGetValue(bucket, out var byFingerprint))
            {
                foreach (var (fingerprint, indicator) in byFingerprint)
                {
                    Add(indicator, IntelEntity.PromptTemplate, fingerprint, $"prompt template bucket {bucket}");
                }
            }
        }

        return hits is null ? [] : hits;
    }

    Task IIntelObserver.ChangedAsync(long version)
    {
        if (version > _index.Version)
        {
            _ = RenewSafelyAsync();
        }

        return Task.CompletedTask;
    }

    protected override Task LoadAsync() => RenewAsync();

    protected override void RenewFailed(Exception exception) => LogRenewFailed(logger, exception);

    public async Task RenewAsync()
    {
        var snapshot = await Grains.GetGrain<IIntelGrain>(IntelGrain.Key).SubscribeAsync(Observer, _index.Version);
        if (snapshot is not null)
        {
            lock (_lock)
            {
                if (snapshot.Version > _index.Version || snapshot.Version == 0)
                {
                    _index = Index.Build(snapshot.Version, snapshot.Indicators);
                }
            }

            LogLoaded(logger, snapshot.Version, snapshot.Indicators.Count);
            // Imported before the bound was enforced on import (IpPrefix): held, never applied.
            foreach (var prefixLength in _index.TooWide)
            {
                LogTooWide(logger, prefixLength, IpPrefix.WidestIpv4Prefix, IpPrefix.WidestIpv6Prefix);
            }
        }
    }

    [LoggerMessage(3102, LogLevel.Information, "Threat intel loaded at version {Version}: {Count} indicators")]
    private static partial void LogLoaded(ILogger logger, long version, int count);

    [LoggerMessage(3103, LogLevel.Warning, "Could not renew the threat intel; decisions keep the copy they have")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception);

    [LoggerMessage(3104, LogLevel.Warning, "An imported indicator names a /{PrefixLength} network, wider than the bound (IPv4 /{WidestIpv4}, IPv6 /{WidestIpv6}): it is not applied; revoke it")]
    private static partial void LogTooWide(ILogger logger, int prefixLength, int widestIpv4, int widestIpv6);

    /// <summary>An immutable lookup over the indicators at a version; replaced whole on each change.</summary>
    private sealed class Index
    {
        public static readonly Index Empty = Build(0, []);

        public long Version { get; private init; }

        public int Count { get; private init; }

        /// <summary>Networks as wide as the range grains or wider: every range inside them matches.</summary>
        public PrefixMap<(IPNetwork Network, IntelIndicator[] Indicators)> Ranges { get; } = new();

        /// <summary>Networks narrower than a range grain (an address, a /28), under the range that holds them.</summary>
        public Dictionary<string, List<(string Value, IntelIndicator Indicator)>> Within { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, List<IntelIndicator>> Instruments { get; } = new(StringComparer.Ordinal);

        /// <summary>Prefix lengths of held range values wider than the bound, not applied.</summary>
        public List<int> TooWide { get; } = [];

        /// <summary>A prompt fingerprint under each of its four buckets (as the lists index one).</summary>
        public Dictionary<string, List<(string Fingerprint, IntelIndicator Indicator)>> Buckets { get; } = new(StringComparer.Ordinal);

        public static Index Build(long version, IEnumerable<IntelIndicator> indicators)
        {
            var list = indicators.ToList();
            var index = new Index { Version = version, Count = list.Count };
            var networks = new Dictionary<string, (IPNetwork Network, List<IntelIndicator> Indicators)>(StringComparer.Ordinal);
            foreach (var indicator in list)
            {
                foreach (var value in indicator.Values)
                {
                    switch (value.Entity)
                    {
                        case IntelEntity.IpRange when IpPrefix.TryParse(value.Value, out var network, out _) && IpPrefix.IsTooWide(network):
                            index.TooWide.Add(network.PrefixLength);
                            break;
                        case IntelEntity.IpRange when IpPrefix.TryParse(value.Value, out var network, out _):
                            var grainPrefix = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? IpRange.DefaultIpv4Prefix : IpRange.DefaultIpv6Prefix;
                            if (network.PrefixLength > grainPrefix)
                            {
                                var range = IpPrefix.ToKey(IpPrefix.Mask(network.BaseAddress, grainPrefix));
                                Add(index.Within, range, (value.Value, indicator));
                            }
                            else
                            {
                                if (!networks.TryGetValue(value.Value, out var entry))
                                {
                                    networks[value.Value] = entry = (network, []);
                                }

                                entry.Indicators.Add(indicator);
                            }

                            break;
                        case IntelEntity.PaymentInstrument:
                            Add(index.Instruments, value.Value, indicator);
                            break;
                        case IntelEntity.PromptTemplate when SimHash.TryParseHex(value.Value, out var fingerprint):
                            foreach (var bucket in PromptBands.BucketKeys(fingerprint))
                            {
                                Add(index.Buckets, bucket, (value.Value, indicator));
                            }

                            break;
                    }
                }
            }

            foreach (var (network, indicatorsOf) in networks.Values)
            {
                index.Ranges.Set(network, (network, indicatorsOf.ToArray()));
            }

            return index;
        }

        private static void Add<T>(Dictionary<string, List<T>> map, string key, T value)
        {
            if (!map.TryGetValue(key, out var list))
            {
                map[key] = list = [];
            }

            list.Add(value);
        }
    }
}
