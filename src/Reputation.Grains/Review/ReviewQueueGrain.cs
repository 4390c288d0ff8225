using Reputation.Core.Collections;
using Reputation.Grains.State;

namespace Reputation.Grains.Review;

/// <summary>
/// The review queue (<c>GET /v1/review</c>): accounts held outside campaigns, and campaigns whose
/// members are held, highest score first, then the newest hold. An account enters when its request
/// decisions begin or tighten a hold and leaves when the hold ends, when an operator releases it or
/// labels it fraud or trusted (confirmed or cleared of suspicion), or is erased; a campaign leaves
/// when its last member's hold ends, when the members it counts as held have all left so, or when it is labelled. One activation; bounded (<see cref="ReviewQueueState"/>).
/// </summary>
[Reentrant] // group commit (GroupCommit): holds arriving during a write share the next one; reads never wait for a write
public sealed class ReviewQueueGrain(
    [PersistentState("review", StorageNames.Reputation)] IPersistentState<ReviewQueueState> state,
    ReputationClock time) : Grain, IReviewQueueGrain
{
    public const string Key = "review";

    private GroupCommit? _commit;

    private Task CommitAsync() => (_commit ??= new GroupCommit(state.WriteStateAsync, DeactivateOnIdle)).WriteAsync();

    Task IReviewQueueGrain.HoldAsync(ReviewHold hold)
    {
        var s = state.State;
        var now = time.UtcNow;
        Prune(now);
        if (hold.CampaignId is { } campaignId)
        {
            // A campaign held again (or by another member) keeps the earliest start and the latest end.
            if (!s.Campaigns.TryGetValue(campaignId, out var campaign))
            {
                campaign = new ReviewEntry { Since = hold.Since, Until = hold.Until, Score = -1 };
                if (!Admit(s.Campaigns, campaignId, campaign, ReviewQueueState.CampaignCapacity, hold.Score, hold.Since))
                {
                    return Task.CompletedTask;
                }
            }

            campaign.Since = hold.Since < campaign.Since ? hold.Since : campaign.Since;
            campaign.Until = hold.Until > campaign.Until ? hold.Until : campaign.Until;
            campaign.Outcome = Math.Max(campaign.Outcome, hold.Outcome);
            if (hold.Score > campaign.Score)
            {
                campaign.Score = hold.Score;
                campaign.Reasons = hold.Reasons;
            }

            if (!campaign.Accounts.Contains(hold.AccountId, StringComparer.Ordinal))
            {
                campaign.AccountsHeld++;
            }

            RecentList.Touch(campaign.Accounts, hold.AccountId, ReviewQueueState.CampaignAccountCapacity);
            // A member reviewed as part of its campaign is not listed on its own as well.
            s.Accounts.Remove(hold.AccountId);
            return CommitAsync();
        }

        var entry = new ReviewEntry { Score = hold.Score, Outcome = hold.Outcome, Since = hold.Since, Until = hold.Until, Reasons = hold.Reasons };
        if (s.Accounts.ContainsKey(hold.AccountId))
        {
            s.Accounts[hold.AccountId] = entry;
        }
        else if (!Admit(s.Accounts, hold.AccountId, entry, ReviewQueueState.AccountCapacity, hold.Score, hold.Since))
        {
            return Task.CompletedTask;
        }

        return CommitAsync();
    }

    /// <summary>
    /// Adds an entry; when full, the one last in review order gives way if the new one comes before
    /// it, else the new one is not kept (the queue keeps the highest risk).
    /// </summary>
    private static bool Admit(Dictionary<string, ReviewEntry> entries, string id, ReviewEntry entry, int capacity, double score, DateTimeOffset since)
    {
        if (entries.Count >= capacity)
        {
            var last = entries.MaxBy(p => p, Order.Instance);
            if (Order.Compare(score, since, id, last.Value.Score, last.Value.Since, last.Key) > 0)
            {
                return false;
            }

            entries.Remove(last.Key);
        }

        entries[id] = entry;
        return true;
    }

    Task IReviewQueueGrain.LeaveAsync(string accountId)
    {
        var s = state.State;
        var changed = s.Accounts.Remove(accountId);
        foreach (var (campaignId, campaign) in s.Campaigns.ToList())
        {
            if (campaign.Accounts.Remove(accountId))
            {
                campaign.AccountsHeld = Math.Max(0, campaign.AccountsHeld - 1);
                changed = true;
                // Every member it counted as held was released, confirmed or erased: nothing of it is left to review.
                // (A member no longer among the listed ones is not taken off the count, so a campaign never leaves early.)
                if (campaign.AccountsHeld == 0)
                {
                    s.Campaigns.Remove(campaignId);
                }
            }
        }

        return changed ? CommitAsync() : Task.CompletedTask;
    }

    Task IReviewQueueGrain.LeaveCampaignAsync(string campaignId) =>
        state.State.Campaigns.Remove(campaignId) ? CommitAsync() : Task.CompletedTask;

    ValueTask<ReviewPageSnapshot> IReviewQueueGrain.ReadAsync(int limit, ReviewCursor? after)
    {
        var now = time.UtcNow;
        var s = state.State;
        var items = s.Accounts.Where(p => p.Value.Until > now).Select(p => Item(false, p.Key, p.Value))
            .Concat(s.Campaigns.Where(p => p.Value.Until > now).Select(p => Item(true, p.Key, p.Value)))
            .Where(i => after is null || Order.Compare(i.Score, i.Since, i.Campaign, i.Id, after) > 0)
            .Order(ItemOrder.Instance)
            .Take(limit + 1)
            .ToList();
        var more = items.Count > limit;
        var page = more ? items[..limit] : items;
        return ValueTask.FromResult(new ReviewPageSnapshot { Items = [.. page], Next = more ? page[^1].Cursor : null });
    }

    private static ReviewItemSnapshot Item(bool campaign, string id, ReviewEntry e) => new()
    {
        Campaign = campaign,
        Id = id,
        Score = e.Score,
        Outcome = e.Outcome,
        Since = e.Since,
        Until = e.Until,
        Reasons = e.Reasons,
        AccountsHeld = campaign ? e.AccountsHeld : null,
        Accounts = campaign ? [.. e.Accounts] : null,
    };

    /// <summary>Holds that ended are dropped at the next change (reads skip them meanwhile).</summary>
    private void Prune(DateTimeOffset now)
    {
        foreach (var entries in new[] { state.State.Accounts, state.State.Campaigns })
        {
            foreach (var id in entries.Where(p => p.Value.Until <= now).Select(p => p.Key).ToList())
            {
                entries.Remove(id);
            }
        }
    }

    /// <summary>Review order: highest score first, then the newest hold, then accounts before campaigns, then by id.</summary>
    internal sealed class Order : IComparer<KeyValuePair<string, ReviewEntry>>
    {
        public static readonly Order Instance = new();

        public int Compare(KeyValuePair<string, ReviewEntry> x, KeyValuePair<string, ReviewEntry> y) =>
            Compare(x.Value.Score, x.Value.Since, x.Key, y.Value.Score, y.Value.Since, y.Key);

        public static int Compare(double score, DateTimeOffset since, string id, double otherScore, DateTimeOffset otherSince, string otherId)
        {
            var c = otherScore.CompareTo(score);
            c = c != 0 ? c : otherSince.CompareTo(since);
            return c != 0 ? c : string.CompareOrdinal(id, otherId);
        }

        public static int Compare(double score, DateTimeOffset since, bool campaign, string id, ReviewCursor cursor)
        {
            var c = Compare(score, since, "", cursor.Score, cursor.Since, "");
            c = c != 0 ? c : campaign.CompareTo(cursor.Campaign);
            return c != 0 ? c : string.CompareOrdinal(id, cursor.Id);
        }
    }

    private sealed class ItemOrder : IComparer<ReviewItemSnapshot>
    {
        public static readonly ItemOrder Instance = new();

        public int Compare(ReviewItemSnapshot? x, ReviewItemSnapshot? y) => Order.Compare(x!.Score, x.Since, x.Campaign, x.Id, y!.Cursor);
    }
}
