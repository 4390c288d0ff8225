using System.Collections.Concurrent;

namespace Reputation.Grains.State;

/// <summary>
/// Write-behind for events already in the silo's write-ahead log
/// (docs/decisions/0039-write-ahead-log-ingest.md). While a call applies logged events (the ingest
/// handler marks it, and the mark travels with every grain call it makes), the account and its
/// linked entities do not store their state on that path: they note here that they hold effects
/// storage lacks, and the log's checkpoint asks each of them to store it
/// (<see cref="IWriteBehindGrain.StoreDeferredAsync"/>) before the log segments holding those
/// events are retired. Off (nothing deferred) unless the host turns it on.
/// </summary>
public sealed class WriteBehind
{
    private const string ContextKey = "reputation.logged";
    private readonly ConcurrentDictionary<GrainId, Dirty> _dirty = new();
    private long _marks;
    private long _lost;

    /// <summary>Whether the silo logs ingested events (the host sets it when <c>Reputation:Ingest:Log</c> is on).</summary>
    public bool Enabled { get; set; }

    /// <summary>Whether the current call applies logged events, so that its grain writes may be deferred.</summary>
    public bool Deferring => Enabled && RequestContext.Get(ContextKey) is true;

    /// <summary>
    /// How many times a grain holding deferred effects lost them before storing them (it was
    /// deactivated: its write failed, or it went idle). The log must then apply its unretired
    /// segments again before it may retire them.
    /// </summary>
    public long Lost => Interlocked.Read(ref _lost);

    /// <summary>Grains holding effects not yet stored.</summary>
    public int Count => _dirty.Count;

    /// <summary>Marks the current call (and the grain calls it makes) as applying logged events until disposed.</summary>
    public static IDisposable Applying()
    {
        RequestContext.Set(ContextKey, true);
        return new Scope();
    }

    /// <summary>A grain deferred a write: it holds effects its stored state lacks.</summary>
    public void Deferred(GrainId grain, bool account) => _dirty[grain] = new Dirty(account, Interlocked.Increment(ref _marks));

    /// <summary>
    /// A grain holding deferred effects was deactivated before storing them. An account's loss is
    /// repaired by applying the unretired segments again (it lacks the events, its entities still
    /// hold their ids). An entity's is not: the accounts that reached it still hold the events and
    /// would answer a replay as duplicates; <see cref="LostByEntity"/> is raised and the host stops
    /// the process, whose restart replays the log as after a kill (unless the silo is shutting down).
    /// </summary>
    public void LostDeferred(bool account, bool shuttingDown = false)
    {
        Interlocked.Increment(ref _lost);
        if (!account && !shuttingDown)
        {
            LostByEntity?.Invoke();
        }
    }

    /// <summary>Raised when an entity lost deferred effects while the silo runs (see <see cref="LostDeferred"/>).</summary>
    public event Action? LostByEntity;

    /// <summary>The grains holding deferred effects now: the mark each was taken with, entities and other grains before accounts.</summary>
    public IReadOnlyList<KeyValuePair<GrainId, Dirty>> Snapshot() =>
        [.. _dirty.OrderBy(p => p.Value.Account)];

    /// <summary>
    /// The grain stored its state after the mark <paramref name="taken"/>: forgotten, unless it
    /// deferred another write since (then it stays for the next checkpoint).
    /// </summary>
    public void Stored(GrainId grain, Dirty taken) => _dirty.TryRemove(new KeyValuePair<GrainId, Dirty>(grain, taken));

    /// <summary>Which grain deferred, and when (a number that grows with each deferral).</summary>
    public readonly record struct Dirty(bool Account, long Mark);

    private sealed class Scope : IDisposable
    {
        public void Dispose() => RequestContext.Remove(ContextKey);
    }
}

/// <summary>A grain that can defer its writes while applying logged events, and store them when asked.</summary>
[Alias("reputation.IWriteBehindGrain")]
public interface IWriteBehindGrain : IGrainWithStringKey
{
    /// <summary>Stores the grain's state if it holds deferred effects; completes when stored.</summary>
    [Alias("StoreDeferred")]
    Task StoreDeferredAsync();
}

/// <summary>One ingest batch as the write-ahead log holds it: what applying it again needs.</summary>
[GenerateSerializer, Alias("reputation.LoggedBatch")]
public sealed class LoggedBatch
{
    /// <summary>The configured name of the key that sent it (the sender's journal), empty when none.</summary>
    [Id(0)] public required string Sender { get; init; }

    /// <summary>The accepted events by account, validated and canonicalised as the accounts receive them, each account's in the batch's order.</summary>
    [Id(1)] public required LoggedAccountEvents[] Accounts { get; init; }
}

/// <summary>One account's events of a logged batch.</summary>
[GenerateSerializer, Alias("reputation.LoggedAccountEvents")]
public sealed class LoggedAccountEvents
{
    [Id(0)] public required string AccountId { get; init; }
    [Id(1)] public required AccountEvent[] Events { get; init; }
}
