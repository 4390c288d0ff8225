using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Reputation.Deploy.Tests;

/// <summary>
/// Who can reach the silo and gateway ports: mutual TLS from a Secret mounted in every pod, and a
/// NetworkPolicy that admits those ports only from the release's own pods.
/// </summary>
public sealed partial class ClusterAccessTests
{
    private const string MountPath = "/etc/reputation/silo-tls";
    private static readonly JsonNode Values = Chart.Values();
    private static readonly string DeploymentText = Chart.Template("deployment.yaml");
    private static readonly JsonNode PodSpec = Chart.Manifest("deployment.yaml")["spec"]!["template"]!["spec"]!;
    private static readonly JsonNode Container = PodSpec["containers"]!.AsArray().Single()!;
    private static readonly string PolicyText = Chart.Template("networkpolicy.yaml");
    private static readonly JsonNode Policy = Chart.Manifest("networkpolicy.yaml");

    private static string? EnvValue(string name) =>
        (string?)(Container["env"]!.AsArray().SingleOrDefault(e => (string?)e!["name"] == name) ?? throw new Xunit.Sdk.XunitException($"no env {name}"))["value"];

    /// <summary>Asserts that <paramref name="line"/> sits inside the block the action <paramref name="opener"/> opens.</summary>
    private static void InsideBlock(string text, string opener, string line)
    {
        var open = HelmTemplate.Actions(text).Single(a => a.Body == opener);
        var end = HelmTemplate.EndOf(text, open);
        var at = text.IndexOf(line, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{line}' is not in the template");
        Assert.InRange(at, open.End, end.Start);
    }

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
    public void Tls_settings_the_mount_and_the_volume_exist_only_when_tls_is_enabled_and_the_ca_only_with_peer_trust_ca()
    {
        const string Opener = "if .Values.silo.tls.enabled";

        Assert.Equal(3, HelmTemplate.Actions(DeploymentText).Count(a => a.Body == Opener));
        var blocks = HelmTemplate.Actions(DeploymentText).Where(a => a.Body == Opener)
            .Select(open => DeploymentText[open.End..HelmTemplate.EndOf(DeploymentText, open).Start]).ToList();
        Assert.Contains(blocks, b => b.Contains("name: Reputation__Silo__Tls__Enabled\n", StringComparison.Ordinal)
            && b.Contains("name: Reputation__Silo__Tls__CertificatePath\n", StringComparison.Ordinal)
            && b.Contains("name: Reputation__Silo__Tls__KeyPath\n", StringComparison.Ordinal));
        Assert.Contains(blocks, b => b.Contains($"mountPath: {MountPath}\n", StringComparison.Ordinal));
        Assert.Contains(blocks, b => b.Contains("secretName: {{ .Values.silo.tls.existingSecret | quote }}", StringComparison.Ordinal));
        InsideBlock(DeploymentText, "if eq .Values.silo.tls.peerTrust \"ca\"", "name: Reputation__Silo__Tls__CaPath\n");
    }

    [Fact]
    public void The_network_policy_is_on_by_default_and_the_whole_template_is_behind_its_value()
    {
        var actions = HelmTemplate.Actions(PolicyText);

        Assert.True(Values["networkPolicy"]!["enabled"]!.GetValue<bool>());
        Assert.Equal("if .Values.networkPolicy.enabled", actions[0].Body);
        Assert.Equal(actions[^1], HelmTemplate.EndOf(PolicyText, actions[0]));
        Assert.Equal("networking.k8s.io/v1", (string?)Policy["apiVersion"]);
        Assert.Equal("NetworkPolicy", (string?)Policy["kind"]);
        Assert.Equal(["Ingress"], Policy["spec"]!["policyTypes"]!.AsArray().Select(t => (string?)t));
    }

    [Fact]
    public void Silo_and_gateway_ports_admit_only_pods_of_the_release_and_the_http_port_admits_http_from()
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
        // The HTTP rule's peers are httpFrom, and only when it is not empty (no "from" admits any source).
        Assert.Empty(Values["networkPolicy"]!["httpFrom"]!.AsArray());
        InsideBlock(PolicyText, "with .Values.networkPolicy.httpFrom", "      from:\n");
        Assert.Contains("toYaml . | nindent 8", PolicyText, StringComparison.Ordinal);
    }

    [Fact]
    public void The_policy_selects_the_release_pods_by_the_labels_the_deployment_gives_them()
    {
        // Both the pods the policy applies to and the peers it admits are the release's selector labels,
        // indented two past their matchLabels key (so Helm renders them as its children).
        var selectors = SelectorLabels().Matches(PolicyText);

        Assert.Equal(2, selectors.Count);
        Assert.All(selectors, m => Assert.Equal(m.Groups["indent"].Value.Length + 2, int.Parse(m.Groups["nindent"].Value, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains("podSelector:\n    matchLabels:\n      {{- include \"reputation.selectorLabels\"", PolicyText, StringComparison.Ordinal);
        Assert.Matches(@"template:\n    metadata:\n      labels:\n        \{\{- include ""reputation.selectorLabels"" \. \| nindent 8 \}\}", DeploymentText);
    }

    private static List<long> Ports(JsonNode rule) => [.. rule["ports"]!.AsArray().Select(p => p!["port"]!.GetValue<long>())];

    [GeneratedRegex(@"\n(?<indent> *)matchLabels:\n *\{\{- include ""reputation\.selectorLabels"" \. \| nindent (?<nindent>\d+) \}\}")]
    private static partial Regex SelectorLabels();
}
