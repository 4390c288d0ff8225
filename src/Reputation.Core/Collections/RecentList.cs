namespace Reputation.Core.Collections;

/// <summary>
/// A capped list of distinct ids, most recent first. Touching an id moves it to the front;
/// past the capacity the least recently touched one falls off. Operates on a persisted list in place.
/// </summary>
public static class RecentList
{
    /// <summary>Moves or adds <paramref name="id"/> to the front; true when it was not in the list.</summary>
    public static bool Touch(List<string> list, string id, int capacity)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var index = list.IndexOf(id);
        if (index == 0)
        {
            return false;
        }

        if (index > 0)
        {
            list.RemoveAt(index);
            list.Insert(0, id);
            return false;
        }

        list.Insert(0, id);
        if (list.Count > capacity)
        {
            list.RemoveRange(capacity, list.Count - capacity);
        }

        return true;
    }
}
