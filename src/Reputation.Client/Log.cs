using Microsoft.Extensions.Logging;

namespace Reputation.Client;

internal static partial class Log
{
    // Only the decision kind and the cause: account ids, IPs and keys stay out of the log.
    [LoggerMessage(5001, LogLevel.Warning, "Reputation {Kind} decision used the configured fallback: {Cause}")]
    public static partial void DecisionFellBack(this ILogger logger, string kind, string cause);

    [LoggerMessage(5002, LogLevel.Warning, "Reputation ingest attempt {Attempt} failed ({Cause}); retrying in {Delay}")]
    public static partial void IngestRetrying(this ILogger logger, int attempt, string cause, TimeSpan delay);
}
