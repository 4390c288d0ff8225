using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Reputation.Storage;

/// <summary>Batched grain storage on Azure Table storage (<see cref="BatchedTableGrainStorage"/>).</summary>
public sealed class BatchedTableStorageOptions
{
    public const int DefaultPartitions = 32;
    public const int DefaultMaxConcurrentBatches = 8;

    /// <summary>The storage account (Azurite locally).</summary>
    public TableServiceClient? TableServiceClient { get; set; }

    public string TableName { get; set; } = "ReputationGrainState";

    /// <summary>
    /// Partitions the grain rows are spread over (a transaction holds rows of one partition). Fixed
    /// for a table's life: the table records it and a silo configured otherwise refuses to start.
    /// </summary>
    public int Partitions { get; set; } = DefaultPartitions;

    /// <summary>Transactions in flight at once, over all partitions.</summary>
    public int MaxConcurrentBatches { get; set; } = DefaultMaxConcurrentBatches;

    /// <summary>Rows per transaction, at most 100 (Azure Table's bound).</summary>
    public int MaxRowsPerBatch { get; set; } = BatchLimits.TableMaxRows;

    /// <summary>When in the silo's start the table is opened (Orleans' storage providers use the same stage).</summary>
    public int InitStage { get; set; } = ServiceLifecycleStage.ApplicationServices;
}

/// <summary>
/// Orleans grain storage on Azure Table storage that stores the writes of many grains in one
/// entity-group transaction (<see cref="TableWriteBatcher"/>): each grain has one row, in one of a
/// fixed set of partitions chosen by a hash of its id, with its own ETag, so optimistic concurrency
/// holds per grain as with Orleans' per-grain table provider. A write completes only when its row
/// is stored. State is serialised by the silo's <see cref="IGrainStorageSerializer"/> and held in
/// the row as Orleans' table provider holds it (binary properties <c>Data</c>, <c>Data1</c>, …, at
/// most 960 KiB; a larger state is refused with an error naming its size).
/// <para>
/// A table written before by Orleans' per-grain provider is still read: a grain with no row of its
/// own whose per-grain row exists gets that state, copied into its own row on first read.
/// </para>
/// </summary>
public sealed partial class BatchedTableGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly string _name;
    private readonly BatchedTableStorageOptions _options;
    private readonly IStateTable _table;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activators;
    private readonly string _serviceId;
    private readonly ILogger _logger;
    private readonly StorageMetrics? _metrics;
    private readonly string[] _partitionKeys;
    private TableWriteBatcher? _batcher;
    private bool _perGrainRows;

    internal BatchedTableGrainStorage(string name, BatchedTableStorageOptions options, IStateTable table, IGrainStorageSerializer serializer, IActivatorProvider activators, string serviceId, ILogger<BatchedTableGrainStorage> logger, StorageMetrics? metrics)
    {
        (_name, _options, _table, _serializer, _activators, _serviceId, _logger, _metrics) = (name, options, table, serializer, activators, serviceId, logger, metrics);
        _partitionKeys = [.. Enumerable.Range(0, options.Partitions).Select(p => StateRows.PartitionKey(serviceId, p))];
    }

    /// <summary>Writes waiting for a transaction while others are in flight.</summary>
    internal int WritesWaiting => _batcher?.Waiting ?? 0;

    private TableWriteBatcher Batcher => _batcher ?? throw new InvalidOperationException($"Grain storage '{_name}' is used before the silo opened its table.");

    public static BatchedTableGrainStorage Create(IServiceProvider services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.GetRequiredService<IOptionsMonitor<BatchedTableStorageOptions>>().Get(name);
        var client = options.TableServiceClient
            ?? throw new InvalidOperationException($"Batched table storage '{name}' has no TableServiceClient configured.");
        return new BatchedTableGrainStorage(
            name,
            options,
            new AzureStateTable(client.GetTableClient(options.TableName)),
            services.GetRequiredService<IGrainStorageSerializer>(),
            services.GetRequiredService<IActivatorProvider>(),
            services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId,
            services.GetRequiredService<ILogger<BatchedTableGrainStorage>>(),
            services.GetService<StorageMetrics>());
    }

    /// <summary>
    /// The partition count the table records (null: batched storage never opened it), for a host to
    /// check before it starts its silo: a silo configured with another count does not start.
    /// </summary>
    public static async Task<int?> StoredPartitionsAsync(TableServiceClient client, string tableName, string serviceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            return await StateLayout.StoredPartitionsAsync(new AzureStateTable(client.GetTableClient(tableName)), serviceId, cancellationToken);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            // No table yet: the silo creates it.
            return null;
        }
    }

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe($"{nameof(BatchedTableGrainStorage)}-{_name}", _options.InitStage, OpenAsync, CloseAsync);
    }

    /// <summary>Opens the table (creates it, reads or writes its layout row) and starts taking writes.</summary>
    internal async Task OpenAsync(CancellationToken cancellationToken)
    {
        _perGrainRows = await StateLayout.OpenAsync(_table, _serviceId, _options.Partitions, cancellationToken);
        _batcher = new TableWriteBatcher(
            _table,
            p => _partitionKeys[p],
            new BatchLimits(_options.Partitions, _options.MaxConcurrentBatches, _options.MaxRowsPerBatch),
            _logger,
            _metrics);
        LogOpened(_logger, _name, _table.Name, _options.Partitions, _perGrainRows);
    }

    /// <summary>At shutdown, writes already asked for are still stored (as long as the silo may take).</summary>
    private async Task CloseAsync(CancellationToken cancellationToken)
    {
        if (_batcher is { } batcher)
        {
            try
            {
                await batcher.DrainAsync().WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var rowKey = StateRows.RowKey(stateName, grainId);
        var partition = StateRows.Partition(rowKey, _options.Partitions);
        var row = await _table.GetAsync(_partitionKeys[partition], rowKey, CancellationToken.None);
        if (row is null && _perGrainRows && await CopyPerGrainRowAsync(stateName, grainId, rowKey, partition) is { } copied)
        {
            Set(grainState, copied.Data, copied.ETag);
            return;
        }

        if (row is null)
        {
            grainState.State = Create<T>();
            grainState.RecordExists = false;
            grainState.ETag = null;
            return;
        }

        Set(grainState, StateRows.Load(row), row.ETag.ToString());
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var rowKey = StateRows.RowKey(stateName, grainId);
        // Serialised now, as the state is at the call: the grain may change it while the write waits.
        var data = StateRows.Bytes(_serializer.Serialize(grainState.State));
        if (data.Length > StateRows.MaxStateBytes)
        {
            throw new ArgumentOutOfRangeException(
                nameof(grainState),
                data.Length,
                $"The state of {Describe(stateName, grainId)} is {data.Length:N0} bytes serialised; a table row holds at most {StateRows.MaxStateBytes:N0}.");
        }

        await Batcher.WriteAsync(new PendingRow(
            StateRows.Partition(rowKey, _options.Partitions),
            rowKey,
            data,
            () => grainState.ETag,
            etag =>
            {
                grainState.ETag = etag;
                grainState.RecordExists = true;
            },
            () => Describe(stateName, grainId)));
    }

    /// <summary>Deletes the grain's row (conditioned on its ETag); nothing to do when the grain holds none.</summary>
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var rowKey = StateRows.RowKey(stateName, grainId);
        await Batcher.WriteAsync(new PendingRow(
            StateRows.Partition(rowKey, _options.Partitions),
            rowKey,
            data: null,
            () => grainState.ETag,
            _ =>
            {
                grainState.ETag = null;
                grainState.RecordExists = false;
            },
            () => Describe(stateName, grainId)));
        grainState.State = Create<T>();
    }

    /// <summary>
    /// The grain's row as Orleans' per-grain provider wrote it (same table, its keys), copied into the
    /// grain's own row so that its writes and a clear from now on find one row; null when there is none.
    /// </summary>
    private async Task<(byte[] Data, string ETag)?> CopyPerGrainRowAsync(string stateName, GrainId grainId, string rowKey, int partition)
    {
        var old = await _table.GetAsync(PerGrainKey($"{_serviceId}_{grainId}"), PerGrainKey(stateName), CancellationToken.None);
        if (old is null)
        {
            return null;
        }

        var data = StateRows.Load(old);
        string? etag = null;
        try
        {
            await Batcher.WriteAsync(new PendingRow(partition, rowKey, data, () => null, e => etag = e, () => Describe(stateName, grainId)));
        }
        catch (InconsistentStateException)
        {
            // Another activation copied it first: its row is the grain's row now.
            return await _table.GetAsync(_partitionKeys[partition], rowKey, CancellationToken.None) is { } row
                ? (StateRows.Load(row), row.ETag.ToString())
                : throw new InconsistentStateException($"The row of {Describe(stateName, grainId)} was copied and removed while it was read.");
        }

        LogCopied(_logger, Describe(stateName, grainId));
        return (data, etag!);
    }

    private void Set<T>(IGrainState<T> grainState, byte[] data, string etag)
    {
        var state = data.Length > 0 ? _serializer.Deserialize<T>(new BinaryData(data)) : default;
        grainState.State = state ?? Create<T>();
        grainState.RecordExists = state is not null;
        grainState.ETag = etag;
    }

    private T Create<T>() => _activators.GetActivator<T>().Create();

    /// <summary>Names the grain by its type and state only: grain keys are account ids and addresses, kept out of logs.</summary>
    private static string Describe(string stateName, GrainId grainId) => $"a {grainId.Type} grain (state {stateName})";

    /// <summary>Orleans' per-grain provider's key sanitising (it replaces these four characters with '_').</summary>
    private static string PerGrainKey(string key) => key.Replace('/', '_').Replace('\\', '_').Replace('#', '_').Replace('?', '_');

    [LoggerMessage(4001, LogLevel.Information, "Grain storage {Name}: table {Table}, {Partitions} partitions, batched writes; rows of the per-grain provider read: {PerGrainRows}")]
    private static partial void LogOpened(ILogger logger, string name, string table, int partitions, bool perGrainRows);

    [LoggerMessage(4002, LogLevel.Debug, "Copied the per-grain row of {Grain} into its batched row")]
    private static partial void LogCopied(ILogger logger, string grain);
}
