using Microsoft.Extensions.Logging;
using Reputation.Core.Arithmetic;
using Reputation.Core.Collections;
using Reputation.Core.Privacy;
using Reputation.Core.Prompts;
using Reputation.Core.Scoring;
using Reputation.Grains.Campaigns;
using Reputation.Grains.Policies;
using Reputation.Grains.State;

namespace Reputation.Grains.Accounts;

/// <summary>
/// An account: its own facts, its links, and a cached view of its linked entities' signals so
/// that a decision is in-memory work. The cache is filled by the answers to the account's own
/// writes, by entities telling it of changes (propagation), on activation, and refreshed in the
/// background when older than <see cref="SignalsMaxAge"/>. A decision answers from it without
/// waiting, but for a request decision of an account back after an idle spell: signals older than
/// <see cref="SignalsWaitAfter"/> are refreshed first (docs/decisions/0050-families-and-fresh-reads.md).
/// </summary>
public sealed partial class AccountGrain(
    [PersistentState("account", StorageNames.Reputation)] IPersistentState<AccountState> state,
    IPolicyCache policies,
    IListCache lists,
    IIntelCache intel,
    IUsageObservation observation,
    Templates.IModelReleases releases,
    IDecisionCache decisions,
    Backtests.IDecisionSamples samples,
    ConfirmationBatcher confirmations,
    ReputationMetrics metrics,
    ReputationClock time,
    ILogger<AccountGrain> logger) : Grain, IAccountGrain, IIncomingGrainCallFilter
{
    internal static readonly TimeSpan SignalsMaxAge = TimeSpan.FromSeconds(30);
    private const int CachedEntityCapacity = 8;
    private const int CachedTemplateCapacity = 16;
    private const int InstrumentsScored = 3;
    private const int RangesScored = 4;
    internal static readonly TimeSpan ActivationGap = TimeSpan.FromMinutes(30);

    // A few entries each (at most CachedEntityCapacity, CachedTemplateCapacity): small maps, not
    // dictionaries, at a few hundred bytes less per account (docs/performance.md, "Memory").
    private readonly SmallMap<Cached<RangeSignals>> _ranges = new();
    private readonly SmallMap<Cached<InstrumentSignals>> _instruments = new();
    private readonly SmallMap<Cached<TemplateSignals>> _templates = new();
    /// <summary>The refresh of the cached entity signals under way (<see cref="RefreshCountedAsync"/>); null when none is.</summary>
    private Task? _refresh;
    private bool _publishedFlagged;
    /// <summary>Flagged as its ranges count it: on its evidence without what they said (<see cref="ScoreResult.EvidenceForRanges"/>).</summary>
    private bool _publishedFlaggedInRanges;
    private bool _publishedFraud;

    private readonly record struct Cached<T>(T Value, DateTimeOffset FetchedAt);

    /// <summary>
    /// Calls after which a request decision may differ: every one but the decisions and reads, and
    /// the write of a hold or key a decision began (the decision held already carries them).
    /// </summary>
    private static readonly HashSet<string> s_keepsDecision = new(StringComparer.Ordinal)
    {
        nameof(IAccountGrain.DecideRequestAsync), nameof(IAccountGrain.DecideBillingAsync), nameof(IAccountGrain.GetSnapshotAsync),
        nameof(IAccountGrain.RecordCountermeasuresAsync),
    };

    /// <summary>
    /// The silo's cached request decision of this account (<see cref="DecisionCache"/>) is dropped
    /// before and after any call that may change what it decides from; with the cache off, nothing
    /// is added to the call.
    /// </summary>
    Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context) =>
        !decisions.Enabled || s_keepsDecision.Contains(context.InterfaceMethod.Name) ? context.Invoke() : InvokeForgettingAsync(context);

    private async Task InvokeForgettingAsync(IIncomingGrainCallContext context)
    {
        ForgetDecision();
        try
        {
            await context.Invoke();
        }
        finally
        {
            ForgetDecision();
        }
    }

    private void ForgetDecision() => decisions.Remove(this.GetPrimaryKeyString());

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        ForgetDecision();
        DeactivatingWithDeferred();
        return Task.CompletedTask;
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.RecordExists)
        {
            state.State.Country = SharedCountry(state.State.Country);
            ShareSenders();
            await RefreshSignalsAsync();
            // What the entities were last told is not stored; take the current standing as told.
            _publishedFraud = state.State.Label == Label.Fraud;
            (_publishedFlagged, _publishedFlaggedInRanges) = IsFlagged();
        }
    }

    async ValueTask<DecisionResult> IAccountGrain.SignupAsync(SignupEvent signup)
    {
        await RecordAsync([signup]);
        return DecideSignup(signup);
    }

    private DecisionResult DecideSignup(SignupEvent signup)
    {
        IEnumerable<string> instruments = signup.PaymentFingerprint is { } fp ? [fp] : state.State.PaymentInstruments;
        return Decide(DecisionKind.Signup, signup.IpRange, instruments, charge: null, out _);
    }

    ValueTask<EventStatus[]> IAccountGrain.RecordAsync(AccountEvent[] events) => RecordAsync(events);

    async ValueTask<DecisionResult> IAccountGrain.DecideRequestAsync(string? ipRange)
    {
        if (ipRange is not null && !_ranges.ContainsKey(ipRange))
        {
            // A range this account was not seen in: one extra hop, then cached.
            Remember(_ranges, ipRange, await GrainFactory.Ref<IIpRangeGrain>(ipRange).GetSignalsAsync(), CachedEntityCapacity);
        }

        await RefreshIfIdleAsync();
        if (!decisions.Enabled)
        {
            return WithCountermeasures(DecideRequest(ipRange), begin: true);
        }

        // Answered again by the silo until anything it was decided from changes (DecisionCache).
        var inputs = decisions.Inputs();
        var decidedAt = time.UtcNow;
        var result = WithCountermeasures(DecideRequest(ipRange, out var shadow), begin: true);
        if (_refresh is null)
        {
            decisions.Put(this.GetPrimaryKeyString(), ipRange, new CachedDecision(result, shadow, decidedAt), inputs, CountermeasuresDueAt(SignalsDueAt()));
        }

        return result;
    }

    /// <summary>When the oldest cached entity signals are due for a refresh (a decision after that starts one).</summary>
    private DateTimeOffset SignalsDueAt()
    {
        var oldest = OldestFetchedAt();
        return oldest == DateTimeOffset.MaxValue ? oldest : oldest + SignalsMaxAge;
    }

    /// <summary>When the oldest cached entity signals were fetched; <see cref="DateTimeOffset.MaxValue"/> when none are cached.</summary>
    private DateTimeOffset OldestFetchedAt()
    {
        var oldest = DateTimeOffset.MaxValue;
        foreach (var c in _ranges.Values)
        {
            oldest = c.FetchedAt < oldest ? c.FetchedAt : oldest;
        }

        foreach (var c in _instruments.Values)
        {
            oldest = c.FetchedAt < oldest ? c.FetchedAt : oldest;
        }

        foreach (var c in _templates.Values)
        {
            oldest = c.FetchedAt < oldest ? c.FetchedAt : oldest;
        }

        return oldest;
    }

    async ValueTask<DecisionResult> IAccountGrain.DecideBillingAsync(string paymentFingerprint, long amountMinor, string currency)
    {
        if (!_instruments.ContainsKey(paymentFingerprint))
        {
            Remember(_instruments, paymentFingerprint,
                await GrainFactory.Ref<IPaymentInstrumentGrain>(paymentFingerprint).GetSignalsAsync(), CachedEntityCapacity);
        }

        RefreshIfStale();
        return Decide(DecisionKind.Billing, null, [paymentFingerprint], new ChargeFacts(amountMinor, currency, state.State.Payments.Succeeded), out _);
    }

    ValueTask<AccountSnapshot?> IAccountGrain.GetSnapshotAsync()
    {
        var s = state.State;
        if (s.FirstSeenAt is null && s.LabelledAt is null)
        {
            return ValueTask.FromResult<AccountSnapshot?>(null);
        }

        var now = time.UtcNow;
        return ValueTask.FromResult<AccountSnapshot?>(new AccountSnapshot
        {
            AccountId = this.GetPrimaryKeyString(),
            CreatedAt = s.CreatedAt,
            LastSeenAt = s.LastSeenAt,
            RequestDecision = WithCountermeasures(DecideRequest(null), begin: false),
            HoldUntil = s.Hold is { } hold && hold.Until > now ? hold.Until : null,
            ReleasedUntil = s.Release is { } release && release.Until > now ? release.Until : null,
            OrganizationId = s.OrganizationId,
            OrganizationVerified = s.OrganizationVerified,
            PaymentInstruments = [.. s.PaymentInstruments],
            IpRanges = [.. s.IpRanges],
            PromptBuckets = [.. s.PromptBuckets],
            TemplateSets = [.. s.TemplateSetKeys],
            Usage = UsageWindows.Snapshot(now, s.RequestsPerMinute, s.RequestsPerHour, s.RequestsTotal, s.TokensPerHour),
            Payments = new PaymentSnapshot
            {
                Succeeded = s.Payments.Succeeded,
                Declined = s.Payments.Declined,
                Chargebacks = s.Payments.Chargebacks,
                Refunded = s.Payments.Refunded,
            },
            Label = LabelInfo(),
            Senders = [.. s.Senders],
        });
    }

    async ValueTask<LabelInfo> IAccountGrain.SetLabelAsync(LabelChange change)
    {
        var s = state.State;
        s.Label = change.Label;
        s.LabelReason = change.Reason;
        s.LabelledBy = change.By;
        s.LabelledAt = change.At;
        await WriteAsync();
        Publish(hop: 0);
        await LeaveReviewIfLabelledAsync();
        return LabelInfo()!;
    }

    Task IAccountGrain.RangeChangedAsync(RangeSignals signals, int hop)
    {
        Remember(_ranges, signals.Range, signals, CachedEntityCapacity);
        Publish(hop);
        return Task.CompletedTask;
    }

    Task IAccountGrain.InstrumentChangedAsync(InstrumentSignals signals, int hop)
    {
        Remember(_instruments, signals.Fingerprint, signals, CachedEntityCapacity);
        Publish(hop);
        return Task.CompletedTask;
    }

    async Task IAccountGrain.TemplateChangedAsync(TemplateSignals signals, int hop)
    {
        Remember(_templates, signals.Bucket, signals, CachedTemplateCapacity);
        if (signals.SharingAccounts > 0 && !state.State.PromptBuckets.Contains(signals.Bucket))
        {
            // A bucket found this account's earlier prompt shared by another account: link it.
            HashSet<string> before = [.. state.State.PromptBuckets.Select(Key.Template), .. state.State.IpRanges.Take(RangesScored).Select(Key.Range),
                .. state.State.PaymentInstruments.Take(InstrumentsScored).Select(Key.Instrument)];
            RecentList.Touch(state.State.PromptBuckets, signals.Bucket, AccountState.LinkCapacity);
            await WriteAsync();
            Publish(hop);
            TellNewLinks(before);
            return;
        }

        Publish(hop);
    }

    /// <summary>
    /// A template bucket found the account in lockstep with its sharers beyond chance: kept with the
    /// state's next write (a lost mark only waits for the bucket to find it again), and told to every
    /// bucket and cluster with its entries for <see cref="SharerProfile.InStepFor"/>.
    /// </summary>
    Task IAccountGrain.InStepAsync(DateTimeOffset at, double share)
    {
        MarkInStep(at, share);
        return Task.CompletedTask;
    }

    /// <summary>Keeps the latest time it was found in step, and the largest share of a group in step with it while that lasts.</summary>
    private void MarkInStep(DateTimeOffset at, double share)
    {
        var s = state.State;
        s.InStepShare = InStepNow(at) ? Math.Max(s.InStepShare, share) : share;
        if (s.InStepAt is not { } before || at > before)
        {
            s.InStepAt = at;
        }
    }

    /// <summary>Whether a bucket or cluster found the account in lockstep within <see cref="SharerProfile.InStepFor"/> of <paramref name="now"/>.</summary>
    private bool InStepNow(DateTimeOffset now) => state.State.InStepAt is { } at && now - at < SharerProfile.InStepFor;

    /// <param name="events">The events, in order.</param>
    /// <param name="createdLinks">When given, receives the links the accepted events created (AccountGrain.Provenance.cs).</param>
    private async ValueTask<EventStatus[]> RecordAsync(AccountEvent[] events, List<Provenance.LinkOrigin>? createdLinks = null)
    {
        var s = state.State;
        var dedup = s.Dedup.Open();
        var statuses = new EventStatus[events.Length];
        Dictionary<string, List<RangeEntry>>? rangeEntries = null;
        Dictionary<string, List<InstrumentEntry>>? instrumentEntries = null;
        Dictionary<string, List<TemplateEntry>>? templateEntries = null;
        HashSet<string>? linkedBefore = null;
        var accepted = 0;
        bool deferred;

        try
        {
            for (var i = 0; i < events.Length; i++)
            {
                var e = events[i];
                // A signup decision retried across an email hash key rotation has two ids: either seen makes it
                // a duplicate, and both are kept, so a retry under either key is recognised.
                var previousId = (e as SignupEvent)?.PreviousKeyEventId;
                var duplicate = previousId is not null && dedup.Contains(previousId);
                duplicate = !dedup.TryAdd(e.EventId) || duplicate;
                if (previousId is not null)
                {
                    dedup.TryAdd(previousId);
                }

                if (duplicate)
                {
                    statuses[i] = EventStatus.Duplicate;
                    continue;
                }

                statuses[i] = EventStatus.Accepted;
                accepted++;
                s.FirstSeenAt = s.FirstSeenAt is { } first && first <= e.OccurredAt ? first : e.OccurredAt;
                s.LastSeenAt = s.LastSeenAt is { } last && last >= e.OccurredAt ? last : e.OccurredAt;
                long requests = 0, tokens = 0;
                var activated = false;
                switch (e)
                {
                    case SignupEvent signup:
                        s.CreatedAt = s.CreatedAt is { } created && created <= e.OccurredAt ? created : e.OccurredAt;
                        s.EmailHash = signup.EmailHash ?? s.EmailHash;
                        s.DeviceId = signup.DeviceId ?? s.DeviceId;
                        s.Country = SharedCountry(signup.Country) ?? s.Country;
                        if (signup.OrganizationId is { } organization)
                        {
                            s.OrganizationId = organization;
                            s.OrganizationVerified = signup.OrganizationVerified;
                        }

                        if (signup.EmailDomainHash is { } domain)
                        {
                            s.EmailDomainHash = domain;
                            s.EmailDomainKind = signup.EmailDomainKind;
                        }

                        if (signup.PaymentFingerprint is { } fingerprint)
                        {
                            Add(ref instrumentEntries, fingerprint, new InstrumentEntry { EventId = e.EventId, OccurredAt = e.OccurredAt, OwnerGroup = CardOwnerGroup });
                        }

                        break;
                    case UsageEvent usage:
                        requests = usage.Requests;
                        tokens = Saturating.Add(usage.InputTokens, usage.OutputTokens);
                        activated = s.LastUsageAt is not { } lastUsage || usage.OccurredAt - lastUsage >= ActivationGap;
                        s.LastUsageAt = s.LastUsageAt is { } latest && latest >= usage.OccurredAt ? latest : usage.OccurredAt;
                        ApplyUsage(usage, activated, ref instrumentEntries, ref templateEntries);
                        break;
                    case PaymentEvent payment:
                        s.Payments.Add(payment.Outcome);
                        if (payment.Outcome == PaymentKind.Succeeded)
                        {
                            s.FirstPaidAt = s.FirstPaidAt is { } firstPaid && firstPaid <= e.OccurredAt ? firstPaid : e.OccurredAt;
                            s.LastPaidAt = s.LastPaidAt is { } lastPaid && lastPaid >= e.OccurredAt ? lastPaid : e.OccurredAt;
                        }

                        Add(ref instrumentEntries, payment.PaymentFingerprint,
                            new InstrumentEntry { EventId = e.EventId, OccurredAt = e.OccurredAt, Outcome = payment.Outcome, OwnerGroup = CardOwnerGroup });
                        break;
                }

                if (e.IpRange is { } range)
                {
                    s.RangeLastUsedAt = s.RangeLastUsedAt.With(range, s.RangeLastUsedAt.TryGetValue(range, out var seen) && seen >= e.OccurredAt ? seen : e.OccurredAt);
                    Add(ref rangeEntries, range, new RangeEntry
                    {
                        EventId = e.EventId,
                        OccurredAt = e.OccurredAt,
                        IsSignup = e is SignupEvent,
                        VerifiedOrganization = e is SignupEvent { OrganizationVerified: true },
                        OwnerGroup = e is SignupEvent signupEvent ? OwnerGroupOf(signupEvent.OrganizationId) : null,
                        Requests = requests,
                        Tokens = tokens,
                        Activated = activated,
                    });
                }
            }

            if (accepted == 0)
            {
                return statuses;
            }

            var linksBefore = createdLinks is null ? null : Links();

            // Linked entities first, the account last: if anything fails the caller retries the
            // whole call, the entities recognise the event ids, and the account applies them once.
            var accountId = this.GetPrimaryKeyString();
            // Only a flagged or fraud account has anything to tell new links: nothing is built on the ingest path otherwise.
            if (_publishedFlagged || _publishedFraud)
            {
                linkedBefore = [.. s.IpRanges.Take(RangesScored).Select(Key.Range), .. s.PaymentInstruments.Take(InstrumentsScored).Select(Key.Instrument), .. s.PromptBuckets.Select(Key.Template)];
            }
            // Each call takes along the silo's confirmations waiting for its entity (decision 0040).
            var rangeCalls = Calls(rangeEntries, (k, v) => confirmations.Take(EntityGrains.IpRange, k) is { } c
                ? GrainFactory.Ref<IIpRangeGrain>(k).RecordAsync(accountId, v, c)
                : GrainFactory.Ref<IIpRangeGrain>(k).RecordAsync(accountId, v));
            var instrumentCalls = Calls(instrumentEntries, (k, v) => confirmations.Take(EntityGrains.PaymentInstrument, k) is { } c
                ? GrainFactory.Ref<IPaymentInstrumentGrain>(k).RecordAsync(accountId, v, c)
                : GrainFactory.Ref<IPaymentInstrumentGrain>(k).RecordAsync(accountId, v));
            var templateCalls = Calls(templateEntries, (k, v) => confirmations.Take(EntityGrains.PromptTemplate, k) is { } c
                ? GrainFactory.Ref<IPromptTemplateGrain>(k).RecordAsync(accountId, v, c)
                : GrainFactory.Ref<IPromptTemplateGrain>(k).RecordAsync(accountId, v));

            foreach (var signals in await Task.WhenAll(rangeCalls))
            {
                RecentList.Touch(s.IpRanges, signals.Range, AccountState.LinkCapacity);
                Remember(_ranges, signals.Range, signals, CachedEntityCapacity);
            }

            var linkEvents = instrumentEntries?.Where(p => p.Value.Any(x => x.Requests == 0)).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var signals in await Task.WhenAll(instrumentCalls))
            {
                if (linkEvents!.Contains(signals.Fingerprint))
                {
                    RecentList.Touch(s.PaymentInstruments, signals.Fingerprint, AccountState.LinkCapacity);
                }

                Remember(_instruments, signals.Fingerprint, signals, CachedEntityCapacity);
            }

            var answers = await Task.WhenAll(templateCalls);
            foreach (var signals in answers)
            {
                // A bucket the account only met by chance in one band is not its template.
                if (signals.SharingAccounts > 0 && signals.Shared)
                {
                    RecentList.Touch(s.PromptBuckets, signals.Bucket, AccountState.LinkCapacity);
                    Remember(_templates, signals.Bucket, signals, CachedTemplateCapacity);
                    s.RequestsPerBucket = s.RequestsPerBucket.With(signals.Bucket, s.RequestsPerBucket.GetValueOrDefault(signals.Bucket)
                        + templateEntries![signals.Bucket].Sum(e => e.Requests));
                }
            }

            if (answers.Length > 0)
            {
                CountSuspectTemplated(templateEntries!, answers);
            }

            await ReportTemplateSetsAsync(answers, accountId);

            // Keep counts and times only for the buckets and ranges still linked: bounded like the links.
            s.RequestsPerBucket = s.RequestsPerBucket.Keeping(s.PromptBuckets.Contains);
            s.RangeLastUsedAt = s.RangeLastUsedAt.Keeping(s.IpRanges.Contains);

            CountSenders(events, statuses);
            if (linksBefore is not null)
            {
                createdLinks!.AddRange(CreatedLinks(events, statuses, linksBefore));
            }

            s.Dedup.Save(dedup);
            deferred = await WriteRecordedAsync();
        }
        catch
        {
            // Memory may now hold what storage does not; reload from storage on the next call.
            DeactivateOnIdle();
            throw;
        }

        // Stored: the entities need not hold these ids for a retry any longer (a lost confirmation
        // leaves ids that age out; a re-send is this account's own ring's to recognise now).
        // Written behind (AccountGrain.WriteBehind.cs): confirmed once the state is stored.
        AfterStored(deferred, () =>
        {
            Confirm(rangeEntries, EntityGrains.IpRange, e => e.DedupId());
            Confirm(instrumentEntries, EntityGrains.PaymentInstrument, e => e.DedupId());
            Confirm(templateEntries, EntityGrains.PromptTemplate, e => e.DedupId());
        }, () => [
            .. Touched(rangeEntries, k => GrainFactory.Ref<IIpRangeGrain>(k)),
            .. Touched(instrumentEntries, k => GrainFactory.Ref<IPaymentInstrumentGrain>(k)),
            .. Touched(templateEntries, k => GrainFactory.Ref<IPromptTemplateGrain>(k))]);
        Publish(hop: 0);
        TellNewLinks(linkedBefore);
        return statuses;
    }

    private static class Key
    {
        public static string Range(string k) => "r:" + k;

        public static string Instrument(string k) => "i:" + k;

        public static string Template(string k) => "t:" + k;
    }

    /// <summary>
    /// An account already flagged or labelled fraud tells the entities it has just linked: they were
    /// not there when its standing changed, so they would never count it (a template's first sharer,
    /// a card an account flagged elsewhere starts to use).
    /// </summary>
    private void TellNewLinks(HashSet<string>? linkedBefore)
    {
        if (linkedBefore is null || (!_publishedFlagged && !_publishedFraud))
        {
            return;
        }

        var s = state.State;
        var risk = new AccountRisk { AccountId = this.GetPrimaryKeyString(), Flagged = _publishedFlagged, ConfirmedFraud = _publishedFraud, Hop = 0, New = StandingNow().HasFlag(Standing.New) };
        var rangeRisk = risk with { Flagged = _publishedFlaggedInRanges };
        var sent = 0;
        foreach (var range in s.IpRanges.Take(RangesScored).Where(k => !linkedBefore.Contains(Key.Range(k))))
        {
            _ = GrainFactory.Ref<IIpRangeGrain>(range).AccountRiskChangedAsync(rangeRisk);
            sent++;
        }

        foreach (var instrument in s.PaymentInstruments.Take(InstrumentsScored).Where(k => !linkedBefore.Contains(Key.Instrument(k))))
        {
            _ = GrainFactory.Ref<IPaymentInstrumentGrain>(instrument).AccountRiskChangedAsync(risk);
            sent++;
        }

        foreach (var bucket in s.PromptBuckets.Where(k => !linkedBefore.Contains(Key.Template(k))))
        {
            _ = GrainFactory.Ref<IPromptTemplateGrain>(bucket).AccountRiskChangedAsync(risk);
            sent++;
        }

        if (sent > 0)
        {
            metrics.Propagated("account", sent);
        }
    }

    private void ApplyUsage(UsageEvent usage, bool activated, ref Dictionary<string, List<InstrumentEntry>>? instrumentEntries, ref Dictionary<string, List<TemplateEntry>>? templateEntries)
    {
        var s = state.State;
        var at = usage.OccurredAt;
        s.FirstUsageAt = s.FirstUsageAt is { } firstUsage && firstUsage <= at ? firstUsage : at;
        observation.Saw(at);
        if (usage.Model is { } model)
        {
            releases.Saw(model, at, usage.Requests);
        }

        var dayBits = s.UsageDayBits;
        var dayLatest = s.UsageDayLatest;
        UsageDays.Mark(ref dayBits, ref dayLatest, at);
        s.UsageDayBits = dayBits;
        s.UsageDayLatest = dayLatest;
        if (usage.Requests > 0)
        {
            var activeBins = s.ActiveBins;
            var activeLatest = s.ActiveBinLatest;
            Lockstep.Mark(ref activeBins, ref activeLatest, at);
            s.ActiveBins = activeBins;
            s.ActiveBinLatest = activeLatest;
        }

        s.RequestsPerMinute.Minutes().Add(at, usage.Requests);
        s.RequestsPerHour.Hours().Add(at, usage.Requests);
        var tokens = Saturating.Add(usage.InputTokens, usage.OutputTokens);
        if (tokens > 0)
        {
            s.TokensPerHour.Hours().Add(at, tokens);
        }

        if (usage.ReasoningElicitation is > 0 and var share)
        {
            s.ElicitedPerHour.Hours().Add(at, (long)Math.Round(usage.Requests * share));
        }

        if (s.CreatedAt is { } created && at >= created && at < created + TimeSpan.FromHours(1))
        {
            s.RequestsFirstHour = Saturating.Add(s.RequestsFirstHour, usage.Requests);
        }

        s.RequestsTotal = Saturating.Add(s.RequestsTotal, usage.Requests);

        // The card pays for this usage: it counts against the card's cluster quota.
        foreach (var instrument in s.PaymentInstruments.Take(InstrumentsScored))
        {
            Add(ref instrumentEntries, instrument, new InstrumentEntry { EventId = usage.EventId, OccurredAt = at, Requests = usage.Requests, Activated = activated });
        }

        if (usage.PromptFingerprints.Length > 0)
        {
            var perFingerprint = Math.Max(1, usage.Requests / usage.PromptFingerprints.Length);
            var standing = StandingNow();
            var inStep = InStepNow(time.UtcNow);
            var rangeTag = Tag(usage.IpRange);
            var domainTag = s.EmailDomainKind == EmailDomainKind.Other ? Tag(s.EmailDomainHash) : (ushort)0;
            foreach (var fingerprint in usage.PromptFingerprints.Distinct())
            {
                foreach (var bucket in PromptBands.BucketKeys(fingerprint))
                {
                    Add(ref templateEntries, bucket, new TemplateEntry
                    {
                        EventId = usage.EventId,
                        OccurredAt = at,
                        Fingerprint = fingerprint,
                        Requests = perFingerprint,
                        Activated = activated,
                        Standing = standing,
                        RangeTag = rangeTag,
                        DomainTag = domainTag,
                        Model = usage.Model,
                        AccountBins = s.ActiveBins,
                        AccountLatestBin = s.ActiveBinLatest,
                        InStep = inStep,
                        AccountFirstUsageAt = s.FirstUsageAt,
                    });
                }
            }
        }
    }

    /// <summary>
    /// The group whose members are one owner of a card: the account's organisation (workspace),
    /// verified or not, since a card paying for a workspace's members is one customer paying; null
    /// when the account is its own owner. A ring that puts a card's accounts in one workspace gives
    /// up what many accounts were for (the platform's limits are the workspace's) and is still
    /// judged by what its accounts do (docs/detection.md, "Trust seeds"; the workspace-ring scenario).
    /// </summary>
    private string? CardOwnerGroup => OwnerGroupOf(state.State.OrganizationId);

    /// <summary>The owner group of an organisation's members (cards and ranges count it once); null for none.</summary>
    internal static string? OwnerGroupOf(string? organizationId) => organizationId is null ? null : "organization:" + organizationId;

    private Standing StandingNow()
    {
        var s = state.State;
        var now = time.UtcNow;
        return new History(s.CreatedAt, s.FirstUsageAt, UsageDays.Before(s.UsageDayBits, s.UsageDayLatest, now), s.FirstPaidAt, s.LastPaidAt,
            s.OrganizationVerified, s.Label, observation.Since).StandingAt(now, policies.Current);
    }

    /// <summary>A 16-bit tag of a range or a domain hash: enough to group sharers, not to name them.</summary>
    private static ushort Tag(string? value) =>
        value is null ? (ushort)0 : (ushort)(System.IO.Hashing.XxHash32.HashToUInt32(System.Text.Encoding.UTF8.GetBytes(value)) | 1);

    /// <summary>
    /// Each fingerprint's requests count as templated by the least suspect of its buckets that other
    /// accounts share (docs/detection.md, "Templates added up"): a dozen harvest templates add up,
    /// while a prompt that also shares a class's or a tool's buckets is judged by that company.
    /// A prompt whose buckets nobody else shared yet waits among the pending prompts; it counts, at
    /// its own time, once one of its buckets turns out shared (here, or at a decision from the cached
    /// bucket): the first accounts of a campaign met its templates before anyone else had.
    /// </summary>
    private void CountSuspectTemplated(Dictionary<string, List<TemplateEntry>> entries, TemplateSignals[] answers)
    {
        var s = state.State;
        var minSharing = policies.Current.Quotas.TemplateMinSharingAccounts;
        var suspicionOf = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var a in answers)
        {
            if (a.Shared && a.SharingAccounts >= minSharing)
            {
                // As suspect as the template reads beyond the customer base (decision 0049).
                suspicionOf[a.Bucket] = CustomerBase.Beyond(a.Suspicion, a.BaseSuspicion);
            }
        }

        var window = s.SuspectTemplatedPerHour.Hours();
        var shared = s.SharedTemplatedPerHour.Hours();
        var since = time.UtcNow - TimeSpan.FromHours(1);
        s.PendingPrompts.RemoveAll(p => p.At < since);
        if (suspicionOf.Count > 0)
        {
            // Earlier prompts of a bucket now shared: the account's own prompts in one 16-bit band are its template.
            s.PendingPrompts.RemoveAll(p =>
            {
                var suspicion = LeastSuspect(p.Fingerprint, suspicionOf);
                if (suspicion is not { } value)
                {
                    return false;
                }

                AddWeighted(window, shared, p.At, p.Requests, value);
                foreach (var bucket in PromptBands.BucketKeys(p.Fingerprint))
                {
                    if (suspicionOf.ContainsKey(bucket) && s.RequestsPerBucket.TryGetValue(bucket, out var held))
                    {
                        s.RequestsPerBucket = s.RequestsPerBucket.With(bucket, Saturating.Add(held, p.Requests));
                    }
                }

                return true;
            });
        }

        var least = new Dictionary<(string EventId, ulong Fingerprint), (DateTimeOffset At, long Requests, double? Suspicion)>();
        foreach (var (bucket, list) in entries)
        {
            double? suspicion = suspicionOf.TryGetValue(bucket, out var v) ? v : null;
            foreach (var e in list)
            {
                var key = (e.EventId, e.Fingerprint);
                if (!least.TryGetValue(key, out var seen) || (suspicion is { } now && (seen.Suspicion is null || seen.Suspicion > now)))
                {
                    least[key] = (e.OccurredAt, e.Requests, suspicion ?? seen.Suspicion);
                }
            }
        }

        foreach (var ((_, fingerprint), (at, requests, suspicion)) in least)
        {
            if (suspicion is { } value)
            {
                AddWeighted(window, shared, at, requests, value);
            }
            else if (requests > 0 && at >= since)
            {
                if (s.PendingPrompts.Count >= AccountState.PendingPromptCapacity)
                {
                    s.PendingPrompts.Remove(s.PendingPrompts.MinBy(p => p.At)!);
                }

                s.PendingPrompts.Add(new PendingPrompt { Fingerprint = fingerprint, At = at, Requests = requests });
            }
        }

        static void AddWeighted(Core.Windows.SlidingCounter window, Core.Windows.SlidingCounter shared, DateTimeOffset at, long requests, double suspicion)
        {
            if (requests > 0)
            {
                shared.Add(at, requests);
            }

            var weighted = (long)Math.Round(requests * suspicion);
            if (weighted > 0)
            {
                window.Add(at, weighted);
            }
        }
    }

    /// <summary>The lowest suspicion among a fingerprint's buckets found in <paramref name="suspicionOf"/>, or null.</summary>
    private static double? LeastSuspect(ulong fingerprint, Dictionary<string, double> suspicionOf)
    {
        double? most = null;
        foreach (var bucket in PromptBands.BucketKeys(fingerprint))
        {
            if (suspicionOf.TryGetValue(bucket, out var suspicion) && (most is null || suspicion < most))
            {
                most = suspicion;
            }
        }

        return most;
    }

    /// <summary>
    /// The last hour's requests in shared templates weighed at their templates' suspicion now: the
    /// least suspicion among the account's shared buckets as cached (so one benign bucket — a tool's,
    /// a class's — leaves it at 0). Templates judged later judge the hour that came before: on a
    /// deployment's first day every sharer vouches until their timing shows, and a campaign's first
    /// shift was weighed at nothing when it arrived.
    /// </summary>
    private double SharedTemplatedNow(DateTimeOffset now, long minSharing)
    {
        var s = state.State;
        if (_templates.Count == 0)
        {
            return 0;
        }

        var hour = s.SharedTemplatedPerHour.Hours().Estimate(now, TimeSpan.FromHours(1));
        if (hour <= 0)
        {
            return 0;
        }

        double? least = null;
        foreach (var cached in _templates.Values)
        {
            if (cached.Value.Shared && cached.Value.SharingAccounts >= minSharing)
            {
                least = Math.Min(least ?? 1, CustomerBase.Beyond(cached.Value.Suspicion, cached.Value.BaseSuspicion));
            }
        }

        return hour * (least ?? 0);
    }

    /// <summary>
    /// Requests of the last hour's pending prompts that a linked bucket, as cached now, shows shared
    /// and suspect: counted at a decision without waiting for the account's next usage.
    /// </summary>
    private double PendingSuspectRequests(DateTimeOffset now, long minSharing)
    {
        var pending = state.State.PendingPrompts;
        if (pending.Count == 0 || _templates.Count == 0)
        {
            return 0;
        }

        // On the decision path: bucket keys are looked up as spans, not built as strings.
        double total = 0;
        var since = now - TimeSpan.FromHours(1);
        Span<char> key = stackalloc char[PromptBands.BucketKeyLength];
        foreach (var p in pending)
        {
            if (p.At < since)
            {
                continue;
            }

            double? least = null;
            for (var band = 0; band < PromptBands.Bands; band++)
            {
                if (_templates.TryGetValue(PromptBands.FormatBucketKey(p.Fingerprint, band, key), out var cached) && cached.Value.SharingAccounts >= minSharing)
                {
                    least = Math.Min(least ?? 1, CustomerBase.Beyond(cached.Value.Suspicion, cached.Value.BaseSuspicion));
                }
            }

            total += p.Requests * (least ?? 0);
        }

        return total;
    }

    /// <summary>
    /// Tells the account's entities when it becomes flagged or unflagged, or is labelled fraud or
    /// cleared. Only a change in standing is sent, so an echo from an entity cannot loop.
    /// </summary>
    private void Publish(int hop)
    {
        var policy = policies.Current;
        var (flagged, flaggedInRanges) = IsFlagged();
        var fraud = state.State.Label == Label.Fraud;
        if (flagged == _publishedFlagged && flaggedInRanges == _publishedFlaggedInRanges && fraud == _publishedFraud)
        {
            return;
        }

        var rangesChanged = flaggedInRanges != _publishedFlaggedInRanges;
        var othersChanged = flagged != _publishedFlagged;
        _publishedFlagged = flagged;
        _publishedFlaggedInRanges = flaggedInRanges;
        _publishedFraud = fraud;
        if (hop > policy.Propagation.HopLimit)
        {
            return;
        }

        var s = state.State;
        AssumeApplied(rangesChanged, othersChanged, flaggedInRanges, flagged);
        var risk = new AccountRisk { AccountId = this.GetPrimaryKeyString(), Flagged = flagged, ConfirmedFraud = fraud, Hop = hop, New = StandingNow().HasFlag(Standing.New) };
        var rangeRisk = risk with { Flagged = flaggedInRanges };
        var sent = 0;
        foreach (var range in s.IpRanges.Take(RangesScored))
        {
            _ = GrainFactory.Ref<IIpRangeGrain>(range).AccountRiskChangedAsync(rangeRisk);
            sent++;
        }

        foreach (var instrument in s.PaymentInstruments.Take(InstrumentsScored))
        {
            _ = GrainFactory.Ref<IPaymentInstrumentGrain>(instrument).AccountRiskChangedAsync(risk);
            sent++;
        }

        foreach (var bucket in s.PromptBuckets)
        {
            _ = GrainFactory.Ref<IPromptTemplateGrain>(bucket).AccountRiskChangedAsync(risk);
            sent++;
        }

        metrics.Propagated("account", sent);
    }

    /// <summary>
    /// Flagged on its own evidence (<see cref="ScoreResult.Evidence"/>: the score without linked risk)
    /// or labelled fraud: what counts in its cards' and templates' flagged share; and as its ranges
    /// count it, on that evidence without what the ranges themselves said (<see cref="ScoreResult.EvidenceForRanges"/>).
    /// </summary>
    private (bool Flagged, bool InRanges) IsFlagged()
    {
        var policy = policies.Current;
        if (state.State.Label == Label.Fraud)
        {
            return (true, true);
        }

        var score = Score(policy, null, state.State.PaymentInstruments);
        return (score.Evidence >= policy.Propagation.FlaggedScore, score.EvidenceForRanges >= policy.Propagation.FlaggedScore);
    }

    private DecisionResult DecideRequest(string? ipRange) => DecideRequest(ipRange, out _);

    private DecisionResult DecideRequest(string? ipRange, out int? shadowOutcome)
    {
        RefreshIfStale();
        return Decide(DecisionKind.Request, ipRange, state.State.PaymentInstruments, charge: null, out shadowOutcome);
    }

    /// <summary>
    /// Gathers the facts and decides once through <see cref="AccountDecider"/>: a list entry, the
    /// score under the live policy, a shadow candidate's outcome on the same facts (reported to the
    /// shadow report). Nothing here reads storage or calls another grain.
    /// </summary>
    private DecisionResult Decide(DecisionKind kind, string? ipRange, IEnumerable<string> instruments, ChargeFacts? charge, out int? shadowOutcome)
    {
        var policy = policies.Current;
        var candidate = policies.Shadow;
        var decision = Decide(kind, policy, candidate, ipRange, instruments, charge, ListMatch(ipRange, instruments), sampled: true);
        shadowOutcome = decision.ShadowOutcome;
        if (shadowOutcome is { } shadow)
        {
            policies.ObserveShadow(kind, this.GetPrimaryKeyString(), decision.Outcome, shadow);
        }

        var result = new DecisionResult
        {
            Outcome = decision.Outcome,
            Score = Math.Round(decision.Result.Score, 4),
            Reasons = [.. decision.Result.Contributions.Select(c => new ReasonEntry { Code = c.Code, Contribution = Math.Round(c.Share, 4), Detail = c.Detail }),
                .. CampaignReason.Of(decision, decision.Outcome == 0 || decision.Listed ? null : LinkedCampaign())],
            PolicyVersion = decision.PolicyVersion,
        };

        return kind != DecisionKind.Request ? result : result with
        {
            RequestsPerMinute = policy.Tiers.RequestsPerMinute((RequestOutcome)decision.Outcome),
            CacheTtlSeconds = policy.Tiers.CacheTtlSeconds,
        };
    }

    /// <summary>A campaign one of its cached entities is a hub of, and which entity: templates first, then cards, then ranges.</summary>
    private (string CampaignId, string Via)? LinkedCampaign()
    {
        foreach (var t in _templates.Values)
        {
            if (t.Value.CampaignId is { } campaign)
            {
                return (campaign, $"prompt template {t.Value.Bucket}");
            }
        }

        foreach (var i in _instruments.Values)
        {
            if (i.Value.CampaignId is { } campaign)
            {
                return (campaign, "a payment instrument");
            }
        }

        foreach (var r in _ranges.Values)
        {
            if (r.Value.CampaignId is { } campaign)
            {
                return (campaign, $"IP range {r.Value.Range}");
            }
        }

        return null;
    }

    /// <summary>
    /// An allow or deny list entry in force for the account or what the decision scores (its
    /// instruments, the decision's range and its linked ranges, its prompt buckets). Read from this
    /// silo's copy of the lists: no storage and no grain call.
    /// </summary>
    private ListMatch? ListMatch(string? ipRange, IEnumerable<string> instruments)
    {
        var s = state.State;
        var ranges = ipRange is null ? s.IpRanges.Take(RangesScored) : s.IpRanges.Take(RangesScored).Prepend(ipRange);
        if (lists.Match(this.GetPrimaryKeyString(), instruments.Take(InstrumentsScored), ranges, s.PromptBuckets) is not { } hit)
        {
            return null;
        }

        var what = hit.OnAccount ? "the account" : hit.Entry.Entity switch
        {
            ListEntity.PaymentInstrument => "a linked payment instrument",
            ListEntity.IpRange => $"its IP range (listed as {hit.Entry.EntityId})",
            ListEntity.PromptTemplate => "a linked prompt template",
            _ => "a linked entity",
        };
        return new ListMatch(hit.Entry.List == ListName.Deny, what, hit.Entry.Reason);
    }

    /// <summary>The score without a list or a candidate: what counts for being flagged.</summary>
    private ScoreResult Score(ScoringPolicy policy, string? ipRange, IEnumerable<string> instruments) =>
        Decide(DecisionKind.Request, policy, null, ipRange, instruments, null, null, sampled: false).Result;

    /// <summary>
    /// The facts of one decision, from the account's state and its cached entity signals. Facts that
    /// need the policy (a template's share of the account's traffic, the templated minimum, standing)
    /// are taken under the live one; a shadow candidate is scored on the same facts. A decision the
    /// grain answers is <paramref name="sampled"/>: offered to the silo's backtest sample, which keeps
    /// these facts when it takes it.
    /// </summary>
    private AccountDecision Decide(DecisionKind kind, ScoringPolicy policy, ScoringPolicy? shadow, string? ipRange, IEnumerable<string> instruments, ChargeFacts? charge, ListMatch? listed, bool sampled)
    {
        var s = state.State;
        var now = time.UtcNow;
        var requestsLastHour = s.RequestsPerMinute.Minutes().Estimate(now, TimeSpan.FromHours(1));
        var hourly = s.RequestsPerHour.Hours().Estimate(now, TimeSpan.FromHours(1));
        var standing = StandingNow();
        var account = new AccountFacts(s.CreatedAt, s.RequestsPerMinute.Minutes().Estimate(now, TimeSpan.FromMinutes(1)))
        {
            RequestsLastHour = requestsLastHour,
            ReasoningShare = hourly > 0 ? Math.Min(1, s.ElicitedPerHour.Hours().Estimate(now, TimeSpan.FromHours(1)) / (double)hourly) : 0,
            RequestsFirstHour = s.RequestsFirstHour,
            RangesLastDay = RangesSince(s.RangeLastUsedAt, now - TimeSpan.FromDays(1)),
            Label = s.Label,
            Standing = standing,
            // Taken over at least ramps.templatedMinRequests: two suspect requests of an account's
            // first two are two of that many, so evidence grows with the requests, without a gate.
            // A dormant account has no past use to weigh its first requests against (its own minimum).
            SuspectTemplatedShare = hourly > 0
                ? Math.Min(1, (Math.Max(s.SuspectTemplatedPerHour.Hours().Estimate(now, TimeSpan.FromHours(1)), SharedTemplatedNow(now, policy.Quotas.TemplateMinSharingAccounts))
                    + PendingSuspectRequests(now, policy.Quotas.TemplateMinSharingAccounts))
                    / Math.Max(hourly, policy.Ramps.TemplatedMinRequestsFor(standing)))
                : 0,
            TemplateSet = TemplateSetNow(policy),
            InStepShare = InStepNow(now) ? s.InStepShare : 0,
        };

        var rangeKey = ipRange ?? (s.IpRanges.Count > 0 ? s.IpRanges[0] : null);
        RangeFacts? range = rangeKey is not null && _ranges.TryGetValue(rangeKey, out var r) ? Facts(r.Value) : null;
        RangeFacts[]? others = null;
        var otherCount = 0;
        foreach (var key in s.IpRanges.Take(RangesScored))
        {
            if (key != rangeKey && _ranges.TryGetValue(key, out var other))
            {
                others ??= new RangeFacts[RangesScored];
                others[otherCount++] = Facts(other.Value);
            }
        }

        Span<InstrumentFacts> instrumentFacts = stackalloc InstrumentFacts[InstrumentsScored];
        var n = 0;
        foreach (var fingerprint in instruments)
        {
            if (n == InstrumentsScored)
            {
                break;
            }

            if (_instruments.TryGetValue(fingerprint, out var i))
            {
                var v = i.Value;
                // A card whose accounts are one owner, the account's own organisation: its flagged
                // members are that owner, not neighbours, and its chargebacks and declines are that
                // owner's, read in proportion to the members it pays for; what operators confirmed
                // still counts in full.
                var ownOrganisation = v.DistinctOwners == 1 && state.State.OrganizationId is not null;
                instrumentFacts[n++] = new InstrumentFacts(v.DistinctAccounts, v.Chargebacks, v.Declines)
                {
                    RequestsLastHour = v.RequestsLastHour,
                    OwnOrganisation = ownOrganisation,
                    Risk = ownOrganisation ? v.RiskOfConfirmed : _publishedFlagged ? v.RiskOfOthers : v.Risk,
                    Label = v.Label,
                    PeakActivations = v.PeakActivations,
                    DistinctOwners = v.DistinctOwners,
                };
            }
        }

        Span<TemplateFacts> templateFacts = stackalloc TemplateFacts[CachedTemplateCapacity];
        var t = 0;
        foreach (var cached in _templates.Values)
        {
            var v = cached.Value;
            // How much of this account's own traffic the template is: one popular prompt among many
            // of an honest user's is not a campaign's template.
            var share = policy.Ramps.TemplateTrafficShare(s.RequestsPerBucket.GetValueOrDefault(v.Bucket), s.RequestsTotal);
            templateFacts[t++] = new TemplateFacts(v.SharingAccounts, v.RequestsLastHour)
            {
                Risk = _publishedFlagged ? v.RiskOfOthers : v.Risk, Label = v.Label, PeakActivations = v.PeakActivations, TrafficShare = share,
                Suspicion = v.Suspicion,
                BaseSuspicion = v.BaseSuspicion,
                Lockstep = v.Lockstep,
                Pivot = v.Pivot,
            };
        }

        // Without any imported indicator (the usual case) nothing is built to match against.
        IReadOnlyList<IntelHit> hits = intel.IsEmpty ? [] : intel.Match(
            rangeKey is null ? s.IpRanges.Take(RangesScored) : s.IpRanges.Take(RangesScored).Prepend(rangeKey).Distinct(),
            instruments.Take(InstrumentsScored),
            s.PromptBuckets);
        var intelFacts = hits.Count == 0 ? [] : new IntelMatchFacts[hits.Count];
        for (var h = 0; h < hits.Count; h++)
        {
            var hit = hits[h];
            var producer = hit.Indicator.ProducerName ?? hit.Indicator.Producer ?? "an unnamed producer";
            intelFacts[h] = new IntelMatchFacts(hit.Indicator.Confidence ?? policy.Intel.DefaultConfidence, hit.Indicator.Producer,
                $"{hit.Entity} is named by threat intel from {producer} ({hit.Value.Value}, {hit.Indicator.Id})",
                hit.Value.Entity == Core.Intel.IntelEntity.IpRange);
        }

        var inputs = new ScoreInputs
        {
            Account = account,
            Range = range,
            OtherRanges = others.AsSpan(0, otherCount),
            Instruments = instrumentFacts[..n],
            Templates = templateFacts[..t],
            ThreatIntel = intelFacts,
            Charge = charge,
            Released = s.Release?.Facts,
        };
        if (sampled)
        {
            samples.Offer(kind, this.GetPrimaryKeyString(), now, inputs, listed);
        }

        return AccountDecider.Decide(kind, now, inputs, listed, policy, shadow);
    }

    private static int RangesSince(Keyed<DateTimeOffset>[] lastUsedAt, DateTimeOffset since)
    {
        var count = 0;
        foreach (var used in lastUsedAt)
        {
            if (used.Value > since)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// Applies the change just sent to the entities' cached signals, as they will apply it: an account
    /// no longer flagged reads the risk without itself (what the entity will compute once it has
    /// dropped it), one newly flagged reads the risk the entity had without it. Otherwise, until each
    /// entity answers, the account would read its own flag back from its range as a neighbour's risk
    /// and flag itself again.
    /// </summary>
    private void AssumeApplied(bool rangesChanged, bool othersChanged, bool flaggedInRanges, bool flagged)
    {
        var s = state.State;
        if (rangesChanged)
        {
            foreach (var range in s.IpRanges.Take(RangesScored))
            {
                if (_ranges.TryGetValue(range, out var c))
                {
                    var v = c.Value;
                    _ranges[range] = c with
                    {
                        Value = flaggedInRanges
                            ? v with { RiskOfOthers = v.Risk, RiskForNewOfOthers = v.RiskForNew }
                            : v with { Risk = v.RiskOfOthers, RiskForNew = v.RiskForNewOfOthers },
                    };
                }
            }
        }

        if (!othersChanged)
        {
            return;
        }

        foreach (var instrument in s.PaymentInstruments.Take(InstrumentsScored))
        {
            if (_instruments.TryGetValue(instrument, out var c))
            {
                var v = c.Value;
                _instruments[instrument] = c with { Value = flagged ? v with { RiskOfOthers = v.Risk } : v with { Risk = v.RiskOfOthers } };
            }
        }

        foreach (var bucket in s.PromptBuckets)
        {
            if (_templates.TryGetValue(bucket, out var c))
            {
                var v = c.Value;
                _templates[bucket] = c with { Value = flagged ? v with { RiskOfOthers = v.Risk } : v with { Risk = v.RiskOfOthers } };
            }
        }
    }

    /// <summary>A flagged account reads its entities' risk without itself in it (EntityRiskState.RiskOfOthers).</summary>
    private RangeFacts Facts(RangeSignals r) =>
        new(r.Range, r.SignupsLastHour, r.DistinctAccounts)
        {
            RequestsLastHour = r.RequestsLastHour,
            Risk = _publishedFlaggedInRanges ? r.RiskOfOthers : r.Risk,
            RiskForNew = _publishedFlaggedInRanges ? r.RiskForNewOfOthers : r.RiskForNew,
            Label = r.Label,
            PeakActivations = r.PeakActivations,
        };

    private LabelInfo? LabelInfo()
    {
        var s = state.State;
        return s.LabelledAt is null ? null : new LabelInfo { Label = s.Label, Reason = s.LabelReason, By = s.LabelledBy, At = s.LabelledAt };
    }

    /// <summary>
    /// Cached signals older than this are not a moment's staleness but an account back after being
    /// idle: its decision waits for the refresh instead of answering from how its entities looked
    /// then (one lockstep bin, the resolution the template signals are kept at).
    /// </summary>
    internal static readonly TimeSpan SignalsWaitAfter = Lockstep.Bin;

    /// <summary>
    /// Refreshes the cached entity signals before a decision when the oldest were fetched more than
    /// <see cref="SignalsWaitAfter"/> ago, or waits for the refresh already under way: a customer back
    /// after an idle hour is decided on its entities as they are, not as they were an hour ago, and no
    /// decision depends on whether a background refresh happened to land first. A failed refresh keeps
    /// the older signals (as in the background).
    /// </summary>
    private Task RefreshIfIdleAsync() =>
        OldestFetchedAt() < time.UtcNow - SignalsWaitAfter ? _refresh ?? StartRefresh() : Task.CompletedTask;

    private void RefreshIfStale()
    {
        // Runs on this activation's scheduler after the current call returns; the decision does not wait.
        if (_refresh is null && OldestFetchedAt() < time.UtcNow - SignalsMaxAge)
        {
            _ = StartRefresh();
        }
    }

    /// <summary>Starts a refresh and keeps it as the one under way until it ends.</summary>
    private Task StartRefresh()
    {
        var refresh = RefreshCountedAsync();
        // One that ended at once (nothing to wait for) has already cleared the field.
        _refresh = refresh.IsCompleted ? null : refresh;
        return refresh;
    }

    private async Task RefreshCountedAsync()
    {
        try
        {
            await RefreshSignalsAsync();
            metrics.SignalsRefreshed(refreshed: true);
            Publish(hop: 0);
        }
        catch (Exception exception)
        {
            // A failed refresh keeps the older signals; the next stale decision tries again. Nobody
            // may await this task, so the failure is counted and logged here (its type only: no account id).
            metrics.SignalsRefreshed(refreshed: false);
            LogRefreshFailed(logger, exception.GetType().Name);
        }
        finally
        {
            _refresh = null;
        }
    }

    private async Task RefreshSignalsAsync()
    {
        var s = state.State;
        var ranges = s.IpRanges.Take(RangesScored).Concat(_ranges.Keys).Distinct().ToList();
        var instruments = s.PaymentInstruments.Take(InstrumentsScored).Concat(_instruments.Keys).Distinct().ToList();
        var templates = s.PromptBuckets.Concat(_templates.Keys).Distinct().ToList();
        var rangeSignals = Task.WhenAll(ranges.Select(k => GrainFactory.Ref<IIpRangeGrain>(k).GetSignalsAsync().AsTask()));
        var instrumentSignals = Task.WhenAll(instruments.Select(k => GrainFactory.Ref<IPaymentInstrumentGrain>(k).GetSignalsAsync().AsTask()));
        var accountId = this.GetPrimaryKeyString();
        var templateSignals = Task.WhenAll(templates.Select(k => GrainFactory.Ref<IPromptTemplateGrain>(k).GetSignalsForAsync(accountId).AsTask()));
        foreach (var signals in await rangeSignals)
        {
            Remember(_ranges, signals.Range, signals, CachedEntityCapacity);
        }

        foreach (var signals in await instrumentSignals)
        {
            Remember(_instruments, signals.Fingerprint, signals, CachedEntityCapacity);
        }

        foreach (var signals in await templateSignals)
        {
            Remember(_templates, signals.Bucket, signals, CachedTemplateCapacity);
        }
    }

    /// <summary>
    /// A country code as one string per code for the silo, not a copy per account (each request and
    /// each stored record read brings its own). Codes are two ASCII letters, checked at the edge, so
    /// at most a few thousand strings are ever interned; anything else is kept as it is.
    /// </summary>
    private static string? SharedCountry(string? code) =>
        code is { Length: 2 } && char.IsAsciiLetter(code[0]) && char.IsAsciiLetter(code[1]) ? string.Intern(code) : code;

    private void Remember<T>(SmallMap<Cached<T>> cache, string key, T value, int capacity)
    {
        ForgetDecision();
        if (cache.Count >= capacity && !cache.ContainsKey(key))
        {
            cache.Remove(cache.MinBy(p => p.Value.FetchedAt).Key);
        }

        cache[key] = new Cached<T>(value, time.UtcNow);
    }

    private async Task WriteAsync()
    {
        try
        {
            await WriteInOrderAsync();
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    /// <summary>
    /// Confirms the entries' ids to their entities, with the silo's next batch of confirmations to
    /// each (<see cref="ConfirmationBatcher"/>): one message per entity for many accounts, not one per account call.
    /// </summary>
    private void Confirm<TEntry>(Dictionary<string, List<TEntry>>? entries, string kind, Func<TEntry, ulong> id)
    {
        if (entries is null)
        {
            return;
        }

        var account = Core.Collections.DedupWindow.Hash(this.GetPrimaryKeyString());
        foreach (var (key, list) in entries)
        {
            var ids = new ulong[list.Count];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = id(list[i]);
            }

            confirmations.Add(kind, key, account, ids);
        }
    }

    private static List<Task<TResult>> Calls<TEntry, TResult>(Dictionary<string, List<TEntry>>? entries, Func<string, TEntry[], ValueTask<TResult>> call) =>
        entries is null ? [] : [.. entries.Select(p => call(p.Key, [.. p.Value]).AsTask())];

    private static void Add<T>(ref Dictionary<string, List<T>>? map, string key, T item)
    {
        map ??= new Dictionary<string, List<T>>(StringComparer.Ordinal);
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(item);
    }

    [LoggerMessage(3501, LogLevel.Warning, "An account's cached entity signals could not be refreshed ({ExceptionType}); it keeps the older ones and tries again at its next decision")]
    private static partial void LogRefreshFailed(ILogger logger, string exceptionType);
}
