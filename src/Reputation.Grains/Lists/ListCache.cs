using System.Net;
using Microsoft.Extensions.Logging;
using Reputation.Core.Networks;
using Reputation.Core.Prompts;

namespace Reputation.Grains;

/// <summary>Which list entry decides for an account, and which of its entities it names.</summary>
public sealed record ListHit(ListItem Entry, bool OnAccount);

/// <summary>
/// This silo's copy of the allow and deny lists: what decisions read instead of storage or another
/// grain. Loaded when the silo starts, told of each change by <see cref="ListsGrain"/>, and
/// re-subscribed every <see cref="ListCache.RenewEvery"/> (which also repairs a missed change).
/// </summary>
public interface IListCache
{
    /// <summary>
    /// The entry that overrides a decision, by precedence: the account on deny, the account on
    /// allow, any linked entity on deny, any linked entity on allow. Null when none is in force.
    /// </summary>
    ListHit? Match(string accountId, IEnumerable<string> instruments, IEnumerable<string> ranges, IEnumerable<string> buckets);

    /// <summary>Applies a change this silo made, without waiting for the grain's notification.</summary>
    void Apply(ListChange change);

    /// <summary>The entries in force as one object: another object once they change (for what was decided under them).</summary>
    object Revision { get; }
}

public sealed partial class ListCache(IGrainFactory grains, ReputationClock time, ILogger<ListCache> logger)
    : SiloCopy<IListObserver>(grains, ListCache.RenewEvery), IListCache, IListObserver
{
    internal static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private volatile Index _index = Index.Empty;

    public object Revision => _index;

    public ListHit? Match(string accountId, IEnumerable<string> instruments, IEnumerable<string> ranges, IEnumerable<string> buckets)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentNullException.ThrowIfNull(buckets);
        var index = _index;
        if (index.Entries.Count == 0)
        {
            return null;
        }

        var now = time.UtcNow;
        if (index.Find(ListEntity.Account, accountId, now) is { } own)
        {
            return new ListHit(own, OnAccount: true);
        }

        ListItem? allow = null;
        foreach (var fingerprint in instruments)
        {
            if (index.Find(ListEntity.PaymentInstrument, fingerprint, now) is { } hit)
            {
                if (hit.List == ListName.Deny)
                {
                    return new ListHit(hit, OnAccount: false);
                }

                allow ??= hit;
            }
        }

        foreach (var bucket in buckets)
        {
            if (index.Find(ListEntity.PromptTemplate, bucket, now) is { } hit)
            {
                if (hit.List == ListName.Deny)
                {
                    return new ListHit(hit, OnAccount: false);
                }

                allow ??= hit;
            }
        }

        if (index.Ranges.Count > 0)
        {
            foreach (var range in ranges)
            {
                if (!IPNetwork.TryParse(range, out var network))
                {
                    continue;
                }

                if (index.Ranges.TryFindContaining(network, (ListName.Deny, now), static (e, s) => e.List == s.Item1 && e.AppliesAt(s.now), out var deny))
                {
                    return new ListHit(deny, OnAccount: false);
                }

                if (allow is null && index.Ranges.TryFindContaining(network, now, static (e, at) => e.AppliesAt(at), out var found))
                {
                    allow = found;
                }
            }
        }

        return allow is null ? null : new ListHit(allow, OnAccount: false);
    }

    public void Apply(ListChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var gap = false;
        lock (_lock)
        {
            var current = _index;
            if (change.Version <= current.Version)
            {
                return;
            }

            if (change.Version == current.Version + 1)
            {
                var entries = new Dictionary<string, ListItem>(current.Entries, StringComparer.Ordinal);
                if (change.Entry is null)
                {
                    entries.Remove(change.Key);
                }
                else
                {
                    entries[change.Key] = change.Entry;
                }

                _index = Index.Build(change.Version, entries.Values);
            }
            else
            {
                gap = true;
            }
        }

        if (gap)
        {
            // A change was missed: reload the whole snapshot.
            _ = RenewSafelyAsync();
        }
    }

    Task IListObserver.ChangedAsync(ListChange change)
    {
        Apply(change);
        return Task.CompletedTask;
    }

    protected override Task LoadAsync() => RenewAsync();

    protected override void RenewFailed(Exception exception) => logger.ListsRenewFailed(exception);

    /// <summary>Subscribes and loads the lists when the local version is not the grain's.</summary>
    internal async Task RenewAsync()
    {
        var snapshot = await Grains.GetGrain<IListsGrain>(ListsGrain.Key).SubscribeAsync(Observer, _index.Version);
        if (snapshot is not null)
        {
            lock (_lock)
            {
                _index = Index.Build(snapshot.Version, snapshot.Entries);
            }

            logger.ListsLoaded(snapshot.Version, snapshot.Entries.Count);
            ReportTooWide(_index);
        }
    }

    /// <summary>
    /// Entries stored before the API refused networks wider than the bound (IpPrefix) are not
    /// applied, and each load says so, so that an operator removes them. The log names the list and
    /// the prefix length, not the network.
    /// </summary>
    private void ReportTooWide(Index index)
    {
        foreach (var e in index.TooWide)
        {
            logger.TooWideEntryIgnored(e.List == ListName.Allow ? "allow" : "deny",
                IpPrefix.TryParse(e.EntityId, out var network, out _) ? network.PrefixLength : -1,
                IpPrefix.WidestIpv4Prefix, IpPrefix.WidestIpv6Prefix);
        }
    }

    /// <summary>An immutable lookup over the entries in force at a version; replaced whole on each change.</summary>
    private sealed class Index
    {
        public static readonly Index Empty = Build(0, []);

        public long Version { get; private init; }

        public Dictionary<string, ListItem> Entries { get; } = new(StringComparer.Ordinal);

        /// <summary>Accounts, cards and prompt-template buckets by key; a fingerprint entry under each of its four buckets.</summary>
        private Dictionary<string, ListItem> Lookup { get; } = new(StringComparer.Ordinal);

        public PrefixMap<ListItem> Ranges { get; } = new();

        /// <summary>Range entries wider than the bound, held but not applied.</summary>
        public List<ListItem> TooWide { get; } = [];

        public static Index Build(long version, IEnumerable<ListItem> entries)
        {
            var index = new Index { Version = version };
            foreach (var e in entries)
            {
                index.Entries[e.Key] = e;
                switch (e.Entity)
                {
                    case ListEntity.IpRange when IpPrefix.TryParse(e.EntityId, out var network, out _):
                        if (IpPrefix.IsTooWide(network))
                        {
                            index.TooWide.Add(e);
                        }
                        else
                        {
                            index.Ranges.Set(network, e);
                        }

                        break;
                    case ListEntity.PromptTemplate when SimHash.TryParseHex(e.EntityId, out var fingerprint):
                        foreach (var bucket in PromptBands.BucketKeys(fingerprint))
                        {
                            index.Lookup.TryAdd(ListItem.KeyOf(ListEntity.PromptTemplate, bucket), e);
                        }

                        break;
                    default:
                        // A bucket listed itself wins over a fingerprint listed under it.
                        index.Lookup[e.Key] = e;
                        break;
                }
            }

            return index;
        }

        public ListItem? Find(ListEntity entity, string id, DateTimeOffset now) =>
            Lookup.TryGetValue(ListItem.KeyOf(entity, id), out var e) && e.AppliesAt(now) ? e : null;
    }
}

internal static partial class ListLog
{
    [LoggerMessage(3001, LogLevel.Information, "Allow and deny lists loaded at version {Version}: {Count} entries")]
    public static partial void ListsLoaded(this ILogger logger, long version, int count);

    [LoggerMessage(3002, LogLevel.Warning, "Could not renew the allow and deny lists; decisions keep the copy they have")]
    public static partial void ListsRenewFailed(this ILogger logger, Exception exception);

    [LoggerMessage(3010, LogLevel.Warning, "An IP range entry on the {List} list is a /{PrefixLength}, wider than the bound (IPv4 /{WidestIpv4}, IPv6 /{WidestIpv6}): it is not applied; remove it with DELETE /v1/lists")]
    public static partial void TooWideEntryIgnored(this ILogger logger, string list, int prefixLength, int widestIpv4, int widestIpv6);
}
