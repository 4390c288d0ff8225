using Reputation.Core.Scoring;
using System.Globalization;
using Reputation.Core.Webhooks;
using Reputation.Grains.Review;
using Reputation.Grains.Webhooks;

namespace Reputation.Grains.Accounts;

/// <summary>
/// What a request decision adds for the gateway (docs/gateway-contract.md): the hold it begins or
/// is part of, the campaign it names, the watermark key of a degrade; and an operator's release.
/// The outcome itself is <see cref="AccountDecider"/>'s, unchanged by any of this.
/// </summary>
public sealed partial class AccountGrain
{
    private const int ReviewReasons = 3;

    private bool _recordPending;
    private bool _watermarkPending;
    private ReviewHold? _reviewPending;
    private WebhookEvent? _heldPending;

    /// <summary>
    /// The decision with its hold, campaign and watermark key. With <paramref name="begin"/> (a
    /// decision the gateway asked for) a new or stricter hold and a new key are taken into the
    /// state at once, so interleaved decisions agree, and written by a call of the account's own:
    /// a decision is read-only and must not write.
    /// </summary>
    private DecisionResult WithCountermeasures(DecisionResult result, bool begin)
    {
        var outcome = (RequestOutcome)result.Outcome;
        if (outcome == RequestOutcome.Allow)
        {
            return result;
        }

        var s = state.State;
        var now = time.UtcNow;
        var current = s.Hold?.Facts;
        var hold = AccountDecider.Hold(outcome, now, current, policies.Current)!.Value;
        var campaign = LinkedCampaign()?.CampaignId;
        var key = outcome == RequestOutcome.Degrade ? WatermarkKeys.For(campaign, this.GetPrimaryKeyString()) : null;
        if (begin)
        {
            var changed = false;
            if (hold != current)
            {
                s.Hold = HoldState.From(hold);
                changed = true;
                if (current is not { } before || !before.ActiveAt(now))
                {
                    metrics.Hold("began");
                    _heldPending = WebhookPublisher.Held(this.GetPrimaryKeyString(), campaign, result.Score, (int)hold.Outcome, hold.Since, hold.Until,
                        result.Reasons.Where(r => r.Contribution > 0).Take(ReviewReasons).Select(r => r.Code));
                }

                // An account an operator already confirmed or trusted needs no review.
                _reviewPending = s.Label != Label.None ? null : new ReviewHold
                {
                    AccountId = this.GetPrimaryKeyString(),
                    CampaignId = campaign,
                    Score = result.Score,
                    Outcome = (int)hold.Outcome,
                    Since = hold.Since,
                    Until = hold.Until,
                    Reasons = [.. result.Reasons.Where(r => r.Contribution > 0).Take(ReviewReasons)
                        .Select(r => r.Detail.Length <= ReviewQueueState.DetailLength ? r : r with { Detail = r.Detail[..ReviewQueueState.DetailLength] })],
                };
            }

            if (key is not null && key != s.WatermarkKeyId)
            {
                s.WatermarkKeyId = key;
                _watermarkPending = true;
                changed = true;
            }

            if (changed && !_recordPending)
            {
                _recordPending = true;
                _ = RecordInBackgroundAsync();
            }
        }

        return result with { HoldUntil = hold.Until, CampaignId = campaign, WatermarkKeyId = key };
    }

    private IReviewQueueGrain Review => GrainFactory.Ref<IReviewQueueGrain>(ReviewQueueGrain.Key);

    /// <summary>An account confirmed fraud or labelled trusted while held has been reviewed: it leaves the queue.</summary>
    private Task LeaveReviewIfLabelledAsync()
    {
        var s = state.State;
        if (s.Label == Label.None || s.Hold is not { } hold || hold.Until <= time.UtcNow)
        {
            return Task.CompletedTask;
        }

        _reviewPending = null;
        return Review.LeaveAsync(this.GetPrimaryKeyString());
    }

    /// <summary>A cached decision is good until the hold or the release it reflects ends, whichever is first.</summary>
    private DateTimeOffset CountermeasuresDueAt(DateTimeOffset validUntil)
    {
        var s = state.State;
        if (s.Hold is { } hold && hold.Until < validUntil)
        {
            validUntil = hold.Until;
        }

        if (s.Release is { } release && release.Until < validUntil)
        {
            validUntil = release.Until;
        }

        return validUntil;
    }

    private async Task RecordInBackgroundAsync()
    {
        try
        {
            await GrainFactory.Ref<IAccountGrain>(this.GetPrimaryKeyString()).RecordCountermeasuresAsync();
        }
        catch (Exception)
        {
            // Kept in memory: the next change (or this account's next write) stores it.
            metrics.Hold("record_failed");
            _recordPending = false;
        }
    }

    async Task IAccountGrain.RecordCountermeasuresAsync()
    {
        _recordPending = false;
        await WriteAsync();
        if (_heldPending is { } held)
        {
            _heldPending = null;
            try
            {
                await GrainFactory.Ref<IWebhookHubGrain>(WebhookHubGrain.Key).PublishAsync(held);
            }
            catch
            {
                _heldPending ??= held;
                throw;
            }
        }

        if (_reviewPending is { } review)
        {
            _reviewPending = null;
            try
            {
                await Review.HoldAsync(review);
            }
            catch
            {
                _reviewPending ??= review;
                throw;
            }
        }

        if (_watermarkPending && state.State.WatermarkKeyId is { } key)
        {
            _watermarkPending = false;
            try
            {
                await GrainFactory.Ref<IWatermarkGrain>(key).IssuedAsync(this.GetPrimaryKeyString(), LinkedCampaign()?.CampaignId, time.UtcNow);
            }
            catch
            {
                _watermarkPending = true;
                throw;
            }
        }
    }

    async ValueTask<ReleaseOutcome?> IAccountGrain.ReleaseAsync(LabelChange cleared)
    {
        var s = state.State;
        if (s.FirstSeenAt is null && s.LabelledAt is null)
        {
            return null;
        }

        var policy = policies.Current;
        var now = time.UtcNow;
        var ended = s.Hold is { } hold && hold.Until > now ? hold.Until : (DateTimeOffset?)null;
        // The score as the evidence stands now, without any earlier release: what the operator reviewed.
        var score = Math.Round(Score(policy, null, s.PaymentInstruments).Score, 4);
        s.Hold = null;
        s.Release = new ReleaseState { At = now, Until = now + TimeSpan.FromHours(policy.Countermeasures.ReleaseHours), Score = score };
        s.Label = Label.None;
        s.LabelReason = cleared.Reason;
        s.LabelledBy = cleared.By;
        s.LabelledAt = cleared.At;
        await WriteAsync();
        metrics.Hold("released");
        Publish(hop: 0);
        _reviewPending = null;
        await Review.LeaveAsync(this.GetPrimaryKeyString());
        await WebhookPublisher.PublishAsync(GrainFactory, WebhookEvents.AccountReleased,
            string.Create(CultureInfo.InvariantCulture, $"{this.GetPrimaryKeyString()}:{now.UtcTicks}"), now,
            new { accountId = this.GetPrimaryKeyString(), reason = cleared.Reason, by = cleared.By, score, releasedUntil = s.Release.Until, endedHoldUntil = ended });
        return new ReleaseOutcome { HoldUntil = ended, Score = score, ReleasedUntil = s.Release.Until, Label = LabelInfo()! };
    }
}
