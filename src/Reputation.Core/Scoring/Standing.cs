using System.Numerics;

namespace Reputation.Core.Scoring;

/// <summary>What an account is, as the entities it shares see it: a few bits, sent with its events.</summary>
[Flags]
public enum Standing : byte
{
    None = 0,
    /// <summary>Younger than the policy's new-account maturity.</summary>
    New = 1,
    /// <summary>Aged, with a history of use on several days or of renewals: a customer the service has seen.</summary>
    Established = 2,
    /// <summary>Aged without history, and first used long after it was created (as far as the service saw its usage): bought or farmed, or a returning user.</summary>
    Dormant = 4,
    /// <summary>A member of an organisation the platform verified, or labelled trusted by an operator.</summary>
    Trusted = 8,
    /// <summary>Aged, with some use before the last two days, not yet enough to be established: a light user.</summary>
    Known = 16,
}

/// <summary>What the standings mean for evidence.</summary>
public static class StandingExtensions
{
    /// <summary>Aged with some history, or trusted: what the service has seen of it is a customer's.</summary>
    public static bool IsKnownCustomer(this Standing standing) =>
        (standing & (Standing.Established | Standing.Trusted | Standing.Known)) != 0;

    public static bool IsEstablished(this Standing standing) => (standing & (Standing.Established | Standing.Trusted)) != 0;
}

/// <summary>The facts an account's standing is decided from; pure, so it is unit-tested without a silo.</summary>
/// <param name="CreatedAt">When the account was created (its signup).</param>
/// <param name="FirstUsageAt">Its earliest usage the service was sent.</param>
/// <param name="UsageDaysBeforeRecent">Distinct days with usage before the last two (<see cref="UsageDays.Before"/>).</param>
/// <param name="FirstPaidAt">Its first successful payment.</param>
/// <param name="LastPaidAt">Its latest successful payment.</param>
/// <param name="VerifiedOrganization">A member of an organisation the platform verified.</param>
/// <param name="Label">Its operator label.</param>
/// <param name="UsageSince">
/// Since when the service has seen every account's usage (<c>UsageObservation</c>): the earliest usage
/// it was sent, or what the operator configured. Silence before it is not evidence: an account
/// created before it and first seen using the service after it may have been used in between.
/// Null when no usage has been seen yet.
/// </param>
public readonly record struct History(
    DateTimeOffset? CreatedAt,
    DateTimeOffset? FirstUsageAt,
    int UsageDaysBeforeRecent,
    DateTimeOffset? FirstPaidAt,
    DateTimeOffset? LastPaidAt,
    bool VerifiedOrganization,
    Label Label,
    DateTimeOffset? UsageSince)
{
    public Standing StandingAt(DateTimeOffset now, ScoringPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var trust = policy.Trust;
        var standing = VerifiedOrganization || Label == Label.Trusted ? Standing.Trusted : Standing.None;
        var age = CreatedAt is { } created ? now - created : TimeSpan.Zero;
        if (age < policy.Ramps.NewAccountMaturity)
        {
            return standing | Standing.New;
        }

        var paidSpan = FirstPaidAt is { } first && LastPaidAt is { } last ? last - first : TimeSpan.Zero;
        if (UsageDaysBeforeRecent >= trust.HistoryDays || paidSpan >= TimeSpan.FromDays(trust.PaidSpanDays))
        {
            return standing | Standing.Established;
        }

        // No history at all before the last two days: dormant if its use started well after it was
        // created (or has not started). A light user with a day or two of earlier use is neither.
        var gap = TimeSpan.FromDays(trust.DormantGapDays);
        if (UsageDaysBeforeRecent > 0)
        {
            return standing | Standing.Known;
        }

        // Used before the map reaches (64 days): a returning customer, whose history is older than
        // what the map remembers, not an account that was never used.
        if (FirstUsageAt is { } firstUse && now - firstUse >= TimeSpan.FromDays(UsageDays.MapDays))
        {
            return standing | Standing.Known;
        }

        // Dormant: silent for the gap after it was created, as far as the service could see. A
        // deployment that did not send its customers' past has watched only since it started, so
        // every aged account it meets is silent before that without being dormant.
        return CreatedAt is { } c && UsageSince is { } since && ObservedSilence(c, since, FirstUsageAt ?? now) >= gap
            ? standing | Standing.Dormant
            : standing;
    }

    /// <summary>How long the service saw no use of an account created at <paramref name="created"/> before <paramref name="until"/>.</summary>
    private static TimeSpan ObservedSilence(DateTimeOffset created, DateTimeOffset since, DateTimeOffset until) =>
        until - (since > created ? since : created);
}

/// <summary>
/// Days with usage as a 64-bit map ending at the latest day seen (bit 0 = that day): bounded, and
/// enough to tell an account with weeks of history from one that started yesterday.
/// </summary>
public static class UsageDays
{
    /// <summary>Days the map remembers.</summary>
    public const int MapDays = 64;

    /// <summary>Marks the day of <paramref name="at"/>; days more than 63 before the latest fall off.</summary>
    public static void Mark(ref ulong bits, ref int latestDay, DateTimeOffset at) => BinMap.Mark(ref bits, ref latestDay, DayOf(at));

    /// <summary>Distinct days with usage before the last <paramref name="recentDays"/> days up to <paramref name="now"/>.</summary>
    public static int Before(ulong bits, int latestDay, DateTimeOffset now, int recentDays = 2)
    {
        if (bits == 0)
        {
            return 0;
        }

        // Bits for days on or after (today - recentDays + 1) are recent; shift them out.
        var cutoff = DayOf(now) - recentDays + 1; // first recent day
        var recentInMap = latestDay - cutoff + 1;  // how many of the map's newest days are recent
        if (recentInMap <= 0)
        {
            return BitOperations.PopCount(bits);
        }

        return recentInMap >= 64 ? 0 : BitOperations.PopCount(bits >> recentInMap);
    }

    public static int DayOf(DateTimeOffset at) => (int)(at.UtcTicks / TimeSpan.TicksPerDay);
}

/// <summary>
/// Lockstep (SynchroTrap, Cao et al., CCS 2014; CopyCatch, Beutel et al., WWW 2013): accounts of one
/// template active in the same five-minute bins, hour after hour. Each sampled sharer keeps a 64-bin
/// map of the bins it used the template in (about five hours); scripts on one schedule overlap far
/// more than people who happen to use the same tool. Among many busy sharers some overlap by chance,
/// so what counts is the overlap beyond what the same sharers produce with their timings shifted
/// apart (<see cref="BeyondChance"/>).
/// </summary>
public static class Lockstep
{
    public static readonly TimeSpan Bin = TimeSpan.FromMinutes(5);

    /// <summary>Bins a sharer must have been active in before its timing says anything.</summary>
    public const int MinBins = 3;

    /// <summary>Sharers with enough bins needed before a share is reported.</summary>
    public const int MinSharers = 5;

    /// <summary>Jaccard similarity of two sharers' bins from which they move in step.</summary>
    public const double Similar = 0.5;

    /// <summary>Others in step with a sharer before it counts as in lockstep.</summary>
    public const int MinPeers = 2;

    public static void Mark(ref ulong bits, ref int latestBin, DateTimeOffset at) => BinMap.Mark(ref bits, ref latestBin, BinOf(at));

    /// <summary>
    /// Share of the sharers (with at least <see cref="MinBins"/> bins) in step with at least
    /// <see cref="MinPeers"/> others; 0 with fewer than <see cref="MinSharers"/> such sharers.
    /// </summary>
    public static double Share(ReadOnlySpan<(ulong Bits, int LatestBin)> sharers)
    {
        Span<ulong> aligned = sharers.Length <= 128 ? stackalloc ulong[sharers.Length] : new ulong[sharers.Length];
        var n = Align(sharers, aligned);
        if (n < MinSharers)
        {
            return 0;
        }

        Span<int> peers = n <= 128 ? stackalloc int[n] : new int[n];
        Peers(aligned[..n], peers);
        var inStep = 0;
        foreach (var p in peers)
        {
            inStep += p >= MinPeers ? 1 : 0;
        }

        return inStep / (double)n;
    }

    /// <summary>Shifted copies of the sharers' timings that <see cref="BeyondChance"/> compares against.</summary>
    public const int NullRounds = 8;

    /// <summary>Bins (half an hour) a sharer's timing is shifted by at most in the copies <see cref="BeyondChance"/> compares against.</summary>
    public const int MaxShift = 6;

    /// <summary>How many times its peers by chance a sharer must have in step to be in lockstep beyond chance.</summary>
    public const double ChanceFactor = 1.5;

    /// <summary>
    /// The lockstep share corrected for chance, 0..1: the share of the sharers (with at least
    /// <see cref="MinBins"/> bins) whose peers in step outnumber those they have by chance — at least
    /// <see cref="ChanceFactor"/> times as many and <see cref="MinPeers"/> more. By chance is the mean
    /// over <see cref="NullRounds"/> copies in which each sharer's bins are shifted by its own
    /// offset of up to <see cref="MaxShift"/> bins, earlier or later (rotated within the span the
    /// sharers were active in): a shift keeps each sharer's sessions, how busy it is and roughly when
    /// in the day it works, and takes away only its minute-for-minute timing with the others, so the
    /// overlap that independent users of the same activity at the same hours would show — which
    /// grows with the sharers' number and busyness — drops out, and a schedule the sharers keep
    /// together remains. 0 with fewer than <see cref="MinSharers"/>
    /// such sharers.
    /// </summary>
    public static double BeyondChance(ReadOnlySpan<(ulong Bits, int LatestBin)> sharers) => BeyondChanceBySharer(sharers, [], censor: false);

    /// <summary>
    /// <see cref="BeyondChance"/> with the runs cut off where the watching began left out
    /// (<see cref="Censored"/>, the older end only): every customer of a tool in a
    /// session when a deployment began, or when the maps' horizon does, seems to have begun it with
    /// the others, and the copies shifted against them would not. The current shift is kept: what a
    /// template reports as its <c>lockstep</c> counts × its suspicion, and censoring the newest runs
    /// would see a campaign a shift later.
    /// </summary>
    /// <param name="sharers">Each sharer's map and its latest bin.</param>
    /// <param name="watchedSinceBin">The bin the watching began in, when known (as for <see cref="BeyondChanceBySharer"/>).</param>
    public static double BeyondChanceSinceWatched(ReadOnlySpan<(ulong Bits, int LatestBin)> sharers, int? watchedSinceBin) =>
        BeyondChanceBySharer(sharers, [], censor: true, watchedSinceBin, censorNewest: false);

    /// <summary>
    /// The template's suspicion from which the run under way counts in its lockstep
    /// (<see cref="OfTemplate"/>): a sample suspect for the most part.
    /// </summary>
    public const double CurrentShiftFromSuspicion = 0.5;

    /// <summary>
    /// The share a template reports as its <c>lockstep</c>: <see cref="BeyondChanceSinceWatched"/>
    /// while its sample is suspect for the most part (<paramref name="suspicion"/> at least
    /// <see cref="CurrentShiftFromSuspicion"/>), so that a campaign is seen in the shift it is
    /// working now; censored at both ends (<see cref="Censored"/>) while the sample vouches for the
    /// most part. The sample is a template's latest sharers, so each of them is in a session now by
    /// the way it was taken: a tool's customers all reach into the newest bins, the copies shifted
    /// against them do not, and 88–94 % of a tool's 64 latest sharers read as "in step" for no reason
    /// but that. Where the sharers vouch, the run under way is not evidence of a schedule; the runs
    /// before it still are.
    /// </summary>
    /// <param name="sharers">Each sharer's map and its latest bin.</param>
    /// <param name="watchedSinceBin">The bin the watching began in, when known (as for <see cref="BeyondChanceBySharer"/>).</param>
    /// <param name="suspicion">The template's suspicion over the same sample (<see cref="SharerProfile.Suspicion(ReadOnlySpan{SharerTraits}, double, int?)"/>).</param>
    public static double OfTemplate(ReadOnlySpan<(ulong Bits, int LatestBin)> sharers, int? watchedSinceBin, double suspicion)
    {
        if (suspicion >= CurrentShiftFromSuspicion)
        {
            return BeyondChanceSinceWatched(sharers, watchedSinceBin);
        }

        // Without the run under way, as a share of the sharers the run under way let it judge: one
        // whose only run is that one is not in step, rather than left out of the count.
        Span<bool> inStep = sharers.Length <= 128 ? stackalloc bool[sharers.Length] : new bool[sharers.Length];
        BeyondChanceBySharer(sharers, inStep, censor: true, watchedSinceBin, censorNewest: true);
        Span<ulong> aligned = sharers.Length <= 128 ? stackalloc ulong[sharers.Length] : new ulong[sharers.Length];
        var judged = Align(sharers, aligned, [], censor: true, watchedSinceBin, censorNewest: false);
        if (judged < MinSharers)
        {
            return 0;
        }

        var count = 0;
        foreach (var flag in inStep[..sharers.Length])
        {
            count += flag ? 1 : 0;
        }

        return count / (double)judged;
    }

    /// <summary>
    /// <see cref="BeyondChance"/>, and which sharers are in
    /// lockstep beyond chance: <paramref name="inStep"/>[i] for <paramref name="sharers"/>[i] (false
    /// for a sharer with fewer than <see cref="MinBins"/> bins, and for all with fewer than
    /// <see cref="MinSharers"/> such sharers). An empty span asks for the share alone. Each map is
    /// <see cref="Censored"/> first unless <paramref name="censor"/> is false: who vouches for a
    /// template (<see cref="SharerProfile"/>) reads censored maps; the share a template reports as
    /// its <c>lockstep</c> (<see cref="BeyondChanceSinceWatched"/>) censors the older end only, since it
    /// counts only × the template's suspicion and censoring the current shift would see a campaign a shift later.
    /// </summary>
    /// <param name="sharers">Each sharer's map and its latest bin.</param>
    /// <param name="inStep">One flag per sharer, written; empty to ask for the share alone.</param>
    /// <param name="censor">Whether each map is <see cref="Censored"/> first.</param>
    /// <param name="watchedSinceBin">
    /// The bin from which the service has seen every account's usage (<see cref="BinOf"/> of
    /// <c>History.UsageSince</c>), when known: runs cut off at the older end are those that reach into
    /// the first <see cref="CensoredBins"/> bins after it (or after the maps' 64-bin horizon, whichever
    /// is later). Where the sample's own activity begins is not where the watching began: sharers
    /// that all began at once after it did were seen beginning together. Unknown (null): the span the
    /// sharers' maps cover, as if the watching began with the earliest of them.
    /// </param>
    /// <param name="censorNewest">
    /// Whether runs cut off by the newest end are censored too (when <paramref name="censor"/>); false
    /// keeps the current shift, censoring only where the watching began.
    /// </param>
    public static double BeyondChanceBySharer(ReadOnlySpan<(ulong Bits, int LatestBin)> sharers, Span<bool> inStep, bool censor = true, int? watchedSinceBin = null, bool censorNewest = true)
    {
        if (inStep.Length > 0)
        {
            if (inStep.Length < sharers.Length)
            {
                throw new ArgumentException("one flag per sharer is needed", nameof(inStep));
            }

            inStep[..sharers.Length].Clear();
        }

        Span<ulong> aligned = sharers.Length <= 128 ? stackalloc ulong[sharers.Length] : new ulong[sharers.Length];
        Span<int> origin = sharers.Length <= 128 ? stackalloc int[sharers.Length] : new int[sharers.Length];
        var n = Align(sharers, aligned, origin, censor, watchedSinceBin, censorNewest);
        if (n < MinSharers)
        {
            return 0;
        }

        aligned = aligned[..n];
        Span<int> observed = n <= 128 ? stackalloc int[n] : new int[n];
        Peers(aligned, observed);
        ulong union = 0;
        foreach (var bits in aligned)
        {
            union |= bits;
        }

        var span = 64 - BitOperations.LeadingZeroCount(union);
        Span<ulong> rotated = n <= 128 ? stackalloc ulong[n] : new ulong[n];
        Span<int> peers = n <= 128 ? stackalloc int[n] : new int[n];
        Span<int> byChance = n <= 128 ? stackalloc int[n] : new int[n];
        byChance.Clear();
        for (var round = 0; round < NullRounds; round++)
        {
            for (var i = 0; i < n; i++)
            {
                rotated[i] = Shifted(aligned[i], Mix(((ulong)round << 32) | (uint)i), span);
            }

            Peers(rotated, peers);
            for (var i = 0; i < n; i++)
            {
                byChance[i] += peers[i];
            }
        }

        var count = 0;
        for (var i = 0; i < n; i++)
        {
            var chance = byChance[i] / (double)NullRounds;
            if (observed[i] >= chance + MinPeers && observed[i] >= ChanceFactor * chance)
            {
                count++;
                if (inStep.Length > 0)
                {
                    inStep[origin[i]] = true;
                }
            }
        }

        return count / (double)n;
    }

    /// <summary>The sharers' maps shifted to end at the latest bin of any, keeping those with at least <see cref="MinBins"/> bins.</summary>
    private static int Align(ReadOnlySpan<(ulong Bits, int LatestBin)> sharers, Span<ulong> aligned) => Align(sharers, aligned, [], censor: false, watchedSinceBin: null, censorNewest: false);

    /// <summary>The five-minute bin <paramref name="at"/> falls in (what <see cref="Mark"/> marks).</summary>
    public static int BinOf(DateTimeOffset at) => (int)(at.UtcTicks / Bin.Ticks);

    /// <summary>Bins at either end of what the sharers' maps cover within which a sharer's run of activity is cut off (<see cref="Censored"/>).</summary>
    public const int CensoredBins = 3;

    /// <summary>
    /// <paramref name="bits"/> without the runs of active bins cut off by either end of the
    /// <paramref name="span"/> bins the sharers' maps cover: its oldest run when it reaches into the
    /// oldest <see cref="CensoredBins"/>, its newest when it reaches into the newest ones. Where the
    /// maps begin — when the service started watching, or 64 bins ago — everyone then in a session
    /// seems to have started it together; where they end, the sample holds the sharers that used the
    /// template last, all of them in a session now. Both are where the watching begins and ends, not
    /// a schedule the sharers keep: every customer of a tool active in a deployment's first minutes,
    /// or in the last ones, would be "in step". A schedule kept together shows in the runs between.
    /// </summary>
    /// <param name="bits">A sharer's map, aligned to the sample's latest bin.</param>
    /// <param name="span">The bins the maps cover.</param>
    /// <param name="newest">Whether the newest run is cut too; false cuts only the oldest.</param>
    public static ulong Censored(ulong bits, int span, bool newest = true)
    {
        if (span <= 0 || bits == 0)
        {
            return bits;
        }

        var oldest = 63 - BitOperations.LeadingZeroCount(bits);
        if (oldest >= span - CensoredBins)
        {
            // Clear from the oldest bin towards newer ones while they are active.
            for (var b = oldest; b >= 0 && (bits & (1UL << b)) != 0; b--)
            {
                bits &= ~(1UL << b);
            }
        }

        if (newest && bits != 0 && BitOperations.TrailingZeroCount(bits) < CensoredBins)
        {
            // Clear from the newest active bin towards older ones while they are active.
            for (var b = BitOperations.TrailingZeroCount(bits); b < 64 && (bits & (1UL << b)) != 0; b++)
            {
                bits &= ~(1UL << b);
            }
        }

        return bits;
    }

    /// <summary>
    /// As above, with <paramref name="origin"/>[k] the index in <paramref name="sharers"/> of aligned map k
    /// (when not empty), and each map <see cref="Censored"/> first when <paramref name="censor"/>.
    /// </summary>
    private static int Align(ReadOnlySpan<(ulong Bits, int LatestBin)> sharers, Span<ulong> aligned, Span<int> origin, bool censor, int? watchedSinceBin, bool censorNewest)
    {
        var latest = int.MinValue;
        foreach (var s in sharers)
        {
            latest = Math.Max(latest, s.LatestBin);
        }

        var span = 0;
        if (censor && watchedSinceBin is { } since && sharers.Length > 0)
        {
            // From the first bin watched to the latest, within the maps' horizon.
            span = (int)Math.Clamp((long)latest - since + 1, 1, 64);
        }
        else if (censor)
        {
            ulong union = 0;
            foreach (var s in sharers)
            {
                var shift = latest - s.LatestBin;
                union |= shift >= 64 ? 0 : s.Bits << shift;
            }

            span = 64 - BitOperations.LeadingZeroCount(union);
        }

        var n = 0;
        for (var i = 0; i < sharers.Length; i++)
        {
            var shift = latest - sharers[i].LatestBin;
            var bits = shift >= 64 ? 0 : sharers[i].Bits << shift;
            if (censor)
            {
                bits = Censored(bits, span, censorNewest);
            }

            if (BitOperations.PopCount(bits) >= MinBins)
            {
                if (origin.Length > 0)
                {
                    origin[n] = i;
                }

                aligned[n++] = bits;
            }
        }

        return n;
    }

    /// <summary>For each map, how many others are in step with it (Jaccard ≥ <see cref="Similar"/>).</summary>
    private static void Peers(ReadOnlySpan<ulong> aligned, Span<int> peers)
    {
        peers.Clear();
        for (var i = 0; i < aligned.Length; i++)
        {
            for (var j = i + 1; j < aligned.Length; j++)
            {
                if (BitOperations.PopCount(aligned[i] & aligned[j]) >= Similar * BitOperations.PopCount(aligned[i] | aligned[j]))
                {
                    peers[i]++;
                    peers[j]++;
                }
            }
        }
    }

    /// <summary>
    /// <paramref name="bits"/> moved by one to <see cref="MaxShift"/> bins as <paramref name="draw"/>
    /// picks, earlier or later: in the direction that keeps it within the <paramref name="span"/> bins
    /// the sharers were active in (a shift off either end would make a sharer look less busy, and so
    /// less often in step, than it was), or turned round within the span when neither does.
    /// </summary>
    private static ulong Shifted(ulong bits, ulong draw, int span)
    {
        if (span <= 1)
        {
            return bits;
        }

        var by = 1 + (int)(draw % (ulong)Math.Min(MaxShift, span - 1));
        var olderFits = 63 - BitOperations.LeadingZeroCount(bits) + by < span;
        var newerFits = BitOperations.TrailingZeroCount(bits) >= by;
        var older = (draw & (1UL << 40)) == 0;
        if (older ? olderFits || !newerFits : !newerFits && olderFits)
        {
            return olderFits ? bits << by : Rotate(bits, by, span);
        }

        return bits >> by;
    }

    /// <summary><paramref name="bits"/> turned <paramref name="by"/> bins older within its lowest <paramref name="span"/> bits.</summary>
    private static ulong Rotate(ulong bits, int by, int span)
    {
        var mask = span == 64 ? ulong.MaxValue : (1UL << span) - 1;
        return ((bits << by) | (bits >> (span - by))) & mask;
    }

    /// <summary>SplitMix64's finaliser: fixed offsets for the null model, the same on every silo and run.</summary>
    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}

/// <summary>
/// A start kept together (SynchroTrap, Cao et al., CCS 2014: loosely synchronised action): most of a
/// template's sampled sharers whose activity began — their first usage the service saw — within
/// <see cref="Window"/> of one another, after the watching began. Lockstep (<see cref="Lockstep"/>)
/// needs runs that ended to compare with chance, so it cannot see a campaign's first shift while
/// every sharer's run is still going on; a start is seen as it happens. People who use the same
/// tool begin when they sit down, one by one: among a popular tool's customers at most a few begin
/// in the same two minutes, while a schedule's accounts begin together. Those in session when the
/// watching began seem to begin together too, so starts in its first <see cref="CensoredMinutes"/>
/// are left out; a class or a team that begins at once is one cohort and is answered as one
/// (<see cref="SharerProfile"/>).
/// </summary>
public static class CoStart
{
    /// <summary>Starts within this many minutes of one another are one start.</summary>
    public const int Window = 2;

    /// <summary>Minutes after the watching began in which a first usage is no start (a session already going on).</summary>
    public const int CensoredMinutes = Lockstep.CensoredBins * 5;

    /// <summary>Sharers that must have begun together before it counts, however small the sample.</summary>
    public const int MinGroup = 10;

    /// <summary>The minute <paramref name="at"/> falls in (what <see cref="SharerTraits.StartMinute"/> holds).</summary>
    public static int MinuteOf(DateTimeOffset at) => (int)(at.UtcTicks / TimeSpan.TicksPerMinute);

    /// <summary>
    /// Flags the sharers that began together: the largest group whose start minutes lie within
    /// <see cref="Window"/> of one another, when it holds at least <see cref="MinGroup"/> sharers and at
    /// least <paramref name="majority"/> of the sample. Starts of 0 are unknown; starts in the first
    /// <see cref="CensoredMinutes"/> after <paramref name="watchedSinceMinute"/> (or, when that is
    /// unknown, after the earliest start in the sample) are left out. Answers the group's size (0 when
    /// none counts); <paramref name="together"/>[i] is set for <paramref name="startMinutes"/>[i] in it.
    /// </summary>
    /// <param name="startMinutes">Each sharer's first usage (<see cref="MinuteOf"/>), 0 when unknown.</param>
    /// <param name="watchedSinceMinute">The minute from which the service has seen every account's usage, when known.</param>
    /// <param name="majority">The share of the sample the group must hold.</param>
    /// <param name="together">One flag per sharer, written (set only, never cleared).</param>
    public static int Flag(ReadOnlySpan<int> startMinutes, int? watchedSinceMinute, double majority, Span<bool> together)
    {
        if (together.Length < startMinutes.Length)
        {
            throw new ArgumentException("one flag per sharer is needed", nameof(together));
        }

        var n = startMinutes.Length;
        if (n < MinGroup)
        {
            return 0;
        }

        var origin = watchedSinceMinute;
        if (origin is null)
        {
            foreach (var m in startMinutes)
            {
                origin = m != 0 && (origin is null || m < origin) ? m : origin;
            }
        }

        if (origin is not { } since)
        {
            return 0;
        }

        Span<int> known = n <= 128 ? stackalloc int[n] : new int[n];
        var k = 0;
        foreach (var m in startMinutes)
        {
            if (m != 0 && m >= (long)since + CensoredMinutes)
            {
                known[k++] = m;
            }
        }

        known = known[..k];
        known.Sort();
        var (best, from) = (0, 0);
        for (int lo = 0, hi = 0; hi < k; hi++)
        {
            while ((long)known[hi] - known[lo] > Window)
            {
                lo++;
            }

            if (hi - lo + 1 > best)
            {
                (best, from) = (hi - lo + 1, known[lo]);
            }
        }

        if (best < MinGroup || best < majority * n)
        {
            return 0;
        }

        for (var i = 0; i < n; i++)
        {
            var m = startMinutes[i];
            if (m != 0 && m >= from && (long)m - from <= Window && m >= (long)since + CensoredMinutes)
            {
                together[i] = true;
            }
        }

        return best;
    }
}

/// <summary>A 64-bit map of time bins ending at the latest bin marked (bit 0); older bins fall off.</summary>
public static class BinMap
{
    public static void Mark(ref ulong bits, ref int latest, int bin)
    {
        if (bits == 0 || bin > latest)
        {
            var shift = bits == 0 ? 64 : bin - latest;
            bits = shift >= 64 ? 0 : bits << shift;
            latest = bin;
        }

        var back = latest - bin;
        if (back < 64)
        {
            bits |= 1UL << back;
        }
    }
}
