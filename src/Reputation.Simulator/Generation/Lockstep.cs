using Reputation.Simulator.Scenarios;

namespace Reputation.Simulator.Generation;

/// <summary>
/// The on/off bins of a campaign that runs its fleet in lockstep: from the schedule's start to its stop,
/// on for <see cref="LockstepSchedule.OnMinutes"/>, off for <see cref="LockstepSchedule.OffMinutes"/>,
/// the same bins for every account (a controller starting and stopping all workers at once).
/// </summary>
internal static class Lockstep
{
    /// <summary>Whether simulated second <paramref name="t"/> is in an on-bin.</summary>
    public static bool IsOn(LockstepSchedule schedule, double t)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var start = schedule.StartMinute * 60;
        if (t < start || t >= schedule.StopMinute * 60)
        {
            return false;
        }

        var period = (schedule.OnMinutes + schedule.OffMinutes) * 60;
        return (t - start) % period < schedule.OnMinutes * 60;
    }

    /// <summary>The start of the next on-bin after <paramref name="t"/> (the schedule's start before it); <see cref="double.MaxValue"/> once stopped.</summary>
    public static double NextOn(LockstepSchedule schedule, double t)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var start = schedule.StartMinute * 60;
        var stop = schedule.StopMinute * 60;
        if (t < start)
        {
            return start < stop ? start : double.MaxValue;
        }

        var period = (schedule.OnMinutes + schedule.OffMinutes) * 60;
        var next = start + ((Math.Floor((t - start) / period) + 1) * period);
        return next < stop ? next : double.MaxValue;
    }
}
