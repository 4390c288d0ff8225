using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Reputation.Client;
using Reputation.Contracts;
using Reputation.Simulator.Generation;
using Reputation.Simulator.Metrics;
using Reputation.Simulator.Reporting;
using Reputation.Simulator.Scenarios;

namespace Reputation.Simulator.Running;

/// <summary>How a run talks to the service.</summary>
internal sealed record RunSettings
{
    public required string RunId { get; init; }
    public required Uri ServiceUrl { get; init; }
    public int Concurrency { get; init; } = 32;
    public int IngestConcurrency { get; init; } = 4;
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(3);
    public int BatchSize { get; init; } = 1000;

    /// <summary>Probe decisions asked before the run gives up on a service that does not answer (a fresh one may be slow to answer its first).</summary>
    public int PreflightAttempts { get; init; } = 5;

    public TimeSpan PreflightRetryDelay { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>The service refused or failed a call the run cannot do without.</summary>
internal sealed class SimulationFailedException : Exception
{
    public SimulationFailedException()
    {
    }

    public SimulationFailedException(string message)
        : base(message)
    {
    }

    public SimulationFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Runs a scenario against a live service, only through <see cref="ReputationClient"/>: the
/// signups before the window, then step by step the step's signups (plus a sample of signup
/// decisions), its usage and payment events, a sample of request decisions of the accounts active
/// in it, and a check of how many campaign accounts are held; finally every account's request
/// decision. Events never carry a time after now: the simulated window ends when the run starts.
/// </summary>
internal sealed class SimulationRunner
{
    private const int RejectedSamplesKept = 20;
    private const int FinalAttempts = 3;

    private readonly ReputationClient _client;
    private readonly Population _population;
    private readonly TrafficGenerator _traffic;
    private readonly UsageAggregator _aggregator;
    private readonly RunSettings _settings;
    private readonly TextWriter _out;
    private readonly Scenario _scenario;
    private readonly Stopwatch _wall = new();
    private readonly Stopwatch _ingestTime = new();
    private readonly Stopwatch _decisionTime = new();
    private readonly ConcurrentQueue<RejectedEventSample> _rejectedSamples = new();
    private readonly WeightedDecisionShare _campaignShare = new();
    private readonly WeightedDecisionShare _legitimateShare = new();
    /// <summary>Campaign requests by campaign and ten-minute slice of the window: when a campaign was served.</summary>
    private readonly SortedDictionary<(int Campaign, int Slice), WeightedDecisionShare> _campaignSlices = [];
    private readonly HashSet<int> _legitimateHeldEver = [];
    private readonly DetectionTracker _detection;
    private readonly List<SignupDecision> _signupLegitimate = [];
    private readonly List<SignupDecision> _signupCampaign = [];
    private readonly SimAccount[] _campaignAccounts;
    private readonly OperatorCalls? _operator;
    private readonly Queue<PlannedAction> _planned;
    private readonly List<Checkpoint> _checkpoints = [];
    private readonly List<OperatorAction> _operations = [];

    private long _eventsSent, _accepted, _duplicates, _rejected, _batches, _signups, _usage, _payments;
    private long _legitimateRequests, _campaignRequests;
    private long _requestDecisions, _sampledDecisions, _detectionDecisions, _finalDecisions, _checkpointDecisions, _signupDecisions, _fallbacks;
    private int _step;
    private int _legitimateHeldEverCount;
    private double _lastHeldShare = double.NaN;
    private double _lastLegitimateSampleHeld = double.NaN;

    public SimulationRunner(
        ReputationClient client, Population population, TrafficGenerator traffic, UsageAggregator aggregator, RunSettings settings, TextWriter output, OperatorCalls? operatorCalls = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(population);
        ArgumentNullException.ThrowIfNull(traffic);
        ArgumentNullException.ThrowIfNull(aggregator);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        _client = client;
        _population = population;
        _traffic = traffic;
        _aggregator = aggregator;
        _settings = settings;
        _out = output;
        _scenario = population.Scenario;
        _detection = new DetectionTracker(_scenario.Measurement.DetectionThreshold);
        _campaignAccounts = [.. population.Campaign];
        _operator = operatorCalls;
        _planned = new Queue<PlannedAction>(PlannedAction.Of(_scenario));
        if (_planned.Any(a => a.Intel is not null) && operatorCalls is null)
        {
            throw new ArgumentException("The scenario imports a partner's STIX bundle: the run needs the operator calls.", nameof(operatorCalls));
        }
    }

    public async Task<SimulationReport> RunAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        _wall.Start();
        await PreflightAsync(cancellationToken);

        using var progressStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var progress = PrintProgressAsync(progressStop.Token);
        try
        {
            await SendAsync(_traffic.PriorSignups(), cancellationToken);
            await SendAsync(PriorEvents(), cancellationToken);
            while (_traffic.HasNextStep)
            {
                var step = _traffic.NextStep();
                _step = step.Step + 1;
                await RunStepAsync(step, cancellationToken);
                await OperatorActionsAsync(step, cancellationToken);
            }

            var final = await DecideAllAsync(cancellationToken);
            _finalDecisions += final.Count;
            await progressStop.CancelAsync();
            await progress;
            PrintProgressLine("done");
            var heldTemplates = await HeldTemplatesAsync(final, cancellationToken);
            var report = BuildReport(startedAt, final);
            return report with { Detection = report.Detection with { LegitimateHeldTemplates = heldTemplates } };
        }
        finally
        {
            await progressStop.CancelAsync();
            await progress;
        }
    }

    private async Task PreflightAsync(CancellationToken cancellationToken)
    {
        // A read-only decision for an account no scenario has: it proves the address, the key and the decide scope.
        // A service that has just started may take longer than a decision's deadline for its first grain
        // activations (more so on a loaded machine): a fallback is asked again a few times before giving up.
        for (var attempt = 1; ; attempt++)
        {
            DecisionResult<RequestDecisionResponse> probe;
            try
            {
                probe = await _client.DecideRequestAsync(new RequestDecisionRequest { AccountId = $"{_settings.RunId}-probe", Ip = "192.0.2.1" }, cancellationToken);
            }
            catch (ReputationApiException ex)
            {
                throw new SimulationFailedException($"The service at {_settings.ServiceUrl} refused a request decision: {ex.Message}", ex);
            }

            if (!probe.IsFallback)
            {
                return;
            }

            if (attempt >= _settings.PreflightAttempts)
            {
                throw new SimulationFailedException(
                    $"The service at {_settings.ServiceUrl} did not answer a request decision in {attempt} attempts ({probe.FallbackCause}). Is it running?");
            }

            await Task.Delay(_settings.PreflightRetryDelay, cancellationToken);
        }
    }

    private async Task RunStepAsync(StepTraffic step, CancellationToken cancellationToken)
    {
        // Signups first, so that a signup decision of this step sees the accounts created before it.
        await SendAsync(step.Signups, cancellationToken);
        await SignupDecisionsAsync(step, cancellationToken);

        var usage = _aggregator.Aggregate(step.Requests, _traffic.TimeOf);
        foreach (var request in step.Requests)
        {
            if (request.Account.Kind == AccountKind.Campaign)
            {
                _campaignRequests++;
            }
            else
            {
                _legitimateRequests++;
            }
        }

        await SendAsync([.. usage, .. step.Payments], cancellationToken);
        await SampleDecisionsAsync(step, cancellationToken);
        await DetectionCheckAsync(step, cancellationToken);
    }

    /// <summary>The past the service has seen (usage summaries and payments before the window), in time order.</summary>
    private List<IngestEvent> PriorEvents()
    {
        var prior = HistoryGenerator.Generate(_population, _traffic.TimeOf);
        return [.. _aggregator.Summarise(prior.Usage, _traffic.TimeOf).Concat(prior.Payments).OrderBy(e => e.OccurredAt)];
    }

    /// <summary>
    /// The operator's actions due by the end of this step, each after a decision for every account (the
    /// "before" figures): labelling a member of a carrier range fraud, importing a partner's bundle.
    /// </summary>
    private async Task OperatorActionsAsync(StepTraffic step, CancellationToken cancellationToken)
    {
        var due = new List<PlannedAction>();
        while (_planned.Count > 0 && _planned.Peek().Minute * 60 <= step.EndSecond)
        {
            due.Add(_planned.Dequeue());
        }

        if (due.Count == 0)
        {
            return;
        }

        var minute = step.EndSecond / 60.0;
        var before = await DecideAllAsync(cancellationToken);
        _checkpointDecisions += before.Count;
        _checkpoints.Add(CheckpointOf($"before {string.Join(", ", due.Select(a => a.Name))}", minute, before));
        foreach (var action in due)
        {
            if (action.Nat is { } nat)
            {
                var member = _population.Accounts.Single(a => a.LabelledFraud && a.Cohort is { } c && c.Name == nat.Name);
                LabelResponse label;
                try
                {
                    label = await _client.SetLabelAsync(
                        new LabelRequest { EntityType = EntityType.Account, EntityId = member.Id, Label = LabelKind.Fraud, Reason = "simulated operator: confirmed fraud after investigation" },
                        cancellationToken);
                }
                catch (Exception ex) when (ex is ReputationApiException or HttpRequestException or TimeoutException)
                {
                    throw new SimulationFailedException($"The service did not take the label of {member.Id}: {ex.Message}", ex);
                }

                Record(new OperatorAction("label", minute, member.Id, true, $"{label.Label} by {label.LabelledBy}"));
            }
            else if (action.Intel is { } intel)
            {
                // Dated at the step's simulated time: a service whose time follows the events (detect.sh) takes it as now.
                var bundle = PartnerIntelBundle.Build(_population, intel, _aggregator.Fingerprint, _traffic.WindowStart.AddSeconds(step.EndSecond));
                if (intel.ProducerTrust is { } trust)
                {
                    var version = await _operator!.SetProducerTrustAsync(bundle.ProducerId, trust, cancellationToken);
                    Record(new OperatorAction("policy", minute, bundle.ProducerId, true, $"intel.producerTrust = {trust} (policy version {version})"));
                }

                var result = await _operator!.ImportStixAsync(bundle.Json, cancellationToken);
                Record(new OperatorAction("intel", minute, intel.Campaign, result.Imported + result.Updated + result.Unchanged == bundle.Indicators,
                    $"{bundle.Indicators} indicators ({bundle.TemplatesNamed} templates, {bundle.Fingerprints.Count} fingerprints, {bundle.Ranges.Count} ranges): "
                    + $"imported {result.Imported}, updated {result.Updated}, unchanged {result.Unchanged}, skipped {result.SkippedIndicators.Count}"
                    + (result.SkippedIndicators.Count > 0 ? $" (first: {result.SkippedIndicators[0].Reason})" : "")));
            }
        }
    }

    private void Record(OperatorAction action)
    {
        _operations.Add(action);
        PrintProgressLine($"operator: {action.Kind} {action.Target}: {action.Detail}");
    }

    private Checkpoint CheckpointOf(string name, double minute, List<FinalDecision> decisions)
    {
        var all = decisions.Select(d => new AccountDecision(d.Account, d.Decision, d.TopReason)).ToList();
        return new Checkpoint(
            name,
            minute,
            DetectionMetrics.Recall(decisions.Where(d => d.Account.Kind == AccountKind.Campaign).Select(d => d.Decision)),
            DetectionMetrics.FalsePositiveRate(decisions.Where(d => d.Account.IsOrdinary).Select(d => d.Decision)),
            PopulationFigures.Compute(_scenario, all));
    }

    private async Task SendAsync(IReadOnlyList<IngestEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        var batches = events.Chunk(_settings.BatchSize).ToList();
        _ingestTime.Start();
        try
        {
            await Parallel.ForEachAsync(
                batches,
                new ParallelOptions { MaxDegreeOfParallelism = _settings.IngestConcurrency, CancellationToken = cancellationToken },
                async (batch, ct) =>
                {
                    EventBatchResult result;
                    try
                    {
                        result = await _client.IngestAsync(new EventBatch { Events = batch }, ct);
                    }
                    catch (Exception ex) when (ex is ReputationApiException or HttpRequestException or TimeoutException)
                    {
                        throw new SimulationFailedException($"The service did not take a batch of {batch.Length} events: {ex.Message}", ex);
                    }

                    Interlocked.Add(ref _accepted, result.Accepted);
                    Interlocked.Add(ref _duplicates, result.Duplicates);
                    Interlocked.Add(ref _rejected, result.Rejected.Count);
                    Interlocked.Increment(ref _batches);
                    foreach (var rejected in result.Rejected)
                    {
                        if (_rejectedSamples.Count < RejectedSamplesKept)
                        {
                            _rejectedSamples.Enqueue(new RejectedEventSample(rejected.Id, rejected.Error));
                        }
                    }

                    Interlocked.Add(ref _eventsSent, batch.Length);
                });
        }
        finally
        {
            _ingestTime.Stop();
        }

        foreach (var e in events)
        {
            switch (e.Type)
            {
                case EventType.Signup: _signups++; break;
                case EventType.Usage: _usage++; break;
                case EventType.Payment: _payments++; break;
            }
        }
    }

    private async Task SignupDecisionsAsync(StepTraffic step, CancellationToken cancellationToken)
    {
        var share = _scenario.Measurement.SignupDecisionShare;
        if (share <= 0 || step.SignedUp.Count == 0)
        {
            return;
        }

        var random = SimRandom.For(_population.Seed, Streams.Sampling, ((ulong)step.Step << 8) | 1);
        var chosen = step.SignedUp.Where(_ => random.Chance(share)).ToList();
        var results = await DecideAsync(
            chosen,
            (account, ct) => _client.DecideSignupAsync(
                new SignupDecisionRequest
                {
                    AccountId = account.Id,
                    Ip = account.SignupIp,
                    PaymentFingerprint = account.PaymentFingerprint,
                    Country = account.Country,
                    Email = account.Email,
                    OrganizationId = account.OrganizationId,
                    OrganizationVerified = account.OrganizationVerified,
                },
                ct),
            cancellationToken);
        foreach (var (account, answer) in results)
        {
            (account.Kind == AccountKind.Campaign ? _signupCampaign : _signupLegitimate).Add(answer.Response.Decision);
        }
    }

    private async Task SampleDecisionsAsync(StepTraffic step, CancellationToken cancellationToken)
    {
        var random = SimRandom.For(_population.Seed, Streams.Sampling, (ulong)step.Step << 8);
        var legitimate = step.Active.Where(a => a.Account.Kind == AccountKind.Legitimate).ToList();
        var campaign = step.Active.Where(a => a.Account.Kind == AccountKind.Campaign).ToList();
        var legitimateSample = Sample(legitimate, SampleSize(legitimate.Count), random);
        var campaignSample = Sample(campaign, SampleSize(campaign.Count), random);
        var all = legitimateSample.Concat(campaignSample).ToList();
        var results = await DecideRequestsAsync(all.Select(a => (a.Account, a.LastIp, (string?)a.Model)).ToList(), cancellationToken);
        _sampledDecisions += results.Count;

        var byAccount = results.ToDictionary(r => r.Account.Index, r => r.Decision);
        var legitimateHeld = 0;
        foreach (var activity in legitimateSample)
        {
            var decision = byAccount[activity.Account.Index];
            _legitimateShare.Add(decision, DetectionMetrics.SampleWeight(activity.Requests, legitimate.Count, legitimateSample.Count));
            if (DetectionMetrics.IsHeld(decision))
            {
                legitimateHeld++;
                if (_legitimateHeldEver.Add(activity.Account.Index))
                {
                    Interlocked.Increment(ref _legitimateHeldEverCount);
                }
            }
        }

        var slice = (int)(step.StartSecond / (CampaignSlice.Minutes * 60));
        foreach (var activity in campaignSample)
        {
            var weight = DetectionMetrics.SampleWeight(activity.Requests, campaign.Count, campaignSample.Count);
            _campaignShare.Add(byAccount[activity.Account.Index], weight);
            var key = (activity.Account.CampaignIndex, slice);
            if (!_campaignSlices.TryGetValue(key, out var share))
            {
                _campaignSlices[key] = share = new WeightedDecisionShare();
            }

            share.Add(byAccount[activity.Account.Index], weight);
        }

        if (legitimateSample.Count > 0)
        {
            Volatile.Write(ref _lastLegitimateSampleHeld, (double)legitimateHeld / legitimateSample.Count);
        }
    }

    private int SampleSize(int active) =>
        active == 0 ? 0 : Math.Min(active, Math.Min(_scenario.Measurement.MaxDecisionSamplePerStep, Math.Max(1, (int)Math.Ceiling(active * _scenario.Measurement.DecisionSampleShare))));

    private async Task DetectionCheckAsync(StepTraffic step, CancellationToken cancellationToken)
    {
        if (_campaignAccounts.Length == 0)
        {
            return;
        }

        var existing = _campaignAccounts.Where(a => a.SignupSecond < step.EndSecond).ToList();
        var random = SimRandom.For(_population.Seed, Streams.Sampling, ((ulong)step.Step << 8) | 2);
        var sample = Sample(existing, Math.Min(existing.Count, _scenario.Measurement.DetectionSample), random);
        var results = await DecideRequestsAsync([.. sample.Select(a => (a, _traffic.LastIpOf(a), (string?)null))], cancellationToken);
        _detectionDecisions += results.Count;
        var held = results.Count(r => DetectionMetrics.IsHeld(r.Decision));
        var share = DetectionMetrics.EstimatedHeldShare(held, sample.Count, existing.Count, _campaignAccounts.Length) ?? 0;
        Volatile.Write(ref _lastHeldShare, share);
        if (_detection.Observe(new DetectionCheck(step.Step, Interlocked.Read(ref _eventsSent), step.EndSecond / 60.0, _wall.Elapsed.TotalSeconds, share)))
        {
            PrintProgressLine($"detection: {share:P1} of campaign accounts held");
        }
    }

    /// <summary>A request decision for every account at the address it used last (asked again if the answer was a fallback).</summary>
    private async Task<List<FinalDecision>> DecideAllAsync(CancellationToken cancellationToken)
    {
        var pending = _population.Accounts.ToList();
        var answers = new Dictionary<int, FinalDecision>();
        for (var attempt = 1; attempt <= FinalAttempts && pending.Count > 0; attempt++)
        {
            var results = await DecideAsync(
                pending,
                (account, ct) => _client.DecideRequestAsync(new RequestDecisionRequest { AccountId = account.Id, Ip = _traffic.LastIpOf(account) }, ct),
                cancellationToken);
            pending = [];
            foreach (var (account, answer) in results)
            {
                if (answer.IsFallback && attempt < FinalAttempts)
                {
                    // The service did not answer in time: ask again rather than score the fallback.
                    pending.Add(account);
                    continue;
                }

                var top = answer.Response.Reasons.Count > 0 ? answer.Response.Reasons[0].Code : "(none)";
                answers[account.Index] = new FinalDecision(account, answer.Response.Decision, top, answer.IsFallback) { Reasons = answer.Response.Reasons, Score = answer.Response.Score };
            }
        }

        return [.. _population.Accounts.Select(a => answers[a.Index])];
    }

    private async Task<List<(SimAccount Account, RequestDecision Decision)>> DecideRequestsAsync(
        IReadOnlyList<(SimAccount Account, string Ip, string? Model)> asks, CancellationToken cancellationToken)
    {
        var byIndex = asks.ToDictionary(a => a.Account.Index);
        var results = await DecideAsync(
            [.. asks.Select(a => a.Account)],
            (account, ct) =>
            {
                var (_, ip, model) = byIndex[account.Index];
                return _client.DecideRequestAsync(new RequestDecisionRequest { AccountId = account.Id, Ip = ip, Model = model }, ct);
            },
            cancellationToken);
        return [.. results.Select(r => (r.Account, r.Answer.Response.Decision))];
    }

    /// <summary>Asks for many decisions concurrently and counts them and their fallbacks; a 4xx answer ends the run.</summary>
    private async Task<List<(SimAccount Account, DecisionResult<TResponse> Answer)>> DecideAsync<TResponse>(
        List<SimAccount> accounts,
        Func<SimAccount, CancellationToken, Task<DecisionResult<TResponse>>> decide,
        CancellationToken cancellationToken)
        where TResponse : class
    {
        if (accounts.Count == 0)
        {
            return [];
        }

        var results = new (SimAccount, DecisionResult<TResponse>)[accounts.Count];
        _decisionTime.Start();
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, accounts.Count),
                new ParallelOptions { MaxDegreeOfParallelism = _settings.Concurrency, CancellationToken = cancellationToken },
                async (i, ct) =>
                {
                    DecisionResult<TResponse> answer;
                    try
                    {
                        answer = await decide(accounts[i], ct);
                    }
                    catch (ReputationApiException ex)
                    {
                        throw new SimulationFailedException($"The service refused a decision for account {accounts[i].Id}: {ex.Message}", ex);
                    }

                    if (answer.IsFallback)
                    {
                        Interlocked.Increment(ref _fallbacks);
                    }

                    Interlocked.Increment(ref typeof(TResponse) == typeof(SignupDecisionResponse) ? ref _signupDecisions : ref _requestDecisions);
                    results[i] = (accounts[i], answer);
                });
        }
        finally
        {
            _decisionTime.Stop();
        }

        return [.. results];
    }

    private static List<T> Sample<T>(IReadOnlyList<T> items, int count, SimRandom random)
    {
        if (count >= items.Count)
        {
            return [.. items];
        }

        // Partial Fisher-Yates on a copy: a uniform sample without replacement.
        var copy = items.ToArray();
        for (var i = 0; i < count; i++)
        {
            var j = random.Next(i, copy.Length);
            (copy[i], copy[j]) = (copy[j], copy[i]);
        }

        return [.. copy.Take(count)];
    }

    private async Task PrintProgressAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_settings.ProgressInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                PrintProgressLine(null);
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over (or cancelled); the caller prints the last line.
        }
    }

    private void PrintProgressLine(string? note)
    {
        var line = ProgressLine(note);
        lock (_out)
        {
            _out.WriteLine(line);
        }
    }

    /// <summary>Where the run is: step, events, decisions, the last held shares.</summary>
    public string ProgressLine(string? note = null)
    {
        var held = Volatile.Read(ref _lastHeldShare);
        var legitimate = Volatile.Read(ref _lastLegitimateSampleHeld);
        var rejected = Interlocked.Read(ref _rejected);
        var line = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"[{_wall.Elapsed.TotalSeconds,7:0.0}s] step {Volatile.Read(ref _step),4}/{_traffic.StepCount} (sim {Volatile.Read(ref _step) * _scenario.StepSeconds / 60.0,6:0.0} min) | events {Interlocked.Read(ref _eventsSent),9:N0}{(rejected > 0 ? $" REJECTED {rejected:N0}" : "")} | decisions {Interlocked.Read(ref _requestDecisions) + Interlocked.Read(ref _signupDecisions),8:N0} | campaign held {(double.IsNaN(held) ? "-" : held.ToString("P1", System.Globalization.CultureInfo.InvariantCulture)),6} | legit held {(double.IsNaN(legitimate) ? "-" : legitimate.ToString("P1", System.Globalization.CultureInfo.InvariantCulture)),6} of sample, {Volatile.Read(ref _legitimateHeldEverCount):N0} accounts so far{(note is null ? "" : " | " + note)}");
        return line;
    }

    /// <summary>
    /// The template buckets of the honest accounts held at the end (those <see cref="DetectionFigures.SampleLegitimateHeld"/>
    /// names), read from the service before the run ends: a bucket's view moves with its sharers, and
    /// a sweep's service is gone after its run. A bucket the service no longer knows is left out.
    /// </summary>
    private async Task<List<HeldTemplates>> HeldTemplatesAsync(List<FinalDecision> final, CancellationToken cancellationToken)
    {
        var held = new List<HeldTemplates>();
        foreach (var f in final.Where(f => f.Account.IsOrdinary && DetectionMetrics.IsHeld(f.Decision)).Take(DetectionFigures.SampleSize))
        {
            var account = await _client.GetAccountAsync(f.Account.Id, cancellationToken);
            if (account is null)
            {
                continue;
            }

            var buckets = new List<HeldTemplate>();
            foreach (var bucket in account.PromptBuckets.Take(HeldTemplates.MaxBuckets))
            {
                if (await _client.GetPromptTemplateAsync(bucket, cancellationToken) is { } t)
                {
                    buckets.Add(new HeldTemplate(t.Bucket, t.SharingAccounts, t.SampledSharers, t.Suspicion, t.CustomerBaseSuspicion, t.Lockstep, t.Risk, t.BeganTogether,
                        [.. t.NearDuplicateGroups.Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.SampledSharers} sharers at suspicion {g.Suspicion:0.00}"))]));
                }
            }

            held.Add(new HeldTemplates(f.Account.Id, [.. buckets.OrderByDescending(b => b.SharingAccounts)]));
        }

        return held;
    }

    private SimulationReport BuildReport(DateTimeOffset startedAt, List<FinalDecision> final)
    {
        var campaignFinal = final.Where(f => f.Account.Kind == AccountKind.Campaign).ToList();

        // The member an operator labels fraud is not an ordinary account: its figures are its population's.
        var legitimateFinal = final.Where(f => f.Account.IsOrdinary).ToList();
        var byCampaign = _scenario.Campaigns.Select((c, i) =>
        {
            var mine = campaignFinal.Where(f => f.Account.CampaignIndex == i).ToList();
            return new CampaignRecall(c.Name, mine.Count, mine.Count(f => DetectionMetrics.IsHeld(f.Decision)), DetectionMetrics.Recall(mine.Select(f => f.Decision)));
        }).ToList();
        var groups = ReportFigures.GroupRates(legitimateFinal
            .OrderBy(f => f.Account.HomeKind)
            .Select(f => (HomeGroup(f.Account.HomeKind), f.Decision)))
            .Concat(ReportFigures.GroupRates(legitimateFinal
                .OrderBy(f => f.Account.SignsUpInWindow)
                .Select(f => (f.Account.SignsUpInWindow ? "signed up in the window" : "signed up before the window", f.Decision))))
            .ToList();

        var ingestSeconds = _ingestTime.Elapsed.TotalSeconds;
        var decisionSeconds = _decisionTime.Elapsed.TotalSeconds;
        var windowSeconds = _scenario.DurationMinutes * 60;
        return new SimulationReport
        {
            Scenario = _scenario.Name,
            Seed = _population.Seed,
            RunId = _settings.RunId,
            ServiceUrl = _settings.ServiceUrl.ToString(),
            StartedAt = startedAt,
            WindowStart = _traffic.WindowStart,
            WindowEnd = _traffic.WindowStart.AddSeconds(windowSeconds),
            SimulatedMinutes = _scenario.DurationMinutes,
            Steps = _traffic.StepCount,
            WallSeconds = Math.Round(_wall.Elapsed.TotalSeconds, 1),
            Accounts = new AccountCounts
            {
                Legitimate = legitimateFinal.Count,
                LegitimateSignedUpInWindow = _population.Legitimate.Count(a => a.SignsUpInWindow),
                Campaign = _campaignAccounts.Length,
                ByCampaign = [.. _scenario.Campaigns.Select((c, i) => new CampaignAccounts(
                    c.Name,
                    c.Accounts,
                    c.Cards.AccountsPerCard > 0 ? _campaignAccounts.Where(a => a.CampaignIndex == i).Select(a => a.PaymentFingerprint).Distinct().Count() : 0,
                    _population.Addresses.CampaignProxies[i].Count))],
            },
            Events = new EventCounts
            {
                Sent = _eventsSent,
                Accepted = _accepted,
                Duplicates = _duplicates,
                Rejected = _rejected,
                Signups = _signups,
                Usage = _usage,
                Payments = _payments,
                Batches = _batches,
                LegitimateRequests = _legitimateRequests,
                CampaignRequests = _campaignRequests,
                RejectedSamples = [.. _rejectedSamples],
            },
            Decisions = new DecisionCounts
            {
                Request = _requestDecisions,
                SampledDuringRun = _sampledDecisions,
                DetectionChecks = _detectionDecisions,
                Final = _finalDecisions,
                Checkpoints = _checkpointDecisions,
                Signup = _signupDecisions,
                Fallbacks = _fallbacks,
                SignupDecisionsLegitimate = ReportFigures.CountByName<SignupDecision>(_signupLegitimate),
                SignupDecisionsCampaign = ReportFigures.CountByName<SignupDecision>(_signupCampaign),
            },
            Throughput = new Throughput
            {
                EventsPerSecond = ingestSeconds > 0 ? Math.Round(_eventsSent / ingestSeconds) : 0,
                DecisionsPerSecond = decisionSeconds > 0 ? Math.Round((_requestDecisions + _signupDecisions) / decisionSeconds) : 0,
                IngestSeconds = Math.Round(ingestSeconds, 1),
                DecisionSeconds = Math.Round(decisionSeconds, 1),
            },
            Detection = new DetectionFigures
            {
                CampaignRecall = DetectionMetrics.Recall(campaignFinal.Select(f => f.Decision)),
                ByCampaign = byCampaign,
                CampaignRequestsAllowedShare = _campaignShare.AllowShare,
                CampaignTraffic = TrafficServed.From(_campaignShare),
                CampaignOverTime = [.. _campaignSlices.Select(c => new CampaignSlice(
                    _scenario.Campaigns[c.Key.Campaign].Name, c.Key.Slice * CampaignSlice.Minutes, (c.Key.Slice + 1) * CampaignSlice.Minutes,
                    Math.Round(c.Value.TotalWeight), c.Value.AllowShare))],
                LegitimateRequestsAllowedShare = _legitimateShare.AllowShare,
                FalsePositiveRate = DetectionMetrics.FalsePositiveRate(legitimateFinal.Select(f => f.Decision)),
                FalsePositivesByGroup = groups,
                LegitimateHeldDuringRun = _legitimateHeldEver.Count,
                TimeToDetection = ReportFigures.TimeToDetection(_detection, _campaignAccounts.Length),
                FinalDecisionsLegitimate = ReportFigures.CountByName<RequestDecision>(legitimateFinal.Select(f => f.Decision)),
                FinalDecisionsCampaign = ReportFigures.CountByName<RequestDecision>(campaignFinal.Select(f => f.Decision)),
                TopReasonsCampaignHeld = ReportFigures.Tally(campaignFinal.Where(f => DetectionMetrics.IsHeld(f.Decision)).Select(f => f.TopReason)),
                TopReasonsLegitimateHeld = ReportFigures.Tally(legitimateFinal.Where(f => DetectionMetrics.IsHeld(f.Decision)).Select(f => f.TopReason)),
                SampleCampaignAllowed = [.. campaignFinal.Where(f => !DetectionMetrics.IsHeld(f.Decision)).Take(DetectionFigures.SampleSize).Select(f => f.Account.Id)],
                SampleLegitimateHeld = [.. legitimateFinal.Where(f => DetectionMetrics.IsHeld(f.Decision)).Take(DetectionFigures.SampleSize).Select(f => f.Account.Id)],
            },
            Caveats = Caveats(),
            Populations = PopulationFigures.Compute(_scenario, [.. final.Select(f => new AccountDecision(f.Account, f.Decision, f.TopReason) { Reasons = f.Reasons, Score = f.Score })]),
            Checkpoints = _checkpoints,
            Operations = _operations,
        };
    }

    private List<string> Caveats()
    {
        var caveats = new List<string>
        {
            "Events carry simulated event time (the window ends when the run starts). Unless the service's time follows the events "
            + "(Reputation:Api:FollowEventTime, as detect.sh starts it), it evaluates its windows against its own clock, so an event from early "
            + "in the window is already old when it arrives and only the last part of the window falls in a one-hour window.",
        };
        if (_scenario.Measurement.SignupDecisionShare > 0)
        {
            caveats.Add("Sampled signup decisions record the signup a second time (at server time) besides its signup event.");
        }

        if (_fallbacks > 0)
        {
            caveats.Add($"{_fallbacks} decisions were the client's fallback (the service did not answer in time); sampled ones count as that fallback, final ones were asked up to {FinalAttempts} times.");
        }

        return caveats;
    }

    private static string HomeGroup(HomeNetworkKind kind) => kind switch
    {
        HomeNetworkKind.ResidentialIpv4 => "residential IPv4",
        HomeNetworkKind.Ipv6 => "IPv6",
        HomeNetworkKind.CarrierNat => "carrier NAT",
        HomeNetworkKind.Office => "office",
        HomeNetworkKind.Campus => "campus",
        _ => kind.ToString(),
    };

    private sealed record FinalDecision(SimAccount Account, RequestDecision Decision, string TopReason, bool IsFallback)
    {
        public IReadOnlyList<Reason> Reasons { get; init; } = [];

        public double Score { get; init; }
    }

    /// <summary>An operator action the scenario plans at a simulated minute.</summary>
    private sealed record PlannedAction(double Minute, string Name, LabelledCarrierNat? Nat, PartnerIntel? Intel)
    {
        public static IEnumerable<PlannedAction> Of(Scenario scenario) =>
            scenario.Legitimate.LabelledCarrierNats.Select(n => new PlannedAction(n.LabelAtMinute, $"label {n.Name}", n, null))
                .Concat(scenario.Intel is { } intel ? [new PlannedAction(intel.AtMinute, "intel", null, intel)] : [])
                .OrderBy(a => a.Minute);
    }
}
