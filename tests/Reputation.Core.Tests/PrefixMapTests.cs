using System.Net;
using Reputation.Core.Networks;

namespace Reputation.Core.Tests;

public sealed class PrefixMapTests
{
    private static IPNetwork Net(string text)
    {
        Assert.True(IpPrefix.TryParse(text, out var network, out var error), error);
        return network;
    }

    private static string? Containing(PrefixMap<string> map, string network) =>
        map.TryFindContaining(Net(network), 0, static (_, _) => true, out var value) ? value : null;

    private static PrefixMap<string> MapOf(params string[] networks)
    {
        var map = new PrefixMap<string>();
        foreach (var network in networks)
        {
            map.Set(Net(network), network);
        }

        return map;
    }

    [Theory]
    [InlineData("198.18.0.0/24", "198.18.0.0/16")]
    [InlineData("198.18.255.0/24", "198.18.0.0/16")]
    [InlineData("198.18.0.0/16", "198.18.0.0/16")]
    [InlineData("198.19.0.0/24", null)]
    [InlineData("198.0.0.0/8", null)]
    public void A_listed_IPv4_network_contains_the_networks_inside_it_and_no_wider_one(string query, string? expected)
    {
        Assert.Equal(expected, Containing(MapOf("198.18.0.0/16"), query));
    }

    [Fact]
    public void Slash_0_contains_every_network_of_its_family_only()
    {
        var v4 = MapOf("0.0.0.0/0");
        var v6 = MapOf("::/0");

        Assert.Equal("0.0.0.0/0", Containing(v4, "203.0.113.0/24"));
        Assert.Equal("0.0.0.0/0", Containing(v4, "255.255.255.255/32"));
        Assert.Null(Containing(v4, "2001:db8::/64"));
        Assert.Equal("::/0", Containing(v6, "2001:db8:1:2::/64"));
        Assert.Null(Containing(v6, "203.0.113.0/24"));
    }

    [Fact]
    public void A_slash_32_contains_only_itself_and_does_not_contain_its_slash_24()
    {
        var map = MapOf("203.0.113.7/32");

        Assert.Equal("203.0.113.7/32", Containing(map, "203.0.113.7/32"));
        Assert.Null(Containing(map, "203.0.113.8/32"));
        Assert.Null(Containing(map, "203.0.113.0/24"));
    }

    [Theory]
    [InlineData("2001:db8:1:2::/64", "2001:db8::/32")]
    [InlineData("2001:db8:ffff:ffff::/64", "2001:db8::/32")]
    [InlineData("2001:db9::/64", null)]
    [InlineData("2001:db8::1/128", "2001:db8::/32")]
    public void A_listed_IPv6_network_contains_the_networks_inside_it(string query, string? expected)
    {
        Assert.Equal(expected, Containing(MapOf("2001:db8::/32"), query));
    }

    [Fact]
    public void A_slash_128_contains_only_its_address()
    {
        var map = MapOf("2001:db8::1/128");

        Assert.Equal("2001:db8::1/128", Containing(map, "2001:db8::1/128"));
        Assert.Null(Containing(map, "2001:db8::2/128"));
        Assert.Null(Containing(map, "2001:db8::/64"));
    }

    [Fact]
    public void An_IPv4_mapped_IPv6_query_is_looked_up_as_IPv4()
    {
        var map = MapOf("198.18.0.0/16");

        Assert.Equal("198.18.0.0/16", Containing(map, "198.18.0.0/16"));
        var mapped = new IPNetwork(IPAddress.Parse("::ffff:198.18.7.0"), 120);
        Assert.True(map.TryFindContaining(mapped, 0, static (_, _) => true, out var value));
        Assert.Equal("198.18.0.0/16", value);
    }

    [Fact]
    public void The_broadest_accepted_network_is_found_and_a_refused_one_is_skipped()
    {
        var map = MapOf("10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24");

        Assert.True(map.TryFindContaining(Net("10.1.2.0/24"), "10.0.0.0/8", static (v, skip) => v != skip, out var value));
        Assert.Equal("10.1.0.0/16", value);
        Assert.Equal(3, map.Count);
    }

    [Fact]
    public void Setting_a_network_again_replaces_its_value()
    {
        var map = new PrefixMap<string>();
        map.Set(Net("198.18.0.0/16"), "first");
        map.Set(Net("198.18.0.0/16"), "second");

        Assert.Equal(1, map.Count);
        Assert.Equal("second", Containing(map, "198.18.1.0/24"));
    }
}

public sealed class IpPrefixTests
{
    [Theory]
    [InlineData("198.18.0.0/16", "198.18.0.0/16")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("203.0.113.7/32", "203.0.113.7/32")]
    [InlineData("2001:DB8:0:0::/32", "2001:db8::/32")]
    [InlineData("::/0", "::/0")]
    [InlineData("2001:db8::1/128", "2001:db8::1/128")]
    [InlineData("::ffff:198.18.0.0/112", "198.18.0.0/16")]
    [InlineData("::ffff:203.0.113.7/128", "203.0.113.7/32")]
    public void Networks_of_any_prefix_length_canonicalise(string text, string expected)
    {
        Assert.True(IpPrefix.TryParse(text, out var network, out var error), error);
        Assert.Equal(expected, IpPrefix.ToKey(network));
    }

    [Theory]
    [InlineData("198.18.7.0/16", "host bits are set: the network of this prefix is 198.18.0.0/16")]
    [InlineData("2001:db8::1/64", "host bits are set: the network of this prefix is 2001:db8::/64")]
    [InlineData("198.18.0.0/33", "prefixLength must be 0..32 for an IPv4 network")]
    [InlineData("2001:db8::/129", "prefixLength must be 0..128 for an IPv6 network")]
    [InlineData("::ffff:198.18.0.0/64", "an IPv4-mapped network needs prefixLength 96..128")]
    [InlineData("198.018.0.0/16", "the network must be an IPv4 or IPv6 address")]
    [InlineData("not-an-ip/16", "the network must be an IPv4 or IPv6 address")]
    public void Invalid_networks_are_refused_with_a_reason(string text, string expected)
    {
        Assert.False(IpPrefix.TryParse(text, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("198.18.0.0")]
    [InlineData("198.18.0.0/")]
    [InlineData("198.18.0.0/-1")]
    [InlineData("198.18.0.0/016")]
    [InlineData("198.18.0.0/1234")]
    [InlineData("/16")]
    [InlineData(null)]
    public void Text_that_is_not_network_slash_prefix_is_refused(string? text)
    {
        Assert.False(IpPrefix.TryParse(text, out _, out var error));
        Assert.StartsWith("an IP range is network/prefixLength", error, StringComparison.Ordinal);
    }
}
