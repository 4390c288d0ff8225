namespace Reputation.Core.Scoring;

/// <summary>What a template bucket (or a cluster of template sets) knows of one sampled sharer: its standing, two 16-bit tags and its five-minute bins.</summary>
/// <param name="Standing">The standing its latest event carried.</param>
/// <param name="RangeTag">A 16-bit tag of its range (0: no address).</param>
/// <param name="DomainTag">A 16-bit tag of its work domain (0: none).</param>
/// <param name="ActiveBins">Its own five-minute bins with usage, all its traffic (<see cref="Lockstep"/>): whether it keeps the other sharers' hours.</param>
/// <param name="LatestBin">The newest of those bins.</param>
/// <param name="InStepElsewhere">
/// Whether another template or cluster found it moving in lockstep with its sharers beyond chance
/// lately (<see cref="SharerProfile.InStepFor"/>): whether an account keeps its own hours is a fact
/// of the account, not of one template.
/// </param>
/// <param name="StartMinute">
/// The minute its activity began, its first usage the service saw (<see cref="CoStart.MinuteOf"/>); 0
/// when unknown: whether it began together with the other sharers (<see cref="CoStart"/>).
/// </param>
/// <param name="Fingerprint">
/// Its latest prompt fingerprint in the bucket; 0 when unknown: which of the near-duplicate groups
/// that fell into one 16-bit band it belongs to (<see cref="SharerProfile.NearGroups"/>).
/// </param>
public readonly record struct SharerTraits(Standing Standing, ushort RangeTag, ushort DomainTag, ulong ActiveBins = 0, int LatestBin = 0, bool InStepElsewhere = false, int StartMinute = 0, ulong Fingerprint = 0);

/// <summary>
/// Who shares a template decides what sharing it means (docs/detection.md, "Who shares a
/// template"): a popular tool's customers, a class or a team in one range or work domain, or young
/// or dormant accounts — a campaign. Pure, so it is unit-tested without a silo.
/// </summary>
public static class SharerProfile
{
    /// <summary>A cohort (one range, one work domain) needs at least this many sampled sharers to be one.</summary>
    public const int MinCohort = 5;

    /// <summary>
    /// How long an account found in lockstep on one template or cluster stops vouching for any: the
    /// 64 five-minute bins its timing is judged over (<see cref="BinMap"/>).
    /// </summary>
    public static readonly TimeSpan InStepFor = Lockstep.Bin * 64;

    /// <summary>
    /// The share of a sample in lockstep beyond chance from which it tells them so: a group that
    /// keeps one schedule moves together for the most part, while among a popular tool's many
    /// independent customers the few "in step" are the chance test's own misses.
    /// </summary>
    public const double InStepMajority = 0.5;

    /// <summary>Near-duplicate: prompt fingerprints at most this many bits apart of 64 (the buckets' own radius).</summary>
    public const int NearDistance = 3;

    /// <summary>
    /// One family of prompts (a template's fills, judged as one group in a bucket,
    /// <see cref="GroupSuspicion"/>): fingerprints at most this many bits apart. Two unrelated prompts
    /// that agree on a bucket's 16-bit band differ in each of their other 48 bits by chance, and are
    /// within 12 of them with probability 3.6 × 10⁻⁴ (Binomial(48, ½) ≤ 12): closer than that they
    /// were written from one another.
    /// </summary>
    public const int FamilyDistance = 12;

    /// <summary>
    /// Whether a sharer's standing vouches for the template: trusted or established customers do;
    /// so does an aged account of which nothing is known yet — neither new, nor dormant, nor with a
    /// little history (a deployment that was not sent its customers' past meets every customer so) —
    /// unless it moves in lockstep with the other sharers beyond chance or began together with most
    /// of them (<paramref name="inLockstep"/>: <see cref="Lockstep"/> or <see cref="CoStart"/>, here,
    /// or lately on another template or cluster), which honest customers of a tool do not. New,
    /// dormant and light (<see cref="Standing.Known"/>) accounts do not, as before (decision 0041).
    /// </summary>
    public static bool Vouches(Standing standing, bool inLockstep)
    {
        if (standing.IsEstablished())
        {
            return true;
        }

        if ((standing & (Standing.New | Standing.Dormant | Standing.Known)) != 0)
        {
            return false;
        }

        return !inLockstep;
    }

    /// <summary>
    /// 1 − the larger of the share of sharers that vouch (<see cref="Vouches"/>) and the largest
    /// cohort's share — one range or one work domain, from <see cref="MinCohort"/> sharers — when it
    /// reaches <paramref name="cohortShare"/>. 1 with no sharer known (as before profiles existed).
    /// Lockstep reads censored maps, cut at the older end where the watching began
    /// (<paramref name="watchedSinceBin"/>, <see cref="Lockstep.BeyondChanceBySharer"/>) when it is known.
    /// </summary>
    public static double Suspicion(ReadOnlySpan<SharerTraits> sharers, double cohortShare, int? watchedSinceBin = null) =>
        Suspicion(sharers, cohortShare, watchedSinceBin, [], out _);

    /// <summary>
    /// <see cref="Suspicion(ReadOnlySpan{SharerTraits}, double, int?)"/>, and which sharers this sample
    /// finds in lockstep beyond chance or begun together (<see cref="CoStart"/>): <paramref name="inStep"/>[i] for <paramref name="sharers"/>[i],
    /// all false when fewer than <see cref="InStepMajority"/> of the sample are, or when it is one
    /// cohort (a class or a team keeps one timetable by design) —
    /// what the template tells those accounts, so that they stop vouching for other templates too
    /// (<see cref="SharerTraits.InStepElsewhere"/>). An empty span asks for the suspicion alone.
    /// </summary>
    /// <param name="sharers">The sampled sharers.</param>
    /// <param name="cohortShare">One range's or work domain's share of the sample from which it is one cohort.</param>
    /// <param name="watchedSinceBin">The bin the watching began in, when known (<see cref="Lockstep.BeyondChanceBySharer"/>).</param>
    /// <param name="inStep">One flag per sharer, written; empty to ask for the suspicion alone.</param>
    /// <param name="together">The share of the sample in lockstep beyond chance when it tells them so (at least <see cref="InStepMajority"/>); 0 otherwise.</param>
    public static double Suspicion(ReadOnlySpan<SharerTraits> sharers, double cohortShare, int? watchedSinceBin, Span<bool> inStep, out double together) =>
        Suspicion(sharers, cohortShare, watchedSinceBin, inStep, out together, out _);

    /// <summary>
    /// <see cref="Suspicion(ReadOnlySpan{SharerTraits}, double, int?, Span{bool}, out double)"/>, and
    /// whether the sample is one cohort (<paramref name="isCohort"/>: one range's or work domain's
    /// share reaches <paramref name="cohortShare"/>), whose suspicion says nothing of the customer base
    /// (<see cref="CustomerBase"/>).
    /// </summary>
    public static double Suspicion(ReadOnlySpan<SharerTraits> sharers, double cohortShare, int? watchedSinceBin, Span<bool> inStep, out double together, out bool isCohort)
    {
        together = 0;
        isCohort = false;
        var n = sharers.Length;
        if (inStep.Length > 0)
        {
            if (inStep.Length < n)
            {
                throw new ArgumentException("one flag per sharer is needed", nameof(inStep));
            }

            inStep[..n].Clear();
        }

        if (n == 0)
        {
            return 1;
        }

        Span<bool> here = n <= 128 ? stackalloc bool[n] : new bool[n];
        InStepHere(sharers, watchedSinceBin, here);
        var suspicion = Judge(sharers, here, cohortShare, out var cohort);
        isCohort = cohort >= cohortShare;
        if (inStep.Length > 0 && cohort < cohortShare)
        {
            var count = 0;
            foreach (var flag in here)
            {
                count += flag ? 1 : 0;
            }

            if (count > 0 && count >= InStepMajority * n)
            {
                here.CopyTo(inStep);
                together = count / (double)n;
            }
        }

        return suspicion;
    }

    /// <summary>Which sharers keep the others' hours beyond chance (<see cref="Lockstep"/>) or began together with most of them (<see cref="CoStart"/>), over the whole sample.</summary>
    private static void InStepHere(ReadOnlySpan<SharerTraits> sharers, int? watchedSinceBin, Span<bool> here)
    {
        var n = sharers.Length;
        Span<(ulong, int)> bins = n <= 128 ? stackalloc (ulong, int)[n] : new (ulong, int)[n];
        for (var i = 0; i < n; i++)
        {
            bins[i] = (sharers[i].ActiveBins, sharers[i].LatestBin);
        }

        Lockstep.BeyondChanceBySharer(bins, here, censor: true, watchedSinceBin);

        // Most of the sample began together, after the watching began: in step from its first
        // minute, before any run has ended for lockstep to compare with chance.
        BeganTogether(sharers, watchedSinceBin, here);
    }

    /// <summary>1 − the larger of the share of <paramref name="sharers"/> that vouch and their largest cohort's share when it counts; <paramref name="here"/>: each one's timing as the whole sample judged it.</summary>
    private static double Judge(ReadOnlySpan<SharerTraits> sharers, ReadOnlySpan<bool> here, double cohortShare, out double cohort)
    {
        var n = sharers.Length;
        var vouching = 0;
        var ranges = new Dictionary<ushort, int>();
        var domains = new Dictionary<ushort, int>();
        for (var i = 0; i < n; i++)
        {
            var s = sharers[i];
            vouching += Vouches(s.Standing, here[i] || s.InStepElsewhere) ? 1 : 0;

            // Tag 0: the usage came without an address or work domain; no cohort can be read from it.
            if (s.RangeTag != 0)
            {
                ranges[s.RangeTag] = ranges.GetValueOrDefault(s.RangeTag) + 1;
            }

            if (s.DomainTag != 0)
            {
                domains[s.DomainTag] = domains.GetValueOrDefault(s.DomainTag) + 1;
            }
        }

        cohort = n < MinCohort ? 0 : Math.Max(ranges.Count == 0 ? 0 : ranges.Values.Max(), domains.Count == 0 ? 0 : domains.Values.Max()) / (double)n;
        var benign = Math.Max(vouching / (double)n, cohort >= cohortShare ? cohort : 0);
        return Math.Clamp(1 - benign, 0, 1);
    }

    /// <summary>
    /// Labels the sharers' near-duplicate groups: sharers whose fingerprints lie within
    /// <see cref="NearDistance"/> of one another, directly or through other sharers, get one label
    /// (0, 1, …); a sharer without a fingerprint gets −1. A bucket keys on one 16-bit band of four, so
    /// unrelated prompts that happen to agree on it — a class's homework prompt and a campaign's
    /// harvest template, a tool's prompt and a harvest template — fall into one bucket as separate
    /// groups. Answers the number of groups.
    /// </summary>
    /// <param name="sharers">The sampled sharers.</param>
    /// <param name="group">One label per sharer, written.</param>
    /// <param name="distance">Sharers within this many bits of one another, directly or through others, are one group (<see cref="FamilyDistance"/> for families of prompts).</param>
    public static int NearGroups(ReadOnlySpan<SharerTraits> sharers, Span<int> group, int distance = NearDistance)
    {
        var n = sharers.Length;
        if (group.Length < n)
        {
            throw new ArgumentException("one label per sharer is needed", nameof(group));
        }

        // Union-find over the sample (a few dozen sharers: every pair is compared).
        Span<int> parent = n <= 128 ? stackalloc int[n] : new int[n];
        for (var i = 0; i < n; i++)
        {
            parent[i] = i;
        }

        for (var i = 0; i < n; i++)
        {
            if (sharers[i].Fingerprint == 0)
            {
                continue;
            }

            for (var j = i + 1; j < n; j++)
            {
                if (sharers[j].Fingerprint != 0 && System.Numerics.BitOperations.PopCount(sharers[i].Fingerprint ^ sharers[j].Fingerprint) <= distance)
                {
                    var (a, b) = (Root(parent, i), Root(parent, j));
                    parent[Math.Max(a, b)] = Math.Min(a, b);
                }
            }
        }

        var count = 0;
        Span<int> label = n <= 128 ? stackalloc int[n] : new int[n];
        label.Fill(-1);
        for (var i = 0; i < n; i++)
        {
            if (sharers[i].Fingerprint == 0)
            {
                group[i] = -1;
                continue;
            }

            var root = Root(parent, i);
            if (label[root] < 0)
            {
                label[root] = count++;
            }

            group[i] = label[root];
        }

        return count;

        static int Root(Span<int> parent, int i)
        {
            while (parent[i] != i)
            {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }

            return i;
        }
    }

    /// <summary>
    /// Each sharer's own family's suspicion (<see cref="NearGroups"/>
    /// at <see cref="FamilyDistance"/>: a template's fills are one family, prompts that
    /// agree on the band by chance are not), when the sample
    /// holds two or more groups of which at least one has <see cref="MinCohort"/> sharers; NaN otherwise
    /// (the whole sample's <see cref="Suspicion(ReadOnlySpan{SharerTraits}, double, int?)"/> speaks for
    /// it), and for a sharer without a fingerprint. A bucket speaks for a template as far as its sharers
    /// sent that template: the sharers of a prompt that agrees with a campaign's harvest template on one
    /// band only are judged there by their own company, however few they are, and the campaign's
    /// accounts by theirs, however many of either the bucket holds. A band of scattered small groups
    /// and no cohort-sized one is judged as one sample. Answers the number of groups judged apart
    /// (0 or at least 2).
    /// </summary>
    /// <param name="sharers">The sampled sharers.</param>
    /// <param name="cohortShare">As for <see cref="Suspicion(ReadOnlySpan{SharerTraits}, double, int?)"/>, within each group.</param>
    /// <param name="watchedSinceBin">As for <see cref="Suspicion(ReadOnlySpan{SharerTraits}, double, int?)"/>: timing (lockstep, began together) is judged over the whole sample.</param>
    /// <param name="suspicion">One value per sharer, written.</param>
    /// <param name="group">When given (one per sharer), each sharer's group label (<see cref="NearGroups"/>), written.</param>
    public static int GroupSuspicion(ReadOnlySpan<SharerTraits> sharers, double cohortShare, int? watchedSinceBin, Span<double> suspicion, Span<int> group = default)
    {
        var n = sharers.Length;
        if (suspicion.Length < n)
        {
            throw new ArgumentException("one value per sharer is needed", nameof(suspicion));
        }

        suspicion[..n].Fill(double.NaN);
        // The caller's labels when it asked for them; otherwise on the stack, as before.
        Span<int> labels = group.Length >= n ? group : n <= 128 ? stackalloc int[n] : new int[n];
        var count = NearGroups(sharers, labels, FamilyDistance);
        if (count < 2)
        {
            return 0;
        }

        var sizes = new int[count];
        foreach (var g in labels[..n])
        {
            if (g >= 0)
            {
                sizes[g]++;
            }
        }

        if (!sizes.Any(size => size >= MinCohort))
        {
            return 0;
        }

        // Timing is judged against the whole sample, as for the bucket: a group of a schedule's
        // accounts is in step with the schedule however few of them fell into this band.
        Span<bool> here = n <= 128 ? stackalloc bool[n] : new bool[n];
        InStepHere(sharers, watchedSinceBin, here);
        var members = new SharerTraits[n];
        var membersHere = new bool[n];
        for (var g = 0; g < count; g++)
        {
            var k = 0;
            for (var i = 0; i < n; i++)
            {
                if (labels[i] == g)
                {
                    membersHere[k] = here[i];
                    members[k++] = sharers[i];
                }
            }

            var value = Judge(members.AsSpan(0, k), membersHere.AsSpan(0, k), cohortShare, out _);
            for (var i = 0; i < n; i++)
            {
                if (labels[i] == g)
                {
                    suspicion[i] = value;
                }
            }
        }

        return count;
    }

    /// <summary>
    /// How many of the sampled sharers began together (<see cref="CoStart.Flag"/>): their first usage
    /// within <see cref="CoStart.Window"/> minutes of one another, at least <see cref="CoStart.MinGroup"/>
    /// of them and at least <see cref="InStepMajority"/> of the sample; 0 when no such group. Starts
    /// older than the maps' 64-bin horizon before the sample's latest bin do not count: a past sent
    /// all at one time is not a live start.
    /// </summary>
    /// <param name="sharers">The sampled sharers.</param>
    /// <param name="watchedSinceBin">The bin the watching began in, when known.</param>
    /// <param name="together">One flag per sharer, set for those in the group (never cleared); empty to ask for the count alone.</param>
    public static int BeganTogether(ReadOnlySpan<SharerTraits> sharers, int? watchedSinceBin, Span<bool> together)
    {
        var n = sharers.Length;
        var binMinutes = Lockstep.Bin.Ticks / TimeSpan.TicksPerMinute;
        var latestBin = long.MinValue;
        foreach (var s in sharers)
        {
            latestBin = Math.Max(latestBin, s.LatestBin);
        }

        var horizon = (latestBin - 63) * binMinutes;
        Span<int> starts = n <= 128 ? stackalloc int[n] : new int[n];
        for (var i = 0; i < n; i++)
        {
            starts[i] = sharers[i].StartMinute >= horizon ? sharers[i].StartMinute : 0;
        }

        Span<bool> flags = together.Length > 0 ? together : n <= 128 ? stackalloc bool[n] : new bool[n];
        return CoStart.Flag(starts, watchedSinceBin is { } sinceBin ? (int)Math.Clamp(sinceBin * binMinutes, 0, int.MaxValue) : null, InStepMajority, flags);
    }
}
