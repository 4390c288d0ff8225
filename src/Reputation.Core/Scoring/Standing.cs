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
/// more than people who happen to use the same tool.
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

    public static void Mark(ref ulong bits, ref int latestBin, DateTimeOffset at) => BinMap.Mark(ref bits, ref latestBin, (int)(at.UtcTicks / Bin.Ticks));

    /// <summary>
    /// Share of the sharers (with at least <see cref="MinBins"/> bins) in step with at least
    /// <see cref="MinPeers"/> others; 0 with fewer than <see cref="MinSharers"/> such sharers.
    /// </summary>
    public static double Share(ReadOnlySpan<(ulong Bits, int LatestBin)> sharers)
    {
        var latest = int.MinValue;
        foreach (var s in sharers)
        {
            latest = Math.Max(latest, s.LatestBin);
        }

        Span<ulong> aligned = sharers.Length <= 128 ? stackalloc ulong[sharers.Length] : new ulong[sharers.Length];
        var n = 0;
        foreach (var s in sharers)
        {
            var shift = latest - s.LatestBin;
            var bits = shift >= 64 ? 0 : s.Bits << shift;
            if (BitOperations.PopCount(bits) >= MinBins)
            {
                aligned[n++] = bits;
            }
        }

        if (n < MinSharers)
        {
            return 0;
        }

        var inStep = 0;
        for (var i = 0; i < n; i++)
        {
            var peers = 0;
            for (var j = 0; j < n && peers < MinPeers; j++)
            {
                if (i != j && BitOperations.PopCount(aligned[i] & aligned[j]) >= Similar * BitOperations.PopCount(aligned[i] | aligned[j]))
                {
                    peers++;
                }
            }

            inStep += peers >= MinPeers ? 1 : 0;
        }

        return inStep / (double)n;
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
