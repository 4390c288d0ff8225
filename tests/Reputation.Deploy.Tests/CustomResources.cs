using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Reputation.Deploy.Tests;

/// <summary>
/// The two Prometheus Operator kinds the chart renders (monitoring.coreos.com/v1), for strict loading.
/// KubernetesClient knows only the built-in kinds; these models carry the fields of the operator's API
/// reference that the chart uses or an operator is likely to add, so a misspelt or misplaced field in
/// a template fails the strict load like one in a Deployment does. A field the operator supports and
/// the model lacks also fails: add it here when the chart starts using it.
/// </summary>
internal static class CustomResources
{
    /// <summary>Built-in kinds resolve through KubernetesClient's own map; these are added to it.</summary>
    public static IDictionary<string, Type> TypeMap { get; } = BuildTypeMap();

    private static Dictionary<string, Type> BuildTypeMap()
    {
        var map = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var type in typeof(V1Deployment).Assembly.GetTypes())
        {
            if (type.GetCustomAttributes(typeof(KubernetesEntityAttribute), false).FirstOrDefault() is KubernetesEntityAttribute entity
                && typeof(IKubernetesObject).IsAssignableFrom(type) && !type.Name.EndsWith("List", StringComparison.Ordinal))
            {
                var apiVersion = string.IsNullOrEmpty(entity.Group) ? entity.ApiVersion : $"{entity.Group}/{entity.ApiVersion}";
                map.TryAdd($"{apiVersion}/{entity.Kind}", type);
            }
        }

        map["monitoring.coreos.com/v1/ServiceMonitor"] = typeof(ServiceMonitor);
        map["monitoring.coreos.com/v1/PrometheusRule"] = typeof(PrometheusRule);
        return map;
    }
}

internal sealed class ServiceMonitor : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = "";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public ServiceMonitorSpec Spec { get; set; } = new();
}

internal sealed class ServiceMonitorSpec
{
    [JsonPropertyName("jobLabel")] public string? JobLabel { get; set; }
    [JsonPropertyName("selector")] public V1LabelSelector Selector { get; set; } = new();
    [JsonPropertyName("namespaceSelector")] public NamespaceSelector? NamespaceSelector { get; set; }
    [JsonPropertyName("endpoints")] public IList<ScrapeEndpoint> Endpoints { get; set; } = [];
}

internal sealed class NamespaceSelector
{
    [JsonPropertyName("any")] public bool? Any { get; set; }
    [JsonPropertyName("matchNames")] public IList<string>? MatchNames { get; set; }
}

internal sealed class ScrapeEndpoint
{
    [JsonPropertyName("port")] public string? Port { get; set; }
    [JsonPropertyName("path")] public string? Path { get; set; }
    [JsonPropertyName("scheme")] public string? Scheme { get; set; }
    [JsonPropertyName("interval")] public string? Interval { get; set; }
    [JsonPropertyName("scrapeTimeout")] public string? ScrapeTimeout { get; set; }
    [JsonPropertyName("honorLabels")] public bool? HonorLabels { get; set; }
    [JsonPropertyName("authorization")] public SafeAuthorization? Authorization { get; set; }
}

internal sealed class SafeAuthorization
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("credentials")] public V1SecretKeySelector? Credentials { get; set; }
}

internal sealed class PrometheusRule : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = "";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public PrometheusRuleSpec Spec { get; set; } = new();
}

internal sealed class PrometheusRuleSpec
{
    [JsonPropertyName("groups")] public IList<RuleGroup> Groups { get; set; } = [];
}

internal sealed class RuleGroup
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("interval")] public string? Interval { get; set; }
    [JsonPropertyName("rules")] public IList<Rule> Rules { get; set; } = [];
}

internal sealed class Rule
{
    [JsonPropertyName("alert")] public string? Alert { get; set; }
    [JsonPropertyName("record")] public string? Record { get; set; }
    [JsonPropertyName("expr")] public string Expr { get; set; } = "";
    [JsonPropertyName("for")] public string? For { get; set; }
    [JsonPropertyName("labels")] public IDictionary<string, string>? Labels { get; set; }
    [JsonPropertyName("annotations")] public IDictionary<string, string>? Annotations { get; set; }
}
