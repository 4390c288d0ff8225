using Microsoft.Extensions.Logging;

namespace Reputation.Grains;

/// <summary>
/// Since when the service has seen every account's usage: what makes an aged account's silence
/// evidence (<see cref="Core.Scoring.History.UsageSince"/>). A deployment that sends its customers'
/// past before going live has seen their use since the start of that past; one that does not has
/// seen it only since it started, and an aged account it meets for the first time may have been
/// used every day before (docs/detection.md, "Dormancy only where the service watched").
/// </summary>
public interface IUsageObservation
{
    /// <summary>The earliest time from which usage has been seen; null when none has been.</summary>
    DateTimeOffset? Since { get; }

    /// <summary>Notes usage that occurred at <paramref name="at"/>; the first usage earlier than any seen moves <see cref="Since"/> back.</summary>
    void Saw(DateTimeOffset at);
}

/// <summary>
/// An operator's statement of since when the deployment has sent every account's usage
/// (<c>Reputation:Detection:UsageSince</c>); when set, it replaces what the service learns from the
/// events — for a past sent for some accounts only, or a deployment that knows its own start.
/// </summary>
public sealed record UsageSinceSetting(DateTimeOffset? Since)
{
    public static readonly UsageSinceSetting Learned = new((DateTimeOffset?)null);
}

/// <summary>
/// This silo's <see cref="IUsageObservation"/>: the earliest usage any account grain of this silo
/// was sent, merged with the cluster's (<see cref="IUsageObservationGrain"/>) when it moves and every
/// <see cref="RenewEvery"/>. An earliest time only moves back, so merging is taking the minimum and
/// a lost merge is repaired by the next one.
/// </summary>
public sealed partial class UsageObservation(IGrainFactory grains, UsageSinceSetting setting, ILogger<UsageObservation> logger)
    : SiloRenewal(RenewEvery), IUsageObservation
{
    internal static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(30);

    // Ticks of the earliest usage seen, long.MaxValue when none: read and lowered without a lock.
    private long _since = setting.Since?.UtcTicks ?? long.MaxValue;

    public DateTimeOffset? Since => Volatile.Read(ref _since) is var ticks && ticks != long.MaxValue
        ? new DateTimeOffset(ticks, TimeSpan.Zero)
        : null;

    public void Saw(DateTimeOffset at)
    {
        if (setting.Since is not null || !Lower(at.UtcTicks))
        {
            return;
        }

        // Rare (only a new earliest time): the cluster hears of it now rather than at the next
        // renewal, off the caller's grain turn.
        _ = Task.Run(RenewSafelyAsync);
    }

    protected override async Task LoadAsync()
    {
        if (setting.Since is not null)
        {
            return;
        }

        var merged = await grains.GetGrain<IUsageObservationGrain>(IUsageObservationGrain.Key).MergeAsync(Since);
        if (merged is { } since)
        {
            Lower(since.UtcTicks);
        }
    }

    protected override void RenewFailed(Exception exception) => LogMergeFailed(logger, exception);

    private bool Lower(long ticks)
    {
        var current = Volatile.Read(ref _since);
        while (ticks < current)
        {
            var seen = Interlocked.CompareExchange(ref _since, ticks, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Merging the earliest usage seen with the cluster's failed; the next renewal tries again")]
    private static partial void LogMergeFailed(ILogger logger, Exception exception);
}

/// <summary>The cluster's earliest usage seen (one grain, key <see cref="Key"/>), stored so that a restart keeps it.</summary>
[Alias("reputation.IUsageObservationGrain")]
public interface IUsageObservationGrain : IGrainWithStringKey
{
    public const string Key = "usage-observation";

    /// <summary>Takes the earlier of the stored time and <paramref name="seen"/>, and answers it.</summary>
    [Alias("Merge")]
    ValueTask<DateTimeOffset?> MergeAsync(DateTimeOffset? seen);
}

[GenerateSerializer, Alias("reputation.UsageObservationState")]
public sealed class UsageObservationState
{
    [Id(0)] public DateTimeOffset? Since { get; set; }
}

public sealed class UsageObservationGrain(
    [PersistentState("usage-observation", StorageNames.Reputation)] IPersistentState<UsageObservationState> state) : Grain, IUsageObservationGrain
{
    async ValueTask<DateTimeOffset?> IUsageObservationGrain.MergeAsync(DateTimeOffset? seen)
    {
        if (seen is { } at && (state.State.Since is not { } since || at < since))
        {
            state.State.Since = at;
            await state.WriteStateAsync();
        }

        return state.State.Since;
    }
}
