namespace Reputation.Grains;

/// <summary>
/// The clock velocity windows and account ages are measured against. Kept apart from the
/// runtime's <see cref="TimeProvider"/> so tests can move reputation time without moving
/// Orleans' own timers and membership.
/// </summary>
/// <remarks>
/// A simulation that replays hours of traffic in minutes can make it follow the events instead
/// (<see cref="FollowingEvents"/>): "now" is then the latest event time ingested, so one-hour windows
/// hold the simulated last hour rather than whatever of it arrived in the last real hour. Never on
/// in production: the service's time must be the wall clock there.
/// </remarks>
public sealed class ReputationClock(TimeProvider time)
{
    private readonly bool _following;
    private long _latestTicks;

    private ReputationClock(TimeProvider time, bool following)
        : this(time) => _following = following;

    public static ReputationClock Default { get; } = new(TimeProvider.System);

    /// <summary>A clock whose "now" is the latest event time observed (the wall clock until the first).</summary>
    public static ReputationClock FollowingEvents(TimeProvider time) => new(time, following: true);

    public bool IsFollowingEvents => _following;

    public DateTimeOffset UtcNow
    {
        get
        {
            var latest = Interlocked.Read(ref _latestTicks);
            return _following && latest > 0 ? new DateTimeOffset(latest, TimeSpan.Zero) : time.GetUtcNow();
        }
    }

    /// <summary>The wall clock, whatever this clock follows: for "in the future" checks on arriving events.</summary>
    public DateTimeOffset WallNow => time.GetUtcNow();

    /// <summary>When following events, moves "now" forward to <paramref name="occurredAt"/> (never back).</summary>
    public void Observe(DateTimeOffset occurredAt)
    {
        if (!_following)
        {
            return;
        }

        var ticks = occurredAt.UtcTicks;
        var seen = Interlocked.Read(ref _latestTicks);
        while (ticks > seen)
        {
            var was = Interlocked.CompareExchange(ref _latestTicks, ticks, seen);
            if (was == seen)
            {
                return;
            }

            seen = was;
        }
    }
}
