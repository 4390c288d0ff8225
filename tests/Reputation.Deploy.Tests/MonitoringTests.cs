using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s.Models;
using Reputation.Testing;

namespace Reputation.Deploy.Tests;

/// <summary>
/// The alert rules (deploy/prometheus/rules.yaml) through promtool, the Grafana dashboard
/// (deploy/grafana/reputation.json), and the chart's ServiceMonitor and PrometheusRule.
/// </summary>
public sealed partial class MonitoringTests
{
    private const string RulesPath = "deploy/prometheus/rules.yaml";
    private const string DashboardPath = "deploy/grafana/reputation.json";

    private static readonly string[] Monitoring = ["--set", "metrics.serviceMonitor.enabled=true", "--set", "metrics.prometheusRule.enabled=true"];

    /// <summary>Debian's prometheus package (installed by ./test.sh), or REPUTATION_PROMTOOL.</summary>
    private static string Promtool()
    {
        var configured = Environment.GetEnvironmentVariable("REPUTATION_PROMTOOL");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "promtool")).FirstOrDefault(File.Exists);
        return found ?? throw new Xunit.Sdk.XunitException(
            "promtool is not on PATH. ./test.sh installs it (Debian's prometheus package: apt-get install --no-install-recommends prometheus); "
            + "or set REPUTATION_PROMTOOL to a promtool binary.");
    }

    private static ToolRun RunPromtool(params string[] args) => Tool.Run(Promtool(), args);

    private static JsonNode Rules() => YamlJson.Parse(Repo.ReadText(RulesPath));

    private static IEnumerable<JsonNode> Alerts(JsonNode rules) =>
        rules["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()).Select(r => r!);

    private static JsonElement Dashboard()
    {
        using var doc = JsonDocument.Parse(Repo.ReadText(DashboardPath));
        return doc.RootElement.Clone();
    }

    /// <summary>The metrics table of docs/operations.md: each backticked name in its first column (a trailing * is a prefix).</summary>
    private static List<string> DocumentedMetrics()
    {
        var text = Repo.ReadText("docs", "operations.md");
        var section = text[text.IndexOf("\n## Metrics", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n### What to alert on", StringComparison.Ordinal)];
        return [.. section.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .SelectMany(l => BacktickedName().Matches(l.Split('|')[1]).Select(m => m.Groups[1].Value))];
    }

    private static bool IsDocumented(string metric, List<string> documented) =>
        metric == "up" // Prometheus's own: whether the scrape worked.
        || documented.Any(d => d.EndsWith('*') ? metric.StartsWith(d[..^1], StringComparison.Ordinal) : d == metric || d == PromQl.Instrument(metric));

    private static ToolRun CheckRulesText(string yaml)
    {
        var file = Path.Combine(Path.GetTempPath(), $"reputation-rules-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, yaml);
        try
        {
            return RunPromtool("check", "rules", file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Promtool_checks_the_alert_rules()
    {
        var run = RunPromtool("check", "rules", RulesPath);

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Contains($"SUCCESS: {Alerts(Rules()).Count()} rules found", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_alert_rules_unit_tests_pass()
    {
        var run = RunPromtool("test", "rules", "deploy/prometheus/rules.test.yaml");

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Contains("SUCCESS", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Promtool_refuses_a_broken_rule()
    {
        // The check above is only worth something if promtool can fail it.
        var run = CheckRulesText("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum(rate(x[5m]) > \n");

        Assert.NotEqual(0, run.ExitCode);
    }

    [Fact]
    public void Every_alert_is_named_in_the_operations_guide_with_a_severity_and_a_summary()
    {
        var guide = Repo.ReadText("docs", "operations.md");

        Assert.All(Alerts(Rules()), alert =>
        {
            var name = (string)alert["alert"]!;
            Assert.Contains($"`{name}`", guide, StringComparison.Ordinal);
            Assert.Contains((string?)alert["labels"]?["severity"], new[] { "critical", "warning" });
            Assert.False(string.IsNullOrWhiteSpace((string?)alert["annotations"]?["summary"]), name);
            Assert.Contains("job=\"reputation\"", (string)alert["expr"]!, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Every_metric_the_rules_and_the_dashboard_read_is_documented()
    {
        var documented = DocumentedMetrics();
        var read = Alerts(Rules()).SelectMany(a => PromQl.MetricNames((string)a["expr"]!))
            .Concat(PromQl.DashboardExpressions(Dashboard()).SelectMany(e => PromQl.MetricNames(e.Expression)))
            .Distinct(StringComparer.Ordinal).ToList();

        Assert.Contains("reputation_decisions_total", read);
        Assert.DoesNotContain(read, m => !IsDocumented(m, documented));
    }

    [Fact]
    public void The_dashboard_is_a_grafana_dashboard_with_a_data_source_variable()
    {
        var dashboard = Dashboard();
        var panels = PromQl.Panels(dashboard).ToList();

        Assert.Equal("reputation-service", dashboard.GetProperty("uid").GetString());
        Assert.False(string.IsNullOrEmpty(dashboard.GetProperty("title").GetString()));
        Assert.True(dashboard.GetProperty("schemaVersion").GetInt32() >= 36);
        var variables = dashboard.GetProperty("templating").GetProperty("list").EnumerateArray().ToList();
        Assert.Contains(variables, v => v.GetProperty("name").GetString() == "datasource" && v.GetProperty("type").GetString() == "datasource");
        Assert.Contains(variables, v => v.GetProperty("name").GetString() == "job");
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        foreach (var panel in panels.Where(p => p.GetProperty("type").GetString() != "row"))
        {
            var title = panel.GetProperty("title").GetString();
            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            var grid = panel.GetProperty("gridPos");
            Assert.InRange(grid.GetProperty("x").GetInt32() + grid.GetProperty("w").GetInt32(), 1, 24);
            var targets = panel.GetProperty("targets").EnumerateArray().ToList();
            Assert.True(targets.Count > 0, $"panel '{title}' has no query");
            Assert.Equal(targets.Count, targets.Select(t => t.GetProperty("refId").GetString()).Distinct().Count());
            Assert.All(targets, t => Assert.Contains("job=\"$job\"", t.GetProperty("expr").GetString(), StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Every_dashboard_query_is_valid_promql()
    {
        // promtool parses every expression of a rule file: each query becomes a recording rule.
        var rules = new JsonObject
        {
            ["groups"] = new JsonArray(new JsonObject
            {
                ["name"] = "dashboard",
                ["rules"] = new JsonArray([.. PromQl.DashboardExpressions(Dashboard()).Select((e, i) => (JsonNode)new JsonObject
                {
                    ["record"] = $"dashboard:query_{i}",
                    ["expr"] = PromQl.Resolve(e.Expression),
                })]),
            }),
        };

        var run = CheckRulesText(rules.ToJsonString());

        Assert.True(run.ExitCode == 0, run.Describe());
    }

    [Fact]
    public void Monitoring_objects_are_off_by_default()
    {
        var values = Chart.Values()["metrics"]!;

        Assert.False(values["serviceMonitor"]!["enabled"]!.GetValue<bool>());
        Assert.False(values["prometheusRule"]!["enabled"]!.GetValue<bool>());
        Assert.DoesNotContain(Helm.Template(), o => o.Kind is "ServiceMonitor" or "PrometheusRule");
    }

    [Fact]
    public void The_service_monitor_scrapes_metrics_on_the_services_http_port_with_the_key_from_its_secret()
    {
        var objects = Helm.Template([.. Monitoring, "--set-json", """metrics.serviceMonitor.labels={"release":"prometheus"}"""]);
        var monitor = Assert.IsType<ServiceMonitor>(Helm.Single(objects, "servicemonitor.yaml").Typed);
        var service = Assert.IsType<V1Service>(Helm.Single(objects, "service.yaml").Typed);
        var endpoint = Assert.Single(monitor.Spec.Endpoints);
        var values = Chart.Values()["metrics"]!["serviceMonitor"]!;

        Assert.Contains(service.Spec.Ports, p => p.Name == endpoint.Port);
        Assert.Equal("/metrics", endpoint.Path);
        Assert.Equal((string?)values["interval"], endpoint.Interval);
        Assert.Equal("Bearer", endpoint.Authorization!.Type);
        Assert.Equal((string?)values["keySecret"]!["name"], endpoint.Authorization.Credentials!.Name);
        Assert.Equal((string?)values["keySecret"]!["key"], endpoint.Authorization.Credentials.Key);
        Assert.All(monitor.Spec.Selector.MatchLabels, l => Assert.Equal(l.Value, service.Metadata.Labels[l.Key]));
        Assert.Equal(service.Spec.Selector, monitor.Spec.Selector.MatchLabels);
        Assert.Equal([Helm.Namespace], monitor.Spec.NamespaceSelector!.MatchNames);
        Assert.Equal("prometheus", monitor.Metadata.Labels["release"]);
        // The operator names the job after the Service: the PrometheusRule's alerts select that job.
        Assert.Equal(Helm.Release, service.Metadata.Name);
    }

    [Fact]
    public void The_prometheus_rule_holds_the_alert_rules_with_the_job_of_the_service_monitor()
    {
        // Released as "reputation", the Service (hence the job) is "reputation": the rules are the file's, unchanged.
        var rule = Helm.Single(Helm.Template(Monitoring), "prometheusrule.yaml");
        Assert.IsType<PrometheusRule>(rule.Typed);
        Assert.True(JsonNode.DeepEquals(Rules(), rule.Json["spec"]), rule.Json["spec"]!.ToJsonString());

        // Under another release name the job follows the Service's name, and promtool accepts the result.
        var other = Helm.Load(Helm.Render([.. Monitoring, "--set", "fullnameOverride=trust"]));
        var spec = Helm.Single(other, "prometheusrule.yaml").Json["spec"]!;
        var expressions = Alerts(spec).Select(a => (string)a["expr"]!).ToList();
        Assert.All(expressions, e => Assert.Contains("job=\"trust\"", e, StringComparison.Ordinal));
        Assert.DoesNotContain(expressions, e => e.Contains("job=\"reputation\"", StringComparison.Ordinal));
        var run = CheckRulesText(spec.ToJsonString());
        Assert.True(run.ExitCode == 0, run.Describe());
    }

    [GeneratedRegex("`([a-z_][a-z0-9_]*\\*?)`")]
    private static partial Regex BacktickedName();
}
