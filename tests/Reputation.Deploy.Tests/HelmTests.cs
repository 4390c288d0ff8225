using k8s.Models;

namespace Reputation.Deploy.Tests;

/// <summary>
/// The chart through the real Helm: lint, render in each clustering mode and with every optional
/// value set, refuse bad values, and load every rendered object strictly as its Kubernetes type.
/// </summary>
public sealed class HelmTests
{
    /// <summary>Every optional part of the chart switched on or given a value, for one render.</summary>
    internal static readonly string[] Everything =
    [
        "--set", "silo.tls.peerTrust=sameCertificate",
        "--set-json", """networkPolicy.httpFrom=[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"api-gateway"}}},{"ipBlock":{"cidr":"10.0.0.0/8","except":["10.1.0.0/16"]}}]""",
        "--set-json", """apiKeys.keys=[{"name":"acme-gateway","sha256Key":"acme-sha256","scopes":["decide","ingest"],"accountPrefixes":["acme-","acme/eu-"]},{"name":"operator","sha256Key":"operator-sha256","scopes":["operate","read"]}]""",
        "--set", "privacy.previousEmailHashKeyKey=emailHashKeyOld",
        "--set", "privacy.previousEmailHashKeyUntil=2027-01-15T00:00:00Z",
        "--set", "audit.retentionDays=400",
        "--set", "detection.usageSince=2026-09-01T00:00:00Z",
        "--set", "podDisruptionBudget.minAvailable=2",
        "--set-json", """podAnnotations={"example.com/team":"trust"}""",
        "--set-json", """nodeSelector={"kubernetes.io/os":"linux"}""",
        "--set-json", """tolerations=[{"key":"dedicated","operator":"Equal","value":"reputation","effect":"NoSchedule"}]""",
        "--set-json", """affinity={"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":100,"podAffinityTerm":{"topologyKey":"kubernetes.io/hostname","labelSelector":{"matchLabels":{"app.kubernetes.io/name":"reputation"}}}}]}}""",
        "--set-json", """imagePullSecrets=[{"name":"registry"}]""",
        "--set-json", """serviceAccount.annotations={"example.com/role":"reputation"}""",
        "--set", "image.tag=1.2.3",
        "--set", "http.urls=http://0.0.0.0:8080",
        "--set", "metrics.serviceMonitor.enabled=true",
        "--set", "metrics.prometheusRule.enabled=true",
        "--set-json", """metrics.serviceMonitor.labels={"release":"prometheus"}""",
        "--set-json", """metrics.prometheusRule.labels={"release":"prometheus"}""",
    ];

    [Fact]
    public void The_helm_run_is_the_pinned_version()
    {
        var run = Helm.Run("version", "--template", "{{.Version}}");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(Helm.PinnedVersion, run.Output.Trim());
    }

    [Fact]
    public void Helm_lint_strict_passes()
    {
        var run = Helm.Run("lint", "--strict", "charts/reputation");

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.DoesNotContain("[WARNING]", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("[ERROR]", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Helm_lint_strict_passes_with_everything_set()
    {
        var run = Helm.Run(["lint", "--strict", "charts/reputation", .. Everything]);

        Assert.True(run.ExitCode == 0, run.Describe());
    }

    [Theory]
    [InlineData("kubernetes", new[] { "Deployment", "NetworkPolicy", "PodDisruptionBudget", "Role", "RoleBinding", "Service", "ServiceAccount" })]
    [InlineData("azureTable", new[] { "Deployment", "NetworkPolicy", "PodDisruptionBudget", "Service", "ServiceAccount" })]
    public void Each_clustering_mode_renders_its_objects_and_each_loads_strictly(string mode, string[] kinds)
    {
        var objects = Helm.Template("--set", $"clustering.mode={mode}");

        Assert.Equal(kinds, objects.Select(o => o.Kind).Order(StringComparer.Ordinal));
        Assert.All(objects, o => Assert.Equal(o.Kind, ((k8s.IKubernetesObject)o.Typed).Kind));
        var deployment = Assert.IsType<V1Deployment>(objects.Single(o => o.Kind == "Deployment").Typed);
        var env = deployment.Spec.Template.Spec.Containers.Single().Env.Select(e => e.Name).ToList();
        Assert.Equal(mode == "kubernetes", env.Contains("Reputation__Silo__KubernetesHosting"));
        Assert.Equal(mode == "kubernetes", deployment.Spec.Template.Spec.AutomountServiceAccountToken);
    }

    [Fact]
    public void Every_optional_value_renders_objects_that_load_strictly()
    {
        var objects = Helm.Template(Everything);

        Assert.Equal(
            ["Deployment", "NetworkPolicy", "PodDisruptionBudget", "PrometheusRule", "Role", "RoleBinding", "Service", "ServiceAccount", "ServiceMonitor"],
            objects.Select(o => o.Kind).Order(StringComparer.Ordinal));
        var pod = Assert.IsType<V1Deployment>(objects.Single(o => o.Kind == "Deployment").Typed).Spec.Template.Spec;
        Assert.Equal("reputation", pod.Tolerations.Single().Value);
        Assert.Equal(100, pod.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution.Single().Weight);
        Assert.Equal("registry", pod.ImagePullSecrets.Single().Name);
        Assert.Equal("reputation:1.2.3", pod.Containers.Single().Image);
        var pdb = Assert.IsType<V1PodDisruptionBudget>(objects.Single(o => o.Kind == "PodDisruptionBudget").Typed);
        Assert.Equal("2", pdb.Spec.MinAvailable.Value);
        Assert.Null(pdb.Spec.MaxUnavailable);
    }

    [Fact]
    public void Switched_off_parts_render_nothing()
    {
        var objects = Helm.Template(
            "--set", "networkPolicy.enabled=false", "--set", "podDisruptionBudget.enabled=false",
            "--set", "serviceAccount.create=false", "--set", "rbac.create=false", "--set", "silo.tls.enabled=false");

        Assert.Equal(["Deployment", "Service"], objects.Select(o => o.Kind).Order(StringComparer.Ordinal));
        var pod = Assert.IsType<V1Deployment>(objects.Single(o => o.Kind == "Deployment").Typed).Spec.Template.Spec;
        Assert.Equal("default", pod.ServiceAccountName);
    }

    public static TheoryData<string, string[], string> BadValues() => new()
    {
        { "replicaCount zero", ["--set", "replicaCount=0"], "/replicaCount" },
        { "unknown top-level key", ["--set", "replicas=3"], "replicas" },
        { "unknown clustering mode", ["--set", "clustering.mode=consul"], "/clustering/mode" },
        { "Development environment", ["--set", "environment=Development"], "/environment" },
        { "silo TLS peer trust unknown", ["--set", "silo.tls.peerTrust=any"], "/silo/tls/peerTrust" },
        { "network policy peer misspelt", ["--set-json", """networkPolicy.httpFrom=[{"podSelectr":{}}]"""], "podSelectr" },
        { "account prefix with a control character", ["--set-json", """apiKeys.keys=[{"name":"a","sha256Key":"a","scopes":["ingest"],"accountPrefixes":["acme\t"]}]"""], "/apiKeys/keys/0/accountPrefixes/0" },
        { "ServiceMonitor interval not a duration", ["--set", "metrics.serviceMonitor.enabled=true", "--set", "metrics.serviceMonitor.interval=often"], "/metrics/serviceMonitor/interval" },
        { "ServiceMonitor key Secret misspelt", ["--set", "metrics.serviceMonitor.keySecret.nme=x"], "nme" },
        { "grace period too short", ["--set", "shutdown.terminationGracePeriodSeconds=10"], "shutdown.terminationGracePeriodSeconds must exceed" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void Bad_values_are_refused_by_helm_naming_what_is_wrong(string why, string[] args, string named)
    {
        var run = Helm.TemplateFailing(args);

        Assert.True(run.Error.Contains(named, StringComparison.Ordinal), $"{why}: the refusal does not name '{named}'.\n{run.Describe()}");
    }

    // The strict load is only worth something if it can fail: a misspelt or misplaced field is an error.

    [Theory]
    [InlineData("apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: x }\nspec:\n  replica: 3\n")]
    [InlineData("apiVersion: v1\nkind: Service\nmetadata: { name: x }\nspec:\n  ports:\n    - port: 80\n      targetport: http\n")]
    [InlineData("apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: { name: x }\nspec:\n  selector: {}\n  endpoint: []\n")]
    [InlineData("apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: { name: x }\nspec:\n  groups:\n    - name: g\n      rules:\n        - alert: A\n          expression: up == 0\n")]
    public void The_strict_load_refuses_an_unknown_field(string yaml)
    {
        Assert.ThrowsAny<Exception>(() => Helm.LoadStrict(yaml));
    }

    [Fact]
    public void The_strict_load_refuses_an_unknown_kind_and_accepts_a_correct_object()
    {
        Assert.ThrowsAny<Exception>(() => Helm.LoadStrict("apiVersion: apps/v1\nkind: Deploymnt\nmetadata: { name: x }\n"));
        Assert.IsType<V1Service>(Helm.LoadStrict("apiVersion: v1\nkind: Service\nmetadata: { name: x }\nspec:\n  ports:\n    - port: 80\n      targetPort: http\n"));
    }
}
