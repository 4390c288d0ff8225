using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Reputation.Core.Arithmetic;
using Reputation.Core.Collections;
using Reputation.Core.Scoring;
using Reputation.Core.Sketches;
using Reputation.Grains.State;

namespace Reputation.Grains.Ranges;

/// <summary>One canonical IP range (IPv4 /24, IPv6 /64): distinct accounts, signup and usage velocity, risk from its accounts.</summary>
[Reentrant] // group commit: see EntityGrain.WriteAsync
public sealed class IpRangeGrain(
    [PersistentState("range", StorageNames.Reputation)] IPersistentState<IpRangeState> state,
    IPolicyCache policies,
    ReputationMetrics metrics,
    ReputationClock time,
    ILogger<IpRangeGrain> logger) : EntityGrain<IpRangeState>(state, policies, metrics, logger), IIpRangeGrain
{
    /// <summary>Signups of this many hours are the range's newcomers, over which its flagged new accounts are a share.</summary>
    internal const int NewSignupHours = 24;

    private HyperLogLog? _accounts;

    private HyperLogLog Accounts => _accounts ??= HyperLogLog.Wrap(Persisted.State.AccountSketch, HyperLogLog.DefaultPrecision);

    ValueTask<RangeSignals> IIpRangeGrain.RecordAsync(string accountId, RangeEntry[] entries, AccountConfirmation[] confirmed)
    {
        Confirm(confirmed);
        return ((IIpRangeGrain)this).RecordAsync(accountId, entries);
    }

    async ValueTask<RangeSignals> IIpRangeGrain.RecordAsync(string accountId, RangeEntry[] entries)
    {
        var s = Persisted.State;
        var dedup = s.Dedup.Open();
        var changed = false;
        List<ulong>? applied = null;
        foreach (var entry in entries)
        {
            var id = entry.DedupId();
            if (Applied(dedup, id))
            {
                continue;
            }

            changed = true;
            (applied ??= []).Add(id);
            if (entry.Activated)
            {
                s.ActivationsPerMinute.Minutes().Add(entry.OccurredAt);
            }

            s.FirstSeenAt = Min(s.FirstSeenAt, entry.OccurredAt);
            s.LastSeenAt = Max(s.LastSeenAt, entry.OccurredAt);
            // A verified organisation onboarding its team from its office is not a signup burst:
            // its signups count in the total, not in the velocity windows. An unverified one's
            // members count as one owner in the velocity (once an hour), each in the newcomers.
            if (entry.IsSignup && !entry.VerifiedOrganization)
            {
                if (entry.OwnerGroup is null || OwnerSignups.Admit(s.OwnerSignups ??= [], OwnerSignups.Hash(entry.OwnerGroup), entry.OccurredAt))
                {
                    s.SignupsPerMinute.Minutes().Add(entry.OccurredAt);
                }

                s.SignupsPerHour.Hours().Add(entry.OccurredAt);
            }

            if (entry.IsSignup)
            {
                s.SignupsTotal++;
            }

            if (entry.Requests > 0)
            {
                s.RequestsPerMinute.Minutes().Add(entry.OccurredAt, entry.Requests);
                s.RequestsPerHour.Hours().Add(entry.OccurredAt, entry.Requests);
                s.RequestsTotal = Saturating.Add(s.RequestsTotal, entry.Requests);
            }

            if (entry.Tokens > 0)
            {
                s.TokensPerHour.Hours().Add(entry.OccurredAt, entry.Tokens);
            }
        }

        if (changed)
        {
            Accounts.Add(accountId);
            // A sparse sketch's array is replaced as it grows.
            s.AccountSketch = Accounts.Registers;
            RecentList.Touch(s.RecentAccounts, accountId, IpRangeState.RecentAccountCapacity);
            s.Dedup.Save(dedup);
            HoldUntilConfirmed(accountId, applied, time.UtcNow);
            await WriteAsync();
        }

        return Signals();
    }

    ValueTask<RangeSignals> IIpRangeGrain.GetSignalsAsync() => ValueTask.FromResult(Signals());

    ValueTask<RangeSnapshot?> IIpRangeGrain.GetSnapshotAsync()
    {
        var s = Persisted.State;
        if (s.FirstSeenAt is null && s.Risk.Info is null)
        {
            return ValueTask.FromResult<RangeSnapshot?>(null);
        }

        var now = time.UtcNow;
        return ValueTask.FromResult<RangeSnapshot?>(new RangeSnapshot
        {
            Range = this.GetPrimaryKeyString(),
            DistinctAccounts = Accounts.Estimate(),
            SignupsLastHour = s.SignupsPerMinute.Minutes().Estimate(now, TimeSpan.FromHours(1)),
            SignupsLastDay = s.SignupsPerHour.Hours().Estimate(now, TimeSpan.FromDays(1)),
            Usage = UsageWindows.Snapshot(now, s.RequestsPerMinute, s.RequestsPerHour, s.RequestsTotal, s.TokensPerHour),
            RecentAccounts = [.. s.RecentAccounts],
            FirstSeenAt = s.FirstSeenAt,
            LastSeenAt = s.LastSeenAt,
            Risk = s.Risk.Risk,
            Label = s.Risk.Info,
        });
    }

    protected override string Kind => EntityGrains.IpRange;

    protected override int RecentAccountCapacity => IpRangeState.RecentAccountCapacity;

    protected override bool TakeBack(Provenance.VoidedContribution[] contributions)
    {
        var s = Persisted.State;
        var dedup = s.Dedup.Open();
        var changed = false;
        foreach (var c in contributions)
        {
            if (!dedup.TryAdd(Provenance.JournalPolicy.VoidMark(c.EventId)))
            {
                continue;
            }

            changed = true;
            if (c.IsSignup && !c.VerifiedOrganization)
            {
                if (c.OwnerGroup is null || OwnerSignups.TakeBack(s.OwnerSignups, OwnerSignups.Hash(c.OwnerGroup), c.OccurredAt))
                {
                    s.SignupsPerMinute.Minutes().Add(c.OccurredAt, -1);
                }

                s.SignupsPerHour.Hours().Add(c.OccurredAt, -1);
            }

            if (c.IsSignup)
            {
                s.SignupsTotal = Math.Max(0, s.SignupsTotal - 1);
            }

            if (c.Requests > 0)
            {
                s.RequestsPerMinute.Minutes().Add(c.OccurredAt, -c.Requests);
                s.RequestsPerHour.Hours().Add(c.OccurredAt, -c.Requests);
                s.RequestsTotal = Math.Max(0, s.RequestsTotal - c.Requests);
            }

            if (c.Tokens > 0)
            {
                s.TokensPerHour.Hours().Add(c.OccurredAt, -c.Tokens);
            }
        }

        s.Dedup.Save(dedup);
        return changed;
    }

    protected override bool Recount(IReadOnlyList<string> accounts)
    {
        _accounts = Provenance.JournalPolicy.SparseSketch(accounts, HyperLogLog.DefaultPrecision);
        Persisted.State.AccountSketch = _accounts.Registers;
        return true;
    }

    protected override long PeakActivations => Persisted.State.ActivationsPerMinute.Minutes().PeakSum(time.UtcNow, TimeSpan.FromHours(1), TimeSpan.FromMinutes(5));

    protected override (string Key, IReadOnlyList<IntelValue> Values) IntelSubject =>
        ($"ip-range/{this.GetPrimaryKeyString()}", [new IntelValue { Entity = Core.Intel.IntelEntity.IpRange, Value = this.GetPrimaryKeyString() }]);

    protected override long Degree => Persisted.State.FirstSeenAt is null ? 0 : Accounts.Estimate();

    protected override (double Flagged, double Confirmed) Strength(PropagationPolicy policy) => (policy.RangeLinkStrength, policy.RangeLinkStrength);

    protected override bool TracksNewAccounts => true;

    protected override Func<IAccountGrain, Task> Notification(int hop)
    {
        var signals = Signals();
        return a => a.RangeChangedAsync(signals, hop);
    }

    private RangeSignals Signals()
    {
        var s = Persisted.State;
        var now = time.UtcNow;
        var policy = Policies.Current.Propagation;
        var distinct = s.FirstSeenAt is null ? 0 : Accounts.Estimate();
        var signups = s.SignupsPerHour.Hours().Estimate(now, TimeSpan.FromHours(NewSignupHours));
        return new()
        {
            Range = Key,
            SignupsLastHour = s.SignupsPerMinute.Minutes().Estimate(now, TimeSpan.FromHours(1)),
            DistinctAccounts = distinct,
            RequestsLastHour = s.RequestsPerMinute.Minutes().Estimate(now, TimeSpan.FromHours(1)),
            Risk = s.Risk.Risk,
            Label = s.Risk.Label,
            RiskOfOthers = s.Risk.RiskOfOthers,
            PeakActivations = PeakActivations,
            CampaignId = Persisted.State.Risk.HubCampaignId,
            RiskForNew = s.Risk.RiskForNew(policy, distinct, signups, policy.RangeLinkStrength, withoutOne: false),
            RiskForNewOfOthers = s.Risk.RiskForNew(policy, distinct, signups, policy.RangeLinkStrength, withoutOne: true),
        };
    }

    private static DateTimeOffset Min(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x <= b ? x : b;

    private static DateTimeOffset Max(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x >= b ? x : b;
}
