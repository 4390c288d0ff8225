using System.Diagnostics.Metrics;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Reputation.Api.Hosting;
using Reputation.Grains;
using Reputation.Grains.State;
using Reputation.Storage.Log;

namespace Reputation.Api.Features.Events;

/// <summary>
/// The silo's write-ahead log of ingested batches (docs/decisions/0039-write-ahead-log-ingest.md).
/// A batch is appended (group commit: the batches that arrive while an append is in flight go in
/// the next one) to the silo's current segment, an append blob it holds under a lease; only once
/// stored is it applied to the grains, which write behind. Every checkpoint interval the segment is
/// sealed, and once its batches are applied, the grains that deferred writes are stored (entities
/// first, accounts last; each account has the entities its events reached stored before itself, so
/// batches keep being applied meanwhile) and the sealed segments are deleted. At
/// start the segments a previous process left are taken over (their leases broken), applied again
/// and retired before the first batch is accepted.
/// </summary>
public sealed partial class IngestLog : BackgroundService
{
    /// <summary>An append blob holds at most 50,000 appends; sealed a little before.</summary>
    private const int MaxAppendsPerSegment = 49_000;

    private readonly IngestOptions _options;
    private readonly BlobContainerClient _container;
    private readonly ILocalSiloDetails _silo;
    private readonly WriteBehind _writeBehind;
    private readonly IGrainFactory _grains;
    private readonly Serializer<LoggedBatch> _serializer;
    private readonly IngestApplier _applier;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<IngestLog> _logger;
    private readonly LogGroupCommit<Segment> _commit;
    private readonly SemaphoreSlim _segments = new(1, 1);
    private readonly List<Segment> _sealed = [];
    private readonly string _incarnation = DateTime.UtcNow.Ticks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);
    private readonly Histogram<int> _batchesPerAppend;
    private readonly Counter<long> _checkpoints;
    private readonly Histogram<double> _checkpointSeconds;
    private Segment? _current;
    private int _segmentNumber;
    private readonly SemaphoreSlim _repair = new(1, 1);
    private long _repairedLost;
    private volatile bool _ready;
    private volatile bool _fenced;

    public IngestLog(
        IOptions<IngestOptions> options,
        IOptions<StorageOptions> storage,
        ILocalSiloDetails silo,
        WriteBehind writeBehind,
        IGrainFactory grains,
        Serializer<LoggedBatch> serializer,
        IngestApplier applier,
        IHostApplicationLifetime lifetime,
        IMeterFactory meters,
        ILogger<IngestLog> logger)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _options = options.Value;
        _container = new BlobContainerClient(storage.Value.ConnectionString, _options.LogContainer);
        _silo = silo;
        _writeBehind = writeBehind;
        _writeBehind.Enabled = true;
        _writeBehind.LostByEntity += StopOnEntityLoss;
        _grains = grains;
        _serializer = serializer;
        _applier = applier;
        _lifetime = lifetime;
        _logger = logger;
        _commit = new LogGroupCommit<Segment>(AppendFrameAsync);
        var meter = meters.Create("Reputation");
        _batchesPerAppend = meter.CreateHistogram<int>("reputation.ingest.log.batches_per_append", description: "Ingest batches carried by one append to the write-ahead log");
        _checkpoints = meter.CreateCounter<long>("reputation.ingest.log.checkpoints", description: "Write-behind checkpoints of the write-ahead log, by outcome");
        _checkpointSeconds = meter.CreateHistogram<double>("reputation.ingest.log.checkpoint.duration", unit: "s", description: "How long a checkpoint took, from sealing to retiring");
    }

    /// <summary>Whether batches are accepted: the previous process's segments are applied and retired, and this writer was not fenced off.</summary>
    public bool Ready => _ready && !_fenced;

    /// <summary>
    /// Logs the batch, then applies it; completes when both are done. Throws
    /// <see cref="IngestLogUnavailableException"/> (503) when the log is not ready or the append
    /// failed or was refused: then nothing was applied.
    /// </summary>
    public async Task<Reputation.Grains.Provenance.RecordedEvents[]> LogAndApplyAsync(string sender, IReadOnlyList<KeyValuePair<string, List<AccountEvent>>> byAccount)
    {
        if (!_ready)
        {
            throw new IngestLogUnavailableException("the silo is still applying the log its previous process left");
        }

        if (_fenced)
        {
            throw new IngestLogUnavailableException("this silo's log segment was taken over by another process");
        }

        if (_writeBehind.Lost != Volatile.Read(ref _repairedLost))
        {
            try
            {
                await RepairAsync();
            }
            catch (Exception ex)
            {
                throw new IngestLogUnavailableException("the log could not be applied again after an account lost what it had not stored", ex);
            }
        }

        var record = _serializer.SerializeToArray(new LoggedBatch
        {
            Sender = sender,
            Accounts = [.. byAccount.Select(a => new LoggedAccountEvents { AccountId = a.Key, Events = [.. a.Value] })],
        });
        Segment segment;
        try
        {
            segment = await _commit.AppendAsync(record);
        }
        catch (Exception ex) when (ex is not IngestLogUnavailableException)
        {
            throw new IngestLogUnavailableException(ex is LogFencedException ? "this silo's log segment was taken over by another process" : "the log append failed", ex);
        }

        try
        {
            return await ApplyAsync(sender, byAccount);
        }
        finally
        {
            segment.Applies.Applied();
        }
    }

    private async Task<Reputation.Grains.Provenance.RecordedEvents[]> ApplyAsync(string sender, IReadOnlyList<KeyValuePair<string, List<AccountEvent>>> byAccount)
    {
        using var applying = WriteBehind.Applying();
        return await _applier.ApplyAsync(sender, byAccount);
    }

    private async Task<Segment> AppendFrameAsync(ReadOnlyMemory<byte> payload, int records)
    {
        await _segments.WaitAsync();
        try
        {
            if (_fenced)
            {
                throw new IngestLogUnavailableException("this silo's log segment was taken over by another process");
            }

            var segment = _current ??= await OpenSegmentAsync();
            int appends;
            try
            {
                appends = await segment.Log.AppendAsync(payload);
            }
            catch (LogFencedException)
            {
                _fenced = true;
                LogFenced(_logger);
                throw;
            }
            catch (Exception)
            {
                // Whether it landed is unknown: later appends go to a new segment.
                SealCurrent();
                throw;
            }

            segment.Bytes += payload.Length + LogFrames.HeaderSize;
            segment.Applies.Stored(records);
            _batchesPerAppend.Record(records);
            if (appends >= MaxAppendsPerSegment || segment.Bytes >= _options.SegmentMaxMegabytes * 1024L * 1024L)
            {
                SealCurrent();
            }

            return segment;
        }
        finally
        {
            _segments.Release();
        }
    }

    private async Task<Segment> OpenSegmentAsync()
    {
        var endpoint = _silo.SiloAddress.Endpoint;
        var name = $"{endpoint.Address}-{endpoint.Port}/{_incarnation}-{++_segmentNumber:D6}";
        var blob = _container.GetAppendBlobClient(name);
        return new Segment(blob, await AppendBlobLog.OpenAsync(blob));
    }

    /// <summary>Under <see cref="_segments"/>: no more appends to the current segment.</summary>
    private void SealCurrent()
    {
        if (_current is { } current)
        {
            current.Applies.Seal();
            _sealed.Add(current);
            _current = null;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The silo takes calls once the host has started (it is a hosted service started before this one).
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (_lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        while (!_ready)
        {
            try
            {
                await RecoverAsync(stoppingToken);
                _ready = true;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogRecoveryFailed(_logger, ex.GetType().Name, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }

        using var timer = new PeriodicTimer(_options.CheckpointInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await CheckpointOnceAsync(stoppingToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_ready && !_fenced)
        {
            // Before the silo stops: what was written behind is stored and the log retired, so an
            // orderly restart has nothing to apply again (a failure here leaves it for the next start).
            await CheckpointOnceAsync(cancellationToken);
        }
    }

    private async Task CheckpointOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var retired = await CheckpointAsync();
            _checkpoints.Add(1, new KeyValuePair<string, object?>("outcome", retired ? "retired" : "nothing"));
            if (retired)
            {
                _checkpointSeconds.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            _checkpoints.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
            LogCheckpointFailed(_logger, ex.GetType().Name, ex);
        }
    }

    /// <summary>
    /// Seals the current segment, waits for its batches to be applied, stores every grain that
    /// deferred a write and deletes the sealed segments. True when segments were retired.
    /// </summary>
    internal async Task<bool> CheckpointAsync()
    {
        List<Segment> sealedNow;
        await _segments.WaitAsync();
        try
        {
            if (_current is { Applies.Records: > 0 })
            {
                SealCurrent();
            }

            sealedNow = [.. _sealed];
        }
        finally
        {
            _segments.Release();
        }

        if (sealedNow.Count == 0 && _writeBehind.Count == 0)
        {
            return false;
        }

        await Task.WhenAll(sealedNow.Select(s => s.Applies.Drained));
        await RepairAsync();
        var lost = Volatile.Read(ref _repairedLost);

        await StoreDeferredAsync();

        if (_writeBehind.Lost != lost)
        {
            // Lost meanwhile: the next checkpoint applies them again first.
            return false;
        }

        foreach (var segment in sealedNow)
        {
            await segment.Log.DeleteAsync();
            await _segments.WaitAsync();
            _sealed.Remove(segment);
            _segments.Release();
        }

        return sealedNow.Count > 0;
    }

    /// <summary>
    /// After an account lost effects it had not stored (deactivated: its write failed, or it went
    /// idle), applies every unretired segment again, the current one sealed first, before the next
    /// batch is applied or a segment retired: the account lacks those events and its entities still
    /// hold their ids, so each counts once (0039, "A grain that loses what it deferred").
    /// </summary>
    private async Task RepairAsync()
    {
        await _repair.WaitAsync();
        try
        {
            var lost = _writeBehind.Lost;
            if (lost == Volatile.Read(ref _repairedLost))
            {
                return;
            }

            List<Segment> segments;
            await _segments.WaitAsync();
            try
            {
                SealCurrent();
                segments = [.. _sealed];
            }
            finally
            {
                _segments.Release();
            }

            foreach (var segment in segments)
            {
                await ReplayAsync(segment.Blob);
            }

            Volatile.Write(ref _repairedLost, lost);
        }
        finally
        {
            _repair.Release();
        }
    }

    /// <summary>
    /// Stores every grain that deferred a write: linked entities and other grains first, accounts last
    /// (each account also stores the entities its deferred events reached before itself, whatever
    /// they took since: the order holds while batches are applied).
    /// </summary>
    private async Task StoreDeferredAsync()
    {
        var dirty = _writeBehind.Snapshot();
        foreach (var phase in dirty.GroupBy(d => d.Value.Account).OrderBy(g => g.Key))
        {
            await Parallel.ForEachAsync(phase, new ParallelOptions { MaxDegreeOfParallelism = 1000 }, async (grain, _) =>
            {
                await _grains.GetGrain<IWriteBehindGrain>(grain.Key).StoreDeferredAsync();
                _writeBehind.Stored(grain.Key, grain.Value);
            });
        }
    }

    /// <summary>Takes over what a previous process of this service left in the log, applies it again, stores it and retires it.</summary>
    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var names = new List<string>();
        await foreach (var item in _container.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            names.Add(item.Name);
        }

        names.Sort(StringComparer.Ordinal);
        var taken = new List<AppendBlobLog>();
        long batches = 0;
        foreach (var name in names)
        {
            var blob = _container.GetAppendBlobClient(name);
            taken.Add(await AppendBlobLog.TakeOverAsync(blob, cancellationToken));
            batches += await ReplayAsync(blob);
        }

        if (taken.Count > 0)
        {
            await StoreDeferredAsync();
            foreach (var log in taken)
            {
                await log.DeleteAsync(cancellationToken);
            }

            LogRecovered(_logger, taken.Count, batches);
        }

        Volatile.Write(ref _repairedLost, _writeBehind.Lost);
    }

    /// <summary>Applies every batch of a segment again, in order; answers how many.</summary>
    private async Task<long> ReplayAsync(AppendBlobClient blob)
    {
        var contents = await AppendBlobLog.ReadAsync(blob);
        long batches = 0;
        foreach (var payload in contents.Payloads)
        {
            foreach (var record in LogRecords.Unpack(payload))
            {
                var batch = _serializer.Deserialize(record) ?? throw new InvalidDataException("an empty record in the write-ahead log");
                var byAccount = batch.Accounts.Select(a => new KeyValuePair<string, List<AccountEvent>>(a.AccountId, [.. a.Events])).ToList();
                await ApplyAsync(batch.Sender, byAccount);

                batches++;
            }
        }

        return batches;
    }

    /// <summary>
    /// An entity lost changes only the log holds while accounts keep the events (0039, "A grain that
    /// loses what it deferred"): replaying in this process would count them as duplicates, so the
    /// process stops at once, as a kill would, before any account stores them; its restart replays the log.
    /// </summary>
    private void StopOnEntityLoss()
    {
        _fenced = true;
        LogEntityLost(_logger);
        Environment.FailFast("reputation: an entity lost write-behind changes it had not stored; stopping so that a restart replays the write-ahead log");
    }

    private sealed class Segment(AppendBlobClient blob, AppendBlobLog log)
    {
        public AppendBlobClient Blob { get; } = blob;

        public AppendBlobLog Log { get; } = log;

        public SegmentApplies Applies { get; } = new();

        public long Bytes { get; set; }
    }

    [LoggerMessage(2101, LogLevel.Information, "Write-ahead log: applied again and retired {Segments} segments ({Batches} batches) left by the previous process")]
    private static partial void LogRecovered(ILogger logger, int segments, long batches);

    [LoggerMessage(2102, LogLevel.Warning, "Write-ahead log: the previous process's segments could not be applied ({ExceptionType}); ingest answers 503 until they are")]
    private static partial void LogRecoveryFailed(ILogger logger, string exceptionType, Exception exception);

    [LoggerMessage(2103, LogLevel.Warning, "Write-ahead log: a checkpoint failed ({ExceptionType}); its segments are kept and the next checkpoint tries again")]
    private static partial void LogCheckpointFailed(ILogger logger, string exceptionType, Exception exception);

    [LoggerMessage(2105, LogLevel.Critical, "Write-ahead log: an entity lost write-behind changes it had not stored (its stored version changed under it); the process stops so that a restart replays the log")]
    private static partial void LogEntityLost(ILogger logger);

    [LoggerMessage(2104, LogLevel.Error, "Write-ahead log: this silo's segment was taken over by another process; ingest answers 503 from now on")]
    private static partial void LogFenced(ILogger logger);
}

/// <summary>The write-ahead log did not store a batch (or is not ready): nothing of it was applied; answered 503.</summary>
public sealed class IngestLogUnavailableException(string reason, Exception? inner = null) : Exception($"The batch was not logged: {reason}.", inner);

/// <summary>Not ready while the log's previous segments are being applied, or once this writer was fenced off.</summary>
internal sealed class IngestLogHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(services.GetService<IngestLog>() is not { Ready: false }
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("the write-ahead log is not accepting batches"));
}
