using Microsoft.Extensions.Logging;
using Reputation.Core.Scoring;
using Reputation.Grains.State;

namespace Reputation.Grains.Templates;

/// <summary>
/// Which models are newly released, and the service's own share of requests to them: what a
/// template's release pivot is measured against (docs/decisions/0036-release-pivot.md). A model is
/// newly released for <c>ramps.releaseNewFor</c> after the service first saw it, once the service had
/// been seeing usage for <c>ramps.releaseWatchedBefore</c> before that (<see cref="IUsageObservation"/>).
/// </summary>
public interface IModelReleases
{
    /// <summary>Notes <paramref name="requests"/> requests to <paramref name="model"/> at <paramref name="at"/> (event time).</summary>
    void Saw(string model, DateTimeOffset at, long requests);

    /// <summary>Whether <paramref name="model"/> counts as newly released at <paramref name="now"/>.</summary>
    bool IsNewlyReleased(string model, DateTimeOffset now, SignalRamps ramps);

    /// <summary>Share of the last hour's requests seen here that went to newly released models, 0..1.</summary>
    double NewShareLastHour(DateTimeOffset now, SignalRamps ramps);
}

/// <summary>
/// This silo's <see cref="IModelReleases"/>. First-seen times only move back, so they are merged
/// with the cluster's (<see cref="IModelReleasesGrain"/>) by taking the minimum, at once when a model
/// is new to the silo and every <see cref="RenewEvery"/>; a lost merge is repaired by the next one.
/// The service's share is this silo's accounts' requests: accounts are placed over the silos by
/// hash, so each silo's are a sample of all. Bounded: <see cref="ModelReleasesState.Capacity"/>
/// models; a model beyond them is never newly released and its requests count as other models'.
/// Every usage event naming a model is noted here, from every core: a known model's requests of the
/// current minute are added without a lock (<see cref="ModelTraffic"/>); a new model, an earlier
/// first-seen time, another minute and every read take the lock.
/// </summary>
public sealed partial class ModelReleases(IGrainFactory grains, IUsageObservation observation, ILogger<ModelReleases> logger)
    : SiloRenewal(RenewEvery), IModelReleases
{
    internal static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    // Added to under the gate only; read without it.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ModelTraffic> _models = new(StringComparer.Ordinal);
    private readonly ModelTraffic _other = new(DateTimeOffset.MaxValue.UtcTicks);
    private int _count;

    public void Saw(string model, DateTimeOffset at, long requests)
    {
        ArgumentNullException.ThrowIfNull(model);
        // The usual event: a known model, no earlier than its first sight, in the minute being counted.
        if (_models.TryGetValue(model, out var known) && at.UtcTicks >= known.FirstSeenTicks
            && (requests <= 0 || known.TryAdd(ModelTraffic.MinuteOf(at), requests)))
        {
            return;
        }

        bool added;
        lock (_gate)
        {
            var wasKnown = _models.ContainsKey(model);
            added = Lower(model, at) && !wasKnown;
            if (requests > 0)
            {
                (_models.TryGetValue(model, out var traffic) ? traffic : _other).Add(at, requests);
            }
        }

        // Rare (a model new to this silo): the cluster hears of it now, off the caller's grain turn.
        if (added)
        {
            _ = Task.Run(RenewSafelyAsync);
        }
    }

    public bool IsNewlyReleased(string model, DateTimeOffset now, SignalRamps ramps) =>
        _models.TryGetValue(model, out var traffic) && ReleasePivot.IsNewlyReleased(traffic.FirstSeen, observation.Since, now, ramps);

    public double NewShareLastHour(DateTimeOffset now, SignalRamps ramps)
    {
        long all = 0;
        long fresh = 0;
        lock (_gate)
        {
            all += _other.LastHour(now);
            foreach (var traffic in _models.Values)
            {
                var n = traffic.LastHour(now);
                all += n;
                if (n > 0 && ReleasePivot.IsNewlyReleased(traffic.FirstSeen, observation.Since, now, ramps))
                {
                    fresh += n;
                }
            }
        }

        return all > 0 ? fresh / (double)all : 0;
    }

    protected override async Task LoadAsync()
    {
        Dictionary<string, DateTimeOffset> mine;
        lock (_gate)
        {
            mine = _models.ToDictionary(p => p.Key, p => p.Value.FirstSeen, StringComparer.Ordinal);
        }

        var merged = await grains.GetGrain<IModelReleasesGrain>(IModelReleasesGrain.Key).MergeAsync(mine);
        lock (_gate)
        {
            foreach (var (model, first) in merged)
            {
                Lower(model, first);
            }
        }
    }

    protected override void RenewFailed(Exception exception) => LogMergeFailed(logger, exception);

    /// <summary>Takes the earlier first-seen time; true when it moved (or the model is new here). Under the gate.</summary>
    private bool Lower(string model, DateTimeOffset at)
    {
        if (_models.TryGetValue(model, out var traffic))
        {
            if (at.UtcTicks >= traffic.FirstSeenTicks)
            {
                return false;
            }

            traffic.FirstSeenTicks = at.UtcTicks;
            return true;
        }

        if (_count >= ModelReleasesState.Capacity)
        {
            return false;
        }

        _models[model] = new ModelTraffic(at.UtcTicks);
        _count++;
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Merging the models first seen with the cluster's failed; the next renewal tries again")]
    private static partial void LogMergeFailed(ILogger logger, Exception exception);
}

/// <summary>
/// One model's requests on this silo (<see cref="ModelReleases"/>): its last hour in one-minute
/// buckets, and the requests of the minute being counted in one word beside them, added to by
/// compare-and-swap from any thread. The word packs the minute (its low <see cref="TagBits"/> bits)
/// with the count, so an add meant for one minute can never land in another's: a swap against
/// another minute's word fails, and the add takes the lock. Everything else is under
/// <see cref="ModelReleases"/>' lock, which folds the word into the window before any read and when
/// the minute moves on; every request is counted in its own minute, as if each were added under it.
/// </summary>
internal sealed class ModelTraffic(long firstSeenTicks)
{
    private const int TagBits = 20;
    private const int CountBits = 64 - TagBits - 1;
    private const long CountMask = (1L << CountBits) - 1;
    private const long TagMask = (1L << TagBits) - 1;

    private readonly WindowState _window = WindowState.Create(61);
    private long _firstSeenTicks = firstSeenTicks;
    // The minute the word counts (written under the lock), and the word: tag, then count.
    private long _minute = long.MinValue;
    private long _word = Pack(long.MinValue, 0);

    /// <summary>UTC ticks of the first sight: read from any thread, lowered under the lock.</summary>
    public long FirstSeenTicks
    {
        get => Volatile.Read(ref _firstSeenTicks);
        set => Volatile.Write(ref _firstSeenTicks, value);
    }

    public DateTimeOffset FirstSeen => new(FirstSeenTicks, TimeSpan.Zero);

    public static long MinuteOf(DateTimeOffset at) => at.UtcTicks / TimeSpan.TicksPerMinute;

    /// <summary>Adds to the minute being counted, without the lock; false when <paramref name="minute"/> is not that minute (or its count is full).</summary>
    public bool TryAdd(long minute, long requests)
    {
        if (minute != Volatile.Read(ref _minute))
        {
            return false;
        }

        var word = Volatile.Read(ref _word);
        while (true)
        {
            if (((word >> CountBits) & TagMask) != (minute & TagMask) || (word & CountMask) > CountMask - requests)
            {
                return false;
            }

            var seen = Interlocked.CompareExchange(ref _word, word + requests, word);
            if (seen == word)
            {
                return true;
            }

            word = seen;
        }
    }

    /// <summary>Adds under the lock: a later minute becomes the one counted (the earlier one's count goes to the window), an earlier one goes to the window directly.</summary>
    public void Add(DateTimeOffset at, long requests)
    {
        var minute = MinuteOf(at);
        if (TryAdd(minute, requests))
        {
            return;
        }

        if (minute > _minute)
        {
            Fold(Interlocked.Exchange(ref _word, Pack(minute, requests)));
            Volatile.Write(ref _minute, minute);
            return;
        }

        _window.Minutes().Add(at, requests);
    }

    /// <summary>The last hour's requests (under the lock).</summary>
    public long LastHour(DateTimeOffset now)
    {
        Fold(Interlocked.Exchange(ref _word, Pack(_minute, 0)));
        return _window.Minutes().Estimate(now, TimeSpan.FromHours(1));
    }

    private void Fold(long word)
    {
        var count = word & CountMask;
        if (count > 0)
        {
            _window.Minutes().Add(new DateTimeOffset(_minute * TimeSpan.TicksPerMinute, TimeSpan.Zero), count);
        }
    }

    private static long Pack(long minute, long count) => ((minute & TagMask) << CountBits) | count;
}

/// <summary>When the cluster first saw each model (one grain, key <see cref="Key"/>), stored so that a restart keeps it.</summary>
[Alias("reputation.IModelReleasesGrain")]
public interface IModelReleasesGrain : IGrainWithStringKey
{
    public const string Key = "model-releases";

    /// <summary>Takes the earlier of the stored and the given first-seen time of each model, and answers them all.</summary>
    [Alias("Merge")]
    ValueTask<Dictionary<string, DateTimeOffset>> MergeAsync(Dictionary<string, DateTimeOffset> seen);
}

/// <summary>Bounded: at most <see cref="Capacity"/> model names (models are few; a name beyond them is not recorded).</summary>
[GenerateSerializer, Alias("reputation.ModelReleasesState")]
public sealed class ModelReleasesState
{
    public const int Capacity = 64;

    [Id(0)] public Dictionary<string, DateTimeOffset> FirstSeen { get; set; } = new(StringComparer.Ordinal);
}

public sealed class ModelReleasesGrain(
    [PersistentState("model-releases", StorageNames.Reputation)] IPersistentState<ModelReleasesState> state) : Grain, IModelReleasesGrain
{
    async ValueTask<Dictionary<string, DateTimeOffset>> IModelReleasesGrain.MergeAsync(Dictionary<string, DateTimeOffset> seen)
    {
        var stored = state.State.FirstSeen;
        var changed = false;
        foreach (var (model, at) in seen.OrderBy(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            if (stored.TryGetValue(model, out var first) ? at < first : stored.Count < ModelReleasesState.Capacity)
            {
                stored[model] = at;
                changed = true;
            }
        }

        if (changed)
        {
            await state.WriteStateAsync();
        }

        return new(stored, StringComparer.Ordinal);
    }
}
