using Reputation.Core.Arithmetic;

namespace Reputation.Grains.Templates;

/// <summary>
/// Requests per model in bounded space (Space-Saving, Metwally et al. 2005): a model not yet counted
/// when the table is full takes the place of the lightest one and starts from its count, so a model
/// a campaign moves to after a release gets in, and every heavy model stays (its count may be high by
/// at most the count it took over).
/// </summary>
internal static class ModelCounts
{
    public static void Add(Dictionary<string, long> counts, string model, long requests, int capacity)
    {
        if (counts.TryGetValue(model, out var count) || counts.Count < capacity)
        {
            counts[model] = Saturating.Add(count, requests);
            return;
        }

        var lightest = counts.OrderBy(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).First();
        counts.Remove(lightest.Key);
        counts[model] = Saturating.Add(lightest.Value, requests);
    }
}
