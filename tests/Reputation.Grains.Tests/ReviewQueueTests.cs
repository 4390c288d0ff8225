using Reputation.Grains.Review;

namespace Reputation.Grains.Tests;

/// <summary>A queue of its own: the shared silo's accounts put their holds in theirs.</summary>
public sealed class ReviewQueueFixture : SiloFixture;

/// <summary>Another queue of its own, so that filling one to capacity cannot reorder the other's items whatever order the tests run in.</summary>
public sealed class FullReviewQueueFixture : SiloFixture;

/// <summary>The review queue grain: order, pages, campaigns, leaving, expiry, bounds.</summary>
public sealed class ReviewQueueTests(ReviewQueueFixture fixture) : IClassFixture<ReviewQueueFixture>
{
    private IReviewQueueGrain Queue => fixture.Grains.GetGrain<IReviewQueueGrain>(ReviewQueueGrain.Key);

    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    private ReviewHold Hold(string account, double score, DateTimeOffset? since = null, string? campaign = null, TimeSpan? lasts = null) => new()
    {
        AccountId = account,
        CampaignId = campaign,
        Score = score,
        Outcome = 2,
        Since = since ?? Now,
        Until = (since ?? Now) + (lasts ?? TimeSpan.FromDays(1)),
        Reasons = [new ReasonEntry { Code = "REASONING_ELICITATION", Contribution = score, Detail = "test" }],
    };

    private async Task<List<ReviewItemSnapshot>> AllAsync(int pageSize)
    {
        var all = new List<ReviewItemSnapshot>();
        ReviewCursor? after = null;
        do
        {
            var page = await Queue.ReadAsync(pageSize, after);
            Assert.InRange(page.Items.Length, 0, pageSize);
            all.AddRange(page.Items);
            after = page.Next;
        }
        while (after is not null);

        return all;
    }

    [Fact]
    public async Task Items_come_highest_score_first_then_newest_and_pages_follow_next_without_repeats_campaigns_once_with_their_members()
    {
        var t = Now;
        await Queue.HoldAsync(Hold("r-low", 0.55, t));
        await Queue.HoldAsync(Hold("r-old", 0.8, t.AddMinutes(-10)));
        await Queue.HoldAsync(Hold("r-new", 0.8, t.AddMinutes(-1)));
        await Queue.HoldAsync(Hold("r-top", 0.95, t.AddMinutes(-30)));
        // A member listed alone before its campaign formed is listed under the campaign afterwards.
        await Queue.HoldAsync(Hold("r-m1", 0.7, t.AddMinutes(-20)));
        await Queue.HoldAsync(Hold("r-m1", 0.7, t.AddMinutes(-20), "cmp-00000000000000a1"));
        await Queue.HoldAsync(Hold("r-m2", 0.85, t.AddMinutes(-5), "cmp-00000000000000a1", TimeSpan.FromDays(2)));

        var all = await AllAsync(pageSize: 2);

        Assert.Equal(["r-top", "cmp-00000000000000a1", "r-new", "r-old", "r-low"], all.Select(i => i.Id));
        var campaign = all[1];
        Assert.True(campaign.Campaign);
        Assert.Equal(0.85, campaign.Score);
        Assert.Equal(t.AddMinutes(-20), campaign.Since);
        Assert.Equal(t.AddMinutes(-5).AddDays(2), campaign.Until);
        Assert.Equal(2, campaign.AccountsHeld);
        Assert.Equal(["r-m2", "r-m1"], campaign.Accounts!);
        Assert.All(all.Where(i => !i.Campaign), i => Assert.Null(i.AccountsHeld));

        // Released, confirmed or erased accounts leave, and their campaign's count; a labelled campaign leaves whole.
        await Queue.LeaveAsync("r-new");
        await Queue.LeaveAsync("r-m2");
        var after = await AllAsync(pageSize: 10);
        Assert.Equal(["r-top", "cmp-00000000000000a1", "r-old", "r-low"], after.Select(i => i.Id));
        Assert.Equal(1, after[1].AccountsHeld);
        await Queue.LeaveCampaignAsync("cmp-00000000000000a1");
        Assert.Equal(["r-top", "r-old", "r-low"], (await AllAsync(pageSize: 10)).Select(i => i.Id));

        // A page after an item that has left continues where it was.
        var first = await Queue.ReadAsync(1, null);
        await Queue.LeaveAsync("r-top");
        Assert.Equal(["r-old", "r-low"], (await Queue.ReadAsync(10, first.Next)).Items.Select(i => i.Id));

        // At its end a hold leaves the queue.
        fixture.Time.Advance(TimeSpan.FromDays(1));
        Assert.Empty(await AllAsync(pageSize: 10));
    }
    [Fact]
    public async Task A_campaign_leaves_once_every_member_it_counts_as_held_is_released_confirmed_or_erased()
    {
        const string Campaign = "cmp-00000000000000b7";
        var t = Now;
        await Queue.HoldAsync(Hold("r-b1", 0.9, t, Campaign));
        await Queue.HoldAsync(Hold("r-b2", 0.9, t, Campaign));
        // A member's hold made stricter counts it once.
        await Queue.HoldAsync(Hold("r-b2", 0.95, t, Campaign));
        await Queue.HoldAsync(Hold("r-b3", 0.9, t, Campaign));
        Assert.Equal(3, (await AllAsync(pageSize: 100)).Single(i => i.Id == Campaign).AccountsHeld);

        await Queue.LeaveAsync("r-b1");
        await Queue.LeaveAsync("r-b2");
        var one = (await AllAsync(pageSize: 100)).Single(i => i.Id == Campaign);
        Assert.Equal(1, one.AccountsHeld);
        Assert.Equal(["r-b3"], one.Accounts!);

        await Queue.LeaveAsync("r-b3");
        Assert.DoesNotContain(await AllAsync(pageSize: 100), i => i.Id == Campaign);

        // Held again later, it comes back; and leaves again (so the other tests of this queue do not see it).
        await Queue.HoldAsync(Hold("r-b1", 0.9, t.AddMinutes(5), Campaign));
        Assert.Equal(1, (await AllAsync(pageSize: 100)).Single(i => i.Id == Campaign).AccountsHeld);
        await Queue.LeaveAsync("r-b1");
        Assert.Empty(await AllAsync(pageSize: 100));
    }
}

/// <summary>The review queue grain at capacity, on a silo of its own.</summary>
public sealed class FullReviewQueueTests(FullReviewQueueFixture fixture) : IClassFixture<FullReviewQueueFixture>
{
    private IReviewQueueGrain Queue => fixture.Grains.GetGrain<IReviewQueueGrain>(ReviewQueueGrain.Key);

    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    private static ReviewHold Hold(string account, double score, DateTimeOffset since, TimeSpan lasts) => new()
    {
        AccountId = account,
        Score = score,
        Outcome = 2,
        Since = since,
        Until = since + lasts,
        Reasons = [new ReasonEntry { Code = "REASONING_ELICITATION", Contribution = score, Detail = "test" }],
    };

    private async Task<List<ReviewItemSnapshot>> AllAsync(int pageSize)
    {
        var all = new List<ReviewItemSnapshot>();
        ReviewCursor? after = null;
        do
        {
            var page = await Queue.ReadAsync(pageSize, after);
            all.AddRange(page.Items);
            after = page.Next;
        }
        while (after is not null);

        return all;
    }

    [Fact]
    public async Task A_full_queue_keeps_the_highest_risk_accounts()
    {
        var since = Now;
        for (var i = 0; i < ReviewQueueState.AccountCapacity; i++)
        {
            await Queue.HoldAsync(Hold($"full-{i}", 0.6 + (i % 10 / 100.0), since, TimeSpan.FromDays(30)));
        }

        await Queue.HoldAsync(Hold("full-higher", 0.9, since, TimeSpan.FromDays(30)));
        await Queue.HoldAsync(Hold("full-lower", 0.5, since, TimeSpan.FromDays(30)));

        var all = await AllAsync(pageSize: 100);
        Assert.Equal(ReviewQueueState.AccountCapacity, all.Count(i => i.Id.StartsWith("full-", StringComparison.Ordinal)));
        Assert.Equal("full-higher", all[0].Id);
        Assert.DoesNotContain(all, i => i.Id == "full-lower");
        Assert.Equal(0.6, all.Where(i => i.Id.StartsWith("full-", StringComparison.Ordinal)).Min(i => i.Score), 9);
        Assert.Equal(ReviewQueueState.AccountCapacity / 10 - 1, all.Count(i => i.Score == 0.6));
    }
}
