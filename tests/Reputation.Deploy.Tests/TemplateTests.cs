namespace Reputation.Deploy.Tests;

/// <summary>Checks on every template that hold without rendering it.</summary>
public sealed class TemplateTests
{
    public static TheoryData<string> Templates() => [.. Chart.TemplateNames()];

    public static TheoryData<string> Manifests() => [.. Chart.ManifestNames()];

    [Theory]
    [MemberData(nameof(Templates))]
    public void Delimiters_and_blocks_are_balanced(string template)
    {
        Assert.Empty(HelmTemplate.StructureProblems(Chart.Template(template)));
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void Every_values_reference_names_a_key_in_values_yaml(string template)
    {
        var values = Chart.Values();
        var missing = HelmTemplate.ValueReferences(Chart.Template(template))
            .Where(path => !HelmTemplate.Exists(values, path))
            .Select(path => ".Values." + string.Join('.', path));

        Assert.Empty(missing);
    }

    [Fact]
    public void Every_top_level_value_is_used_by_some_template()
    {
        var used = Chart.TemplateNames().SelectMany(t => HelmTemplate.ValueReferences(Chart.Template(t))).Select(p => p[0]).ToHashSet();

        var unused = Chart.Values().AsObject().Select(kv => kv.Key).Where(k => !used.Contains(k)).ToList();

        Assert.Empty(unused);
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void Every_include_names_a_define_in_the_helpers(string template)
    {
        var defines = HelmTemplate.Defines(Chart.Template("_helpers.tpl")).ToHashSet();

        var unknown = HelmTemplate.Includes(Chart.Template(template)).Where(name => !defines.Contains(name)).ToList();

        Assert.Empty(unknown);
    }

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Each_manifest_is_one_kubernetes_object_once_directives_are_removed(string template)
    {
        var manifest = Chart.Manifest(template);

        Assert.False(string.IsNullOrEmpty((string?)manifest["apiVersion"]), "apiVersion");
        Assert.False(string.IsNullOrEmpty((string?)manifest["kind"]), "kind");
        Assert.NotNull(manifest["metadata"]?["name"]);
    }

    // The checks above are only worth something if they can fail: each helper, given a broken template.

    [Fact]
    public void The_structure_check_finds_a_missing_end_and_a_stray_delimiter()
    {
        Assert.NotEmpty(HelmTemplate.StructureProblems("{{- if .Values.a }}\nkind: X\n"));
        Assert.NotEmpty(HelmTemplate.StructureProblems("kind: X\n{{- end }}\n"));
        Assert.NotEmpty(HelmTemplate.StructureProblems("name: {{ .Values.a }\n"));
        Assert.Empty(HelmTemplate.StructureProblems("{{- if .Values.a }}\na: 1\n{{- else }}\nb: 2\n{{- end }}\n"));
    }

    [Fact]
    public void The_reference_check_finds_a_path_that_is_not_in_values()
    {
        var values = Chart.Values();
        var refs = HelmTemplate.ValueReferences("port: {{ .Values.silo.siloPort }} {{ $.Values.silo.nope | quote }} {{ default 1 .Values.replicas }}");

        Assert.Equal(["silo.siloPort", "silo.nope", "replicas"], refs.Select(r => string.Join('.', r)));
        Assert.Equal([true, false, false], refs.Select(r => HelmTemplate.Exists(values, r)));
    }

    [Fact]
    public void Flattening_substitutes_plain_references_and_drops_directive_lines()
    {
        var text = "{{- if .Values.rbac.create }}\nreplicas: {{ .Values.replicaCount }}\nport: {{ .Values.silo.siloPort | quote }}\nname: {{ include \"reputation.fullname\" . }}\n{{- end }}\n";

        var node = YamlJson.Parse(HelmTemplate.Flatten(text, Chart.Values()));

        Assert.Equal(3L, node["replicas"]!.GetValue<long>());
        Assert.Equal("11111", node["port"]!.GetValue<string>());
        Assert.Equal("x", node["name"]!.GetValue<string>());
    }
}
