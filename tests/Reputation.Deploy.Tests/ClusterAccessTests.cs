using System.Text.Json.Nodes;

namespace Reputation.Deploy.Tests;

/// <summary>
/// Who can reach the silo and gateway ports: mutual TLS from a Secret mounted in every pod, and a
/// NetworkPolicy that admits those ports only from the release's own pods.
/// </summary>
public sealed class ClusterAccessTests
{
    private const string MountPath = "/etc/reputation/silo-tls";
    private static readonly JsonNode Values = Chart.Values();
    private static readonly JsonNode PodSpec = Chart.Manifest("deployment.yaml")["spec"]!["template"]!["spec"]!;
    private static readonly JsonNode Container = PodSpec["containers"]!.AsArray().Single()!;
    private static readonly JsonNode Policy = Chart.Manifest("networkpolicy.yaml");

    private static string? EnvValue(string name) =>
        (string?)(Container["env"]!.AsArray().SingleOrDefault(e => (string?)e!["name"] == name) ?? throw new Xunit.Sdk.XunitException($"no env {name}"))["value"];

    [Fact]
    public void Tls_is_on_by_default_with_peers_checked_against_the_ca()
    {
        var tls = Values["silo"]!["tls"]!;

        Assert.True(tls["enabled"]!.GetValue<bool>());
        Assert.Equal("ca", (string?)tls["peerTrust"]);
        Assert.False(string.IsNullOrEmpty((string?)tls["existingSecret"]));
    }

    [Fact]
    public void Tls_settings_point_at_the_secret_mounted_read_only_in_every_pod()
    {
        var mount = Container["volumeMounts"]!.AsArray().Single(m => (string?)m!["mountPath"] == MountPath)!;
        var volume = PodSpec["volumes"]!.AsArray().Single(v => (string?)v!["name"] == (string?)mount["name"])!;

        Assert.True(mount["readOnly"]!.GetValue<bool>());
        Assert.Equal((string?)Values["silo"]!["tls"]!["existingSecret"], (string?)volume["secret"]!["secretName"]);
        Assert.Equal("true", EnvValue("Reputation__Silo__Tls__Enabled"));
        // The keys a kubernetes.io/tls Secret (and cert-manager) holds.
        Assert.Equal($"{MountPath}/tls.crt", EnvValue("Reputation__Silo__Tls__CertificatePath"));
        Assert.Equal($"{MountPath}/tls.key", EnvValue("Reputation__Silo__Tls__KeyPath"));
        Assert.Equal($"{MountPath}/ca.crt", EnvValue("Reputation__Silo__Tls__CaPath"));
    }

    [Fact]
    public void Without_tls_there_is_no_tls_setting_mount_or_volume()
    {
        var pod = Chart.Manifest("deployment.yaml", "--set", "silo.tls.enabled=false")["spec"]!["template"]!["spec"]!;
        var container = pod["containers"]!.AsArray().Single()!;

        Assert.DoesNotContain(container["env"]!.AsArray(), e => ((string)e!["name"]!).StartsWith("Reputation__Silo__Tls__", StringComparison.Ordinal));
        Assert.DoesNotContain(container["volumeMounts"]!.AsArray(), m => (string?)m!["mountPath"] == MountPath);
        Assert.DoesNotContain(pod["volumes"]!.AsArray(), v => v!["secret"] is not null);
    }

    [Fact]
    public void With_peer_trust_same_certificate_no_ca_is_read()
    {
        var container = Chart.Manifest("deployment.yaml", "--set", "silo.tls.peerTrust=sameCertificate")["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single()!;
        var names = container["env"]!.AsArray().Select(e => (string?)e!["name"]).ToList();

        Assert.Contains("Reputation__Silo__Tls__Enabled", names);
        Assert.Contains("Reputation__Silo__Tls__KeyPath", names);
        Assert.DoesNotContain("Reputation__Silo__Tls__CaPath", names);
    }

    [Fact]
    public void The_network_policy_is_on_by_default_and_off_renders_nothing()
    {
        Assert.True(Values["networkPolicy"]!["enabled"]!.GetValue<bool>());
        Assert.Equal("networking.k8s.io/v1", (string?)Policy["apiVersion"]);
        Assert.Equal("NetworkPolicy", (string?)Policy["kind"]);
        Assert.Equal(["Ingress"], Policy["spec"]!["policyTypes"]!.AsArray().Select(t => (string?)t));
        Assert.False(Chart.Renders("networkpolicy.yaml", "--set", "networkPolicy.enabled=false"));
    }

    [Fact]
    public void Silo_and_gateway_ports_admit_only_pods_of_the_release_and_the_http_port_admits_anyone_by_default()
    {
        var rules = Policy["spec"]!["ingress"]!.AsArray();
        var silo = rules.Single(r => Ports(r!).Contains(Values["silo"]!["siloPort"]!.GetValue<long>()))!;
        var http = rules.Single(r => Ports(r!).Contains(Values["http"]!["port"]!.GetValue<long>()))!;

        Assert.Equal(2, rules.Count);
        Assert.Equal([Values["silo"]!["siloPort"]!.GetValue<long>(), Values["silo"]!["gatewayPort"]!.GetValue<long>()], Ports(silo));
        Assert.All(silo["ports"]!.AsArray(), p => Assert.Equal("TCP", (string?)p!["protocol"]));
        // One peer: a podSelector with no namespaceSelector, so pods of this namespace only.
        var peer = Assert.Single(silo["from"]!.AsArray())!.AsObject();
        Assert.Equal(["podSelector"], peer.Select(kv => kv.Key));
        Assert.Equal([Values["http"]!["port"]!.GetValue<long>()], Ports(http));
        // No "from" admits any source; httpFrom is empty by default.
        Assert.Empty(Values["networkPolicy"]!["httpFrom"]!.AsArray());
        Assert.Null(http["from"]);
    }

    [Fact]
    public void The_http_port_admits_exactly_the_peers_in_httpFrom()
    {
        const string Peers = """[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"api-gateway"}}}]""";
        var policy = Chart.Manifest("networkpolicy.yaml", "--set-json", $"networkPolicy.httpFrom={Peers}");
        var http = policy["spec"]!["ingress"]!.AsArray().Single(r => Ports(r!).Contains(Values["http"]!["port"]!.GetValue<long>()))!;

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Peers), http["from"]), http.ToJsonString());
    }

    [Fact]
    public void The_policy_selects_the_release_pods_by_the_labels_the_deployment_gives_them()
    {
        var deployment = Chart.Manifest("deployment.yaml");
        var selector = deployment["spec"]!["selector"]!["matchLabels"]!;
        var podLabels = deployment["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();

        Assert.Equal(["app.kubernetes.io/instance", "app.kubernetes.io/name"], selector.AsObject().Select(kv => kv.Key).Order(StringComparer.Ordinal));
        Assert.All(selector.AsObject(), kv => Assert.Equal((string?)kv.Value, (string?)podLabels[kv.Key]));
        Assert.True(JsonNode.DeepEquals(selector, Policy["spec"]!["podSelector"]!["matchLabels"]));
        var siloRule = Policy["spec"]!["ingress"]!.AsArray().Single(r => r!["from"] is not null)!;
        Assert.True(JsonNode.DeepEquals(selector, siloRule["from"]![0]!["podSelector"]!["matchLabels"]));
    }

    private static List<long> Ports(JsonNode rule) => [.. rule["ports"]!.AsArray().Select(p => p!["port"]!.GetValue<long>())];
}
