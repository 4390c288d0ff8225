using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Reputation.Client;
using Reputation.Contracts;

namespace Reputation.Integration.Tests;

/// <summary>
/// A caller of several silos: usage events (unique ids) and request decisions sent round-robin,
/// each failing over to the next silo when one does not answer, as a caller behind a load balancer
/// would. It records every acknowledged event and every decision, for the tests to check.
/// </summary>
internal sealed class SiloLoad
{
    /// <summary>How long a batch is retried across the silos before it counts as an error.</summary>
    private static readonly TimeSpan IngestPatience = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan IngestRetryPause = TimeSpan.FromMilliseconds(200);

    private readonly ReputationClient[] _clients;
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly ConcurrentDictionary<string, (string Account, long Requests)> _acknowledged = new();
    private readonly ConcurrentQueue<DecisionSample> _decisions = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly ConcurrentDictionary<(int Silo, string Account), bool> _answered = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _ingestFailovers;

    public SiloLoad(IReadOnlyList<ServiceProcess> silos, TimeSpan decisionTimeout, int accounts = 40)
    {
        _clients = [.. silos.Select(s => s.CreateClient(decisionTimeout, ingestTimeout: TimeSpan.FromSeconds(5)))];
        Accounts = [.. Enumerable.Range(0, accounts).Select(i => $"load-{_run}-{i}")];
    }

    public IReadOnlyList<string> Accounts { get; }

    /// <summary>Time since the load was created; decisions are stamped with it.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyCollection<DecisionSample> Decisions => _decisions;

    /// <summary>Batches no silo acknowledged, and events a silo rejected: each is a failure a caller would see.</summary>
    public IReadOnlyCollection<string> Errors => _errors;

    public int IngestFailovers => _ingestFailovers;

    /// <summary>Whether each of <paramref name="silos"/> has answered a decision about every account at least once.</summary>
    public bool EachSiloAnsweredEveryAccount(IEnumerable<int> silos) =>
        silos.All(silo => Accounts.All(account => _answered.ContainsKey((silo, account))));

    public int AcknowledgedEvents => _acknowledged.Count;

    /// <summary>Acknowledged usage events (id, account, requests), to send again.</summary>
    public IReadOnlyList<(string Id, string Account, long Requests)> Acknowledged() =>
        [.. _acknowledged.Select(p => (p.Key, p.Value.Account, p.Value.Requests))];

    /// <summary>Requests of the acknowledged usage events, per account: what the accounts must count.</summary>
    public IReadOnlyDictionary<string, long> AcknowledgedRequestsByAccount() =>
        _acknowledged.Values.GroupBy(e => e.Account).ToDictionary(g => g.Key, g => g.Sum(e => e.Requests));

    /// <summary>Runs <paramref name="ingestWorkers"/> ingest and <paramref name="decisionWorkers"/> decision loops until <paramref name="stop"/>; a call in flight is finished, not abandoned.</summary>
    public Task RunAsync(int ingestWorkers, int decisionWorkers, CancellationToken stop, CancellationToken testCancelled) =>
        Task.WhenAll(
            Enumerable.Range(0, ingestWorkers).Select(w => Task.Run(() => IngestLoopAsync(w, stop, testCancelled), testCancelled))
                .Concat(Enumerable.Range(0, decisionWorkers).Select(w => Task.Run(() => DecisionLoopAsync(w, stop, testCancelled), testCancelled))));

    private async Task IngestLoopAsync(int worker, CancellationToken stop, CancellationToken testCancelled)
    {
        var random = new Random(worker);
        var next = worker;
        for (var batchNumber = 0; !stop.IsCancellationRequested; batchNumber++)
        {
            var events = Enumerable.Range(0, 5).Select(i =>
            {
                var account = random.Next(Accounts.Count);
                return new IngestEvent
                {
                    Id = string.Create(CultureInfo.InvariantCulture, $"{_run}-{worker}-{batchNumber}-{i}"),
                    Type = EventType.Usage,
                    AccountId = Accounts[account],
                    OccurredAt = DateTimeOffset.UtcNow,
                    Ip = string.Create(CultureInfo.InvariantCulture, $"10.20.{account}.7"),
                    Requests = random.Next(1, 10),
                };
            }).ToList();
            var batch = new EventBatch { Events = events };

            EventBatchResult? result = null;
            // Round the silos until one acknowledges, as a caller's usage buffer keeps a summary
            // until it is accepted: grains of a killed silo answer nowhere until the others have
            // declared it dead (seconds, longer on a loaded machine), then anywhere.
            var giveUpAt = DateTimeOffset.UtcNow + IngestPatience;
            for (var attempt = 0; result is null && (attempt < _clients.Length || DateTimeOffset.UtcNow < giveUpAt); attempt++)
            {
                var silo = next++ % _clients.Length;
                try
                {
                    result = await _clients[silo].IngestAsync(batch, testCancelled);
                }
                catch (Exception ex) when (IsTransient(ex) && !testCancelled.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _ingestFailovers);
                    if (attempt % _clients.Length == _clients.Length - 1)
                    {
                        // Every silo failed this round: the next round after a pause, not at once.
                        await Task.Delay(IngestRetryPause, testCancelled);
                    }
                }
            }

            if (result is null)
            {
                _errors.Enqueue($"batch {worker}-{batchNumber}: no silo acknowledged it within {IngestPatience.TotalSeconds:0} s");
                continue;
            }

            foreach (var rejected in result.Rejected)
            {
                _errors.Enqueue($"event {rejected.Id}: rejected: {rejected.Error}");
            }

            // Accepted or duplicate (an earlier attempt that timed out was kept): either way it is stored.
            var rejectedIds = result.Rejected.Select(r => r.Id).ToHashSet();
            foreach (var e in events.Where(e => !rejectedIds.Contains(e.Id)))
            {
                _acknowledged[e.Id] = (e.AccountId, e.Requests ?? 0);
            }
        }
    }

    private async Task DecisionLoopAsync(int worker, CancellationToken stop, CancellationToken testCancelled)
    {
        var random = new Random(1000 + worker);
        var next = worker;
        while (!stop.IsCancellationRequested)
        {
            var account = random.Next(Accounts.Count);
            var request = new RequestDecisionRequest
            {
                AccountId = Accounts[account],
                Ip = string.Create(CultureInfo.InvariantCulture, $"10.20.{account}.7"),
            };
            var first = next++ % _clients.Length;
            var at = Now;
            string? firstCause = null;
            var answered = false;
            var stale = false;
            var attempts = 0;
            while (attempts < 2 * _clients.Length && !answered)
            {
                var silo = (first + attempts) % _clients.Length;
                var result = await _clients[silo].DecideRequestAsync(request, testCancelled);
                answered = !result.IsFallback;
                stale = answered && result.Response.Stale;
                if (answered && !stale)
                {
                    _answered.TryAdd((silo, request.AccountId), true);
                }
                if (attempts == 0 && result.IsFallback)
                {
                    firstCause = result.FallbackCause;
                }

                attempts++;
            }

            _decisions.Enqueue(new DecisionSample(at, first, firstCause, answered ? attempts : 0, stale));
        }
    }

    private static bool IsTransient(Exception ex) => ex switch
    {
        HttpRequestException or TimeoutException => true,
        ReputationApiException api => (int)api.StatusCode >= 500 || api.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests,
        _ => false,
    };
}

/// <summary>
/// One decision: when it was asked, the silo asked first, why that silo fell back (if it did), the
/// attempt that was answered (1 the first; 0 none) and whether that answer was a stale one.
/// </summary>
internal sealed record DecisionSample(TimeSpan At, int FirstSilo, string? FirstFallbackCause, int AnsweredAttempt, bool Stale)
{
    public bool FirstFellBack => FirstFallbackCause is not null;

    public bool Answered => AnsweredAttempt > 0;

    /// <summary>Answered by the first silo asked or, after it failed, by the next one.</summary>
    public bool AnsweredWithinOneRetry => AnsweredAttempt is 1 or 2;
}
