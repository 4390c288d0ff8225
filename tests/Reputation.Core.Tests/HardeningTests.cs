using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Reputation.Core.Arithmetic;
using Reputation.Core.Intel;
using Reputation.Core.Networks;
using Reputation.Core.Text;
using Reputation.Core.Windows;

namespace Reputation.Core.Tests;

public sealed class UnicodeTextTests
{
    [Theory]
    [InlineData("acct-1")]
    [InlineData("")]
    [InlineData("Zoë Ünïcødé 名前")]
    [InlineData("emoji \U0001F600 and a CJK extension \U00020000")]
    [InlineData("\uFFFD replacement character is a character")]
    [InlineData("\uFDCF\uFDF0 either side of the non-character block")]
    public void Valid_text_is_valid(string text) => Assert.Equal(-1, UnicodeText.IndexOfInvalid(text));

    // Code units rather than strings: test data is serialised, and a lone surrogate does not survive that.
    [Theory]
    [InlineData("", 0xD800, "", 0)]
    [InlineData("id-", 0xDC00, "", 3)]
    [InlineData("ab", 0xD83D, "", 2)]
    [InlineData("", 0xDE00, "\uD83D\uDE00", 0)]
    [InlineData("x", 0xFFFF, "", 1)]
    [InlineData("x", 0xFFFE, "", 1)]
    [InlineData("", 0xFDD0, "", 0)]
    [InlineData("", 0xFDEF, "", 0)]
    public void A_lone_surrogate_or_non_character_is_found_where_it_is(string before, int codeUnit, string after, int index) =>
        Assert.Equal(index, UnicodeText.IndexOfInvalid(before + (char)codeUnit + after));

    [Theory]
    [InlineData(0x1FFFE)]
    [InlineData(0x10FFFF)]
    [InlineData(0x2FFFF)]
    public void A_non_character_beyond_the_first_plane_is_found(int codePoint) =>
        Assert.Equal(1, UnicodeText.IndexOfInvalid("a" + char.ConvertFromUtf32(codePoint)));

    [Fact]
    public void Any_string_of_scalar_values_that_are_not_non_characters_is_valid() =>
        Properties.Check(Prop.ForAll(
            Gen.ListOf(Gen.Choose(0, 0x10FFFF).Where(c => c is < 0xD800 or > 0xDFFF && !UnicodeText.IsNonCharacter(c))).ToArbitrary(),
            codePoints => UnicodeText.IsValid(string.Concat(codePoints.Select(char.ConvertFromUtf32)))));

    [Fact]
    public void Any_lone_surrogate_makes_text_invalid() =>
        Properties.Check(Prop.ForAll(
            Gen.Choose(0xD800, 0xDFFF).ToArbitrary(),
            Gen.Choose(0, 8).ToArbitrary(),
            (surrogate, at) => UnicodeText.IndexOfInvalid(new string('a', at) + (char)surrogate + "z") == at));

    [Fact]
    public void A_JSON_document_names_the_first_string_that_is_not_valid_text()
    {
        using var clean = JsonDocument.Parse("""{"objects":[{"id":"a","pattern":"x"}],"n":1}""");
        using var surrogate = JsonDocument.Parse("""{"objects":[{"id":"a"},{"id":"b","pattern":"\ud800"}]}""");
        using var nonCharacter = JsonDocument.Parse("""{"name":"ok","list":["\uffff"]}""");
        using var name = JsonDocument.Parse("""{"\udfff":1}""");

        Assert.Null(UnicodeText.FindInvalid(clean.RootElement));
        Assert.Equal("objects[1].pattern", UnicodeText.FindInvalid(surrogate.RootElement));
        Assert.Equal("list[0]", UnicodeText.FindInvalid(nonCharacter.RootElement));
        Assert.Equal("body", UnicodeText.FindInvalid(name.RootElement));
    }
}

public sealed class SaturatingTests
{
    [Fact]
    public void Sums_past_the_ends_of_long_stop_there()
    {
        Assert.Equal(long.MaxValue, Saturating.Add(long.MaxValue, 1));
        Assert.Equal(long.MaxValue, Saturating.Add(long.MaxValue, long.MaxValue));
        Assert.Equal(long.MinValue, Saturating.Add(long.MinValue, -1));
        Assert.Equal(long.MaxValue - 1, Saturating.Add(long.MaxValue, -1));
    }

    [Fact]
    public void A_sum_is_the_exact_sum_clamped_to_long() =>
        Properties.Check(Prop.ForAll<long, long>((a, b) =>
            Saturating.Add(a, b) == (long)System.Numerics.BigInteger.Clamp((System.Numerics.BigInteger)a + b, long.MinValue, long.MaxValue)));

    [Fact]
    public void A_window_fed_the_largest_counts_stays_at_the_largest_count()
    {
        var at = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var counter = new SlidingCounter(TimeSpan.FromMinutes(1), 60);

        counter.Add(at, long.MaxValue);
        counter.Add(at, long.MaxValue);
        counter.Add(at.AddMinutes(1), long.MaxValue);

        Assert.Equal(long.MaxValue, counter.Sum(at.AddMinutes(1), TimeSpan.FromHours(1)));
        Assert.Equal(long.MaxValue, counter.Sum(at, TimeSpan.FromMinutes(1)));
    }
}

public sealed class PrefixBoundTests
{
    [Theory]
    [InlineData("0.0.0.0/0", true)]
    [InlineData("10.0.0.0/7", true)]
    [InlineData("10.0.0.0/8", false)]
    [InlineData("198.51.100.0/24", false)]
    [InlineData("::/0", true)]
    [InlineData("2001:c00::/23", true)]
    [InlineData("2001:db8::/31", true)]
    [InlineData("2001:db8::/32", false)]
    [InlineData("::ffff:0.0.0.0/96", true)]
    [InlineData("::ffff:10.0.0.0/104", false)]
    public void Networks_wider_than_an_IPv4_8_or_an_IPv6_32_are_too_wide(string text, bool tooWide)
    {
        Assert.True(IpPrefix.TryParse(text, out var network, out var error), error);
        Assert.Equal(tooWide, IpPrefix.IsTooWide(network));
    }

    [Theory]
    [InlineData("[ipv4-addr:value ISSUBSET '0.0.0.0/0']")]
    [InlineData("[ipv4-addr:value = '198.51.100.7' OR ipv4-addr:value ISSUBSET '0.0.0.0/1']")]
    [InlineData("[ipv6-addr:value ISSUBSET '::/0']")]
    [InlineData("[ipv4-addr:value = '0.0.0.0/0']")]
    public void An_indicator_naming_a_too_wide_network_makes_the_bundle_unacceptable(string pattern)
    {
        var id = StixIds.Random("indicator");
        var indicator = new JsonObject
        {
            ["type"] = "indicator", ["spec_version"] = "2.1", ["id"] = id,
            ["created"] = "2026-03-01T12:00:00.000Z", ["modified"] = "2026-03-01T12:00:00.000Z",
            ["pattern"] = pattern, ["pattern_type"] = "stix", ["valid_from"] = "2026-03-01T12:00:00Z",
        };
        var bundle = new JsonObject { ["type"] = "bundle", ["id"] = StixIds.Random("bundle"), ["objects"] = new JsonArray(indicator) };

        var ex = Assert.Throws<StixBundleException>(() => StixBundleReader.Read(bundle.ToJsonString()));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal(id, problem.ObjectId);
        Assert.Contains("pattern", problem.Problem, StringComparison.Ordinal);
        Assert.Contains("at most a /", problem.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bundle_with_a_string_that_is_not_valid_text_is_unacceptable_and_names_where()
    {
        var json = $$"""{"type":"bundle","id":"{{StixIds.Random("bundle")}}","objects":[{"type":"indicator","id":"\ud800"}]}""";

        var ex = Assert.Throws<StixBundleException>(() => StixBundleReader.Read(json));

        Assert.Equal("objects[0].id", Assert.Single(ex.Problems).ObjectId);
    }

    [Fact]
    public void Within_the_bound_a_network_is_still_read()
    {
        Assert.True(IPNetwork.TryParse("10.0.0.0/8", out var network));
        Assert.False(IpPrefix.IsTooWide(network));
        var mapping = IndicatorPattern.Map("[ipv4-addr:value ISSUBSET '10.0.0.0/8']");
        Assert.Null(mapping.Refused);
        Assert.Equal([new IntelTarget(IntelEntity.IpRange, "10.0.0.0/8")], mapping.Targets);
    }
}
