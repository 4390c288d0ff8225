using Reputation.Core.Collections;
using Reputation.Core.Scoring;

namespace Reputation.Grains.Accounts;

/// <summary>
/// An account: its own facts, its links, and a cached view of its linked entities' signals so
/// that a decision is in-memory work. The cache is filled by the answers to the account's own
/// writes, on activation, and refreshed in the background when it is older than
/// <see cref="SignalsMaxAge"/>; a decision never waits for storage.
/// </summary>
public sealed class AccountGrain(
    [PersistentState("account", StorageNames.Reputation)] IPersistentState<AccountState> state,
    IPolicyCache policies,
    ReputationClock time) : Grain, IAccountGrain
{
    internal static readonly TimeSpan SignalsMaxAge = TimeSpan.FromSeconds(30);
    private const int CachedEntityCapacity = 8;
    private const int InstrumentsScored = 3;

    private readonly Dictionary<string, Cached<RangeSignals>> _ranges = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Cached<InstrumentSignals>> _instruments = new(StringComparer.Ordinal);
    private bool _refreshing;

    private readonly record struct Cached<T>(T Value, DateTimeOffset FetchedAt);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.RecordExists)
        {
            await RefreshSignalsAsync();
        }
    }

    async ValueTask<DecisionResult> IAccountGrain.SignupAsync(SignupEvent signup)
    {
        await RecordAsync([signup]);
        var policy = policies.Current;
        var score = Score(policy, signup.IpRange, signup.PaymentFingerprint is { } fp ? [fp] : Linked());
        return ToResult(score, (int)policy.Signup.Decide(score.Score), policy);
    }

    ValueTask<EventStatus[]> IAccountGrain.RecordAsync(AccountEvent[] events) => RecordAsync(events);

    async ValueTask<DecisionResult> IAccountGrain.DecideRequestAsync(string? ipRange)
    {
        if (ipRange is not null && !_ranges.ContainsKey(ipRange))
        {
            // A range this account was not seen in: one extra hop, then cached.
            Remember(_ranges, ipRange, await GrainFactory.GetGrain<IIpRangeGrain>(ipRange).GetSignalsAsync());
        }

        return DecideRequest(ipRange);
    }

    async ValueTask<DecisionResult> IAccountGrain.DecideBillingAsync(string paymentFingerprint, long amountMinor, string currency)
    {
        if (!_instruments.ContainsKey(paymentFingerprint))
        {
            Remember(_instruments, paymentFingerprint,
                await GrainFactory.GetGrain<IPaymentInstrumentGrain>(paymentFingerprint).GetSignalsAsync());
        }

        var policy = policies.Current;
        var score = Score(policy, null, [paymentFingerprint]);
        RefreshIfStale();
        return ToResult(score, (int)policy.Billing.Decide(score.Score), policy);
    }

    ValueTask<AccountSnapshot?> IAccountGrain.GetSnapshotAsync()
    {
        var s = state.State;
        if (s.FirstSeenAt is null)
        {
            return ValueTask.FromResult<AccountSnapshot?>(null);
        }

        var now = time.UtcNow;
        return ValueTask.FromResult<AccountSnapshot?>(new AccountSnapshot
        {
            AccountId = this.GetPrimaryKeyString(),
            CreatedAt = s.CreatedAt,
            LastSeenAt = s.LastSeenAt,
            RequestDecision = DecideRequest(null),
            PaymentInstruments = [.. s.PaymentInstruments],
            IpRanges = [.. s.IpRanges],
            Usage = new UsageSnapshot
            {
                RequestsLastMinute = s.RequestsPerMinute.Minutes().Estimate(now, TimeSpan.FromMinutes(1)),
                RequestsLastHour = s.RequestsPerMinute.Minutes().Estimate(now, TimeSpan.FromHours(1)),
                RequestsLastDay = s.RequestsPerHour.Hours().Estimate(now, TimeSpan.FromDays(1)),
                TokensLastHour = s.TokensPerHour.Hours().Estimate(now, TimeSpan.FromHours(1)),
                RequestsTotal = s.RequestsTotal,
            },
            Payments = new PaymentSnapshot
            {
                Succeeded = s.Payments.Succeeded,
                Declined = s.Payments.Declined,
                Chargebacks = s.Payments.Chargebacks,
                Refunded = s.Payments.Refunded,
            },
        });
    }

    private async ValueTask<EventStatus[]> RecordAsync(AccountEvent[] events)
    {
        var s = state.State;
        var dedup = s.Dedup.Open();
        var statuses = new EventStatus[events.Length];
        Dictionary<string, List<RangeEntry>>? rangeEntries = null;
        Dictionary<string, List<InstrumentEntry>>? instrumentEntries = null;
        var accepted = 0;

        try
        {
            for (var i = 0; i < events.Length; i++)
            {
                var e = events[i];
                if (!dedup.TryAdd(e.EventId))
                {
                    statuses[i] = EventStatus.Duplicate;
                    continue;
                }

                statuses[i] = EventStatus.Accepted;
                accepted++;
                s.FirstSeenAt = s.FirstSeenAt is { } first && first <= e.OccurredAt ? first : e.OccurredAt;
                s.LastSeenAt = s.LastSeenAt is { } last && last >= e.OccurredAt ? last : e.OccurredAt;
                long requests = 0, tokens = 0;
                switch (e)
                {
                    case SignupEvent signup:
                        s.CreatedAt = s.CreatedAt is { } created && created <= e.OccurredAt ? created : e.OccurredAt;
                        s.EmailHash = signup.EmailHash ?? s.EmailHash;
                        s.DeviceId = signup.DeviceId ?? s.DeviceId;
                        s.Country = signup.Country ?? s.Country;
                        if (signup.PaymentFingerprint is { } fingerprint)
                        {
                            Add(ref instrumentEntries, fingerprint, new InstrumentEntry { EventId = e.EventId, OccurredAt = e.OccurredAt });
                        }

                        break;
                    case UsageEvent usage:
                        requests = usage.Requests;
                        tokens = usage.InputTokens + usage.OutputTokens;
                        s.RequestsPerMinute.Minutes().Add(e.OccurredAt, requests);
                        s.RequestsPerHour.Hours().Add(e.OccurredAt, requests);
                        if (tokens > 0)
                        {
                            s.TokensPerHour.Hours().Add(e.OccurredAt, tokens);
                        }

                        s.RequestsTotal += requests;
                        break;
                    case PaymentEvent payment:
                        s.Payments.Add(payment.Outcome);
                        Add(ref instrumentEntries, payment.PaymentFingerprint,
                            new InstrumentEntry { EventId = e.EventId, OccurredAt = e.OccurredAt, Outcome = payment.Outcome });
                        break;
                }

                if (e.IpRange is { } range)
                {
                    Add(ref rangeEntries, range, new RangeEntry
                    {
                        EventId = e.EventId,
                        OccurredAt = e.OccurredAt,
                        IsSignup = e is SignupEvent,
                        Requests = requests,
                        Tokens = tokens,
                    });
                }
            }

            if (accepted == 0)
            {
                return statuses;
            }

            // Linked entities first, the account last: if anything fails the caller retries the
            // whole call, the entities recognise the event ids, and the account applies them once.
            var accountId = this.GetPrimaryKeyString();
            var rangeCalls = rangeEntries?.Select(async pair =>
                (pair.Key, await GrainFactory.GetGrain<IIpRangeGrain>(pair.Key).RecordAsync(accountId, [.. pair.Value]))).ToList();
            var instrumentCalls = instrumentEntries?.Select(async pair =>
                (pair.Key, await GrainFactory.GetGrain<IPaymentInstrumentGrain>(pair.Key).RecordAsync(accountId, [.. pair.Value]))).ToList();
            foreach (var (key, signals) in rangeCalls is null ? [] : await Task.WhenAll(rangeCalls))
            {
                RecentList.Touch(s.IpRanges, key, AccountState.LinkCapacity);
                Remember(_ranges, key, signals);
            }

            foreach (var (key, signals) in instrumentCalls is null ? [] : await Task.WhenAll(instrumentCalls))
            {
                RecentList.Touch(s.PaymentInstruments, key, AccountState.LinkCapacity);
                Remember(_instruments, key, signals);
            }

            s.Dedup.Save(dedup);
            await state.WriteStateAsync();
            return statuses;
        }
        catch
        {
            // Memory may now hold what storage does not; reload from storage on the next call.
            DeactivateOnIdle();
            throw;
        }
    }

    private DecisionResult DecideRequest(string? ipRange)
    {
        var policy = policies.Current;
        var score = Score(policy, ipRange, Linked());
        RefreshIfStale();
        var outcome = policy.Request.Decide(score.Score);
        return ToResult(score, (int)outcome, policy) with
        {
            RequestsPerMinute = policy.Tiers.RequestsPerMinute(outcome),
            CacheTtlSeconds = policy.Tiers.CacheTtlSeconds,
        };
    }

    private ScoreResult Score(ScoringPolicy policy, string? ipRange, IEnumerable<string> instruments)
    {
        var s = state.State;
        var now = time.UtcNow;
        var account = new AccountFacts(s.CreatedAt, s.RequestsPerMinute.Minutes().Estimate(now, TimeSpan.FromMinutes(1)));
        var rangeKey = ipRange ?? (s.IpRanges.Count > 0 ? s.IpRanges[0] : null);
        RangeFacts? range = rangeKey is not null && _ranges.TryGetValue(rangeKey, out var r)
            ? new RangeFacts(rangeKey, r.Value.SignupsLastHour, r.Value.DistinctAccounts)
            : null;

        Span<InstrumentFacts> facts = stackalloc InstrumentFacts[InstrumentsScored];
        var n = 0;
        foreach (var fingerprint in instruments)
        {
            if (n == InstrumentsScored)
            {
                break;
            }

            if (_instruments.TryGetValue(fingerprint, out var i))
            {
                facts[n++] = new InstrumentFacts(i.Value.DistinctAccounts, i.Value.Chargebacks, i.Value.Declines);
            }
        }

        return Scorer.Score(policy, now, account, range, facts[..n]);
    }

    private List<string> Linked() => state.State.PaymentInstruments;

    private static DecisionResult ToResult(ScoreResult score, int outcome, ScoringPolicy policy) => new()
    {
        Outcome = outcome,
        Score = Math.Round(score.Score, 4),
        Reasons = [.. score.Contributions.Select(c => new ReasonEntry { Code = c.Code, Contribution = Math.Round(c.Share, 4), Detail = c.Detail })],
        PolicyVersion = policy.Version,
    };

    private void RefreshIfStale()
    {
        if (_refreshing)
        {
            return;
        }

        var oldest = time.UtcNow - SignalsMaxAge;
        if (_ranges.Values.Any(c => c.FetchedAt < oldest) || _instruments.Values.Any(c => c.FetchedAt < oldest))
        {
            _refreshing = true;
            // Runs on this activation's scheduler after the current call returns; the decision does not wait.
            _ = RefreshInBackgroundAsync();
        }
    }

    private async Task RefreshInBackgroundAsync()
    {
        try
        {
            await RefreshSignalsAsync();
        }
        catch (Exception)
        {
            // A failed refresh keeps the older signals; the next stale decision tries again.
        }
        finally
        {
            _refreshing = false;
        }
    }

    private async Task RefreshSignalsAsync()
    {
        var s = state.State;
        var ranges = s.IpRanges.Take(1).Concat(_ranges.Keys).Distinct().ToList();
        var instruments = s.PaymentInstruments.Take(InstrumentsScored).Concat(_instruments.Keys).Distinct().ToList();
        var rangeSignals = await Task.WhenAll(ranges.Select(k => GrainFactory.GetGrain<IIpRangeGrain>(k).GetSignalsAsync().AsTask()));
        var instrumentSignals = await Task.WhenAll(instruments.Select(k => GrainFactory.GetGrain<IPaymentInstrumentGrain>(k).GetSignalsAsync().AsTask()));
        foreach (var signals in rangeSignals)
        {
            Remember(_ranges, signals.Range, signals);
        }

        foreach (var signals in instrumentSignals)
        {
            Remember(_instruments, signals.Fingerprint, signals);
        }
    }

    private void Remember<T>(Dictionary<string, Cached<T>> cache, string key, T value)
    {
        if (cache.Count >= CachedEntityCapacity && !cache.ContainsKey(key))
        {
            cache.Remove(cache.MinBy(p => p.Value.FetchedAt).Key);
        }

        cache[key] = new Cached<T>(value, time.UtcNow);
    }

    private static void Add<T>(ref Dictionary<string, List<T>>? map, string key, T item)
    {
        map ??= new Dictionary<string, List<T>>(StringComparer.Ordinal);
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(item);
    }
}
