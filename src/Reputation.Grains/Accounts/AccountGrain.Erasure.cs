using Reputation.Core.Scoring;
using Reputation.Core.Prompts;
using Reputation.Grains.Erasure;
using Reputation.Grains.Provenance;
using Reputation.Grains.State;

namespace Reputation.Grains.Accounts;

/// <summary>Erasure (docs/security.md, "Erasure"): where the account's id may be held, then forgetting the account.</summary>
public sealed partial class AccountGrain : IAccountErasure
{
    ValueTask<AccountFootprint?> IAccountErasure.GetFootprintAsync()
    {
        var s = state.State;
        if (s.FirstSeenAt is null && s.LabelledAt is null)
        {
            return ValueTask.FromResult<AccountFootprint?>(null);
        }

        // Links, ranges it was last seen in, buckets it counts requests for, and the buckets of the
        // last hour's prompts that were not shared yet: each of those sampled the account's id.
        return ValueTask.FromResult<AccountFootprint?>(new AccountFootprint
        {
            IpRanges = [.. s.IpRanges.Concat(s.RangeLastUsedAt.Keys()).Concat(_ranges.Keys).Distinct(StringComparer.Ordinal)],
            PaymentInstruments = [.. s.PaymentInstruments.Concat(_instruments.Keys).Distinct(StringComparer.Ordinal)],
            PromptBuckets = [.. s.PromptBuckets.Concat(s.RequestsPerBucket.Keys()).Concat(_templates.Keys).Concat(s.TemplateSetBuckets)
                .Concat(s.PendingPrompts.SelectMany(p => PromptBands.BucketKeys(p.Fingerprint))).Distinct(StringComparer.Ordinal)],
            TemplateSets = [.. s.TemplateSetKeys],
            JournalSlots = [.. JournalSlots()],
            OldestJournalHour = JournalPolicy.HourOf(time.WallNow) - JournalPolicy.RetentionHours + 1,
            // Its own key (before a campaign formed) and the key it was last given.
            WatermarkKeys = [.. new[] { WatermarkKeys.For(null, this.GetPrimaryKeyString()), s.WatermarkKeyId }.OfType<string>().Distinct(StringComparer.Ordinal)],
        });
    }

    /// <summary>
    /// The key journal slots that may hold the account's events: those of each key's span of
    /// arrival hours, and of the sender tallies' first and latest arrival (accounts whose events
    /// arrived before the spans were kept). At most 168 per key.
    /// </summary>
    private IEnumerable<string> JournalSlots()
    {
        var s = state.State;
        return s.JournalSpans.SelectMany(span => JournalSpan.Slots(span.Key, span.FirstHour, span.LastHour))
            .Concat(s.Senders.SelectMany(t => JournalSpan.Slots(t.Key, JournalPolicy.HourOf(t.FirstAt), JournalPolicy.HourOf(t.LastAt))))
            .Distinct(StringComparer.Ordinal);
    }

    async ValueTask IAccountErasure.EraseAsync()
    {
        await state.ClearStateAsync();
        state.State = new AccountState();
        _ranges.Clear();
        _instruments.Clear();
        _templates.Clear();
        _templateSets = null;
        _templateSetMember = null;
        _templateSetElementsReported = null;
        _publishedFlagged = false;
        _publishedFlaggedInRanges = false;
        _publishedFraud = false;
        DeactivateOnIdle();
    }
}
