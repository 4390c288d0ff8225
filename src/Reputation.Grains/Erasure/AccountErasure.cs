using Reputation.Grains.Audit;
using Reputation.Grains.Policies;

namespace Reputation.Grains.Erasure;

/// <summary>What one erasure reached: how many holders of each kind named the account and no longer do.</summary>
public sealed record ErasureReport(int IpRanges, int PaymentInstruments, int PromptTemplates, int Campaigns, int ListEntries, int ShadowReports, int AuditRecords)
{
    /// <summary>Key journal entries (events of the account) taken out of their slots.</summary>
    public int JournalEntries { get; init; }

    /// <summary>Watermark key records that named the account and no longer do.</summary>
    public int Watermarks { get; init; }

    /// <summary>Webhook deliveries (pending bodies, event ids, errors) that named the account and no longer do.</summary>
    public int WebhookDeliveries { get; init; }

    /// <summary>Decisions of the account the silos' backtest samples held and no longer do.</summary>
    public int BacktestSamples { get; init; }

    /// <summary>Co-occurrence clusters (template sets) that sampled the account and no longer do.</summary>
    public int TemplateSets { get; init; }
}

/// <summary>
/// Erases an account (docs/security.md, "Erasure"). Everything that may hold its id forgets it
/// first and the account itself last, so a call that fails part-way can be repeated: the account is
/// still there to say where its id is. Counters it contributed to stay, as anonymous counts.
/// </summary>
public static class AccountErasure
{
    private const int Parallelism = 16;

    /// <summary>Null when the account was never seen (or was erased before).</summary>
    /// <param name="grains">The cluster.</param>
    /// <param name="accountId">The account.</param>
    /// <param name="pseudonym">What audit records say instead of the id (<see cref="Core.Privacy.AccountPseudonym"/>).</param>
    public static async Task<ErasureReport?> EraseAsync(IGrainFactory grains, string accountId, string pseudonym)
    {
        ArgumentNullException.ThrowIfNull(grains);
        var account = grains.Ref<IAccountGrain>(accountId).AsReference<IAccountErasure>();
        // Decisions are sampled for backtests even about an account never seen (a request decision
        // of an unknown id): those go in any case.
        var backtestSamples = await grains.GetGrain<Backtests.IBacktestGrain>(0).ForgetAccountAsync(accountId);
        if (await account.GetFootprintAsync() is not { } footprint)
        {
            return null;
        }

        // One placeholder for the account in every entity: an anonymous stand-in, not derived from the id.
        var placeholder = ErasedAccounts.NewPlaceholder();
        var ranges = await ForgetAsync(footprint.IpRanges, k => grains.Ref<IIpRangeGrain>(k).AsReference<IEntityErasure>(), accountId, placeholder);
        var instruments = await ForgetAsync(footprint.PaymentInstruments, k => grains.Ref<IPaymentInstrumentGrain>(k).AsReference<IEntityErasure>(), accountId, placeholder);
        var templates = await ForgetAsync(footprint.PromptBuckets, k => grains.Ref<IPromptTemplateGrain>(k).AsReference<IEntityErasure>(), accountId, placeholder);
        var templateSets = await ForgetAsync(footprint.TemplateSets, k => grains.Ref<Templates.ITemplateSetGrain>(k).AsReference<IEntityErasure>(), accountId, placeholder);
        var campaigns = await grains.GetGrain<ICampaignRegistryGrain>(CampaignRegistryGrain.Key).AsReference<ICampaignErasure>().ForgetMemberAsync(accountId);

        var lists = grains.GetGrain<IListsGrain>(ListsGrain.Key);
        var listEntries = 0;
        foreach (var list in new[] { ListName.Allow, ListName.Deny })
        {
            listEntries += (await lists.RemoveAsync(list, ListEntity.Account, accountId)).Previous is null ? 0 : 1;
        }

        var shadowReports = 0;
        if (await grains.GetGrain<IPolicyGrain>(PolicyGrain.DefaultName).GetShadowAsync() is { } shadow
            && await grains.GetGrain<IShadowReportGrain>(ShadowReportGrain.Key(PolicyGrain.DefaultName, shadow.Id)).AsReference<IShadowReportErasure>().ForgetAccountAsync(accountId))
        {
            shadowReports = 1;
        }

        var journalEntries = 0;
        await Parallel.ForEachAsync(footprint.JournalSlots, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (slot, _) =>
            Interlocked.Add(ref journalEntries, await grains.GetGrain<Provenance.IKeyJournalGrain>(slot).ForgetAccountAsync(accountId, footprint.OldestJournalHour)));

        var watermarks = 0;
        foreach (var key in footprint.WatermarkKeys)
        {
            watermarks += await grains.Ref<IWatermarkGrain>(key).ForgetAccountAsync(accountId) ? 1 : 0;
        }

        var webhookDeliveries = 0;
        foreach (var name in await grains.GetGrain<IWebhookHubGrain>(Webhooks.WebhookHubGrain.Key).GetNamesAsync())
        {
            webhookDeliveries += await grains.GetGrain<IWebhookGrain>(name).RedactAccountAsync(accountId, pseudonym);
        }

        await grains.Ref<IReviewQueueGrain>(Review.ReviewQueueGrain.Key).LeaveAsync(accountId);
        var auditRecords = await RedactAuditAsync(grains, accountId, pseudonym);
        await account.EraseAsync();
        return new ErasureReport(ranges, instruments, templates, campaigns, listEntries, shadowReports, auditRecords) { JournalEntries = journalEntries, Watermarks = watermarks, WebhookDeliveries = webhookDeliveries, BacktestSamples = backtestSamples, TemplateSets = templateSets };
    }

    private static async Task<int> ForgetAsync(string[] keys, Func<string, IEntityErasure> entity, string accountId, string placeholder)
    {
        var forgot = 0;
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (key, _) =>
        {
            if (await entity(key).ForgetAccountAsync(accountId, placeholder))
            {
                Interlocked.Increment(ref forgot);
            }
        });
        return forgot;
    }

    /// <summary>Every page the log still holds, oldest first; the records that named the account.</summary>
    private static async Task<int> RedactAuditAsync(IGrainFactory grains, string accountId, string pseudonym)
    {
        var log = grains.GetGrain<IAuditLogGrain>(IAuditLogGrain.Key);
        var next = await log.GetNextSequenceAsync();
        var first = await log.GetFirstPageAsync();
        var pages = next <= 1 ? [] : Enumerable.Range(0, (int)(IAuditPageGrain.PageOf(next - 1) - first + 1)).Select(i => first + i).ToArray();
        var redacted = 0;
        await Parallel.ForEachAsync(pages, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (page, _) =>
            Interlocked.Add(ref redacted, await grains.GetGrain<IAuditPageGrain>(page).RedactAsync(accountId, pseudonym)));
        return redacted;
    }
}
