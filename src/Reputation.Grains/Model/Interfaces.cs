
namespace Reputation.Grains;

[Alias("reputation.IAccountGrain")]
public interface IAccountGrain : IGrainWithStringKey
{
    /// <summary>Records a signup (idempotent by event id) and decides on it.</summary>
    [Alias("Signup")]
    ValueTask<DecisionResult> SignupAsync(SignupEvent signup);

    /// <summary>Applies events in order; one storage write for the whole call. Per event: accepted or duplicate.</summary>
    [Alias("Record")]
    ValueTask<EventStatus[]> RecordAsync(AccountEvent[] events);

    [Alias("DecideRequest"), ReadOnly]
    ValueTask<DecisionResult> DecideRequestAsync(string? ipRange);

    [Alias("DecideBilling"), ReadOnly]
    ValueTask<DecisionResult> DecideBillingAsync(string paymentFingerprint, long amountMinor, string currency);

    /// <summary>Null when the account was never seen.</summary>
    [Alias("GetSnapshot"), ReadOnly]
    ValueTask<AccountSnapshot?> GetSnapshotAsync();
}

[Alias("reputation.IIpRangeGrain")]
public interface IIpRangeGrain : IGrainWithStringKey
{
    [Alias("Record")]
    ValueTask<RangeSignals> RecordAsync(string accountId, RangeEntry[] entries);

    [Alias("GetSignals"), ReadOnly]
    ValueTask<RangeSignals> GetSignalsAsync();

    [Alias("GetSnapshot"), ReadOnly]
    ValueTask<RangeSnapshot?> GetSnapshotAsync();
}

[Alias("reputation.IPaymentInstrumentGrain")]
public interface IPaymentInstrumentGrain : IGrainWithStringKey
{
    [Alias("Record")]
    ValueTask<InstrumentSignals> RecordAsync(string accountId, InstrumentEntry[] entries);

    [Alias("GetSignals"), ReadOnly]
    ValueTask<InstrumentSignals> GetSignalsAsync();

    [Alias("GetSnapshot"), ReadOnly]
    ValueTask<InstrumentSnapshot?> GetSnapshotAsync();
}
