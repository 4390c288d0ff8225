using Reputation.Contracts;
using Reputation.Simulator.Scenarios;

namespace Reputation.Simulator.Generation;

/// <summary>A payment event of an account's card, its outcome drawn by the population's shares (one draw).</summary>
internal static class PaymentEvents
{
    public static IngestEvent Create(SimAccount account, string id, DateTimeOffset occurredAt, PaymentBehaviour behaviour, SimRandom r, bool allowChargeback)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(behaviour);
        ArgumentNullException.ThrowIfNull(r);
        var roll = r.NextDouble();
        var outcome = allowChargeback && roll < behaviour.ChargebackShare ? PaymentOutcome.Chargeback
            : roll < behaviour.ChargebackShare + behaviour.DeclineShare ? PaymentOutcome.Declined
            : PaymentOutcome.Succeeded;
        return new IngestEvent
        {
            Id = id,
            Type = EventType.Payment,
            AccountId = account.Id,
            OccurredAt = occurredAt,
            PaymentFingerprint = account.PaymentFingerprint,
            Outcome = outcome,
            AmountMinor = behaviour.AmountMinor,
            Currency = behaviour.Currency,
        };
    }
}
