using Reputation.Core.Scoring;
using Reputation.Grains.State;

namespace Reputation.Grains.Templates;

/// <summary>
/// A template's sharers' requests per minute of the last hour by model, and how far they moved to
/// newly released models beyond the service's share (docs/detection.md, "Release pivot").
/// </summary>
internal static class ReleasePivotWindows
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    /// <summary>Counts requests to a model; a model not yet kept when <paramref name="capacity"/> are takes the place of the quietest of the last hour.</summary>
    public static void Add(Dictionary<string, WindowState> windows, string model, DateTimeOffset at, long requests, int capacity)
    {
        if (!windows.TryGetValue(model, out var window))
        {
            if (windows.Count >= capacity)
            {
                var quietest = windows.OrderBy(p => p.Value.Minutes().Estimate(at, Hour)).ThenBy(p => p.Key, StringComparer.Ordinal).First().Key;
                windows.Remove(quietest);
            }

            windows[model] = window = WindowState.Create(61);
        }

        window.Minutes().Add(at, requests);
    }

    /// <summary>The template's last-hour share of requests to newly released models beyond the service's (<see cref="ReleasePivot.Excess"/>).</summary>
    public static double Pivot(Dictionary<string, WindowState> windows, IModelReleases releases, DateTimeOffset now, SignalRamps ramps)
    {
        long all = 0;
        long fresh = 0;
        foreach (var (model, window) in windows)
        {
            var n = window.Minutes().Estimate(now, Hour);
            all += n;
            if (n > 0 && releases.IsNewlyReleased(model, now, ramps))
            {
                fresh += n;
            }
        }

        return fresh == 0 ? 0 : ReleasePivot.Excess(fresh, all, releases.NewShareLastHour(now, ramps), ramps.ReleasePivotMinRequests);
    }
}
