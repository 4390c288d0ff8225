using System.Globalization;
using System.Net;
using System.Net.Sockets;
using FsCheck;
using FsCheck.Fluent;
using Reputation.Core.Networks;

namespace Reputation.Core.Tests;

public sealed class IpRangeTests
{
    private static string RangeOf(string address)
    {
        Assert.True(IpRange.TryFromAddress(address, out var range), $"'{address}' should be accepted");
        return range.ToString();
    }

    [Theory]
    [InlineData("198.51.100.77", "198.51.100.0/24")]
    [InlineData("198.51.100.0", "198.51.100.0/24")]
    [InlineData("198.51.100.255", "198.51.100.0/24")]
    [InlineData(" 198.51.100.77 ", "198.51.100.0/24")]
    [InlineData("192.0.2.1", "192.0.2.0/24")]
    [InlineData("10.1.2.3", "10.1.2.0/24")]
    [InlineData("0.0.0.0", "0.0.0.0/24")]
    [InlineData("255.255.255.255", "255.255.255.0/24")]
    public void IPv4_address_canonicalises_to_its_slash_24(string address, string expected)
    {
        Assert.Equal(expected, RangeOf(address));
    }

    [Fact]
    public void IPv4_range_reports_family_and_prefix()
    {
        Assert.True(IpRange.TryFromAddress("198.51.100.77", out var range));
        Assert.True(range.IsIpv4);
        Assert.Equal(24, range.PrefixLength);
    }

    [Theory]
    [InlineData("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64")]
    [InlineData("2001:0db8:0001:0002:0003:0004:0005:0006", "2001:db8:1:2::/64")]
    [InlineData("2001:DB8:1:2:3:4:5:6", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("2001:db8::", "2001:db8::/64")]
    [InlineData("2001:db8::ffff:1", "2001:db8::/64")]
    [InlineData("fe80::1%eth0", "fe80::/64")]
    [InlineData("fe80::1%25", "fe80::/64")]
    [InlineData("fe80::1%no-such-interface", "fe80::/64")]
    [InlineData("::1", "::/64")]
    public void IPv6_address_canonicalises_to_its_slash_64(string address, string expected)
    {
        Assert.Equal(expected, RangeOf(address));
    }

    [Fact]
    public void IPv6_range_reports_family_and_prefix()
    {
        Assert.True(IpRange.TryFromAddress("2001:db8:1:2:3:4:5:6", out var range));
        Assert.False(range.IsIpv4);
        Assert.Equal(64, range.PrefixLength);
    }

    [Fact]
    public void Zone_id_does_not_survive_into_the_key()
    {
        var key = RangeOf("fe80::1%eth0");
        Assert.DoesNotContain("%", key, StringComparison.Ordinal);
        Assert.Equal(RangeOf("fe80::1"), key);
    }

    [Theory]
    [InlineData("::ffff:198.51.100.7")]
    [InlineData("::FFFF:198.51.100.7")]
    [InlineData("::ffff:c633:6407")]
    [InlineData("0:0:0:0:0:ffff:198.51.100.7")]
    public void IPv4_mapped_IPv6_counts_as_the_IPv4_slash_24(string address)
    {
        Assert.True(IpRange.TryFromAddress(address, out var range));
        Assert.True(range.IsIpv4);
        Assert.Equal("198.51.100.0/24", range.ToString());
        Assert.Equal(RangeOf("198.51.100.7"), range.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t\n")]
    [InlineData("999.1.1.1")]
    [InlineData("256.1.1.1")]
    [InlineData("1.2.3")]
    [InlineData("1")]
    [InlineData("127.1")]
    [InlineData("0x7f.1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("010.0.0.1")]
    [InlineData("0300.0250.0.1")]
    [InlineData("127.000.000.001")]
    [InlineData("1..2.3")]
    [InlineData("1.2.3.4.")]
    [InlineData("1.2.3.4.5")]
    [InlineData("abc")]
    [InlineData("1.2.3.4/24")]
    [InlineData("2001:db8::1/64")]
    [InlineData("::ffff:zzz")]
    [InlineData("2001:db8::g")]
    [InlineData("1:2:3:4:5:6:7:8:9")]
    [InlineData("example.com")]
    public void Non_addresses_are_rejected(string? text)
    {
        Assert.False(IpRange.TryFromAddress(text, out var range));
        Assert.Equal(default, range);
    }

    [Fact]
    public void Overlong_input_is_rejected_even_when_it_would_parse()
    {
        // Padding a valid address past the 64-character limit: the limit is about input size, not syntax.
        var padded = new string(' ', 60) + "198.51.100.77";
        Assert.True(IpRange.TryFromAddress(padded.Trim(), out _));
        Assert.False(IpRange.TryFromAddress(padded, out _));
        Assert.False(IpRange.TryFromAddress(new string('1', 1000), out _));
    }

    [Fact]
    public void Legacy_octal_form_does_not_land_in_another_range()
    {
        // .NET would read 010.0.0.1 as octal 8.0.0.1: a zero-padded address must not be counted in 8.0.0.0/24.
        Assert.False(IpRange.TryFromAddress("010.0.0.1", out _));
        Assert.Equal("10.0.0.0/24", RangeOf("10.0.0.1"));
    }

    [Fact]
    public void FromAddress_does_not_modify_the_callers_address()
    {
        var address = IPAddress.Parse("fe80::1%4");
        var range = IpRange.FromAddress(address);
        Assert.Equal("fe80::/64", range.ToString());
        Assert.Equal(4, address.ScopeId);
    }

    [Fact]
    public void FromAddress_accepts_wider_policy_prefixes()
    {
        Assert.Equal("198.51.0.0/16", IpRange.FromAddress(IPAddress.Parse("198.51.100.77"), ipv4Prefix: 16).ToString());
        Assert.Equal("2001:db8:1::/48", IpRange.FromAddress(IPAddress.Parse("2001:db8:1:2:3:4:5:6"), ipv6Prefix: 48).ToString());
    }

    [Fact]
    public void TryParse_clears_host_bits_of_the_network()
    {
        Assert.True(IpRange.TryParse("198.51.100.77", 24, out var v4, out var error));
        Assert.Null(error);
        Assert.Equal("198.51.100.0/24", v4.ToString());

        Assert.True(IpRange.TryParse("2001:db8:1:2:3:4:5:6", 64, out var v6, out error));
        Assert.Null(error);
        Assert.Equal("2001:db8:1:2::/64", v6.ToString());
    }

    [Theory]
    [InlineData("198.51.100.0", 16)]
    [InlineData("198.51.100.0", 32)]
    [InlineData("198.51.100.0", 64)]
    [InlineData("198.51.100.0", -1)]
    [InlineData("2001:db8:1:2::", 48)]
    [InlineData("2001:db8:1:2::", 24)]
    [InlineData("2001:db8:1:2::", 128)]
    public void TryParse_rejects_a_prefix_other_than_the_grain_size_and_says_why(string network, int prefixLength)
    {
        Assert.False(IpRange.TryParse(network, prefixLength, out var range, out var error));
        Assert.Equal(default, range);
        Assert.Contains("prefixLength", error, StringComparison.Ordinal);
        var expected = network.Contains(':', StringComparison.Ordinal) ? "64" : "24";
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-an-ip")]
    [InlineData("")]
    [InlineData("1.2.3")]
    public void TryParse_rejects_a_network_that_is_not_an_address(string network)
    {
        Assert.False(IpRange.TryParse(network, 24, out _, out var error));
        Assert.Contains("network", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("198.51.100.0/24")]
    [InlineData("10.0.0.0/24")]
    [InlineData("2001:db8:1:2::/64")]
    [InlineData("2001:db8::/64")]
    [InlineData("::/64")]
    public void TryParseKey_round_trips_a_key(string key)
    {
        Assert.True(IpRange.TryParseKey(key, out var range));
        Assert.Equal(key, range.ToString());
        Assert.True(IpRange.TryFromAddress(key[..key.LastIndexOf('/')], out var again));
        Assert.Equal(range, again);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("198.51.100.0")]
    [InlineData("/24")]
    [InlineData("198.51.100.0/")]
    [InlineData("198.51.100.0/abc")]
    [InlineData("198.51.100.77/24")]
    [InlineData("198.51.100.0/16")]
    [InlineData("2001:DB8:1:2::/64")]
    [InlineData("2001:db8:1:2:0:0:0:0/64")]
    [InlineData("2001:db8:1:2::/48")]
    public void TryParseKey_rejects_anything_but_a_canonical_key(string? key)
    {
        Assert.False(IpRange.TryParseKey(key, out _));
    }

    [Fact]
    public void Contains_recognises_addresses_inside_and_outside()
    {
        Assert.True(IpRange.TryFromAddress("198.51.100.77", out var v4));
        Assert.True(v4.Contains(IPAddress.Parse("198.51.100.1")));
        Assert.True(v4.Contains(IPAddress.Parse("::ffff:198.51.100.200")));
        Assert.False(v4.Contains(IPAddress.Parse("198.51.101.1")));
        Assert.False(v4.Contains(IPAddress.Parse("2001:db8::1")));

        Assert.True(IpRange.TryFromAddress("2001:db8:1:2::1", out var v6));
        Assert.True(v6.Contains(IPAddress.Parse("2001:db8:1:2:ffff:ffff:ffff:ffff")));
        Assert.False(v6.Contains(IPAddress.Parse("2001:db8:1:3::1")));
    }

    private static readonly Gen<byte> s_byte = Gen.Choose(0, 255).Select(b => (byte)b);

    [Fact]
    public void Every_IPv4_address_in_a_slash_24_maps_to_one_key_that_contains_it()
    {
        var gen =
            from a in Gen.ArrayOf(s_byte, 4)
            from other in s_byte
            from flip in Gen.Choose(0, 23)
            select (a, other, flip);

        Properties.Check(Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (bytes, other, flip) = t;
            var address = new IPAddress(bytes);
            Assert.True(IpRange.TryFromAddress(address.ToString(), out var range));

            // Same /24, any last octet: same key.
            var sibling = (byte[])bytes.Clone();
            sibling[3] = other;
            Assert.True(IpRange.TryFromAddress(new IPAddress(sibling).ToString(), out var siblingRange));
            Assert.Equal(range.ToString(), siblingRange.ToString());

            // A different /24: a different key.
            var stranger = (byte[])bytes.Clone();
            stranger[flip / 8] ^= (byte)(0x80 >> (flip % 8));
            Assert.True(IpRange.TryFromAddress(new IPAddress(stranger).ToString(), out var strangerRange));
            Assert.NotEqual(range.ToString(), strangerRange.ToString());

            Assert.True(range.IsIpv4);
            Assert.True(range.Contains(address));
            Assert.False(range.Contains(new IPAddress(stranger)));
            Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"{bytes[0]}.{bytes[1]}.{bytes[2]}.0/24"), range.ToString());
            AssertCanonical(range);
        }));
    }

    [Fact]
    public void Every_IPv6_address_in_a_slash_64_maps_to_one_key_that_contains_it()
    {
        var gen =
            from a in Gen.ArrayOf(s_byte, 16)
            from host in Gen.ArrayOf(s_byte, 8)
            from flip in Gen.Choose(0, 63)
            from format in Gen.Choose(0, 2)
            select (a, host, flip, format);

        Properties.Check(Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (bytes, host, flip, format) = t;
            var address = new IPAddress(bytes);
            if (address.IsIPv4MappedToIPv6)
            {
                return; // counts as IPv4 by design; covered above
            }

            Assert.True(IpRange.TryFromAddress(Format(address, format), out var range));

            var sibling = (byte[])bytes.Clone();
            host.CopyTo(sibling, 8);
            Assert.True(IpRange.TryFromAddress(Format(new IPAddress(sibling), format), out var siblingRange));
            Assert.Equal(range.ToString(), siblingRange.ToString());

            var stranger = (byte[])bytes.Clone();
            stranger[flip / 8] ^= (byte)(0x80 >> (flip % 8));
            Assert.True(IpRange.TryFromAddress(new IPAddress(stranger).ToString(), out var strangerRange));
            Assert.NotEqual(range.ToString(), strangerRange.ToString());

            Assert.False(range.IsIpv4);
            Assert.Equal(64, range.PrefixLength);
            Assert.True(range.Contains(address));
            Assert.True(range.Contains(new IPAddress(sibling)));
            Assert.False(range.Contains(new IPAddress(stranger)));
            Assert.EndsWith("/64", range.ToString(), StringComparison.Ordinal);
            Assert.Equal(range.ToString(), range.ToString().ToLowerInvariant());
            AssertCanonical(range);
        }));
    }

    /// <summary>The key is a fixed point: its base address parses to the same key, and the key itself parses back.</summary>
    private static void AssertCanonical(IpRange range)
    {
        var key = range.ToString();
        Assert.True(IpRange.TryFromAddress(range.Network.BaseAddress.ToString(), out var again));
        Assert.Equal(key, again.ToString());
        Assert.True(IpRange.TryParseKey(key, out var parsed));
        Assert.Equal(key, parsed.ToString());
        Assert.Equal(range, parsed);
    }

    /// <summary>0: compressed lower case, 1: compressed upper case, 2: eight full groups with leading zeros.</summary>
    private static string Format(IPAddress address, int format)
    {
        Assert.Equal(AddressFamily.InterNetworkV6, address.AddressFamily);
        var bytes = address.GetAddressBytes();
        return format switch
        {
            0 => address.ToString(),
            1 => address.ToString().ToUpperInvariant(),
            _ => string.Join(':', Enumerable.Range(0, 8).Select(i => ((bytes[2 * i] << 8) | bytes[(2 * i) + 1]).ToString("x4", CultureInfo.InvariantCulture))),
        };
    }
}
