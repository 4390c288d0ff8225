using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using System.Globalization;
using System.Numerics;
using Reputation.Core.Arithmetic;
using Reputation.Core.Collections;
using Reputation.Core.Scoring;
using Reputation.Core.Sketches;
using Reputation.Grains.State;

namespace Reputation.Grains.Templates;

/// <summary>
/// One LSH bucket of 64-bit prompt fingerprints (one 16-bit band of four). Fingerprints within
/// Hamming distance 3 always share a bucket; a bucket also collects unrelated fingerprints that
/// happen to share 16 bits, so sharing is decided by the true distance against a bounded sample,
/// never by the bucket alone.
/// </summary>
[Reentrant] // group commit: see EntityGrain.WriteAsync
public sealed class PromptTemplateGrain(
    [PersistentState("template", StorageNames.Reputation)] IPersistentState<PromptTemplateState> state,
    IPolicyCache policies,
    ReputationMetrics metrics,
    ReputationClock time,
    IModelReleases releases,
    IUsageObservation observation,
    ICustomerBase customerBase,
    ILogger<PromptTemplateGrain> logger) : EntityGrain<PromptTemplateState>(state, policies, metrics, logger), IPromptTemplateGrain
{
    /// <summary>Near-duplicate: at most this many differing bits of 64.</summary>
    public const int MaxDistance = 3;

    private HyperLogLog? _sharing;
    private (double Suspicion, double Lockstep)? _profile;

    /// <summary>What the customer base read as when last asked (<see cref="ICustomerBase"/>), and when.</summary>
    private (double Value, DateTimeOffset At)? _baseline;

    /// <summary>Sampled sharers whose own family of prompts speaks for them here, and how it reads (<see cref="SharerProfile.GroupSuspicion"/>); null when the sample is one family.</summary>
    private Dictionary<string, GroupRead>? _groupSuspicion;
    /// <summary>
    /// The latest fingerprint this activation saw each account send here, so that an account outside
    /// the sample is read by its own prompt's family (<see cref="For"/>); bounded, cleared when full.
    /// </summary>
    private Dictionary<string, ulong>? _prints;
    private DateTimeOffset _profiledAt;
    private int _profiledCount;
    private bool _sharersChanged;

    /// <summary>Sharers this activation told they move in lockstep (<see cref="IAccountGrain.InStepAsync"/>), and when.</summary>
    private Dictionary<string, DateTimeOffset>? _toldInStep;

    /// <summary>A sharer still in lockstep is told again after this long, within <see cref="SharerProfile.InStepFor"/>.</summary>
    private static readonly TimeSpan TellInStepAgain = TimeSpan.FromHours(1);

    private HyperLogLog Sharing => _sharing ??= HyperLogLog.Wrap(Persisted.State.SharingSketch, HyperLogLog.DefaultPrecision);

    ValueTask<TemplateSignals> IPromptTemplateGrain.RecordAsync(string accountId, TemplateEntry[] entries, AccountConfirmation[] confirmed)
    {
        Confirm(confirmed);
        return ((IPromptTemplateGrain)this).RecordAsync(accountId, entries);
    }

    async ValueTask<TemplateSignals> IPromptTemplateGrain.RecordAsync(string accountId, TemplateEntry[] entries)
    {
        var s = Persisted.State;
        var dedup = s.Dedup.Open();
        var changed = false;
        List<string>? discovered = null;
        var shared = false;
        List<ulong>? applied = null;
        // What this call counts of each event, remembered so that a voided event can be taken back.
        Dictionary<string, (long Requests, int Activations, int SharerEntries)>? counted = null;
        foreach (var entry in entries)
        {
            if (entry.Fingerprint != 0)
            {
                _prints ??= new(StringComparer.Ordinal);
                if (_prints.Count >= PromptTemplateState.RecentAccountCapacity * 16 && !_prints.ContainsKey(accountId))
                {
                    _prints.Clear();
                }

                _prints[accountId] = entry.Fingerprint;
            }

            var id = entry.DedupId();
            if (Applied(dedup, id))
            {
                continue;
            }

            changed = true;
            (applied ??= []).Add(id);
            counted ??= new(StringComparer.Ordinal);
            var (requests, activations, sharerEntries) = counted.GetValueOrDefault(entry.EventId);
            if (entry.Activated)
            {
                s.ActivationsPerMinute.Minutes().Add(entry.OccurredAt);
                activations++;
            }

            s.FirstSeenAt = s.FirstSeenAt is { } first && first <= entry.OccurredAt ? first : entry.OccurredAt;
            s.LastSeenAt = s.LastSeenAt is { } last && last >= entry.OccurredAt ? last : entry.OccurredAt;
            var (otherAccount, ownNear) = Nearest(entry.Fingerprint, accountId);
            if (otherAccount is not null)
            {
                // Two accounts sent near-identical prompts: both share this template.
                Sharing.Add(accountId);
                Sharing.Add(otherAccount);
                // A sparse sketch's array is replaced as it grows.
                s.SharingSketch = Sharing.Registers;
                s.AnySharing = true;
                if (!s.RecentAccounts.Contains(otherAccount))
                {
                    // The earlier account did not know it shares a template until now: tell it, so it links.
                    (discovered ??= []).Add(otherAccount);
                }

                RecentList.Touch(s.RecentAccounts, otherAccount, PromptTemplateState.RecentAccountCapacity);
                RecentList.Touch(s.RecentAccounts, accountId, PromptTemplateState.RecentAccountCapacity);
            }

            if (!ownNear)
            {
                s.SampleFingerprints[s.SampleNext] = entry.Fingerprint;
                s.SampleAccounts[s.SampleNext] = accountId;
                SampleEvents[s.SampleNext] = Core.Collections.DedupWindow.Hash(entry.EventId);
                s.SampleNext = (s.SampleNext + 1) % PromptTemplateState.SampleCapacity;
            }

            var sharer = otherAccount is not null || s.RecentAccounts.Contains(accountId);
            shared |= sharer;
            if (sharer)
            {
                Sharers.Touch(s.Sharers, accountId, entry, PromptTemplateState.RecentAccountCapacity);
                _sharersChanged = true;
                sharerEntries++;
            }

            if (entry.Requests > 0 && sharer)
            {
                s.RequestsPerMinute.Minutes().Add(entry.OccurredAt, entry.Requests);
                s.RequestsPerHour.Hours().Add(entry.OccurredAt, entry.Requests);
                s.RequestsTotal = Saturating.Add(s.RequestsTotal, entry.Requests);
                if (entry.Model is { } model)
                {
                    ModelCounts.Add(s.RequestsByModel, model, entry.Requests, PromptTemplateState.ModelCapacity);
                    ReleasePivotWindows.Add(s.RecentRequestsByModel, model, entry.OccurredAt, entry.Requests, PromptTemplateState.ModelCapacity);
                }

                requests = Saturating.Add(requests, entry.Requests);
            }

            counted[entry.EventId] = (requests, activations, sharerEntries);
        }

        if (counted is not null)
        {
            var account = Core.Collections.DedupWindow.Hash(accountId);
            foreach (var (eventId, c) in counted)
            {
                if (s.Counted.Add(Core.Collections.DedupWindow.Hash(eventId), account, c.Requests, c.Activations, c.SharerEntries) is { } left)
                {
                    Sharers.Untrack(s.Sharers, left);
                }
            }
        }

        if (changed)
        {
            s.Dedup.Save(dedup);
            HoldUntilConfirmed(accountId, applied, time.UtcNow);
            await WriteAsync();
        }

        // A re-sent event's entries were skipped above: an account already among the sharers still shares.
        // Accounts to tell were discovered through this one's near fingerprint, so it shares whenever they exist.
        var signals = Signals(shared || s.RecentAccounts.Contains(accountId));
        if (discovered is not null)
        {
            var hop = Policies.Current.Propagation.HopLimit;
            foreach (var other in discovered.Where(a => a != accountId))
            {
                _ = GrainFactory.Ref<IAccountGrain>(other).TemplateChangedAsync(For(signals, other), hop);
            }
        }

        return For(signals, accountId);
    }

    ValueTask<TemplateSignals> IPromptTemplateGrain.GetSignalsAsync() => ValueTask.FromResult(Signals());

    ValueTask<TemplateSignals> IPromptTemplateGrain.GetSignalsForAsync(string accountId) => ValueTask.FromResult(For(Signals(), accountId));

    async ValueTask<string[]> IPromptTemplateGrain.VoidUsageAsync(string accountId, Provenance.VoidedContribution[] contributions, bool unlink)
    {
        var (changed, kept) = TakeBackUsage(accountId, contributions);
        await ForgetVoidedAsync(accountId, changed, unlink);
        return kept;
    }

    ValueTask<TemplateSnapshot?> IPromptTemplateGrain.GetSnapshotAsync()
    {
        var s = Persisted.State;
        if (s.FirstSeenAt is null && s.Risk.Info is null)
        {
            return ValueTask.FromResult<TemplateSnapshot?>(null);
        }

        var now = time.UtcNow;
        return ValueTask.FromResult<TemplateSnapshot?>(new TemplateSnapshot
        {
            Bucket = this.GetPrimaryKeyString(),
            SharingAccounts = SharingAccounts(),
            Usage = UsageWindows.Snapshot(now, s.RequestsPerMinute, s.RequestsPerHour, s.RequestsTotal),
            RecentAccounts = [.. s.RecentAccounts],
            Fingerprints = [.. s.SampleAccounts.Select((a, i) => (a, i)).Where(p => p.a is not null)
                .Select(p => s.SampleFingerprints[p.i].ToString("x16", CultureInfo.InvariantCulture)).Distinct()],
            FirstSeenAt = s.FirstSeenAt,
            LastSeenAt = s.LastSeenAt,
            Risk = s.Risk.Risk,
            Label = s.Risk.Info,
            Suspicion = Profile().Suspicion,
            Lockstep = Profile().Lockstep,
            BaseSuspicion = Baseline(),
            SampledSharers = s.Sharers.Count,
            BeganTogether = Sharers.BeganTogether(s.Sharers, observation.Since),
            NearDuplicateGroups = Sharers.Groups(s.Sharers, Policies.Current.Trust.CohortShare, observation.Since),
        });
    }

    protected override string Kind => EntityGrains.PromptTemplate;

    protected override IReadOnlyDictionary<string, long> RequestsByModel => new Dictionary<string, long>(Persisted.State.RequestsByModel, StringComparer.Ordinal);

    protected override long PeakActivations => Persisted.State.ActivationsPerMinute.Minutes().PeakSum(time.UtcNow, TimeSpan.FromHours(1), TimeSpan.FromMinutes(5));

    /// <summary>A bucket is exported as the fingerprints it holds (at most one indicator's worth): other deployments hash prompts alike.</summary>
    protected override (string Key, IReadOnlyList<IntelValue> Values) IntelSubject
    {
        get
        {
            var s = Persisted.State;
            var values = s.SampleAccounts.Select((a, i) => (a, i)).Where(p => p.a is not null)
                .Select(p => s.SampleFingerprints[p.i]).Distinct().Take(Core.Intel.IndicatorPattern.MaxTargets)
                .Select(f => new IntelValue { Entity = Core.Intel.IntelEntity.PromptTemplate, Value = Core.Prompts.SimHash.ToHex(f) })
                .ToList();
            return ($"prompt-template/{this.GetPrimaryKeyString()}", values);
        }
    }

    protected override long Degree => SharingAccounts();

    protected override int RecentAccountCapacity => PromptTemplateState.RecentAccountCapacity;

    /// <summary>Its recent accounts are the accounts found sharing it: while it has held fewer than its capacity, they are all it counted.</summary>
    protected override bool Recount(IReadOnlyList<string> accounts)
    {
        var s = Persisted.State;
        _sharing = Provenance.JournalPolicy.SparseSketch(accounts, HyperLogLog.DefaultPrecision);
        s.SharingSketch = _sharing.Registers;
        s.AnySharing = accounts.Count > 0;
        return true;
    }

    protected override (double Flagged, double Confirmed) Strength(PropagationPolicy policy) => (policy.TemplateLinkStrength, 1);

    protected override Func<IAccountGrain, Task> Notification(int hop)
    {
        var signals = Signals();
        return a => a.TemplateChangedAsync(For(signals, a.GetPrimaryKeyString()), hop);
    }

    /// <summary>
    /// An erased account's sampled fingerprints go with it (they came from its prompts), and so does
    /// its sharer profile; the sharing count stays (docs/security.md, "Erasure").
    /// </summary>
    protected override bool ForgetSampled(string accountId)
    {
        var s = Persisted.State;
        var changed = false;
        for (var i = 0; i < PromptTemplateState.SampleCapacity; i++)
        {
            if (s.SampleAccounts[i] == accountId)
            {
                s.SampleAccounts[i] = null;
                s.SampleFingerprints[i] = 0;
                SampleEvents[i] = 0;
                changed = true;
            }
        }

        changed |= s.Counted.Forget(Core.Collections.DedupWindow.Hash(accountId));

        if (s.Sharers.RemoveAll(x => x.AccountId == accountId) > 0)
        {
            _sharersChanged = true;
            changed = true;
        }

        return changed;
    }

    /// <summary>
    /// Takes back what the bucket counted of each voided event (<see cref="CountedEvents"/>): its
    /// requests from the windows they still fall in, the totals and the model's count, its
    /// activations, the fingerprints it sampled, and the account's sharer sample once none of the
    /// usage that made it one remains. An event taken back is marked in the ring of recent ids; an
    /// event the account knows reached the bucket and that it no longer holds, nor has a mark of, is
    /// answered as kept.
    /// </summary>
    private (bool Changed, string[] Kept) TakeBackUsage(string accountId, Provenance.VoidedContribution[] contributions)
    {
        var s = Persisted.State;
        var dedup = s.Dedup.Open();
        var account = Core.Collections.DedupWindow.Hash(accountId);
        var changed = false;
        List<string>? kept = null;
        foreach (var c in contributions)
        {
            var mark = Provenance.JournalPolicy.VoidMark(c.EventId);
            var id = Core.Collections.DedupWindow.Hash(c.EventId);
            if (s.Counted.Take(id, account) is not { } counted)
            {
                if (c.Reached && !dedup.Contains(mark))
                {
                    (kept ??= []).Add(c.EventId);
                }

                continue;
            }

            dedup.TryAdd(mark);
            changed = true;
            if (counted.Requests > 0)
            {
                s.RequestsPerMinute.Minutes().Add(c.OccurredAt, -counted.Requests);
                s.RequestsPerHour.Hours().Add(c.OccurredAt, -counted.Requests);
                s.RequestsTotal = Math.Max(0, s.RequestsTotal - counted.Requests);
                if (c.Model is { } recent && s.RecentRequestsByModel.TryGetValue(recent, out var window))
                {
                    window.Minutes().Add(c.OccurredAt, -counted.Requests);
                }

                if (c.Model is { } model && s.RequestsByModel.TryGetValue(model, out var byModel))
                {
                    if (byModel > counted.Requests)
                    {
                        s.RequestsByModel[model] = byModel - counted.Requests;
                    }
                    else
                    {
                        s.RequestsByModel.Remove(model);
                    }
                }
            }

            if (counted.Activations > 0)
            {
                s.ActivationsPerMinute.Minutes().Add(c.OccurredAt, -counted.Activations);
            }

            var sampled = SampleEvents;
            for (var i = 0; i < PromptTemplateState.SampleCapacity; i++)
            {
                if (sampled[i] == id && s.SampleAccounts[i] == accountId)
                {
                    s.SampleAccounts[i] = null;
                    s.SampleFingerprints[i] = 0;
                    sampled[i] = 0;
                }
            }

            // Its sample stands for the usage that made it a sharer: it goes once none of that remains here.
            if (counted.SharerEntries > 0 && !s.Counted.AnySharerEntries(account)
                && s.Sharers.RemoveAll(x => x.AccountId == accountId && x.Tracked) > 0)
            {
                _sharersChanged = true;
            }
        }

        s.Dedup.Save(dedup);
        return (changed, kept is null ? [] : [.. kept]);
    }

    /// <summary>The event that put each sampled fingerprint in (state written before it was kept has none).</summary>
    private ulong[] SampleEvents => Persisted.State.SampleEvents is { Length: PromptTemplateState.SampleCapacity } events
        ? events
        : Persisted.State.SampleEvents = new ulong[PromptTemplateState.SampleCapacity];

    /// <summary>The closest sampled fingerprint of another account within <see cref="MaxDistance"/>, and whether this account already has one that near.</summary>
    private (string? OtherAccount, bool OwnNear) Nearest(ulong fingerprint, string accountId)
    {
        var s = Persisted.State;
        string? other = null;
        var best = MaxDistance + 1;
        var own = false;
        for (var i = 0; i < PromptTemplateState.SampleCapacity; i++)
        {
            if (s.SampleAccounts[i] is not { } owner)
            {
                continue;
            }

            var distance = BitOperations.PopCount(s.SampleFingerprints[i] ^ fingerprint);
            if (distance > MaxDistance)
            {
                continue;
            }

            if (owner == accountId)
            {
                own = true;
            }
            else if (distance < best)
            {
                best = distance;
                other = owner;
            }
        }

        return (other, own);
    }

    /// <summary>
    /// The sharer profile, recomputed at most once a second while sharers change: a popular
    /// template answers thousands of calls a second, and the profile moves with its sample, not per call.
    /// </summary>
    private (double Suspicion, double Lockstep) Profile()
    {
        var now = time.UtcNow;
        var sharers = Persisted.State.Sharers;
        // While the sample fills every change counts; once full, at most once a second.
        if (_profile is not { } p || (_sharersChanged && (sharers.Count != _profiledCount || now - _profiledAt >= TimeSpan.FromSeconds(1))))
        {
            Span<bool> inStep = sharers.Count <= 128 ? stackalloc bool[sharers.Count] : new bool[sharers.Count];
            var suspicion = Sharers.Suspicion(sharers, Policies.Current.Trust.CohortShare, observation.Since, inStep, out var together, out _groupSuspicion, out var isCohort, out var oneGroup);
            // What the customer base reads as, and this template's part in it (docs/decisions/0049-customer-base.md).
            customerBase.Report(this.GetPrimaryKeyString(), CustomerBase.Speaks(sharers.Count, oneGroup, isCohort, suspicion) ? suspicion : null, now);
            _baseline = null;
            _profile = p = (suspicion, Sharers.LockstepShare(sharers, observation.Since, suspicion));
            _profiledAt = now;
            _profiledCount = sharers.Count;
            _sharersChanged = false;
            TellInStep(sharers, inStep, together, now);
        }

        return p;
    }

    /// <summary>
    /// What the customer base reads as (<see cref="ICustomerBase.Baseline"/>): asked again whenever this
    /// template profiles its sharers, and at least once a minute while it is asked for signals, so that
    /// a quiet template follows the others' reports.
    /// </summary>
    private double Baseline()
    {
        var now = time.UtcNow;
        if (_baseline is not { } b || now - b.At >= TimeSpan.FromMinutes(1) || now < b.At)
        {
            _baseline = b = (customerBase.Baseline(now), now);
        }

        return b.Value;
    }

    /// <summary>
    /// Tells the sampled sharers found in lockstep beyond chance so (at most once an hour each):
    /// they stop vouching for the other templates and clusters they use, which may have too few
    /// sharers with enough bins to judge their timing themselves — a campaign's prompts spread over
    /// many small buckets (docs/detection.md, "Who shares a template").
    /// </summary>
    private void TellInStep(List<SharerSample> sharers, ReadOnlySpan<bool> inStep, double together, DateTimeOffset now)
    {
        for (var i = 0; i < sharers.Count; i++)
        {
            if (!inStep[i])
            {
                continue;
            }

            var id = sharers[i].AccountId;
            _toldInStep ??= new(StringComparer.Ordinal);
            if (_toldInStep.TryGetValue(id, out var told) && now - told < TellInStepAgain)
            {
                continue;
            }

            if (_toldInStep.Count >= PromptTemplateState.RecentAccountCapacity * 2)
            {
                _toldInStep.Clear();
            }

            _toldInStep[id] = now;
            _ = GrainFactory.Ref<IAccountGrain>(id).InStepAsync(now, together);
        }
    }

    private long SharingAccounts() => Persisted.State.AnySharing ? Sharing.Estimate() : 0;

    /// <summary>
    /// The bucket's signals as one account reads them, by the family of prompts it sent here
    /// (<see cref="SharerProfile.FamilyDistance"/>; decision 0050). When the sample holds several
    /// families (<see cref="SharerProfile.GroupSuspicion"/>), its own family's suspicion, and of the
    /// bucket's sharing accounts, requests and peak activations the family's share of the sample: the
    /// account's prompt is shared by its family, not by every prompt that agrees with it on this band.
    /// When every sampled sharer's fingerprint is known and none is of its family, nothing the sample
    /// says is about its prompt: suspicion 0, none of the bucket's requests or activations. Otherwise
    /// (one family, its own; or its fingerprint unknown here) the whole sample's.
    /// </summary>
    private TemplateSignals For(TemplateSignals signals, string accountId)
    {
        _ = Profile();
        var sharers = Persisted.State.Sharers;
        if (_groupSuspicion is { } groups && groups.TryGetValue(accountId, out var own))
        {
            return Read(signals, own);
        }

        if (PrintOf(accountId) is not (var print and not 0))
        {
            return signals;
        }

        var (nearest, best) = (-1, int.MaxValue);
        for (var i = 0; i < sharers.Count; i++)
        {
            if (sharers[i].Fingerprint == 0)
            {
                // A sharer sampled before fingerprints were kept may be of its family.
                return signals;
            }

            var distance = System.Numerics.BitOperations.PopCount(sharers[i].Fingerprint ^ print);
            if (distance <= SharerProfile.FamilyDistance && distance < best)
            {
                (nearest, best) = (i, distance);
            }
        }

        if (nearest < 0)
        {
            return signals with { Suspicion = 0, RequestsLastHour = 0, PeakActivations = 0 };
        }

        return _groupSuspicion is { } families && families.TryGetValue(sharers[nearest].AccountId, out var family) ? Read(signals, family) : signals;

        TemplateSignals Read(TemplateSignals whole, GroupRead group) => whole with
        {
            Suspicion = group.Suspicion,
            SharingAccounts = Math.Max((long)Math.Round(group.Share * sharers.Count), (long)Math.Round(group.Share * whole.SharingAccounts)),
            RequestsLastHour = (long)Math.Round(group.Share * whole.RequestsLastHour),
            PeakActivations = (long)Math.Round(group.Share * whole.PeakActivations),
        };
    }

    /// <summary>The latest fingerprint <paramref name="accountId"/> sent here, as far as this bucket knows it; 0 when it does not.</summary>
    private ulong PrintOf(string accountId)
    {
        if (_prints is { } prints && prints.TryGetValue(accountId, out var print))
        {
            return print;
        }

        var s = Persisted.State;
        foreach (var sharer in s.Sharers)
        {
            if (sharer.AccountId == accountId)
            {
                return sharer.Fingerprint;
            }
        }

        for (var i = 0; i < s.SampleAccounts.Length; i++)
        {
            if (s.SampleAccounts[i] == accountId)
            {
                return s.SampleFingerprints[i];
            }
        }

        return 0;
    }

    private TemplateSignals Signals(bool shared = true) => new()
    {
        Shared = shared,
        Bucket = this.GetPrimaryKeyString(),
        SharingAccounts = SharingAccounts(),
        RequestsLastHour = Persisted.State.RequestsPerMinute.Minutes().Estimate(time.UtcNow, TimeSpan.FromHours(1)),
        Risk = Persisted.State.Risk.Risk,
        Label = Persisted.State.Risk.Label,
        RiskOfOthers = Persisted.State.Risk.RiskOfOthers,
        PeakActivations = PeakActivations,
        CampaignId = Persisted.State.Risk.HubCampaignId,
        Suspicion = Profile().Suspicion,
        Lockstep = Profile().Lockstep,
        BaseSuspicion = Baseline(),
        Pivot = ReleasePivotWindows.Pivot(Persisted.State.RecentRequestsByModel, releases, time.UtcNow, Policies.Current.Ramps),
    };

}
