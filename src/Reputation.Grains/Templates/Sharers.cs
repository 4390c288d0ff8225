using Reputation.Core.Scoring;

namespace Reputation.Grains.Templates;

/// <summary>
/// A template's sharer profile (docs/detection.md, "Who shares a template"): a popular tool's
/// template is shared by established customers, a class's or a team's by one cohort in one range or
/// work domain; a campaign's by young or dormant accounts spread over many ranges.
/// </summary>
internal static class Sharers
{
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
        sample.InStepElsewhere = entry.InStep;
        sample.Fingerprint = entry.Fingerprint;
        if (entry.AccountFirstUsageAt is { } began && CoStart.MinuteOf(began) is var minute && (sample.StartMinute == 0 || minute < sample.StartMinute))
        {
            sample.StartMinute = minute;
        }

        if (entry.AccountBins != 0 && (sample.AccountBins == 0 || entry.AccountLatestBin >= sample.AccountLatestBin))
        {
            sample.AccountBins = entry.AccountBins;
            sample.AccountLatestBin = entry.AccountLatestBin;
        }
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

    /// <summary>The sample's lockstep beyond chance on this template (<see cref="Lockstep.OfTemplate"/>): runs cut off where the watching began (<paramref name="watchedSince"/>) left out, and the run under way too unless the sample is suspect for the most part (<paramref name="suspicion"/>).</summary>
    public static double LockstepShare(List<SharerSample> sharers, DateTimeOffset? watchedSince, double suspicion)
    {
        Span<(ulong, int)> bins = stackalloc (ulong, int)[sharers.Count];
        for (var i = 0; i < sharers.Count; i++)
        {
            bins[i] = (sharers[i].ActiveBins, sharers[i].LatestBin);
        }

        return Lockstep.OfTemplate(bins, watchedSince is { } since ? Lockstep.BinOf(since) : null, suspicion);
    }

    /// <summary>How many of the sample began together after the watching began (<see cref="SharerProfile.BeganTogether"/>); 0 when no such group.</summary>
    public static int BeganTogether(List<SharerSample> sharers, DateTimeOffset? watchedSince) =>
        SharerProfile.BeganTogether(Traits(sharers), watchedSince is { } since ? Lockstep.BinOf(since) : null, []);

    private static SharerTraits[] Traits(List<SharerSample> sharers)
    {
        var traits = new SharerTraits[sharers.Count];
        Fill(sharers, traits);
        return traits;
    }

    /// <summary>Each sampled sharer's traits as the profile reads them, one per sharer.</summary>
    private static void Fill(List<SharerSample> sharers, Span<SharerTraits> traits)
    {
        for (var i = 0; i < sharers.Count; i++)
        {
            var s = sharers[i];
            traits[i] = new SharerTraits(s.Standing, s.RangeTag, s.DomainTag, s.AccountBins, s.AccountLatestBin, s.InStepElsewhere, s.StartMinute, s.Fingerprint);
        }
    }

    /// <summary>The sample's families of prompts judged apart (<see cref="SharerProfile.GroupSuspicion"/>), largest first; empty when it is one family.</summary>
    public static NearGroupSnapshot[] Groups(List<SharerSample> sharers, double cohortShare, DateTimeOffset? watchedSince)
    {
        var traits = Traits(sharers);
        var values = new double[traits.Length];
        var labels = new int[traits.Length];
        if (SharerProfile.GroupSuspicion(traits, cohortShare, watchedSince is { } since ? Lockstep.BinOf(since) : null, values, labels) == 0)
        {
            return [];
        }

        return [.. Enumerable.Range(0, traits.Length).Where(i => !double.IsNaN(values[i])).GroupBy(i => labels[i])
            .Select(g => new NearGroupSnapshot { SampledSharers = g.Count(), Suspicion = values[g.First()] })
            .OrderByDescending(g => g.SampledSharers)];
    }

    /// <summary>The sample's suspicion (<see cref="SharerProfile.Suspicion(ReadOnlySpan{SharerTraits}, double, int?)"/>), its timing read from when the service began watching (<paramref name="watchedSince"/>, <see cref="IUsageObservation.Since"/>).</summary>
    public static double Suspicion(List<SharerSample> sharers, double cohortShare, DateTimeOffset? watchedSince) => Suspicion(sharers, cohortShare, watchedSince, [], out _);

    /// <summary>As above, and which sampled sharers it finds in lockstep beyond chance (<paramref name="inStep"/>, one flag per sharer; empty: not asked).</summary>
    public static double Suspicion(List<SharerSample> sharers, double cohortShare, DateTimeOffset? watchedSince, Span<bool> inStep, out double together)
    {
        var n = sharers.Count;
        Span<SharerTraits> traits = n <= 128 ? stackalloc SharerTraits[n] : new SharerTraits[n];
        Fill(sharers, traits);
        return SharerProfile.Suspicion(traits, cohortShare, watchedSince is { } since ? Lockstep.BinOf(since) : null, inStep, out together, out _);
    }

    /// <summary>
    /// As above, and the sampled sharers judged by their own family of prompts rather than the whole
    /// bucket (<see cref="SharerProfile.GroupSuspicion"/>), by account, with the family's share of the
    /// sample: null when the sample is one family;
    /// whether the sample is one cohort (<paramref name="isCohort"/>); and whether it holds at most one
    /// group of a cohort's size (<paramref name="oneGroup"/>, what the customer base asks, decision 0049).
    /// </summary>
    public static double Suspicion(List<SharerSample> sharers, double cohortShare, DateTimeOffset? watchedSince, Span<bool> inStep, out double together, out Dictionary<string, GroupRead>? groups, out bool isCohort, out bool oneGroup)
    {
        var n = sharers.Count;
        Span<SharerTraits> traits = n <= 128 ? stackalloc SharerTraits[n] : new SharerTraits[n];
        Fill(sharers, traits);
        var bin = watchedSince is { } since ? Lockstep.BinOf(since) : (int?)null;
        var suspicion = SharerProfile.Suspicion(traits, cohortShare, bin, inStep, out together, out isCohort);
        groups = null;
        oneGroup = true;
        Span<double> values = n <= 128 ? stackalloc double[n] : new double[n];
        Span<int> labels = n <= 128 ? stackalloc int[n] : new int[n];
        var count = SharerProfile.GroupSuspicion(traits, cohortShare, bin, values, labels);
        if (count == 0)
        {
            return suspicion;
        }

        Span<int> sizes = count <= 128 ? stackalloc int[count] : new int[count];
        sizes.Clear();
        foreach (var g in labels[..n])
        {
            if (g >= 0)
            {
                sizes[g]++;
            }
        }

        var cohortSized = 0;
        foreach (var size in sizes)
        {
            cohortSized += size >= SharerProfile.MinCohort ? 1 : 0;
        }

        oneGroup = cohortSized <= 1;
        groups = new Dictionary<string, GroupRead>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            if (!double.IsNaN(values[i]))
            {
                groups[sharers[i].AccountId] = new GroupRead(values[i], sizes[labels[i]] / (double)n);
            }
        }

        return suspicion;
    }
}

/// <summary>How a sampled sharer's own family of prompts reads in a bucket that holds several: its suspicion, and its share of the sample.</summary>
internal readonly record struct GroupRead(double Suspicion, double Share);
