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

    /// <summary>As <see cref="RecordAsync"/>, and which links the accepted events created: what the sender's journal keeps.</summary>
    [Alias("RecordSent")]
    ValueTask<Provenance.RecordedEvents> RecordSentAsync(AccountEvent[] events);

    /// <summary>As <see cref="SignupAsync"/>, and what recording the signup did.</summary>
    [Alias("SignupSent")]
    ValueTask<Provenance.SignupRecorded> SignupSentAsync(SignupEvent signup);

    /// <summary>
    /// Takes back journaled events an operator voided: their counts, and the links they created (the
    /// entities linked only by them forget the account). Idempotent per event.
    /// </summary>
    [Alias("Void")]
    ValueTask<Provenance.AccountVoided> VoidAsync(Provenance.JournalEntry[] entries);

    [Alias("DecideRequest"), ReadOnly]
    ValueTask<DecisionResult> DecideRequestAsync(string? ipRange);

    [Alias("DecideBilling"), ReadOnly]
    ValueTask<DecisionResult> DecideBillingAsync(string paymentFingerprint, long amountMinor, string currency);

    /// <summary>Null when the account was never seen.</summary>
    [Alias("GetSnapshot"), ReadOnly]
    ValueTask<AccountSnapshot?> GetSnapshotAsync();

    /// <summary>Sets or clears an operator label; persisted, and propagated to the account's entities.</summary>
    [Alias("SetLabel")]
    ValueTask<LabelInfo> SetLabelAsync(LabelChange change);

    /// <summary>
    /// An operator's release: ends the hold, records a cleared label, and allows the account while
    /// its score stays within the policy's release margin of its score now. Null when never seen.
    /// </summary>
    [Alias("Release")]
    ValueTask<ReleaseOutcome?> ReleaseAsync(LabelChange cleared);

    /// <summary>
    /// Writes a hold or watermark key a request decision began (a decision is read-only, so it asks
    /// the account to write it in a call of its own) and records the key's issue.
    /// </summary>
    [Alias("RecordCountermeasures")]
    Task RecordCountermeasuresAsync();

    /// <summary>A linked entity changed: its new signals, and how far the change has travelled.</summary>
    [Alias("RangeChanged"), OneWay]
    Task RangeChangedAsync(RangeSignals signals, int hop);

    [Alias("InstrumentChanged"), OneWay]
    Task InstrumentChangedAsync(InstrumentSignals signals, int hop);

    [Alias("TemplateChanged"), OneWay]
    Task TemplateChangedAsync(TemplateSignals signals, int hop);

    /// <summary>A template bucket found the account moving in lockstep with its other sharers beyond chance at <paramref name="at"/>, with <paramref name="share"/> of its sampled sharers.</summary>
    [Alias("InStep"), OneWay]
    Task InStepAsync(DateTimeOffset at, double share);
}

/// <summary>What the three kinds of linked entity have in common: labels and risk from their accounts.</summary>
public interface IEntityGrain
{
    /// <summary>Sets or clears an operator label; persisted, and propagated to the entity's recent accounts.</summary>
    [Alias("SetLabel")]
    ValueTask<LabelInfo> SetLabelAsync(LabelChange change);

    /// <summary>One of the entity's accounts became flagged or unflagged, or was labelled.</summary>
    [Alias("AccountRiskChanged"), OneWay]
    Task AccountRiskChangedAsync(AccountRisk risk);

    /// <summary>The campaign registry merged this hub's campaign into another: the campaign's id now.</summary>
    [Alias("CampaignChanged"), OneWay]
    Task CampaignChangedAsync(string campaignId);

    /// <summary>Its accounts flagged or labelled fraud (the most recent 256): what labelling a campaign reaches.</summary>
    [Alias("GetFlaggedAccounts"), ReadOnly]
    ValueTask<string[]> GetFlaggedAccountsAsync();

    /// <summary>
    /// An account's voided events: the entity takes back what they added (idempotent per event) and,
    /// with <paramref name="unlink"/>, forgets the account (its recent accounts, its flagged lists).
    /// </summary>
    [Alias("Void")]
    Task VoidAsync(string accountId, Provenance.VoidedContribution[] contributions, bool unlink);

    /// <summary>
    /// The account has stored the events whose entries carried <paramref name="eventIds"/> (their
    /// hashes, as the entity keeps them): the entity need not hold them for a retry any longer.
    /// </summary>
    [Alias("Confirm"), OneWay]
    Task ConfirmAsync(string accountId, ulong[] eventIds);

    /// <summary>
    /// <see cref="ConfirmAsync"/> for the accounts of one silo at once (<see cref="State.ConfirmationBatcher"/>):
    /// each has stored the events whose entries carried its ids.
    /// </summary>
    [Alias("ConfirmMany"), OneWay]
    Task ConfirmManyAsync(AccountConfirmation[] confirmations);
}

[Alias("reputation.IIpRangeGrain")]
public interface IIpRangeGrain : IGrainWithStringKey, IEntityGrain
{
    [Alias("Record")]
    ValueTask<RangeSignals> RecordAsync(string accountId, RangeEntry[] entries);

    /// <summary>
    /// As <see cref="RecordAsync(string, RangeEntry[])"/>, first forgetting the ids of <paramref name="confirmed"/>:
    /// the confirmations of the caller's silo that were waiting for this entity (<see cref="State.ConfirmationBatcher"/>).
    /// </summary>
    [Alias("RecordConfirming")]
    ValueTask<RangeSignals> RecordAsync(string accountId, RangeEntry[] entries, AccountConfirmation[] confirmed);

    [Alias("GetSignals"), ReadOnly]
    ValueTask<RangeSignals> GetSignalsAsync();

    [Alias("GetSnapshot"), ReadOnly]
    ValueTask<RangeSnapshot?> GetSnapshotAsync();
}

[Alias("reputation.IPaymentInstrumentGrain")]
public interface IPaymentInstrumentGrain : IGrainWithStringKey, IEntityGrain
{
    [Alias("Record")]
    ValueTask<InstrumentSignals> RecordAsync(string accountId, InstrumentEntry[] entries);

    /// <summary>
    /// As <see cref="RecordAsync(string, InstrumentEntry[])"/>, first forgetting the ids of <paramref name="confirmed"/>:
    /// the confirmations of the caller's silo that were waiting for this entity (<see cref="State.ConfirmationBatcher"/>).
    /// </summary>
    [Alias("RecordConfirming")]
    ValueTask<InstrumentSignals> RecordAsync(string accountId, InstrumentEntry[] entries, AccountConfirmation[] confirmed);

    [Alias("GetSignals"), ReadOnly]
    ValueTask<InstrumentSignals> GetSignalsAsync();

    [Alias("GetSnapshot"), ReadOnly]
    ValueTask<InstrumentSnapshot?> GetSnapshotAsync();
}

/// <summary>One LSH bucket of prompt fingerprints: key <c>b{band}:{4 hex}</c> (docs/prompt-fingerprints.md).</summary>
[Alias("reputation.IPromptTemplateGrain")]
public interface IPromptTemplateGrain : IGrainWithStringKey, IEntityGrain
{
    [Alias("Record")]
    ValueTask<TemplateSignals> RecordAsync(string accountId, TemplateEntry[] entries);

    /// <summary>
    /// As <see cref="RecordAsync(string, TemplateEntry[])"/>, first forgetting the ids of <paramref name="confirmed"/>:
    /// the confirmations of the caller's silo that were waiting for this entity (<see cref="State.ConfirmationBatcher"/>).
    /// </summary>
    [Alias("RecordConfirming")]
    ValueTask<TemplateSignals> RecordAsync(string accountId, TemplateEntry[] entries, AccountConfirmation[] confirmed);

    [Alias("GetSignals"), ReadOnly]
    ValueTask<TemplateSignals> GetSignalsAsync();

    /// <summary>The signals as <paramref name="accountId"/> reads them: with its own near-duplicate group's suspicion when the bucket holds several (decision 0047).</summary>
    [Alias("GetSignalsFor"), ReadOnly]
    ValueTask<TemplateSignals> GetSignalsForAsync(string accountId);

    [Alias("GetSnapshot"), ReadOnly]
    ValueTask<TemplateSnapshot?> GetSnapshotAsync();

    /// <summary>
    /// An account's voided usage events that reached this bucket: it takes back what it counted of
    /// each (once per event) while it still holds the event among its counted events, and, with
    /// <paramref name="unlink"/>, forgets the account as <see cref="IEntityGrain.VoidAsync"/> does.
    /// Answers the ids of the events it no longer holds: it keeps counting them.
    /// </summary>
    [Alias("VoidUsage")]
    ValueTask<string[]> VoidUsageAsync(string accountId, Provenance.VoidedContribution[] contributions, bool unlink);
}

/// <summary>One watermark key (keyed by its id, <c>wm-</c> and 16 hex digits): whom it was issued to and when.</summary>
[Alias("reputation.IWatermarkGrain")]
public interface IWatermarkGrain : IGrainWithStringKey
{
    /// <summary>Records that a decision issued the key to an account (idempotent per account).</summary>
    [Alias("Issued")]
    Task IssuedAsync(string accountId, string? campaignId, DateTimeOffset at);

    /// <summary>Null when the key was never issued.</summary>
    [Alias("GetSnapshot"), ReadOnly]
    ValueTask<WatermarkSnapshot?> GetSnapshotAsync();

    /// <summary>Erasure: takes the account out of the key's record (its count stays); true if it was there.</summary>
    [Alias("ForgetAccount")]
    ValueTask<bool> ForgetAccountAsync(string accountId);
}

/// <summary>The review queue: held accounts and campaigns (key <c>review</c>; docs/operations.md, "Reviewing and releasing").</summary>
[Alias("reputation.IReviewQueueGrain")]
public interface IReviewQueueGrain : IGrainWithStringKey
{
    /// <summary>An account's hold began or grew stricter.</summary>
    [Alias("Hold")]
    Task HoldAsync(Review.ReviewHold hold);

    /// <summary>The account was released, labelled fraud or trusted, or erased: it leaves, and its campaigns' samples.</summary>
    [Alias("Leave")]
    Task LeaveAsync(string accountId);

    /// <summary>The campaign was labelled: it leaves.</summary>
    [Alias("LeaveCampaign")]
    Task LeaveCampaignAsync(string campaignId);

    /// <summary>Items in force, in review order, after the cursor.</summary>
    [Alias("Read"), ReadOnly]
    ValueTask<Review.ReviewPageSnapshot> ReadAsync(int limit, Review.ReviewCursor? after);
}

/// <summary>One webhook, keyed by its name (docs/decisions/0024-webhook-outbox.md).</summary>
[Alias("reputation.IWebhookGrain")]
public interface IWebhookGrain : IGrainWithStringKey
{
    /// <summary>Stores the configuration and subscribes the webhook at the hub; when either write fails it throws and the webhook stays as it was.</summary>
    [Alias("Configure")]
    ValueTask<Webhooks.WebhookSnapshot> ConfigureAsync(Webhooks.WebhookConfig config);

    /// <summary>Removes the webhook and its subscription; false when there was none. When the removal fails it throws and the webhook stays whole.</summary>
    [Alias("Delete")]
    ValueTask<bool> DeleteAsync();

    [Alias("Get"), ReadOnly]
    ValueTask<Webhooks.WebhookSnapshot?> GetAsync();

    /// <summary>Writes a delivery of the event to the outbox (once per event id) if the webhook asked for its type.</summary>
    [Alias("Enqueue")]
    Task EnqueueAsync(Webhooks.WebhookEvent e);

    /// <summary>Pending deliveries (newest first), then the last done ones (newest first).</summary>
    [Alias("GetDeliveries"), ReadOnly]
    ValueTask<Webhooks.WebhookDelivery[]> GetDeliveriesAsync();

    /// <summary>Activates the webhook so that it attempts what its outbox holds (silo start).</summary>
    [Alias("Wake")]
    Task WakeAsync();

    /// <summary>
    /// Erasure: replaces an account's id, wherever it stands as a whole token, in the pending
    /// deliveries' bodies and in every delivery's event id and last error; the deliveries changed.
    /// </summary>
    [Alias("RedactAccount")]
    ValueTask<int> RedactAccountAsync(string accountId, string replacement);
}

/// <summary>Which webhook wants which events (key <c>webhooks</c>).</summary>
[Alias("reputation.IWebhookHubGrain")]
public interface IWebhookHubGrain : IGrainWithStringKey
{
    [Alias("Subscribe")]
    Task SubscribeAsync(string name, string[] events);

    [Alias("Unsubscribe")]
    Task UnsubscribeAsync(string name);

    [Alias("GetNames"), ReadOnly]
    ValueTask<string[]> GetNamesAsync();

    /// <summary>Returns once every webhook that asked for the event's type has it in its outbox.</summary>
    [Alias("Publish")]
    Task PublishAsync(Webhooks.WebhookEvent e);
}
