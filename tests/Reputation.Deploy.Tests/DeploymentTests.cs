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

    private static readonly JsonNode EverythingContainer =
        Chart.Manifest("deployment.yaml", HelmTests.Everything)["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single()!;

    private static JsonNode Env(string name) => Env(Container, name);

    private static JsonNode Env(JsonNode container, string name) =>
        container["env"]!.AsArray().SingleOrDefault(e => (string?)e!["name"] == name) ?? throw new Xunit.Sdk.XunitException($"no env {name}");

    private static bool HasEnv(JsonNode container, string name) => container["env"]!.AsArray().Any(e => (string?)e!["name"] == name);

    private static List<JsonNode> EnvMatching(JsonNode container, Regex name) =>
        [.. container["env"]!.AsArray().Where(e => name.IsMatch((string?)e!["name"] ?? "")).Select(e => e!)];

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
        var hashes = EnvMatching(Container, ApiKeyHash());
        var keys = Values["apiKeys"]!["keys"]!.AsArray();

        Assert.Equal(keys.Count, hashes.Count);
        Assert.All(hashes, e => Assert.Equal((string?)Values["apiKeys"]!["existingSecret"], (string?)e["valueFrom"]!["secretKeyRef"]!["name"]));
        Assert.Equal(keys.Select(k => (string?)k!["sha256Key"]), hashes.Select(e => (string?)e["valueFrom"]!["secretKeyRef"]!["key"]));
        Assert.Equal((string?)Values["apiKeys"]!["keys"]![1]!["name"], (string?)Env("Reputation__ApiKeys__Keys__1__Name")["value"]);
        Assert.Equal("operate", (string?)Env("Reputation__ApiKeys__Keys__1__Scopes__3")["value"]);
        Assert.Equal((string?)Values["privacy"]!["emailHashKeyKey"], (string?)Env("Reputation__Privacy__EmailHashKey")["valueFrom"]!["secretKeyRef"]!["key"]);
    }

    [Fact]
    public void A_keys_account_prefixes_become_its_AccountPrefixes_settings()
    {
        Assert.Equal("acme-", (string?)Env(EverythingContainer, "Reputation__ApiKeys__Keys__0__AccountPrefixes__0")["value"]);
        Assert.Equal("acme/eu-", (string?)Env(EverythingContainer, "Reputation__ApiKeys__Keys__0__AccountPrefixes__1")["value"]);
        Assert.False(HasEnv(EverythingContainer, "Reputation__ApiKeys__Keys__1__AccountPrefixes__0"));
        Assert.DoesNotContain(Values["apiKeys"]!["keys"]!.AsArray(), k => k!["accountPrefixes"] is not null);
        Assert.Empty(EnvMatching(Container, new Regex("AccountPrefixes")));
    }

    [Fact]
    public void Audit_retention_and_a_previous_email_hash_key_are_set_only_when_given_the_key_from_the_privacy_secret()
    {
        var previous = Env(EverythingContainer, "Reputation__Privacy__PreviousEmailHashKey")["valueFrom"]!["secretKeyRef"]!;

        Assert.Equal((string?)Values["privacy"]!["existingSecret"], (string?)previous["name"]);
        Assert.Equal("emailHashKeyOld", (string?)previous["key"]);
        Assert.Equal("2027-01-15T00:00:00Z", (string?)Env(EverythingContainer, "Reputation__Privacy__PreviousEmailHashKeyUntil")["value"]);
        Assert.Equal("400", (string?)Env(EverythingContainer, "Reputation__Audit__RetentionDays")["value"]);
        foreach (var name in new[] { "Reputation__Privacy__PreviousEmailHashKey", "Reputation__Privacy__PreviousEmailHashKeyUntil", "Reputation__Audit__RetentionDays" })
        {
            Assert.False(HasEnv(Container, name), name);
        }

        // The window's end alone, without a previous key, sets nothing.
        var endOnly = Chart.Manifest("deployment.yaml", "--set", "privacy.previousEmailHashKeyUntil=2027-01-15T00:00:00Z")["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.False(HasEnv(endOnly, "Reputation__Privacy__PreviousEmailHashKeyUntil"));
    }

    [Fact]
    public void The_start_of_the_usage_sent_is_set_only_when_given()
    {
        Assert.Equal("2026-09-01T00:00:00Z", (string?)Env(EverythingContainer, "Reputation__Detection__UsageSince")["value"]);
        Assert.False(HasEnv(Container, "Reputation__Detection__UsageSince"));
        Assert.Equal("", (string?)Values["detection"]!["usageSince"]);
    }

    [Fact]
    public void The_decision_cache_settings_come_from_values()
    {
        Assert.Equal("5", (string?)Env("Reputation__DecisionCache__Seconds")["value"]);
        Assert.Equal("100000", (string?)Env("Reputation__DecisionCache__Capacity")["value"]);
    }

    [Fact]
    public void The_backtest_sample_size_comes_from_values() =>
        Assert.Equal("4096", (string?)Env("Reputation__Backtest__SamplePerKind")["value"]);

    [Theory]
    [InlineData(false, 4)]
    [InlineData(true, 5)]
    public void No_secret_is_set_inline(bool everything, int expected)
    {
        var container = everything ? EverythingContainer : Container;
        // The end of an email hash key rotation window is a time, not a secret.
        var secretish = EnvMatching(container, Secretish()).Where(e => !((string)e["name"]!).EndsWith("Until", StringComparison.Ordinal)).ToList();

        // Connection string, a hash per key (two), the email hash key, and the previous one during a rotation.
        Assert.Equal(expected, secretish.Count);
        Assert.All(secretish, e =>
        {
            Assert.Null(e["value"]);
            Assert.NotNull(e["valueFrom"]!["secretKeyRef"]);
        });
    }

    [Fact]
    public void Environment_listens_on_all_interfaces_and_names_the_clustering_switch()
    {
        Assert.Equal("Production", (string?)Env("ASPNETCORE_ENVIRONMENT")["value"]);
        // Without it the service listens on 127.0.0.1 only; http.urls empty means 0.0.0.0:<http.port>.
        Assert.Equal("http://0.0.0.0:8080", (string?)Env("ASPNETCORE_URLS")["value"]);
        Assert.Equal("AzureTable", (string?)Env("Reputation__Silo__Clustering")["value"]);
        Assert.Equal("status.podIP", (string?)Env("POD_IP")["valueFrom"]!["fieldRef"]!["fieldPath"]);
        // The host reads its stop budget from Reputation:Silo:ShutdownTimeout (a TimeSpan), built from the seconds value.
        Assert.Equal("00:00:45", (string?)Env("Reputation__Silo__ShutdownTimeout")["value"]);
        var longer = Chart.Manifest("deployment.yaml", "--set", "shutdown.hostTimeoutSeconds=125", "--set", "shutdown.terminationGracePeriodSeconds=140")["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("00:02:05", (string?)Env(longer, "Reputation__Silo__ShutdownTimeout")["value"]);
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

        var azureTable = Chart.Manifest("deployment.yaml", "--set", "clustering.mode=azureTable")["spec"]!["template"]!["spec"]!["containers"]![0]!;
        foreach (var name in new[] { "Reputation__Silo__KubernetesHosting", "POD_NAME", "POD_NAMESPACE", "ORLEANS_SERVICE_ID", "ORLEANS_CLUSTER_ID" })
        {
            Assert.False(HasEnv(azureTable, name), name);
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
        Assert.True(JsonNode.DeepEquals(Values["resources"], Container["resources"]), Container["resources"]!.ToJsonString());
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
        // And the chart refuses to render values that break this (HelmTests.Bad_values_are_refused_by_helm_naming_what_is_wrong).
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
        Assert.Equal((string?)role["metadata"]!["name"], (string?)binding["roleRef"]!["name"]);
        var subject = binding["subjects"]!.AsArray().Single()!;
        Assert.Equal("ServiceAccount", (string?)subject["kind"]);
        Assert.Equal((string?)Chart.Manifest("serviceaccount.yaml")["metadata"]!["name"], (string?)subject["name"]);
        Assert.Equal((string?)PodSpec["serviceAccountName"], (string?)subject["name"]);
        Assert.Equal(Helm.Namespace, (string?)subject["namespace"]);
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

    [GeneratedRegex(@"^Reputation__ApiKeys__Keys__[0-9]+__Sha256$")]
    private static partial Regex ApiKeyHash();

    [GeneratedRegex("(ConnectionString|Sha256|EmailHashKey|Password|Secret|Token)", RegexOptions.IgnoreCase)]
    private static partial Regex Secretish();
}
