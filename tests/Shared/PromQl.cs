using System.Text.Json;
using System.Text.RegularExpressions;

namespace Reputation.Testing;

/// <summary>
/// The metric names PromQL expressions read, for checking the alert rules and the Grafana dashboard
/// against what the service exports and what docs/operations.md lists. Only names with the prefixes
/// of the service's own meters (reputation_, orleans_, http_server_, dotnet_, target_info) and
/// Prometheus's own up are taken: label names and values never carry those prefixes.
/// </summary>
internal static partial class PromQl
{
    /// <summary>Every metric name in <paramref name="expression"/>, as written (histogram suffixes kept).</summary>
    public static IEnumerable<string> MetricNames(string expression) =>
        MetricName().Matches(QuotedString().Replace(expression, "\"\"")).Select(m => m.Value).Distinct(StringComparer.Ordinal);

    /// <summary>The instrument a series name belongs to: <c>x_bucket</c>, <c>x_count</c>, <c>x_sum</c> are <c>x</c>.</summary>
    public static string Instrument(string metric) => HistogramSuffix().Replace(metric, "");

    /// <summary>Every <c>expr</c> of every target of every panel of a Grafana dashboard, by panel title.</summary>
    public static IEnumerable<(string Panel, string Expression)> DashboardExpressions(JsonElement dashboard)
    {
        foreach (var panel in Panels(dashboard))
        {
            if (panel.TryGetProperty("targets", out var targets))
            {
                foreach (var target in targets.EnumerateArray())
                {
                    yield return (panel.GetProperty("title").GetString() ?? "", target.GetProperty("expr").GetString() ?? "");
                }
            }
        }
    }

    /// <summary>Every panel, rows' nested panels included.</summary>
    public static IEnumerable<JsonElement> Panels(JsonElement dashboard)
    {
        foreach (var panel in dashboard.GetProperty("panels").EnumerateArray())
        {
            yield return panel;
            if (panel.TryGetProperty("panels", out var nested))
            {
                foreach (var inner in nested.EnumerateArray())
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>A dashboard expression as Prometheus would receive it: Grafana's variables replaced.</summary>
    public static string Resolve(string expression) =>
        expression.Replace("$__rate_interval", "5m", StringComparison.Ordinal).Replace("$job", "reputation", StringComparison.Ordinal);

    [GeneratedRegex(@"\b(?:(?:reputation|orleans|http_server|dotnet)_[a-z0-9_]+|target_info|up)\b(?!\s*\()")]
    private static partial Regex MetricName();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex QuotedString();

    [GeneratedRegex("_(bucket|count|sum)$")]
    private static partial Regex HistogramSuffix();
}
