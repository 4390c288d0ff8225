using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Reputation.Deploy.Tests;

/// <summary>What the Deployment must say for the service to run safely in Kubernetes.</summary>
public sealed partial class DeploymentTests
{
    private static readonly JsonNode Values = Chart.Values();
    private static readonly JsonNode Deployment = Chart.Manifest("deployment.yaml");
    private static readonly JsonNode PodSpec = Deployment["spec"]!["template"]!["spec"]!;
    private static readonly JsonNode Container = PodSpec["containers"]!.AsArray().Single()!;

    private static JsonNode Env(string name) =>
        Container["env"]!.AsArray().SingleOrDefault(e => (string?)e!["name"] == name) ?? throw new Xunit.Sdk.XunitException($"no env {name}");

    private static IEnumerable<JsonNode> EnvMatching(Regex name) =>
        Container["env"]!.AsArray().Where(e => name.IsMatch((string?)e!["name"] ?? "")).Select(e => e!);

    [Fact]
    public void Replicas_come_from_values()
    {
        Assert.Equal("Deployment", (string?)Deployment["kind"]);
        Assert.Equal(Values["replicaCount"]!.GetValue<long>(), Deployment["spec"]!["replicas"]!.GetValue<long>());
    }

    [Fact]
    public void Probes_are_on_the_health_endpoints_and_the_http_port()
    {
        Assert.Equal("/health/live", (string?)Container["livenessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/health/ready", (string?)Container["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("http", (string?)Container["livenessProbe"]!["httpGet"]!["port"]);
        Assert.Equal("http", (string?)Container["readinessProbe"]!["httpGet"]!["port"]);
    }

    [Fact]
    public void Container_ports_are_http_silo_and_gateway_from_values()
    {
        var ports = Container["ports"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => p!["containerPort"]!.GetValue<long>());

        Assert.Equal(Values["http"]!["port"]!.GetValue<long>(), ports["http"]);
        Assert.Equal(11111L, ports["silo"]);
        Assert.Equal(30000L, ports["gateway"]);
        Assert.Equal(Values["silo"]!["siloPort"]!.GetValue<long>(), ports["silo"]);
        Assert.Equal(Values["silo"]!["gatewayPort"]!.GetValue<long>(), ports["gateway"]);
    }

    [Fact]
    public void Storage_connection_string_comes_from_the_named_secret()
    {
        var reference = Env("Reputation__Storage__ConnectionString")["valueFrom"]!["secretKeyRef"]!;

        Assert.Equal((string?)Values["storage"]!["existingSecret"], (string?)reference["name"]);
        Assert.Equal((string?)Values["storage"]!["connectionStringKey"], (string?)reference["key"]);
    }

    [Fact]
    public void Api_key_hashes_and_the_email_hash_key_come_from_secrets()
    {
        var hashes = EnvMatching(ApiKeyHash()).ToList();

        Assert.NotEmpty(hashes);
        Assert.All(hashes, e => Assert.Equal((string?)Values["apiKeys"]!["existingSecret"], (string?)e["valueFrom"]!["secretKeyRef"]!["name"]));
        Assert.NotNull(Env("Reputation__Privacy__EmailHashKey")["valueFrom"]!["secretKeyRef"]!["key"]);
        Assert.Contains("range $i, $key := .Values.apiKeys.keys", Chart.Template("deployment.yaml"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_keys_account_prefixes_become_its_AccountPrefixes_settings()
    {
        var prefix = Env("Reputation__ApiKeys__Keys__x__AccountPrefixes__x");

        Assert.NotNull(prefix["value"]);
        Assert.Contains("range $j, $prefix := $key.accountPrefixes", Chart.Template("deployment.yaml"), StringComparison.Ordinal);
        Assert.DoesNotContain(Values["apiKeys"]!["keys"]!.AsArray(), k => k!["accountPrefixes"] is not null);
    }

    [Fact]
    public void Audit_retention_and_a_previous_email_hash_key_are_set_only_when_given_the_key_from_the_privacy_secret()
    {
        var template = Chart.Template("deployment.yaml");
        var previous = Env("Reputation__Privacy__PreviousEmailHashKey")["valueFrom"]!["secretKeyRef"]!;

        Assert.Equal((string?)Values["privacy"]!["existingSecret"], (string?)previous["name"]);
        Assert.NotNull(Env("Reputation__Privacy__PreviousEmailHashKeyUntil")["value"]);
        Assert.NotNull(Env("Reputation__Audit__RetentionDays")["value"]);
        Assert.Matches(@"\{\{- if \.Values\.privacy\.previousEmailHashKeyKey \}\}\s+#[^\n]*\n\s+- name: Reputation__Privacy__PreviousEmailHashKey\n", template);
        Assert.Matches(@"\{\{- if \.Values\.privacy\.previousEmailHashKeyUntil \}\}\s+- name: Reputation__Privacy__PreviousEmailHashKeyUntil\n", template);
        Assert.Matches(@"\{\{- if \.Values\.audit\.retentionDays \}\}\s+- name: Reputation__Audit__RetentionDays\n", template);
        Assert.Equal("", (string?)Values["privacy"]!["previousEmailHashKeyKey"]);
        Assert.Null(Values["audit"]!["retentionDays"]);
    }

    [Fact]
    public void The_start_of_the_usage_sent_is_set_only_when_given()
    {
        Assert.NotNull(Env("Reputation__Detection__UsageSince")["value"]);
        Assert.Matches(@"\{\{- if \.Values\.detection\.usageSince \}\}\s+- name: Reputation__Detection__UsageSince\n", Chart.Template("deployment.yaml"));
        Assert.Equal("", (string?)Values["detection"]!["usageSince"]);
    }

    [Fact]
    public void The_decision_cache_settings_come_from_values()
    {
        Assert.Equal("5", (string?)Env("Reputation__DecisionCache__Seconds")["value"]);
        Assert.Equal("100000", (string?)Env("Reputation__DecisionCache__Capacity")["value"]);
    }

    [Fact]
    public void No_secret_is_set_inline()
    {
        // The end of an email hash key rotation window is a time, not a secret.
        var secretish = EnvMatching(Secretish()).Where(e => !((string)e["name"]!).EndsWith("Until", StringComparison.Ordinal)).ToList();

        // Connection string, key hash (one per key, from the range), email hash key, previous email hash key (during a rotation).
        Assert.Equal(4, secretish.Count);
        Assert.All(secretish, e =>
        {
            Assert.Null(e["value"]);
            Assert.NotNull(e["valueFrom"]!["secretKeyRef"]);
        });
    }

    [Fact]
    public void Environment_listens_on_all_interfaces_and_names_the_clustering_switch()
    {
        Assert.NotNull(Env("ASPNETCORE_ENVIRONMENT")["value"]);
        // Without it the service listens on 127.0.0.1 only; http.urls empty means 0.0.0.0:<http.port>.
        Assert.Contains("printf \"http://0.0.0.0:%v\" .Values.http.port", Chart.Template("deployment.yaml"), StringComparison.Ordinal);
        Assert.Contains((string?)Env("Reputation__Silo__Clustering")["value"], new[] { "Localhost", "AzureTable" });
        Assert.Equal("status.podIP", (string?)Env("POD_IP")["valueFrom"]!["fieldRef"]!["fieldPath"]);
        // The host reads its stop budget from Reputation:Silo:ShutdownTimeout (a TimeSpan), built from the seconds value.
        Assert.NotNull(Env("Reputation__Silo__ShutdownTimeout"));
        Assert.Contains("printf \"00:%02d:%02d\" (div .Values.shutdown.hostTimeoutSeconds 60) (mod .Values.shutdown.hostTimeoutSeconds 60)", Chart.Template("deployment.yaml"), StringComparison.Ordinal);
        Assert.Equal("status.podIP", (string?)Env("Reputation__Silo__AdvertisedAddress")["valueFrom"]!["fieldRef"]!["fieldPath"]);
    }

    [Fact]
    public void Kubernetes_hosting_gets_its_labels_and_environment_only_in_kubernetes_mode()
    {
        var labels = Deployment["spec"]!["template"]!["metadata"]!["labels"]!;
        Assert.Equal((string?)Values["silo"]!["serviceId"], (string?)labels["orleans/serviceId"]);
        Assert.Equal((string?)Values["silo"]!["clusterId"], (string?)labels["orleans/clusterId"]);
        Assert.Equal("metadata.labels['orleans/serviceId']", (string?)Env("ORLEANS_SERVICE_ID")["valueFrom"]!["fieldRef"]!["fieldPath"]);
        Assert.Equal("metadata.labels['orleans/clusterId']", (string?)Env("ORLEANS_CLUSTER_ID")["valueFrom"]!["fieldRef"]!["fieldPath"]);
        Assert.Equal("metadata.name", (string?)Env("POD_NAME")["valueFrom"]!["fieldRef"]!["fieldPath"]);
        Assert.Equal("metadata.namespace", (string?)Env("POD_NAMESPACE")["valueFrom"]!["fieldRef"]!["fieldPath"]);
        Assert.Equal("true", (string?)Env("Reputation__Silo__KubernetesHosting")["value"]);

        var text = Chart.Template("deployment.yaml");
        var opener = HelmTemplate.Actions(text).Single(a => a.Body == "if eq .Values.clustering.mode \"kubernetes\"");
        var end = HelmTemplate.EndOf(text, opener);
        foreach (var name in new[] { "Reputation__Silo__KubernetesHosting", "POD_NAME", "POD_NAMESPACE", "ORLEANS_SERVICE_ID", "ORLEANS_CLUSTER_ID" })
        {
            var at = text.IndexOf($"name: {name}\n", StringComparison.Ordinal);
            Assert.InRange(at, opener.End, end.Start);
        }
    }

    [Fact]
    public void The_pod_runs_as_non_root_with_a_read_only_root_and_a_writable_tmp()
    {
        var pod = PodSpec["securityContext"]!;
        Assert.True(pod["runAsNonRoot"]!.GetValue<bool>());
        Assert.NotEqual(0L, pod["runAsUser"]!.GetValue<long>());

        var container = Container["securityContext"]!;
        Assert.True(container["readOnlyRootFilesystem"]!.GetValue<bool>());
        Assert.False(container["allowPrivilegeEscalation"]!.GetValue<bool>());
        Assert.Equal("ALL", (string?)container["capabilities"]!["drop"]![0]);

        var tmp = Container["volumeMounts"]!.AsArray().Single(m => (string?)m!["mountPath"] == "/tmp")!;
        var volume = PodSpec["volumes"]!.AsArray().Single(v => (string?)v!["name"] == (string?)tmp["name"])!;
        Assert.NotNull(volume["emptyDir"]);
    }

    [Fact]
    public void Resources_come_from_values_with_cpu_and_memory_requests()
    {
        Assert.Contains("toYaml .Values.resources", Chart.Template("deployment.yaml"), StringComparison.Ordinal);
        var requests = Values["resources"]!["requests"]!;
        Assert.False(string.IsNullOrEmpty((string?)requests["cpu"]));
        Assert.False(string.IsNullOrEmpty((string?)requests["memory"]));
        Assert.False(string.IsNullOrEmpty((string?)Values["resources"]!["limits"]!["memory"]));
    }

    [Fact]
    public void The_grace_period_outlasts_the_pre_stop_sleep_and_the_host_shutdown()
    {
        var shutdown = Values["shutdown"]!;
        var grace = PodSpec["terminationGracePeriodSeconds"]!.GetValue<long>();

        Assert.Equal(shutdown["terminationGracePeriodSeconds"]!.GetValue<long>(), grace);
        Assert.True(grace > shutdown["preStopSleepSeconds"]!.GetValue<long>() + shutdown["hostTimeoutSeconds"]!.GetValue<long>());
        // And the chart refuses to render values that break this.
        Assert.Contains("fail \"shutdown.terminationGracePeriodSeconds must exceed", Chart.Template("deployment.yaml"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_role_grants_only_reading_pods_and_is_bound_to_the_service_account()
    {
        var role = Chart.Manifest("role.yaml");
        var rule = role["rules"]!.AsArray().Single()!;
        Assert.Equal("Role", (string?)role["kind"]);
        Assert.Equal([""], rule["apiGroups"]!.AsArray().Select(g => (string?)g));
        Assert.Equal(["pods"], rule["resources"]!.AsArray().Select(g => (string?)g));
        Assert.Equal(["get", "list", "watch"], rule["verbs"]!.AsArray().Select(g => (string?)g));

        var binding = Chart.Manifest("rolebinding.yaml");
        Assert.Equal("Role", (string?)binding["roleRef"]!["kind"]);
        Assert.Equal("ServiceAccount", (string?)binding["subjects"]![0]!["kind"]);
        var roleName = Regex.Match(Chart.Template("role.yaml"), @"name: (.*-pods)").Groups[1].Value;
        Assert.Contains($"name: {roleName}", Chart.Template("rolebinding.yaml"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_service_targets_the_http_port_and_the_budget_allows_one_down()
    {
        var service = Chart.Manifest("service.yaml");
        Assert.Equal("http", (string?)service["spec"]!["ports"]![0]!["targetPort"]);

        var pdb = Chart.Manifest("poddisruptionbudget.yaml");
        Assert.Equal("policy/v1", (string?)pdb["apiVersion"]);
        Assert.Equal(1L, pdb["spec"]!["maxUnavailable"]!.GetValue<long>());
        Assert.Null(Values["podDisruptionBudget"]!["minAvailable"]);
    }

    [GeneratedRegex(@"^Reputation__ApiKeys__Keys__x__Sha256$")]
    private static partial Regex ApiKeyHash();

    [GeneratedRegex("(ConnectionString|Sha256|EmailHashKey|Password|Secret|Token)", RegexOptions.IgnoreCase)]
    private static partial Regex Secretish();
}
