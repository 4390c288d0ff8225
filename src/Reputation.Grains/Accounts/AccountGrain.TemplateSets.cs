using Reputation.Core.Collections;
using Reputation.Core.Privacy;
using Reputation.Core.Scoring;
using Reputation.Core.Sketches;
using Reputation.Grains.Templates;

namespace Reputation.Grains.Accounts;

/// <summary>
/// Templates in common (docs/detection.md; docs/decisions/0035-template-sets.md): the account's set
/// of shared prompt buckets is sketched (MinHash, LSH bands) and the account is a member of the
/// cluster each band key names, so accounts that use nearly the same several templates find each
/// other without a card or a range in common.
/// </summary>
public sealed partial class AccountGrain
{
    /// <summary>How often an account whose set and profile did not change re-joins its clusters (to read their count and profile).</summary>
    internal static readonly TimeSpan TemplateSetRefresh = TimeSpan.FromMinutes(5);

    // Its clusters as they answered last (in memory: rebuilt at its next usage after activation).
    // Null until it has a set: most accounts never do, and an account grain's heap is bounded (decision 0034).
    private TemplateSetSignals[]? _templateSets;
    private DateTimeOffset _templateSetsReportedAt = DateTimeOffset.MinValue;
    private TemplateSetMember? _templateSetMember;
    private int _templateSetElements;

    // The elements the stored keys were computed from (null until this activation computed them).
    private string[]? _templateSetElementsReported;

    /// <summary>
    /// Adds the buckets this usage found shared (and not common) to the account's set, then joins
    /// the clusters of the set's band keys and leaves those it no longer has: at most every
    /// <see cref="TemplateSetRefresh"/> unless the keys, the account's standing or tags, or its
    /// latest five-minute bin of usage changed (its timing tells the cluster whether its members keep
    /// one schedule: <see cref="TemplateSetMember.SameProfile"/>).
    /// </summary>
    private async Task ReportTemplateSetsAsync(TemplateSignals[] answers, string accountId)
    {
        var s = state.State;
        foreach (var a in answers)
        {
            if (a.Shared && a.SharingAccounts > 0 && a.SharingAccounts <= TemplateSets.MaxSharingAccounts)
            {
                RecentList.Touch(s.TemplateSetBuckets, a.Bucket, AccountState.TemplateSetCapacity);
            }
        }

        // Most accounts share fewer templates than make a set, and are in no cluster: nothing to do.
        if (s.TemplateSetBuckets.Count < TemplateSets.MinElements && s.TemplateSetKeys.Count == 0)
        {
            return;
        }

        var now = time.UtcNow;
        // A bucket grown common since it entered (a tool everyone uses) says nothing of a cluster.
        var elements = s.TemplateSetBuckets.Where(b => !_templates.TryGetValue(b, out var t) || t.Value.SharingAccounts <= TemplateSets.MaxSharingAccounts).ToList();
        var member = new TemplateSetMember
        {
            Standing = StandingNow(),
            RangeTag = Tag(s.IpRanges.Count > 0 ? s.IpRanges[0] : null),
            DomainTag = s.EmailDomainKind == EmailDomainKind.Other ? Tag(s.EmailDomainHash) : (ushort)0,
            AccountBins = s.ActiveBins,
            AccountLatestBin = s.ActiveBinLatest,
            InStep = InStepNow(now),
        };
        // The band keys are a function of the set of elements alone: the same elements as at the
        // last report have the keys reported then, and most usage events change neither them nor
        // the member, so the sketch is computed only when it may differ.
        var unchanged = SameElements(elements, _templateSetElementsReported);
        if (unchanged && member.SameProfile(_templateSetMember) && now - _templateSetsReportedAt < TemplateSetRefresh)
        {
            return;
        }

        var keys = unchanged ? [.. s.TemplateSetKeys] : TemplateSets.BandKeys(elements);
        if (!unchanged)
        {
            var same = keys.Length == s.TemplateSetKeys.Count && keys.All(s.TemplateSetKeys.Contains);
            // Stored keys that these elements give too: they are the keys of these elements.
            _templateSetElementsReported = same ? [.. elements] : null;
            if (same && member.SameProfile(_templateSetMember) && now - _templateSetsReportedAt < TemplateSetRefresh)
            {
                return;
            }
        }

        var left = s.TemplateSetKeys.Where(k => !keys.Contains(k)).ToList();
        await Task.WhenAll(left.Select(k => GrainFactory.Ref<ITemplateSetGrain>(k).LeaveAsync(accountId).AsTask()));
        var joined = await Task.WhenAll(keys.Select(k => GrainFactory.Ref<ITemplateSetGrain>(k).JoinAsync(accountId, member).AsTask()));
        _templateSets = joined.Length > 0 ? joined : null;
        var inStepShare = joined.Length > 0 ? joined.Max(j => j.InStepShare) : 0;
        if (inStepShare > 0)
        {
            // A cluster found it in lockstep with its members: its next entries tell its buckets so.
            MarkInStep(now, inStepShare);
        }

        s.TemplateSetKeys = [.. keys];
        _templateSetMember = member;
        _templateSetsReportedAt = now;
        _templateSetElements = elements.Count;
        _templateSetElementsReported = [.. elements];
    }

    /// <summary>Whether <paramref name="elements"/> (distinct buckets) are the set <paramref name="reported"/> holds.</summary>
    private static bool SameElements(List<string> elements, string[]? reported)
    {
        if (reported is null || reported.Length != elements.Count)
        {
            return false;
        }

        foreach (var element in elements)
        {
            if (Array.IndexOf(reported, element) < 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The cluster that weighs most under <paramref name="policy"/> (its size's ramp × its members' suspicion), if any.</summary>
    private TemplateSetFacts? TemplateSetNow(ScoringPolicy policy)
    {
        TemplateSetFacts? best = null;
        var most = -1.0;
        foreach (var signals in _templateSets ?? [])
        {
            var value = policy.Ramps.TemplateSetSharers.Apply(signals.Sharers) * Math.Clamp(signals.Suspicion, 0, 1);
            if (signals.Sharers > 0 && (value > most || (value == most && signals.Sharers > best!.Value.Sharers)))
            {
                most = value;
                best = new TemplateSetFacts(signals.Sharers, signals.Suspicion, _templateSetElements);
            }
        }

        return best;
    }

    /// <summary>A template link voided (provenance): the bucket leaves the set, and the clusters are recomputed at the next usage.</summary>
    private void ForgetTemplateSetBucket(string bucket)
    {
        if (state.State.TemplateSetBuckets.Remove(bucket))
        {
            _templateSetsReportedAt = DateTimeOffset.MinValue;
        }
    }
}
