using Azure.Data.Tables;

namespace Reputation.Storage;

/// <summary>
/// The table's layout row: how many partitions its grain rows are spread over, and whether the
/// table held rows of Orleans' per-grain table provider when batched storage first opened it. A
/// grain's partition is its hash modulo the count, so the count is fixed for the table's life: a
/// silo configured with another count refuses to start rather than look for every grain in the
/// wrong partition.
/// </summary>
internal static class StateLayout
{
    private const string LayoutRow = "layout";
    private const string PartitionsProperty = "Partitions";
    private const string PerGrainRowsProperty = "PerGrainRows";

    /// <summary>Reads the layout row, writing it first if the table has none; fails when the partition count differs.</summary>
    /// <returns>Whether the table also holds rows of the per-grain provider, to be read when a grain has no row of its own.</returns>
    public static async Task<bool> OpenAsync(IStateTable table, string serviceId, int partitions, CancellationToken cancellationToken)
    {
        await table.CreateIfNotExistsAsync(cancellationToken);
        var partitionKey = PartitionKey(serviceId);
        for (var attempt = 0; ; attempt++)
        {
            if (await table.GetAsync(partitionKey, LayoutRow, cancellationToken) is { } row)
            {
                return Mismatch(table.Name, row, partitions) is { } problem
                    ? throw new InvalidOperationException(problem)
                    : row.GetBoolean(PerGrainRowsProperty) ?? false;
            }

            // No layout row yet: batched storage opens this table for the first time. Whatever it
            // holds already was written one row per grain.
            var perGrainRows = await table.AnyAsync(cancellationToken);
            var layout = new TableEntity(partitionKey, LayoutRow)
            {
                [PartitionsProperty] = partitions,
                [PerGrainRowsProperty] = perGrainRows,
            };
            try
            {
                await table.SubmitAsync([new TableTransactionAction(TableTransactionActionType.Add, layout)], cancellationToken);
                return perGrainRows;
            }
            catch (TableBatchRefusedException refused) when (refused.IsConditionFailed && attempt == 0)
            {
                // Another silo wrote it first: read theirs.
            }
        }
    }

    /// <summary>The partition count the table records, or null when it records none (batched storage never opened it).</summary>
    public static async Task<int?> StoredPartitionsAsync(IStateTable table, string serviceId, CancellationToken cancellationToken) =>
        (await table.GetAsync(PartitionKey(serviceId), LayoutRow, cancellationToken))?.GetInt32(PartitionsProperty);

    private static string PartitionKey(string serviceId) => StateRows.Escape(serviceId) + "~layout";

    private static string? Mismatch(string tableName, TableEntity row, int partitions) =>
        row.GetInt32(PartitionsProperty) is { } stored && stored != partitions
            ? $"Table {tableName} holds grain state in {stored} partitions, but {partitions} are configured: with another count every grain " +
              $"would be looked for in the wrong partition. Configure {stored}, or use a new table."
            : null;
}
