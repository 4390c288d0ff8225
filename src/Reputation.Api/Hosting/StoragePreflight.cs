using Azure.Data.Tables;
using Reputation.Storage;

namespace Reputation.Api.Hosting;

/// <summary>
/// Refuses to start against storage that does not answer: a silo that starts anyway fails
/// every write later, far from the cause.
/// </summary>
internal static class StoragePreflight
{
    public static async Task<string?> CheckAsync(StorageOptions options, string serviceId, CancellationToken cancellationToken)
    {
        if (options.Provider != StorageProvider.AzureTable)
        {
            return null;
        }

        TableServiceClient client;
        try
        {
            client = CreateClient(options.ConnectionString, options.StartupTimeout);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            return "Reputation:Storage:ConnectionString is not a valid Azure Storage connection string.";
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.StartupTimeout);
        try
        {
            await client.GetPropertiesAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return $"Table storage at {client.Uri} did not answer within {options.StartupTimeout.TotalSeconds:0.#} s: " +
                "start Azurite (./run.sh starts it) or set Reputation:Storage:ConnectionString.";
        }

        if (options.Writes == StorageWrites.Batched
            && await BatchedTableGrainStorage.StoredPartitionsAsync(client, options.TableName, serviceId, timeout.Token) is { } stored
            && stored != options.Partitions)
        {
            return $"table {options.TableName} holds grain state in {stored} partitions but Reputation:Storage:Partitions is {options.Partitions}: " +
                $"set it to {stored} (the count is fixed for a table's life) or use another Reputation:Storage:TableName.";
        }

        return null;
    }

    public static TableServiceClient CreateClient(string connectionString, TimeSpan? networkTimeout = null)
    {
        var clientOptions = new TableClientOptions();
        if (networkTimeout is { } t)
        {
            clientOptions.Retry.MaxRetries = 0;
            clientOptions.Retry.NetworkTimeout = t;
        }

        return new TableServiceClient(connectionString, clientOptions);
    }
}
