using System.Text.RegularExpressions;

namespace Reputation.Deploy.Tests;

public sealed partial class ChartFileTests
{
    [Fact]
    public void Chart_yaml_is_a_helm_3_application_chart_with_versions()
    {
        var chart = YamlJson.Parse(Repo.ReadText("charts", "reputation", "Chart.yaml"));

        Assert.Equal("v2", (string?)chart["apiVersion"]);
        Assert.Equal("reputation", (string?)chart["name"]);
        Assert.Equal("application", (string?)chart["type"]);
        Assert.Matches(SemVer(), (string?)chart["version"] ?? "");
        // Quoted in Chart.yaml, so "1.10" is not read as the number 1.1.
        Assert.Matches(SemVer(), (string?)chart["appVersion"] ?? "");
    }

    [Fact]
    public void The_chart_has_the_files_an_operator_expects()
    {
        string[] expected =
        [
            "_helpers.tpl", "deployment.yaml", "service.yaml", "poddisruptionbudget.yaml",
            "serviceaccount.yaml", "role.yaml", "rolebinding.yaml", "networkpolicy.yaml", "servicemonitor.yaml",
            "prometheusrule.yaml", "NOTES.txt",
        ];

        Assert.Empty(expected.Except(Chart.TemplateNames()));
        Assert.True(File.Exists(Path.Combine(Repo.Chart, "values.schema.json")));
    }

    [GeneratedRegex(@"^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$")]
    private static partial Regex SemVer();
}
