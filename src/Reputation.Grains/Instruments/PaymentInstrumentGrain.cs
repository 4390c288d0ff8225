using Reputation.Core.Collections;
using Reputation.Core.Sketches;

namespace Reputation.Grains.Instruments;

/// <summary>One payment fingerprint token: distinct accounts and payment outcomes.</summary>
public sealed class PaymentInstrumentGrain(
    [PersistentState("instrument", StorageNames.Reputation)] IPersistentState<PaymentInstrumentState> state)
    : Grain, IPaymentInstrumentGrain
{
    private HyperLogLog? _accounts;

    private HyperLogLog Accounts => _accounts ??= HyperLogLog.Wrap(state.State.AccountSketch);

    async ValueTask<InstrumentSignals> IPaymentInstrumentGrain.RecordAsync(string accountId, InstrumentEntry[] entries)
    {
        var s = state.State;
        var dedup = s.Dedup.Open();
        var changed = false;
        foreach (var entry in entries)
        {
            if (!dedup.TryAdd(entry.EventId))
            {
                continue;
            }

            changed = true;
            s.FirstSeenAt = s.FirstSeenAt is { } first && first <= entry.OccurredAt ? first : entry.OccurredAt;
            s.LastSeenAt = s.LastSeenAt is { } last && last >= entry.OccurredAt ? last : entry.OccurredAt;
            if (entry.Outcome is { } outcome)
            {
                s.Payments.Add(outcome);
            }
        }

        if (changed)
        {
            Accounts.Add(accountId);
            RecentList.Touch(s.RecentAccounts, accountId, PaymentInstrumentState.RecentAccountCapacity);
            s.Dedup.Save(dedup);
            try
            {
                await state.WriteStateAsync();
            }
            catch
            {
                DeactivateOnIdle();
                throw;
            }
        }

        return Signals();
    }

    ValueTask<InstrumentSignals> IPaymentInstrumentGrain.GetSignalsAsync() => ValueTask.FromResult(Signals());

    ValueTask<InstrumentSnapshot?> IPaymentInstrumentGrain.GetSnapshotAsync()
    {
        var s = state.State;
        if (s.FirstSeenAt is null)
        {
            return ValueTask.FromResult<InstrumentSnapshot?>(null);
        }

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
        });
    }

    private InstrumentSignals Signals() => new()
    {
        Fingerprint = this.GetPrimaryKeyString(),
        DistinctAccounts = state.State.FirstSeenAt is null ? 0 : Accounts.Estimate(),
        Chargebacks = state.State.Payments.Chargebacks,
        Declines = state.State.Payments.Declined,
    };
}
