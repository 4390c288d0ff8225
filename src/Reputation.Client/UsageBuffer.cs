using System.Globalization;
using System.IO.Hashing;
using System.Text;
using Reputation.Contracts;

namespace Reputation.Client;

/// <summary>Settings of a <see cref="UsageBuffer"/>.</summary>
public sealed class UsageBufferOptions
{
    /// <summary>How often summaries of the seconds that ended are sent. Default 1 s.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Summaries held at most (unsent, or waiting for a retry); past it new seconds are dropped and counted. Default 100,000.</summary>
    public int MaxPendingSummaries { get; set; } = 100_000;

    /// <summary>Events per call; the service takes 1..1000. Default 1000.</summary>
    public int MaxBatchSize { get; set; } = 1000;
}

/// <summary>
/// A gateway's usage buffer: record each model request as it happens, and the buffer sends one usage
/// event per account, second and IP address — request count, tokens, the fingerprints of the distinct
/// prompts (never the prompts) and their mean <see cref="ReasoningElicitation"/> score — in batches,
/// once the second is over. Event ids are derived from (account, second, address), so a summary
/// sent again after a failure counts once. Recording never blocks on the network.
/// </summary>
public sealed class UsageBuffer : IAsyncDisposable
{
    /// <summary>The service takes at most this many fingerprints in one usage event.</summary>
    public const int MaxFingerprints = 64;

    private readonly ReputationClient _client;
    private readonly UsageBufferOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Account, long Second, string Ip), Summary> _open = [];
    private readonly List<IngestEvent> _ready = [];
    private readonly ITimer _timer;
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private long _sent;
    private long _dropped;
    private long _failedFlushes;

    /// <summary>Starts a buffer that flushes every <see cref="UsageBufferOptions.FlushInterval"/>.</summary>
    /// <param name="client">Sends the batches (with its ingest timeout and retries).</param>
    /// <param name="options">Flush interval, bounds, batch size.</param>
    /// <param name="time">The clock (tests move it); the system clock by default.</param>
    public UsageBuffer(ReputationClient client, UsageBufferOptions? options = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _options = options ?? new UsageBufferOptions();
        if (_options.MaxBatchSize is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.MaxBatchSize, "MaxBatchSize must be 1 to 1000.");
        }

        _time = time ?? TimeProvider.System;
        _timer = _time.CreateTimer(_ => _ = FlushEndedAsync(), null, _options.FlushInterval, _options.FlushInterval);
    }

    /// <summary>Usage events the service answered (accepted or duplicate).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Summaries dropped because <see cref="UsageBufferOptions.MaxPendingSummaries"/> were already held.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Flushes that failed (their summaries are kept and sent again).</summary>
    public long FailedFlushes => Interlocked.Read(ref _failedFlushes);

    /// <summary>Records one model request of an account, now.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="ip">The caller's IP address.</param>
    /// <param name="prompt">The prompt text: fingerprinted and scored here, never sent. Optional.</param>
    /// <param name="inputTokens">Input tokens of the request.</param>
    /// <param name="outputTokens">Output tokens of the answer.</param>
    /// <param name="model">The model asked.</param>
    public void Record(string accountId, string ip, string? prompt = null, long inputTokens = 0, long outputTokens = 0, string? model = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        ArgumentException.ThrowIfNullOrEmpty(ip);
        var fingerprint = string.IsNullOrWhiteSpace(prompt) ? null : PromptFingerprint.Compute(prompt);
        var elicitation = string.IsNullOrWhiteSpace(prompt) ? (double?)null : ReasoningElicitation.Score(prompt);
        var second = _time.GetUtcNow().ToUnixTimeSeconds();
        lock (_lock)
        {
            var key = (accountId, second, ip);
            if (!_open.TryGetValue(key, out var summary))
            {
                if (_open.Count + _ready.Count >= _options.MaxPendingSummaries)
                {
                    _dropped++;
                    return;
                }

                _open[key] = summary = new Summary();
            }

            summary.Add(fingerprint, elicitation, inputTokens, outputTokens, model);
        }
    }

    /// <summary>Sends the summaries of every second that is over (or, with <paramref name="all"/>, of every second).</summary>
    public async Task FlushAsync(bool all = false, CancellationToken cancellationToken = default)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            List<IngestEvent> batch;
            lock (_lock)
            {
                var now = _time.GetUtcNow().ToUnixTimeSeconds();
                foreach (var key in _open.Keys.Where(k => all || k.Second < now).ToList())
                {
                    _ready.Add(_open[key].ToEvent(key.Account, key.Second, key.Ip));
                    _open.Remove(key);
                }

                batch = [.. _ready];
            }

            for (var i = 0; i < batch.Count; i += _options.MaxBatchSize)
            {
                var chunk = batch.GetRange(i, Math.Min(_options.MaxBatchSize, batch.Count - i));
                var result = await _client.IngestAsync(new EventBatch { Events = chunk }, cancellationToken);
                lock (_lock)
                {
                    _ready.RemoveRange(0, chunk.Count);
                }

                Interlocked.Add(ref _sent, result.Accepted + result.Duplicates);
                Interlocked.Add(ref _dropped, result.Rejected.Count);
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    /// <summary>Stops the timer and sends everything held, the current second included.</summary>
    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync();
        await FlushAsync(all: true);
        _flushing.Dispose();
    }

    private async Task FlushEndedAsync()
    {
        try
        {
            await FlushAsync();
        }
        catch (Exception ex) when (ex is ReputationApiException or HttpRequestException or TimeoutException or OperationCanceledException)
        {
            // Kept in the buffer and sent again with the same ids on the next flush.
            Interlocked.Increment(ref _failedFlushes);
        }
    }

    private sealed class Summary
    {
        private readonly List<string> _fingerprints = [];
        private readonly Dictionary<string, int> _models = new(StringComparer.Ordinal);
        private long _requests;
        private long _input;
        private long _output;
        private double _elicitationSum;
        private int _scored;

        public void Add(string? fingerprint, double? elicitation, long input, long output, string? model)
        {
            _requests++;
            _input += Math.Max(0, input);
            _output += Math.Max(0, output);
            if (fingerprint is not null && _fingerprints.Count < MaxFingerprints && !_fingerprints.Contains(fingerprint))
            {
                _fingerprints.Add(fingerprint);
            }

            if (elicitation is { } e)
            {
                _elicitationSum += e;
                _scored++;
            }

            if (model is not null)
            {
                _models[model] = _models.GetValueOrDefault(model) + 1;
            }
        }

        public IngestEvent ToEvent(string account, long second, string ip) => new()
        {
            // The same (account, second, address) always makes the same id: a summary sent again counts once.
            Id = string.Create(CultureInfo.InvariantCulture, $"u-{second}-{XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(ip)):x8}"),
            Type = EventType.Usage,
            AccountId = account,
            OccurredAt = DateTimeOffset.FromUnixTimeSeconds(second),
            Ip = ip,
            Requests = _requests,
            InputTokens = _input,
            OutputTokens = _output,
            PromptFingerprints = _fingerprints.Count > 0 ? [.. _fingerprints] : null,
            ReasoningElicitation = _scored > 0 ? Math.Round(Math.Clamp(_elicitationSum / _scored, 0, 1), 4) : null,
            Model = _models.Count > 0 ? _models.MaxBy(static m => m.Value).Key : null,
        };
    }
}
