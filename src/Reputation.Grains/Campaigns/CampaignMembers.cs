namespace Reputation.Grains;

/// <summary>
/// The members of a campaign the service can name, and labelling them (docs/architecture.md,
/// "Campaigns"): the accounts flagged or labelled fraud in each hub it lists (each hub keeps its 256
/// most recent) and its sampled members, so at most 16 × 256 + 64 accounts.
/// </summary>
public static class CampaignMembers
{
    /// <summary>Accounts labelled at once: a campaign's label is many account writes, not a storm of them.</summary>
    public const int Parallelism = 16;

    /// <summary>Every member the service holds for the campaign, each once, sampled members first.</summary>
    public static async Task<IReadOnlyList<string>> CollectAsync(IGrainFactory grains, CampaignSnapshot campaign)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(campaign);
        var flagged = await Task.WhenAll(campaign.Hubs
            .Select(h => EntityGrains.Of(grains, h.Type, h.Id))
            .OfType<IEntityGrain>()
            .Select(e => e.GetFlaggedAccountsAsync().AsTask()));
        return [.. campaign.Members.Concat(flagged.SelectMany(f => f)).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Labels each account (as <c>POST /v1/labels</c> would one by one); answers how many were labelled.
    /// Not cancellable: once started, a campaign is labelled whole even if the caller goes away.
    /// </summary>
    public static async Task<int> LabelAsync(IGrainFactory grains, IReadOnlyList<string> accounts, LabelChange change)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        await Parallel.ForEachAsync(accounts, new ParallelOptions { MaxDegreeOfParallelism = Parallelism },
            async (account, _) => await grains.Ref<IAccountGrain>(account).SetLabelAsync(change));
        return accounts.Count;
    }
}
