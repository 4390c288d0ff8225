namespace Reputation.Grains;

/// <summary>
/// The clock velocity windows and account ages are measured against. Kept apart from the
/// runtime's <see cref="TimeProvider"/> so tests can move reputation time without moving
/// Orleans' own timers and membership.
/// </summary>
public sealed class ReputationClock(TimeProvider time)
{
    public static ReputationClock Default { get; } = new(TimeProvider.System);

    public DateTimeOffset UtcNow => time.GetUtcNow();
}
