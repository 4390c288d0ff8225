using Reputation.Contracts;
using Reputation.Simulator.Reporting;

namespace Reputation.Simulator.Metrics;

/// <summary>Small pure helpers that turn tallies into report figures.</summary>
internal static class ReportFigures
{
    public static TimeToDetection TimeToDetection(DetectionTracker tracker, int campaignAccounts)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        if (campaignAccounts == 0)
        {
            return new TimeToDetection
            {
                Status = Reporting.TimeToDetection.NotApplicableStatus,
                Threshold = tracker.Threshold,
                PeakHeldShare = 0,
                Checks = tracker.Checks,
            };
        }

        if (tracker.Reached is not { } reached)
        {
            return new TimeToDetection
            {
                Status = Reporting.TimeToDetection.NeverStatus,
                Threshold = tracker.Threshold,
                PeakHeldShare = tracker.PeakHeldShare,
                Checks = tracker.Checks,
                Curve = tracker.Curve,
            };
        }

        return new TimeToDetection
        {
            Status = Reporting.TimeToDetection.ReachedStatus,
            Threshold = tracker.Threshold,
            EventsSent = reached.EventsSent,
            SimulatedMinute = reached.SimulatedMinute,
            ElapsedSeconds = reached.ElapsedSeconds,
            Step = reached.Step,
            PeakHeldShare = tracker.PeakHeldShare,
            Checks = tracker.Checks,
            Curve = tracker.Curve,
        };
    }

    /// <summary>Held accounts and rate per group, groups in first-seen order.</summary>
    public static IReadOnlyList<GroupRate> GroupRates(IEnumerable<(string Group, RequestDecision Decision)> decisions)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        var groups = new List<string>();
        var tallies = new Dictionary<string, (int Accounts, int Held)>(StringComparer.Ordinal);
        foreach (var (group, decision) in decisions)
        {
            if (!tallies.TryGetValue(group, out var t))
            {
                groups.Add(group);
            }

            tallies[group] = (t.Accounts + 1, t.Held + (DetectionMetrics.IsHeld(decision) ? 1 : 0));
        }

        return [.. groups.Select(g => new GroupRate(g, tallies[g].Accounts, tallies[g].Held, tallies[g].Accounts == 0 ? null : (double)tallies[g].Held / tallies[g].Accounts))];
    }

    /// <summary>Counts by the lowercase wire name of each value, every value present (zeros included).</summary>
    public static IReadOnlyDictionary<string, long> CountByName<T>(IEnumerable<T> values)
        where T : struct, Enum
    {
        ArgumentNullException.ThrowIfNull(values);
        var counts = Enum.GetValues<T>().ToDictionary(WireName, _ => 0L, StringComparer.Ordinal);
        foreach (var value in values)
        {
            counts[WireName(value)]++;
        }

        return counts;
    }

    public static string WireName<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();

    /// <summary>Counts of strings, largest first, ties by name.</summary>
    public static IReadOnlyDictionary<string, long> Tally(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var ordered = values.GroupBy(v => v, StringComparer.Ordinal)
            .Select(g => (g.Key, Count: (long)g.Count()))
            .OrderByDescending(p => p.Count).ThenBy(p => p.Key, StringComparer.Ordinal);
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, count) in ordered)
        {
            result[key] = count;
        }

        return result;
    }
}
