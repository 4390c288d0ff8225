using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Reputation.Core.Arithmetic;
using Reputation.Core.Collections;
using Reputation.Core.Scoring;
using Reputation.Core.Sketches;
using Reputation.Grains.State;

namespace Reputation.Grains.Instruments;

/// <summary>One payment fingerprint token: distinct accounts, payment outcomes, cluster usage, risk from its accounts.</summary>
[Reentrant] // group commit: see EntityGrain.WriteAsync
public sealed class PaymentInstrumentGrain(
    [PersistentState("instrument", StorageNames.Reputation)] IPersistentState<PaymentInstrumentState> state,
    IPolicyCache policies,
    ReputationMetrics metrics,
    ReputationClock time,
    ILogger<PaymentInstrumentGrain> logger) : EntityGrain<PaymentInstrumentState>(state, policies, metrics, logger), IPaymentInstrumentGrain
{
    private HyperLogLog? _accounts;

    private HyperLogLog Accounts => _accounts ??= HyperLogLog.Wrap(Persisted.State.AccountSketch, HyperLogLog.DefaultPrecision);

    ValueTask<InstrumentSignals> IPaymentInstrumentGrain.RecordAsync(string accountId, InstrumentEntry[] entries, AccountConfirmation[] confirmed)
    {
        Confirm(confirmed);
        return ((IPaymentInstrumentGrain)this).RecordAsync(accountId, entries);
    }

    async ValueTask<InstrumentSignals> IPaymentInstrumentGrain.RecordAsync(string accountId, InstrumentEntry[] entries)
    {
        var s = Persisted.State;
        var dedup = s.Dedup.Open();
        var changed = false;
        var linked = false;
        string? group = null;
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

            s.FirstSeenAt = s.FirstSeenAt is { } first && first <= entry.OccurredAt ? first : entry.OccurredAt;
            s.LastSeenAt = s.LastSeenAt is { } last && last >= entry.OccurredAt ? last : entry.OccurredAt;
            if (entry.Outcome is { } outcome)
            {
                s.Payments.Add(outcome);
            }

            if (entry.Requests > 0)
            {
                s.RequestsPerMinute.Minutes().Add(entry.OccurredAt, entry.Requests);
                s.RequestsPerHour.Hours().Add(entry.OccurredAt, entry.Requests);
                s.RequestsTotal = Saturating.Add(s.RequestsTotal, entry.Requests);
            }
            else
            {
                linked = true;
                group ??= entry.OwnerGroup;
            }
        }

        if (changed)
        {
            // Usage alone does not make an account a user of the card: only a signup or a payment links it.
            if (linked)
            {
                if (group is not null && s.OwnerSketch is null)
                {
                    // Until now every account was its own owner.
                    s.OwnerSketch = [.. Accounts.Registers];
                }

                Accounts.Add(accountId);
                // A sparse sketch's array is replaced as it grows.
                s.AccountSketch = Accounts.Registers;
                if (s.OwnerSketch is { } owners)
                {
                    // A team on a corporate card is one customer, not a card-sharing ring.
                    var ownerSketch = HyperLogLog.Wrap(owners, HyperLogLog.DefaultPrecision);
                    ownerSketch.Add(group ?? "account:" + accountId);
                    s.OwnerSketch = ownerSketch.Registers;
                }

                RecentList.Touch(s.RecentAccounts, accountId, PaymentInstrumentState.RecentAccountCapacity);
            }

            s.Dedup.Save(dedup);
            HoldUntilConfirmed(accountId, applied, time.UtcNow);
            await WriteAsync();
        }

        return Signals();
    }

    ValueTask<InstrumentSignals> IPaymentInstrumentGrain.GetSignalsAsync() => ValueTask.FromResult(Signals());

    ValueTask<InstrumentSnapshot?> IPaymentInstrumentGrain.GetSnapshotAsync()
    {
        var s = Persisted.State;
        if (s.FirstSeenAt is null && s.Risk.Info is null)
        {
            return ValueTask.FromResult<InstrumentSnapshot?>(null);
        }

        var now = time.UtcNow;
        return ValueTask.FromResult<InstrumentSnapshot?>(new InstrumentSnapshot
        {
            Fingerprint = this.GetPrimaryKeyString(),
            DistinctAccounts = Accounts.Estimate(),
            Payments = new PaymentSnapshot
            {
                Succeeded = s.Payments.Succeeded,
                Declined = s.Payments.Declined,
                Chargebacks = s.Payments.Chargebacks,
                Refunded = s.Payments.Refunded,
            },
            RecentAccounts = [.. s.RecentAccounts],
            FirstSeenAt = s.FirstSeenAt,
            LastSeenAt = s.LastSeenAt,
            Risk = s.Risk.Risk,
            Label = s.Risk.Info,
            Usage = UsageWindows.Snapshot(now, s.RequestsPerMinute, s.RequestsPerHour, s.RequestsTotal),
        });
    }

    protected override string Kind => EntityGrains.PaymentInstrument;

    protected override int RecentAccountCapacity => PaymentInstrumentState.RecentAccountCapacity;

    protected override bool TakeBack(Provenance.VoidedContribution[] contributions)
    {
        var s = Persisted.State;
        var dedup = s.Dedup.Open();
        var changed = false;
        foreach (var c in contributions)
        {
            if (dedup.TryAdd(Provenance.JournalPolicy.VoidMark(c.EventId)))
            {
                changed = true;
                if (c.Outcome is { } outcome)
                {
                    s.Payments.Remove(outcome);
                }

                // Usage counts against a card only while the account is linked to it: taken back only
                // when the card still recognises the event among its recent ids (else it keeps it).
                var id = Core.Collections.DedupWindow.Hash(c.EventId);
                if (c.Requests > 0 && (dedup.ContainsHash(id) || s.Unconfirmed.Contains(id)))
                {
                    s.RequestsPerMinute.Minutes().Add(c.OccurredAt, -c.Requests);
                    s.RequestsPerHour.Hours().Add(c.OccurredAt, -c.Requests);
                    s.RequestsTotal = Math.Max(0, s.RequestsTotal - c.Requests);
                }
            }
        }

        s.Dedup.Save(dedup);
        return changed;
    }

    /// <summary>The owner sketch, which counts a verified organisation's members once, is not rebuilt: the accounts' groups are not kept.</summary>
    protected override bool Recount(IReadOnlyList<string> accounts)
    {
        _accounts = Provenance.JournalPolicy.SparseSketch(accounts, HyperLogLog.DefaultPrecision);
        Persisted.State.AccountSketch = _accounts.Registers;
        return true;
    }

    protected override long PeakActivations => Persisted.State.ActivationsPerMinute.Minutes().PeakSum(time.UtcNow, TimeSpan.FromHours(1), TimeSpan.FromMinutes(5));

    protected override (string Key, IReadOnlyList<IntelValue> Values) IntelSubject =>
        Core.Intel.IndicatorPattern.IsPaymentFingerprint(this.GetPrimaryKeyString())
            ? ($"payment-instrument/{this.GetPrimaryKeyString()}", [new IntelValue { Entity = Core.Intel.IntelEntity.PaymentInstrument, Value = this.GetPrimaryKeyString() }])
            : ($"payment-instrument/{this.GetPrimaryKeyString()}", []);

    protected override long Degree => Persisted.State.FirstSeenAt is null ? 0 : Accounts.Estimate();

    protected override Func<IAccountGrain, Task> Notification(int hop)
    {
        var signals = Signals();
        return a => a.InstrumentChangedAsync(signals, hop);
    }

    private InstrumentSignals Signals()
    {
        var s = Persisted.State;
        return new()
        {
            Fingerprint = Key,
            DistinctAccounts = s.FirstSeenAt is null ? 0 : Accounts.Estimate(),
            DistinctOwners = s.OwnerSketch is { } owners ? Math.Min(HyperLogLog.Wrap(owners, HyperLogLog.DefaultPrecision).Estimate(), Accounts.Estimate()) : null,
            Chargebacks = s.Payments.Chargebacks,
            Declines = s.Payments.Declined,
            RequestsLastHour = s.RequestsPerMinute.Minutes().Estimate(time.UtcNow, TimeSpan.FromHours(1)),
            Risk = s.Risk.Risk,
            Label = s.Risk.Label,
            RiskOfOthers = s.Risk.RiskOfOthers,
            RiskOfConfirmed = s.Risk.RiskOfConfirmed(Policies.Current.Propagation, s.FirstSeenAt is null ? 0 : Accounts.Estimate()),
            PeakActivations = PeakActivations,
            CampaignId = Persisted.State.Risk.HubCampaignId,
        };
    }

}
