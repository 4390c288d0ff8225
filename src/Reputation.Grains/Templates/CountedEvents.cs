namespace Reputation.Grains.Templates;

/// <summary>
/// What a bucket counted of each of its most recent usage events, so that a voided one can be taken
/// back exactly (docs/decisions/0021-event-provenance.md): the requests it added to its windows and
/// totals, the activations, and how many of its entries touched the account's sharer sample. Kept for
/// the last <see cref="Capacity"/> events (oldest first); an older event has left and stays counted.
/// Ids are hashes (<see cref="Core.Collections.DedupWindow.Hash"/>), never the account or prompt.
/// </summary>
[GenerateSerializer, Alias("reputation.TemplateCountedEvents")]
public sealed class CountedEvents
{
    /// <summary>Events remembered, as many as the bucket's ring of recent entry ids.</summary>
    public const int Capacity = 256;

    [Id(0)] public List<ulong> Events { get; set; } = [];
    [Id(1)] public List<ulong> Accounts { get; set; } = [];
    [Id(2)] public List<long> Requests { get; set; } = [];
    [Id(3)] public List<int> Activations { get; set; } = [];
    /// <summary>Entries of the event that touched its account's sharer sample.</summary>
    [Id(4)] public List<int> SharerEntries { get; set; } = [];
    // Never renumber an Id; a new member takes the next one.

    public int Count => Events.Count;

    /// <summary>Remembers one event; the oldest leaves when full, and its account hash is returned if it had touched a sharer sample.</summary>
    public ulong? Add(ulong eventId, ulong account, long requests, int activations, int sharerEntries)
    {
        ulong? evicted = null;
        if (Events.Count >= Capacity)
        {
            if (SharerEntries[0] > 0)
            {
                evicted = Accounts[0];
            }

            RemoveAt(0);
        }

        Events.Add(eventId);
        Accounts.Add(account);
        Requests.Add(requests);
        Activations.Add(activations);
        SharerEntries.Add(sharerEntries);
        return evicted;
    }

    /// <summary>Takes the event of <paramref name="account"/> out; null when the bucket no longer holds it.</summary>
    public (long Requests, int Activations, int SharerEntries)? Take(ulong eventId, ulong account)
    {
        for (var i = 0; i < Events.Count; i++)
        {
            if (Events[i] == eventId && Accounts[i] == account)
            {
                var counted = (Requests[i], Activations[i], SharerEntries[i]);
                RemoveAt(i);
                return counted;
            }
        }

        return null;
    }

    /// <summary>Whether any event it still holds of <paramref name="account"/> touched its sharer sample.</summary>
    public bool AnySharerEntries(ulong account)
    {
        for (var i = 0; i < Events.Count; i++)
        {
            if (Accounts[i] == account && SharerEntries[i] > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Forgets every event of <paramref name="account"/> (erasure); true when any was held.</summary>
    public bool Forget(ulong account)
    {
        var removed = false;
        for (var i = Events.Count - 1; i >= 0; i--)
        {
            if (Accounts[i] == account)
            {
                RemoveAt(i);
                removed = true;
            }
        }

        return removed;
    }

    private void RemoveAt(int i)
    {
        Events.RemoveAt(i);
        Accounts.RemoveAt(i);
        Requests.RemoveAt(i);
        Activations.RemoveAt(i);
        SharerEntries.RemoveAt(i);
    }
}
