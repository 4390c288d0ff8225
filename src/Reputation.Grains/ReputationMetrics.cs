using System.Diagnostics.Metrics;

namespace Reputation.Grains;

/// <summary>The grains' instruments, on the one <c>Reputation</c> meter.</summary>
public sealed class ReputationMetrics
{
    public const string MeterName = "Reputation";

    private readonly Counter<long> _propagationMessages;
    private readonly Histogram<long> _propagationFanOut;

    public ReputationMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _propagationMessages = meter.CreateCounter<long>("reputation.propagation.messages", description: "Risk-change notifications sent between grains");
        _propagationFanOut = meter.CreateHistogram<long>("reputation.propagation.fanout", description: "Notifications sent per risk change");
    }

    public void Propagated(string from, long sent)
    {
        _propagationMessages.Add(sent, new KeyValuePair<string, object?>("from", from));
        _propagationFanOut.Record(sent, new KeyValuePair<string, object?>("from", from));
    }
}
