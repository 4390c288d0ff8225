using Reputation.Core.Scoring;

namespace Reputation.Grains.Templates;

/// <summary>
/// A template's sharer profile (docs/detection.md, "Who shares a template"): a popular tool's
/// template is shared by established customers, a class's or a team's by one cohort in one range or
/// work domain; a campaign's by young or dormant accounts spread over many ranges.
/// </summary>
internal static class Sharers
{
    /// <summary>A cohort (one range, one work domain) needs at least this many sampled sharers to be one.</summary>
    public const int MinCohort = 5;

    public static void Touch(List<SharerSample> sharers, string accountId, TemplateEntry entry, int capacity)
    {
        var index = sharers.FindIndex(x => x.AccountId == accountId);
        // A sample that enters now is tracked from its first entry on (SharerSample.Tracked).
        var sample = index >= 0 ? sharers[index] : new SharerSample { AccountId = accountId, Tracked = true };
        if (index >= 0)
        {
            sharers.RemoveAt(index);
        }

        sample.Standing = entry.Standing;
        sample.RangeTag = entry.RangeTag;
        sample.DomainTag = entry.DomainTag;
        var bins = sample.ActiveBins;
        var latest = sample.LatestBin;
        Lockstep.Mark(ref bins, ref latest, entry.OccurredAt);
        sample.ActiveBins = bins;
        sample.LatestBin = latest;
        sharers.Insert(0, sample);
        if (sharers.Count > capacity)
        {
            sharers.RemoveAt(sharers.Count - 1);
        }
    }

    /// <summary>An event that touched the sample of the account hashed <paramref name="account"/> left the bucket's counted events: its sample is no longer tracked.</summary>
    public static void Untrack(List<SharerSample> sharers, ulong account)
    {
        foreach (var sample in sharers)
        {
            if (sample.Tracked && Core.Collections.DedupWindow.Hash(sample.AccountId) == account)
            {
                sample.Tracked = false;
            }
        }
    }

    public static double LockstepShare(List<SharerSample> sharers)
    {
        Span<(ulong, int)> bins = stackalloc (ulong, int)[sharers.Count];
        for (var i = 0; i < sharers.Count; i++)
        {
            bins[i] = (sharers[i].ActiveBins, sharers[i].LatestBin);
        }

        return Lockstep.BeyondChance(bins);
    }

    /// <summary>1 − the larger of: the established or trusted share, and the largest cohort's share when it reaches <paramref name="cohortShare"/>.</summary>
    public static double Suspicion(List<SharerSample> sharers, double cohortShare)
    {
        // Nothing known of any sharer: fully suspect, as before profiles existed.
        var n = sharers.Count;
        if (n == 0)
        {
            return 1;
        }

        var established = 0;
        var ranges = new Dictionary<ushort, int>();
        var domains = new Dictionary<ushort, int>();
        foreach (var s in sharers)
        {
            if ((s.Standing & (Standing.Established | Standing.Trusted)) != 0)
            {
                established++;
            }

            // Tag 0: the usage came without an address; no cohort can be read from it.
            if (s.RangeTag != 0)
            {
                ranges[s.RangeTag] = ranges.GetValueOrDefault(s.RangeTag) + 1;
            }

            if (s.DomainTag != 0)
            {
                domains[s.DomainTag] = domains.GetValueOrDefault(s.DomainTag) + 1;
            }
        }

        var cohort = n < MinCohort ? 0 : Math.Max(ranges.Count == 0 ? 0 : ranges.Values.Max(), domains.Count == 0 ? 0 : domains.Values.Max()) / (double)n;
        var benign = Math.Max(established / (double)n, cohort >= cohortShare ? cohort : 0);
        return Math.Clamp(1 - benign, 0, 1);
    }
}
