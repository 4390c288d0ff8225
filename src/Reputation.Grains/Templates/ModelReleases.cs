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
/// </summary>
public sealed partial class ModelReleases(IGrainFactory grains, IUsageObservation observation, ILogger<ModelReleases> logger)
    : SiloRenewal(RenewEvery), IModelReleases
{
    internal static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(30);
    private const string Other = "";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _firstSeen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WindowState> _lastHour = new(StringComparer.Ordinal);

    public void Saw(string model, DateTimeOffset at, long requests)
    {
        ArgumentNullException.ThrowIfNull(model);
        bool added;
        lock (_gate)
        {
            var known = _firstSeen.ContainsKey(model);
            added = Lower(model, at) && !known;
            var key = _firstSeen.ContainsKey(model) ? model : Other;
            if (requests > 0)
            {
                if (!_lastHour.TryGetValue(key, out var window))
                {
                    _lastHour[key] = window = WindowState.Create(61);
                }

                window.Minutes().Add(at, requests);
            }
        }

        // Rare (a model new to this silo): the cluster hears of it now, off the caller's grain turn.
        if (added)
        {
            _ = Task.Run(RenewSafelyAsync);
        }
    }

    public bool IsNewlyReleased(string model, DateTimeOffset now, SignalRamps ramps)
    {
        lock (_gate)
        {
            return _firstSeen.TryGetValue(model, out var first) && ReleasePivot.IsNewlyReleased(first, observation.Since, now, ramps);
        }
    }

    public double NewShareLastHour(DateTimeOffset now, SignalRamps ramps)
    {
        long all = 0;
        long fresh = 0;
        lock (_gate)
        {
            foreach (var (model, window) in _lastHour)
            {
                var n = window.Minutes().Estimate(now, TimeSpan.FromHours(1));
                all += n;
                if (n > 0 && _firstSeen.TryGetValue(model, out var first) && ReleasePivot.IsNewlyReleased(first, observation.Since, now, ramps))
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
            mine = new(_firstSeen, StringComparer.Ordinal);
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
        if (_firstSeen.TryGetValue(model, out var first))
        {
            if (at >= first)
            {
                return false;
            }
        }
        else if (_firstSeen.Count >= ModelReleasesState.Capacity)
        {
            return false;
        }

        _firstSeen[model] = at;
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Merging the models first seen with the cluster's failed; the next renewal tries again")]
    private static partial void LogMergeFailed(ILogger logger, Exception exception);
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
