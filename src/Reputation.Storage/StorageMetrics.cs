using System.Diagnostics.Metrics;

namespace Reputation.Storage;

/// <summary>
/// <c>reputation.storage.transaction.rows</c>: rows per table transaction the batched grain storage
/// sent, by outcome — how many writes each storage request carries, and how often one was refused
/// (and split) or got no answer. On the service's one <c>Reputation</c> meter.
/// </summary>
public sealed class StorageMetrics
{
    internal const string Stored = "stored";
    internal const string Refused = "refused";
    internal const string Failed = "failed";

    /// <summary>The service's meter (the same name as the grains' metrics use).</summary>
    private const string MeterName = "Reputation";

    private static readonly int[] s_rows = [1, 2, 5, 10, 20, 50, 100];

    private readonly Histogram<int> _rows;

    public StorageMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _rows = meters.Create(MeterName).CreateHistogram(
            "reputation.storage.transaction.rows",
            "{row}",
            "Grain-state rows per table transaction, by outcome (stored, refused, failed)",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = s_rows });
    }

    internal void Transaction(int rows, string outcome) => _rows.Record(rows, new KeyValuePair<string, object?>("outcome", outcome));
}
