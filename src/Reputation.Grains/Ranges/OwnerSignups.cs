using System.IO.Hashing;
using System.Text;

namespace Reputation.Grains.Ranges;

/// <summary>
/// One owner's signups in a range: the organisation (workspace) whose members signed up there, the
/// time of the signup that counted, and how many more of its members signed up within the hour
/// after it without counting.
/// </summary>
[GenerateSerializer, Alias("reputation.OwnerSignup")]
public sealed class OwnerSignup
{
    [Id(0)] public ulong Owner { get; set; }
    [Id(1)] public DateTimeOffset CountedAt { get; set; }
    [Id(2)] public int Skipped { get; set; }
}

/// <summary>
/// A range's signup velocity counts owners, not accounts: a workspace's members signing up from
/// their office within an hour are one customer onboarding, counted once, as a card counts one
/// organisation as one owner (docs/decisions/0005-propagation.md, "Owners"). Bounded: the owners of
/// the last two days, at most <see cref="Capacity"/>. Every member still counts in the range's
/// accounts, its signups of the day and its newcomers.
/// </summary>
internal static class OwnerSignups
{
    public const int Capacity = 32;

    /// <summary>Members signing up within this long of the owner's counted signup count no more.</summary>
    public static readonly TimeSpan Span = TimeSpan.FromHours(1);

    /// <summary>An owner's entry is kept this long after its counted signup (the hourly signup window's span).</summary>
    public static readonly TimeSpan Keep = TimeSpan.FromHours(48);

    public static ulong Hash(string ownerGroup) => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(ownerGroup));

    /// <summary>Whether a signup of <paramref name="owner"/> at <paramref name="at"/> counts in the velocity windows; records it either way.</summary>
    public static bool Admit(List<OwnerSignup> recent, ulong owner, DateTimeOffset at)
    {
        if (Find(recent, owner, at) is { } entry)
        {
            entry.Skipped++;
            return false;
        }

        var newest = at;
        foreach (var e in recent)
        {
            newest = e.CountedAt > newest ? e.CountedAt : newest;
        }

        recent.RemoveAll(e => newest - e.CountedAt > Keep);
        if (recent.Count >= Capacity)
        {
            var oldest = 0;
            for (var i = 1; i < recent.Count; i++)
            {
                oldest = recent[i].CountedAt < recent[oldest].CountedAt ? i : oldest;
            }

            recent.RemoveAt(oldest);
        }

        recent.Add(new OwnerSignup { Owner = owner, CountedAt = at });
        return true;
    }

    /// <summary>
    /// Whether voiding a signup of <paramref name="owner"/> at <paramref name="at"/> takes one back
    /// from the velocity windows: not while another of the owner's signups of that hour went
    /// uncounted (the owner stays counted once); yes for the one that counted when it was alone, and
    /// for an owner the range no longer remembers (more than <see cref="Capacity"/> owners since).
    /// </summary>
    public static bool TakeBack(List<OwnerSignup>? recent, ulong owner, DateTimeOffset at)
    {
        if (recent is null || Find(recent, owner, at) is not { } entry)
        {
            return true;
        }

        if (entry.Skipped > 0)
        {
            entry.Skipped--;
            return false;
        }

        recent.Remove(entry);
        return true;
    }

    private static OwnerSignup? Find(List<OwnerSignup> recent, ulong owner, DateTimeOffset at)
    {
        foreach (var e in recent)
        {
            if (e.Owner == owner && (at - e.CountedAt).Duration() < Span)
            {
                return e;
            }
        }

        return null;
    }
}
