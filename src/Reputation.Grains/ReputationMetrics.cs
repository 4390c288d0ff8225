using Reputation.Core.Scoring;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Reputation.Grains.Policies;

namespace Reputation.Grains;

/// <summary>What an event of a batch came to, as counted by <c>reputation.events</c>.</summary>
public enum EventResult
{
    Accepted,
    Duplicate,
    Rejected,
}

/// <summary>
/// The service's instruments, on the one <c>Reputation</c> meter (docs/operations.md#metrics).
/// Every tag value is one of the fixed strings below: never an account id, address, fingerprint or
/// email, so no personal data reaches a metric. Recording allocates nothing: the tags are string
/// pairs passed to the two- and three-tag overloads.
/// </summary>
public sealed class ReputationMetrics
{
    public const string MeterName = "Reputation";

    /// <summary>Event types as tagged; <c>unknown</c> for an event whose type could not be read.</summary>
    public const int EventTypeCount = 4;

    private static readonly string[] s_kinds = ["signup", "request", "billing"];

    // Indexed by (int)SignupOutcome, RequestOutcome and BillingOutcome: the contract's decision values.
    private static readonly string[][] s_outcomes =
    [
        ["allow", "review", "challenge", "deny"],
        ["allow", "throttle", "degrade", "block"],
        ["allow", "hold", "deny"],
    ];

    private static readonly string[] s_eventTypes = ["signup", "usage", "payment", "unknown"];
    private static readonly string[] s_eventResults = ["accepted", "duplicate", "rejected"];

    // A decision is in-memory work of tens of microseconds; a cold one waits for storage.
    private static readonly double[] s_decisionSeconds =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

    private static readonly long[] s_fanOut = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256];

    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _decisionDuration;
    private readonly Counter<long> _events;
    private readonly Counter<long> _propagationMessages;
    private readonly Histogram<long> _propagationFanOut;
    private readonly Counter<long> _campaignReports;
    private readonly Counter<long> _decisionCache;
    private readonly Counter<long> _staleDecisions;
    private readonly Counter<long> _holds;
    private readonly Counter<long> _webhooks;
    private readonly Counter<long> _signalRefreshes;

    private static readonly KeyValuePair<string, object?> s_cacheHit = new("result", "hit");
    private static readonly KeyValuePair<string, object?> s_cacheMiss = new("result", "miss");
    private static readonly KeyValuePair<string, object?> s_staleUnreachable = new("cause", "unreachable");
    private static readonly KeyValuePair<string, object?> s_staleTimeout = new("cause", "timeout");

    public ReputationMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _decisions = meter.CreateCounter<long>("reputation.decisions", "{decision}", "Decisions answered, by kind and decision");
        _decisionDuration = meter.CreateHistogram(
            "reputation.decision.duration",
            "s",
            "Time from a validated decision request to its answer, grain call included",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_decisionSeconds });
        _events = meter.CreateCounter<long>("reputation.events", "{event}", "Ingested events, by type and result");
        _propagationMessages = meter.CreateCounter<long>("reputation.propagation.messages", "{message}", "Risk-change notifications sent between grains");
        _propagationFanOut = meter.CreateHistogram(
            "reputation.propagation.fanout",
            "{message}",
            "Notifications sent per risk change",
            tags: null,
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = s_fanOut });
        _decisionCache = meter.CreateCounter<long>("reputation.decision.cache", "{lookup}", "Request decisions looked up in the silo's decision cache, by result (hit: answered without a grain call)");
        _staleDecisions = meter.CreateCounter<long>("reputation.decision.stale", "{decision}", "Request decisions answered stale: the account grain could not be reached (unreachable) or did not answer in time (timeout), so the silo gave the last decision it answered for the account and range again");
        _webhooks = meter.CreateCounter<long>("reputation.webhook.deliveries", "{attempt}", "Webhook delivery outcomes: delivered, retrying (an attempt failed, another follows), failed (given up), state_not_written; and events that could not be published (publish_failed)");
        _holds = meter.CreateCounter<long>("reputation.holds", "{hold}", "Account holds, by what happened: began, released, or record_failed (a hold or watermark key a decision began could not be written; the next decision tries again)");
        _signalRefreshes = meter.CreateCounter<long>("reputation.signals.refreshes", "{refresh}", "Background refreshes of an account's cached entity signals, by result: refreshed, or failed (the account keeps its older signals and its next decision tries again)");
        _campaignReports = meter.CreateCounter<long>("reputation.campaign.reports", "{report}", "Campaign hub reports, by what they did (formed, merged, joined) or failed");
    }

    /// <summary>Counts a decision and records its duration since <paramref name="startedAt"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public void Decided(DecisionKind kind, int outcome, long startedAt)
    {
        var k = (int)kind;
        var outcomes = s_outcomes[k];
        var kindTag = new KeyValuePair<string, object?>("kind", s_kinds[k]);
        _decisions.Add(1, kindTag, new KeyValuePair<string, object?>("decision", (uint)outcome < outcomes.Length ? outcomes[outcome] : "unknown"));
        _decisionDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, kindTag);
    }

    /// <summary>A request decision answered from the silo's decision cache (hit) or by the account grain (miss).</summary>
    public void DecisionCacheLookup(bool hit) =>
        _decisionCache.Add(1, hit ? s_cacheHit : s_cacheMiss);

    /// <summary>A request decision answered stale because the account grain was unreachable or (<paramref name="timedOut"/>) too slow.</summary>
    public void StaleDecision(bool timedOut) =>
        _staleDecisions.Add(1, timedOut ? s_staleTimeout : s_staleUnreachable);

    /// <summary>Counts <paramref name="count"/> events of a type (0 signup, 1 usage, 2 payment, 3 unknown) with a result.</summary>
    public void Ingested(int eventType, EventResult result, long count)
    {
        if (count > 0)
        {
            _events.Add(
                count,
                new KeyValuePair<string, object?>("type", s_eventTypes[(uint)eventType < EventTypeCount ? eventType : EventTypeCount - 1]),
                new KeyValuePair<string, object?>("result", s_eventResults[(int)result]));
        }
    }

    /// <summary>A hub report the campaign registry applied: <c>formed</c>, <c>merged</c> or <c>joined</c>.</summary>
    public void CampaignHubReported(string result) =>
        _campaignReports.Add(1, new KeyValuePair<string, object?>("result", result));

    /// <summary>A hub of a kind (<c>ip-range</c>, ...) could not report; it reports again at its next change.</summary>
    public void CampaignHubReportFailed(string kind) =>
        _campaignReports.Add(1, new KeyValuePair<string, object?>("result", "failed"), new KeyValuePair<string, object?>("kind", kind));

    /// <summary>A webhook delivery outcome: delivered, retrying, failed, state_not_written, publish_failed.</summary>
    public void WebhookDelivery(string outcome) => _webhooks.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>A hold event: <c>began</c>, <c>released</c>, <c>record_failed</c>.</summary>
    public void Hold(string what) => _holds.Add(1, new KeyValuePair<string, object?>("what", what));

    /// <summary>A background refresh of an account's cached entity signals: done, or failed (older signals kept).</summary>
    public void SignalsRefreshed(bool refreshed) =>
        _signalRefreshes.Add(1, new KeyValuePair<string, object?>("result", refreshed ? "refreshed" : "failed"));

    public void Propagated(string from, long sent)
    {
        _propagationMessages.Add(sent, new KeyValuePair<string, object?>("from", from));
        _propagationFanOut.Record(sent, new KeyValuePair<string, object?>("from", from));
    }
}
