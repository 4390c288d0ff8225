namespace Reputation.Deploy.Tests;

/// <summary>What Helm does not check about the templates: that the values they read exist, and are all read.</summary>
public sealed class TemplateTests
{
    public static TheoryData<string> Templates() => [.. Chart.TemplateNames()];

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

    [Fact]
    public void The_reference_check_finds_a_path_that_is_not_in_values()
    {
        var values = Chart.Values();
        var refs = HelmTemplate.ValueReferences("port: {{ .Values.silo.siloPort }} {{ $.Values.silo.nope | quote }} {{ default 1 .Values.replicas }}");

        Assert.Equal(["silo.siloPort", "silo.nope", "replicas"], refs.Select(r => string.Join('.', r)));
        Assert.Equal([true, false, false], refs.Select(r => HelmTemplate.Exists(values, r)));
    }
}
