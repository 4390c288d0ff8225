using Azure;
using Azure.Data.Tables;

namespace Reputation.Storage;

/// <summary>The few table operations grain state needs; an Azure table in the service, a fake in tests.</summary>
internal interface IStateTable
{
    string Name { get; }

    Task CreateIfNotExistsAsync(CancellationToken cancellationToken);

    /// <summary>The row, or null when there is none.</summary>
    Task<TableEntity?> GetAsync(string partitionKey, string rowKey, CancellationToken cancellationToken);

    /// <summary>Whether the table holds any row at all.</summary>
    Task<bool> AnyAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Applies the actions (one partition, at most 100, distinct rows) as one entity-group
    /// transaction, all or nothing, and answers each row's new ETag in order (null for a delete).
    /// Throws <see cref="TableBatchRefusedException"/> when the table refused the transaction: then
    /// nothing of it was applied. Any other exception means the outcome is unknown.
    /// </summary>
    Task<IReadOnlyList<string?>> SubmitAsync(IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken);
}

/// <summary>
/// The table refused a transaction (a 4xx answer): nothing of it was stored. <see cref="FailedIndex"/>
/// names the action that caused it when the table said which.
/// </summary>
internal sealed class TableBatchRefusedException(int? failedIndex, int status, string? errorCode, Exception inner)
    : Exception($"The table refused the transaction ({status} {errorCode}{(failedIndex is { } i ? $", action {i}" : "")}).", inner)
{
    public int? FailedIndex { get; } = failedIndex;

    public int Status { get; } = status;

    public string? ErrorCode { get; } = errorCode;

    /// <summary>
    /// An optimistic-concurrency failure of the named row: its ETag is no longer the stored one (412),
    /// it was added but exists (409), or it was updated or deleted but is gone (404).
    /// </summary>
    public bool IsConditionFailed => Status is 409 or 412 || (Status == 404 && ErrorCode != "TableNotFound");
}

/// <summary>An Azure table (Azurite locally) through Azure.Data.Tables.</summary>
internal sealed class AzureStateTable(TableClient client) : IStateTable
{
    public string Name => client.Name;

    public Task CreateIfNotExistsAsync(CancellationToken cancellationToken) => client.CreateIfNotExistsAsync(cancellationToken);

    public async Task<TableEntity?> GetAsync(string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        var response = await client.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    public async Task<bool> AnyAsync(CancellationToken cancellationToken)
    {
        await foreach (var page in client.QueryAsync<TableEntity>(maxPerPage: 1, select: ["PartitionKey"], cancellationToken: cancellationToken).AsPages())
        {
            // A page may come back empty with a continuation (the service stopped scanning early).
            if (page.Values.Count > 0)
            {
                return true;
            }
        }

        return false;
    }

    public async Task<IReadOnlyList<string?>> SubmitAsync(IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.SubmitTransactionAsync(actions, cancellationToken);
            return [.. response.Value.Select(r => r.Headers.ETag?.ToString())];
        }
        catch (TableTransactionFailedException ex) when (IsRefusal(ex.Status))
        {
            throw new TableBatchRefusedException(ex.FailedTransactionActionIndex, ex.Status, ex.ErrorCode, ex);
        }
        catch (RequestFailedException ex) when (IsRefusal(ex.Status))
        {
            throw new TableBatchRefusedException(null, ex.Status, ex.ErrorCode, ex);
        }
    }

    /// <summary>A 4xx other than a timeout or throttling: the request itself was refused, not lost.</summary>
    private static bool IsRefusal(int status) => status is >= 400 and < 500 and not 408 and not 429;
}
