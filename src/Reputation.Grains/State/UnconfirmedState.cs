namespace Reputation.Grains.State;

/// <summary>
/// The event ids an entity applied for accounts that have not yet confirmed storing them
/// (docs/decisions/0012-durability.md, "A retry after a partial failure"). An entity's own ring of
/// recent ids is shared by every account linked to it and on a busy range spans milliseconds; these
/// are kept, in the same write as their effect, until the account confirms that its own write
/// succeeded, so that a retry after the account's write failed (or its silo died) is recognised
/// however many other accounts' events came in between. What it holds is bounded by calls in flight
/// or failed, not by traffic: confirmed ids leave at once, an id whose confirmation was lost leaves
/// after <see cref="MaxAge"/> (its account's own ring then answers any re-send), and at most
/// <see cref="Capacity"/> are kept (the oldest leave first).
/// </summary>
[GenerateSerializer, Alias("reputation.UnconfirmedState")]
public sealed class UnconfirmedState
{
    /// <summary>Ids kept at most; beyond it the oldest leave.</summary>
    public const int Capacity = 1024;

    /// <summary>How long an unconfirmed id is kept: far longer than a client's retries, which are seconds apart.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(15);

    /// <summary>Event id hashes (<see cref="Core.Collections.DedupWindow.Hash"/>), oldest first.</summary>
    [Id(0)] public List<ulong> Ids { get; set; } = [];

    /// <summary>The account's id hash for each id.</summary>
    [Id(1)] public List<ulong> Accounts { get; set; } = [];

    /// <summary>When each id was applied (UTC ticks).</summary>
    [Id(2)] public List<long> At { get; set; } = [];

    public int Count => Ids.Count;

    public bool Contains(ulong id) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Ids).Contains(id);

    /// <summary>Keeps <paramref name="ids"/>, just applied for <paramref name="account"/>, until it confirms them.</summary>
    public void Hold(ulong account, IReadOnlyList<ulong> ids, DateTimeOffset now)
    {
        var expired = 0;
        var oldest = (now - MaxAge).UtcTicks;
        while (expired < At.Count && At[expired] < oldest)
        {
            expired++;
        }

        var over = Math.Max(0, Ids.Count - expired + ids.Count - Capacity);
        RemoveFirst(Math.Min(Ids.Count, expired + over));
        foreach (var id in ids.Count > Capacity ? ids.Skip(ids.Count - Capacity) : ids)
        {
            Ids.Add(id);
            Accounts.Add(account);
            At.Add(now.UtcTicks);
        }
    }

    /// <summary>Forgets <paramref name="ids"/> of <paramref name="account"/>: it has stored them. True when any was held.</summary>
    public bool Confirm(ulong account, IReadOnlyCollection<ulong> ids)
    {
        var kept = 0;
        for (var i = 0; i < Ids.Count; i++)
        {
            if (Accounts[i] == account && ids.Contains(Ids[i]))
            {
                continue;
            }

            Ids[kept] = Ids[i];
            Accounts[kept] = Accounts[i];
            At[kept] = At[i];
            kept++;
        }

        var removed = Ids.Count - kept;
        if (removed > 0)
        {
            Ids.RemoveRange(kept, removed);
            Accounts.RemoveRange(kept, removed);
            At.RemoveRange(kept, removed);
        }

        return removed > 0;
    }

    private void RemoveFirst(int count)
    {
        if (count > 0)
        {
            Ids.RemoveRange(0, count);
            Accounts.RemoveRange(0, count);
            At.RemoveRange(0, count);
        }
    }
}
