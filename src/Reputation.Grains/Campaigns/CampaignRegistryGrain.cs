using System.Globalization;
using Reputation.Core.Webhooks;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Reputation.Grains.Campaigns;
using Reputation.Grains.State;

namespace Reputation.Grains;

/// <summary>
/// The campaign registry (docs/decisions/0018-campaigns.md): one grain that hubs report to, rarely
/// (when an entity becomes a hub and each time its flagged accounts grow by half), and that the
/// campaign endpoints read. Its state is bounded (<see cref="CampaignBook"/>) and in one row.
/// </summary>
[Reentrant] // group commit (GroupCommit): reports arriving during a write share the next one; reads never wait for a write
public sealed partial class CampaignRegistryGrain(
    [PersistentState("campaigns", StorageNames.Reputation)] IPersistentState<CampaignRegistryState> state,
    ReputationClock time,
    ReputationMetrics metrics,
    ILogger<CampaignRegistryGrain> logger) : Grain, ICampaignRegistryGrain
{
    public const string Key = "campaigns";

    public const int MaxPageSize = 100;

    private GroupCommit? _commit;

    private CampaignBook Book => new(state.State);

    async ValueTask<string> ICampaignRegistryGrain.ReportHubAsync(HubReport report)
    {
        var sizes = state.State.Campaigns.ToDictionary(c => c.Id, CampaignBook.Size, StringComparer.Ordinal);
        var outcome = Book.Apply(report, time.UtcNow);
        if (outcome.Evicted is { } evicted)
        {
            LogEvicted(logger, evicted, CampaignBook.MaxCampaigns);
        }

        if (outcome.Formed)
        {
            LogFormed(logger, outcome.CampaignId, report.Type);
        }

        foreach (var merged in outcome.Merged)
        {
            LogMerged(logger, merged, outcome.CampaignId);
        }

        metrics.CampaignHubReported(outcome.Formed ? "formed" : outcome.Merged.Count > 0 ? "merged" : "joined");
        await CommitAsync();

        // Hubs of the campaigns merged away carry the old id until told; the old id still resolves meanwhile.
        foreach (var (type, id) in outcome.Retell)
        {
            _ = EntityGrains.Of(GrainFactory, type, id)?.CampaignChangedAsync(outcome.CampaignId);
        }

        await PublishAsync(outcome, sizes);
        return outcome.CampaignId;
    }

    /// <summary>campaign.formed once; campaign.grew when a report raised its size (each size once).</summary>
    private async Task PublishAsync(HubOutcome outcome, Dictionary<string, long> sizesBefore)
    {
        if (state.State.Campaigns.FirstOrDefault(c => c.Id == outcome.CampaignId) is not { } campaign)
        {
            return;
        }

        var size = CampaignBook.Size(campaign);
        var before = sizesBefore.GetValueOrDefault(outcome.CampaignId);
        if (!outcome.Formed && size <= before)
        {
            return;
        }

        var now = time.UtcNow;
        try
        {
            await (outcome.Formed
                ? Webhooks.WebhookPublisher.PublishAsync(GrainFactory, WebhookEvents.CampaignFormed, outcome.CampaignId, now, new { campaignId = outcome.CampaignId, size })
                : Webhooks.WebhookPublisher.PublishAsync(GrainFactory, WebhookEvents.CampaignGrew, string.Create(CultureInfo.InvariantCulture, $"{outcome.CampaignId}:{size}"), now,
                    new { campaignId = outcome.CampaignId, size, previousSize = before, merged = outcome.Merged }));
        }
        catch (Exception ex)
        {
            // The campaign stands; only its webhook event is lost, visibly.
            LogPublishFailed(logger, outcome.CampaignId, ex.GetType().Name);
            metrics.WebhookDelivery("publish_failed");
        }
    }

    ValueTask<CampaignRegistryPage> ICampaignRegistryGrain.GetPageAsync(string? after, int limit)
    {
        var book = Book;
        var ordered = book.Ordered();
        var start = 0;
        if (after is not null)
        {
            var cursor = book.Find(after);
            var at = cursor is null ? -1 : ordered.IndexOf(cursor);
            if (at < 0)
            {
                return ValueTask.FromResult(new CampaignRegistryPage { Campaigns = [], UnknownCursor = true });
            }

            start = at + 1;
        }

        var take = Math.Clamp(limit, 1, MaxPageSize);
        var page = ordered.Skip(start).Take(take).ToList();
        return ValueTask.FromResult(new CampaignRegistryPage
        {
            Campaigns = [.. page.Select(CampaignBook.Snapshot)],
            Next = start + page.Count < ordered.Count ? page[^1].Id : null,
        });
    }

    ValueTask<CampaignSnapshot?> ICampaignRegistryGrain.GetAsync(string campaignId) =>
        ValueTask.FromResult(Book.Find(campaignId) is { } c ? CampaignBook.Snapshot(c) : null);

    /// <summary>Completes once the state as it is now is in storage; writes arriving meanwhile share the next one.</summary>
    private Task CommitAsync() => (_commit ??= new GroupCommit(state.WriteStateAsync, DeactivateOnIdle)).WriteAsync();

    [LoggerMessage(3205, LogLevel.Warning, "The webhook event of campaign {Campaign} could not be published ({ExceptionType})")]
    private static partial void LogPublishFailed(ILogger logger, string campaign, string exceptionType);

    [LoggerMessage(3201, LogLevel.Information, "Campaign {Campaign} formed around a {HubType} hub")]
    private static partial void LogFormed(ILogger logger, string campaign, string hubType);

    [LoggerMessage(3202, LogLevel.Information, "Campaign {Merged} merged into campaign {Campaign}: their hubs share flagged accounts")]
    private static partial void LogMerged(ILogger logger, string merged, string campaign);

    [LoggerMessage(3203, LogLevel.Warning, "The campaign registry holds its maximum of {Max} campaigns; campaign {Campaign}, the least recently reported, was dropped")]
    private static partial void LogEvicted(ILogger logger, string campaign, int max);
}
