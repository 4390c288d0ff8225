namespace Reputation.Deploy.Tests;

/// <summary>The YAML reader the other checks rely on types scalars as Helm does.</summary>
public sealed class YamlJsonTests
{
    [Fact]
    public void Plain_scalars_are_typed_and_quoted_ones_stay_strings()
    {
        var node = YamlJson.Parse("a: 3\nb: \"3\"\nc: true\nd:\ne: 1.5\nf: text\n");

        Assert.Equal(3L, node["a"]!.GetValue<long>());
        Assert.Equal("3", node["b"]!.GetValue<string>());
        Assert.True(node["c"]!.GetValue<bool>());
        Assert.Null(node["d"]);
        Assert.Equal(1.5, node["e"]!.GetValue<double>());
        Assert.Equal("text", node["f"]!.GetValue<string>());
    }

    [Fact]
    public void Yaml_1_1_booleans_and_duplicate_keys_are_refused()
    {
        Assert.Throws<InvalidOperationException>(() => YamlJson.Parse("enabled: yes\n"));
        Assert.ThrowsAny<Exception>(() => YamlJson.Parse("a: 1\na: 2\n"));
    }
}
