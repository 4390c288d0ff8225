namespace Reputation.Core.Scoring;

/// <summary>
/// A cluster moving most of its traffic to a newly released model within a day
/// (docs/detection.md, "Release pivot"; docs/decisions/0036-release-pivot.md): the pure parts.
/// </summary>
public static class ReleasePivot
{
    /// <summary>
    /// Whether a model the service first saw at <paramref name="firstSeen"/> counts as newly released
    /// at <paramref name="now"/>: seen for less than <c>ramps.releaseNewFor</c>, and first seen at
    /// least <c>ramps.releaseWatchedBefore</c> after the service started seeing usage
    /// (<paramref name="watchingSince"/>) — on a fresh deployment every model is first seen at once,
    /// and none of them is new.
    /// </summary>
    public static bool IsNewlyReleased(DateTimeOffset firstSeen, DateTimeOffset? watchingSince, DateTimeOffset now, SignalRamps ramps)
    {
        ArgumentNullException.ThrowIfNull(ramps);
        return watchingSince is { } since
            && firstSeen - since >= ramps.ReleaseWatchedBefore
            && now >= firstSeen
            && now - firstSeen < ramps.ReleaseNewFor;
    }

    /// <summary>
    /// How far a cluster's last-hour requests went to newly released models beyond the service's own
    /// share, 0..1: <paramref name="clusterNew"/> of <paramref name="clusterAll"/> (taken over at least
    /// <paramref name="minRequests"/>, so a handful of requests is not a pivot) less
    /// <paramref name="serviceNewShare"/>. A release every customer adopts moves the service with the
    /// cluster and leaves nothing.
    /// </summary>
    public static double Excess(long clusterNew, long clusterAll, double serviceNewShare, long minRequests)
    {
        var over = Math.Max(clusterAll, minRequests);
        if (over <= 0 || clusterNew <= 0)
        {
            return 0;
        }

        var share = Math.Clamp(clusterNew / (double)over, 0, 1);
        return Math.Clamp(share - Math.Clamp(serviceNewShare, 0, 1), 0, 1);
    }
}
