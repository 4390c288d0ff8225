using Microsoft.Extensions.Logging;
using Reputation.Core.Campaigns;
using Reputation.Core.Scoring;
using Reputation.Grains.State;

namespace Reputation.Grains;

/// <summary>State every linked entity keeps for labels and propagation.</summary>
public interface IEntityState
{
    EntityRiskState Risk { get; }

    /// <summary>Most recent accounts first: the ones told of a change.</summary>
    List<string> RecentAccounts { get; }

    /// <summary>Event ids applied for accounts that have not yet confirmed storing them.</summary>
    UnconfirmedState Unconfirmed { get; }
}

/// <summary>
/// What ranges, cards and templates do alike: take labels, track their accounts' standing, recompute
/// their risk and tell their most recent accounts when it moved (docs/decisions/0005-propagation.md),
/// and report to the campaign registry while they are a campaign hub (docs/decisions/0018-campaigns.md).
/// </summary>
public abstract partial class EntityGrain<TState>(IPersistentState<TState> state, IPolicyCache policies, ReputationMetrics metrics, ILogger logger)
    : Grain, IEntityGrain
    where TState : class, IEntityState
{
    private GroupCommit? _commit;
    private bool _reportingHub;

    /// <summary>
    /// A campaign the registry pushed while this hub's report was in flight: never older than the
    /// report's answer (the registry answers with merges resolved), and it may be newer, so it wins.
    /// </summary>
    private string? _pushedDuringReport;
    private string? _key;

    protected IPersistentState<TState> Persisted => state;

    /// <summary>
    /// Its key as one string for every signals object it hands out, so that the accounts caching
    /// them hold one copy between them (a key read from the grain id is a new string each time).
    /// </summary>
    protected string Key => _key ??= this.GetPrimaryKeyString();

    protected IPolicyCache Policies => policies;

    /// <summary>For the propagation metric: ip-range, payment-instrument, prompt-template.</summary>
    protected abstract string Kind { get; }

    /// <summary>Distinct accounts, for damping.</summary>
    protected abstract long Degree { get; }

    protected virtual (double Flagged, double Confirmed) Strength(PropagationPolicy policy) => (1, 1);

    /// <summary>Whether it keeps which flagged accounts were new (a range, for its new signups' risk).</summary>
    protected virtual bool TracksNewAccounts => false;

    /// <summary>The entity as the threat-intel export names it: its registry key and pattern values (none: nothing to export).</summary>
    protected abstract (string Key, IReadOnlyList<IntelValue> Values) IntelSubject { get; }

    /// <summary>The one-way call that tells an account of this entity's new signals.</summary>
    protected abstract Func<IAccountGrain, Task> Notification(int hop);

    /// <summary>Accounts that became active in its busiest five minutes of the last hour (for campaign evidence).</summary>
    protected abstract long PeakActivations { get; }

    /// <summary>Requests of its accounts by model, for a campaign's traffic by model; none unless the entity counts them.</summary>
    protected virtual IReadOnlyDictionary<string, long> RequestsByModel => new Dictionary<string, long>(StringComparer.Ordinal);

    async ValueTask<LabelInfo> IEntityGrain.SetLabelAsync(LabelChange change)
    {
        state.State.Risk.SetLabel(change);
        await RiskChangedAsync(labelChanged: true, hop: 0);
        return Propagation.Info(state.State.Risk);
    }

    async Task IEntityGrain.AccountRiskChangedAsync(AccountRisk risk)
    {
        var confirmedBefore = state.State.Risk.ConfirmedFraud.Count;
        if (state.State.Risk.Apply(risk, TracksNewAccounts))
        {
            // A member confirmed or cleared is news to its neighbours however little it moves the
            // risk: one workspace's members read only what was confirmed, and flags alone can hold
            // the risk at its ceiling already.
            await RiskChangedAsync(labelChanged: false, risk.Hop, confirmedChanged: state.State.Risk.ConfirmedFraud.Count != confirmedBefore);
        }
    }

    async Task IEntityGrain.CampaignChangedAsync(string campaignId)
    {
        var risk = state.State.Risk;
        if (_reportingHub)
        {
            _pushedDuringReport = campaignId;
        }

        if (risk.CampaignId != campaignId)
        {
            var before = risk.HubCampaignId;
            risk.CampaignId = campaignId;
            await WriteAsync();
            CampaignMoved(before);
        }
    }

    Task IEntityGrain.ConfirmAsync(string accountId, ulong[] eventIds)
    {
        // In memory only: the next write stores it, and an id whose confirmation is lost ages out.
        state.State.Unconfirmed.Confirm(Core.Collections.DedupWindow.Hash(accountId), eventIds);
        return Task.CompletedTask;
    }

    Task IEntityGrain.ConfirmManyAsync(AccountConfirmation[] confirmations)
    {
        Confirm(confirmations);
        return Task.CompletedTask;
    }

    /// <summary>As <see cref="IEntityGrain.ConfirmAsync"/>, for the accounts of one silo at once (in memory: the next write stores it).</summary>
    protected void Confirm(AccountConfirmation[] confirmations)
    {
        var held = state.State.Unconfirmed;
        foreach (var c in confirmations)
        {
            if (held.Count == 0)
            {
                break;
            }

            held.Confirm(c.Account, c.Ids);
        }
    }

    /// <summary>Whether an entry was applied before: in the recent ring, or held for its account's confirmation.</summary>
    protected bool Applied(Core.Collections.DedupWindow dedup, ulong id) =>
        state.State.Unconfirmed.Contains(id) || !dedup.TryAddHash(id);

    /// <summary>Holds the ids just applied for <paramref name="accountId"/> until it confirms them (stored with them by the write that follows).</summary>
    protected void HoldUntilConfirmed(string accountId, List<ulong>? applied, DateTimeOffset now)
    {
        if (applied is { Count: > 0 })
        {
            state.State.Unconfirmed.Hold(Core.Collections.DedupWindow.Hash(accountId), applied, now);
        }
    }

    // An erased account's placeholder counts here but names nobody: never labelled, never a member.
    ValueTask<string[]> IEntityGrain.GetFlaggedAccountsAsync() => ValueTask.FromResult(NamedFlagged().ToArray());

    private IEnumerable<string> NamedFlagged() => state.State.Risk.Flagged.Where(a => !Erasure.ErasedAccounts.IsPlaceholder(a));

    Task IEntityGrain.VoidAsync(string accountId, Provenance.VoidedContribution[] contributions, bool unlink) =>
        ForgetVoidedAsync(accountId, contributions.Length > 0 && TakeBack(contributions), unlink);

    /// <summary>
    /// After taking back an account's voided events (<paramref name="changed"/>: anything was), forgets
    /// the account with <paramref name="unlink"/> and stores what changed.
    /// </summary>
    protected async Task ForgetVoidedAsync(string accountId, bool changed, bool unlink)
    {
        if (unlink)
        {
            // Whether every account it ever had is still in its recent list: then its distinct count can be rebuilt.
            var complete = state.State.RecentAccounts.Count < RecentAccountCapacity;
            changed |= state.State.RecentAccounts.Remove(accountId);
            if (complete)
            {
                changed |= Recount(state.State.RecentAccounts);
            }

            // No longer one of its accounts: neither flagged nor fraud here.
            if (state.State.Risk.Apply(new AccountRisk { AccountId = accountId }, TracksNewAccounts))
            {
                await RiskChangedAsync(labelChanged: false, hop: 0);
                return;
            }
        }

        if (changed)
        {
            await WriteAsync();
        }
    }

    /// <summary>Takes back what voided events added to the entity's counters (each event once); true when anything changed.</summary>
    protected virtual bool TakeBack(Provenance.VoidedContribution[] contributions) => false;

    /// <summary>How many accounts its recent list holds at most, when it can rebuild its distinct count from them (<see cref="Recount"/>).</summary>
    protected virtual int RecentAccountCapacity => 0;

    /// <summary>
    /// Rebuilds its distinct-account count from <paramref name="accounts"/>, which hold every account
    /// it ever had; true when it keeps such a count.
    /// </summary>
    protected virtual bool Recount(IReadOnlyList<string> accounts) => false;

    private async Task RiskChangedAsync(bool labelChanged, int hop, bool confirmedChanged = false)
    {
        var policy = policies.Current.Propagation;
        var (flagged, confirmed) = Strength(policy);
        var before = state.State.Risk.Risk;
        var moved = state.State.Risk.Recompute(policy, Degree, flagged, confirmed);
        var campaignBefore = state.State.Risk.HubCampaignId;
        var report = ConsiderHub();
        try
        {
            await WriteAsync();
        }
        catch (Exception) when (report is not null)
        {
            _reportingHub = false;
            throw;
        }

        ReportToIntel(labelChanged || campaignBefore != state.State.Risk.HubCampaignId, before);
        if (Propagation.ShouldNotify(policy, moved, labelChanged || confirmedChanged, hop))
        {
            metrics.Propagated(Kind, Propagation.NotifyAccounts(GrainFactory, policy, state.State.RecentAccounts, Notification(hop + 1)));
        }

        if (report is not null)
        {
            _ = ReportHubAsync(report);
        }
    }

    /// <summary>Whether the entity is a campaign hub now (<see cref="CampaignRules.IsHub"/>), and the report to send if one is due.</summary>
    private HubReport? ConsiderHub()
    {
        var risk = state.State.Risk;
        var flagged = risk.FlaggedEstimate;
        risk.Hub = CampaignRules.IsHub(flagged, Math.Max(Degree, flagged), risk.Label == Label.Trusted);
        if (!risk.Hub)
        {
            // A hub that stops being one reports again when it becomes one again.
            risk.HubReportedFlagged = 0;
        }

        return DueReport();
    }

    /// <summary>
    /// The report a hub owes the registry: when it just became a hub, and when its flagged accounts
    /// grew by half since its last report (<see cref="CampaignRules.ShouldReport"/>). One at a time.
    /// </summary>
    private HubReport? DueReport()
    {
        var risk = state.State.Risk;
        var flagged = risk.FlaggedEstimate;
        if (!risk.Hub || _reportingHub || !CampaignRules.ShouldReport(flagged, risk.HubReportedFlagged))
        {
            return null;
        }

        _reportingHub = true;
        return new HubReport
        {
            Type = Kind,
            Id = this.GetPrimaryKeyString(),
            CampaignId = risk.CampaignId,
            Flagged = flagged,
            Accounts = Math.Max(Degree, flagged),
            ConfirmedFraud = risk.ConfirmedFraud.Count,
            Risk = risk.Risk,
            PeakActivations = PeakActivations,
            Sample = CampaignRules.BottomK(NamedFlagged(), CampaignRules.ReportSample),
            FlaggedSketch = risk.FlaggedSketch is { } sketch ? [.. sketch] : null,
            RequestsByModel = RequestsByModel,
        };
    }

    /// <summary>
    /// One call to the registry; the answer is the hub's campaign. Accounts flagged while it was in
    /// flight are reported next if they are growth enough; a failure is retried with the next change.
    /// </summary>
    private async Task ReportHubAsync(HubReport report)
    {
        var risk = state.State.Risk;
        HubReport? next = null;
        try
        {
            _pushedDuringReport = null;
            var campaign = await GrainFactory.Ref<ICampaignRegistryGrain>(CampaignRegistryGrain.Key).ReportHubAsync(report);
            risk.HubReportedFlagged = report.Flagged;
            var before = risk.HubCampaignId;
            // A merge pushed while the call was out (this grain is reentrant) is the newer word: an
            // answer given before the merge must not put the hub back in the merged-away campaign.
            risk.CampaignId = _pushedDuringReport ?? campaign;
            _pushedDuringReport = null;
            await WriteAsync();
            CampaignMoved(before);
            _reportingHub = false;
            next = DueReport();
        }
        catch (Exception ex)
        {
            metrics.CampaignHubReportFailed(Kind);
            LogHubReportFailed(logger, Kind, ex.GetType().Name, ex);
        }
        finally
        {
            _reportingHub = next is not null;
        }

        if (next is not null)
        {
            await ReportHubAsync(next);
        }
    }

    /// <summary>
    /// The campaign the hub carries changed: its accounts hear at once (one hop from the limit, so it
    /// travels no further), so a member's next decision names the campaign; the export learns it too.
    /// </summary>
    private void CampaignMoved(string? before)
    {
        var now = state.State.Risk.HubCampaignId;
        if (now == before)
        {
            return;
        }

        var policy = policies.Current.Propagation;
        metrics.Propagated(Kind, Propagation.NotifyAccounts(GrainFactory, policy, state.State.RecentAccounts, Notification(policy.HopLimit)));
        ReportToIntel(labelOrCampaignChanged: true, state.State.Risk.Risk);
    }

    [LoggerMessage(3204, LogLevel.Warning, "A {Kind} campaign hub could not report to the campaign registry ({ExceptionType}); it reports again at its next change")]
    private static partial void LogHubReportFailed(ILogger logger, string kind, string exceptionType, Exception exception);

    /// <summary>
    /// Tells the export registry (docs/intel-sharing.md, "Export") when the entity is labelled or its
    /// campaign changed, or its risk crosses the policy's export threshold either way: one one-way call
    /// per crossing, not per change.
    /// </summary>
    private void ReportToIntel(bool labelOrCampaignChanged, double before)
    {
        var threshold = policies.Current.Intel.ExportThreshold;
        var risk = state.State.Risk;
        if (!labelOrCampaignChanged && (before >= threshold) == (risk.Risk >= threshold))
        {
            return;
        }

        var (key, values) = IntelSubject;
        if (values.Count > 0)
        {
            _ = GrainFactory.Ref<IIntelGrain>(IntelGrain.Key).ReportLocalAsync(new LocalIntelReport
            {
                Key = key,
                Values = values,
                LabelledFraud = risk.Label == Label.Fraud,
                Risk = risk.Risk,
                CampaignId = risk.HubCampaignId,
            });
        }
    }

    /// <summary>
    /// Completes once the state as it is now is in storage (group commit: <see cref="GroupCommit"/>);
    /// applying logged events, at once, the write deferred (EntityGrain.WriteBehind.cs).
    /// </summary>
    protected Task WriteAsync() => DeferWrite() ? Task.CompletedTask : Commit();

    private Task Commit() => (_commit ??= new GroupCommit(WriteStateTrackedAsync, WriteFailed)).WriteAsync();
}
