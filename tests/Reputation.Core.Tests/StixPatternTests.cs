using Reputation.Core.Intel;

namespace Reputation.Core.Tests;

public sealed class StixPatternTests
{
    private static IntelTarget Range(string key) => new(IntelEntity.IpRange, key);

    [Theory]
    [InlineData("[ipv4-addr:value = '198.51.100.7']", "198.51.100.7/32")]
    [InlineData("[ipv4-addr:value = '198.51.100.0/24']", "198.51.100.0/24")]
    [InlineData("[ipv4-addr:value ISSUBSET '198.51.0.0/16']", "198.51.0.0/16")]
    [InlineData("[ipv6-addr:value = '2001:db8::1']", "2001:db8::1/128")]
    [InlineData("[ipv6-addr:value ISSUBSET '2001:DB8:aa::/48']", "2001:db8:aa::/48")]
    [InlineData("[ipv6-addr:value = '::ffff:198.51.100.9']", "198.51.100.9/32")]
    [InlineData("  [ ipv4-addr:'value'   =   '203.0.113.0/24' ]  ", "203.0.113.0/24")]
    public void Address_and_CIDR_patterns_map_to_canonical_networks(string pattern, string network)
    {
        var mapping = IndicatorPattern.Map(pattern);

        Assert.True(mapping.IsSupported, mapping.Unsupported);
        Assert.Equal([Range(network)], mapping.Targets);
    }

    [Fact]
    public void Fingerprint_patterns_of_the_extension_types_map_to_cards_and_templates()
    {
        Assert.Equal([new IntelTarget(IntelEntity.PaymentInstrument, "pf_it's")],
            IndicatorPattern.Map(@"[x-reputation-payment-instrument:fingerprint = 'pf_it\'s']").Targets);
        Assert.Equal([new IntelTarget(IntelEntity.PromptTemplate, "9f3c2a7b1d4e6f80")],
            IndicatorPattern.Map("[x-reputation-prompt-template:fingerprint = '9F3C2A7B1D4E6F80']").Targets);
    }

    [Fact]
    public void OR_of_comparisons_and_of_observations_names_every_value_once()
    {
        var mapping = IndicatorPattern.Map("[ipv4-addr:value = '198.51.100.0/24' OR ipv4-addr:value = '198.51.100.0/24' OR ipv6-addr:value ISSUBSET '2001:db8::/32'] OR ([x-reputation-payment-instrument:fingerprint = 'pf_1'])");

        Assert.Equal([Range("198.51.100.0/24"), Range("2001:db8::/32"), new IntelTarget(IntelEntity.PaymentInstrument, "pf_1")], mapping.Targets);
    }

    [Theory]
    [InlineData("[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']", "unsupported object type 'file'")]
    [InlineData("[ipv4-addr:value = '198.51.100.1' AND ipv4-addr:value = '198.51.100.2']", "AND")]
    [InlineData("[ipv4-addr:value = '198.51.100.1'] AND [ipv4-addr:value = '198.51.100.2']", "AND")]
    [InlineData("[ipv4-addr:value = '198.51.100.1'] FOLLOWEDBY [ipv4-addr:value = '198.51.100.2']", "FOLLOWEDBY")]
    [InlineData("[ipv4-addr:value = '198.51.100.1'] WITHIN 300 SECONDS", "WITHIN")]
    [InlineData("[ipv4-addr:value = '198.51.100.1'] START t'2026-01-01T00:00:00Z' STOP t'2026-02-01T00:00:00Z'", "START")]
    [InlineData("[ipv4-addr:value != '198.51.100.1']", "operator !=")]
    [InlineData("[ipv4-addr:value NOT = '198.51.100.1']", "negat")]
    [InlineData("[ipv4-addr:value MATCHES '^198']", "operator MATCHES")]
    [InlineData("[ipv4-addr:resolves_to_refs[*].value = 'aa:bb']", "unsupported property")]
    [InlineData("[ipv4-addr:value = 'not-an-address']", "not an IPv4 address")]
    [InlineData("[ipv4-addr:value = '2001:db8::1']", "IPv6 value compared as ipv4-addr")]
    [InlineData("[ipv4-addr:value ISSUBSET '198.51.100.7/24']", "host bits are set")]
    [InlineData("[ipv4-addr:value ISSUBSET '198.51.100.7']", "ISSUBSET takes a CIDR")]
    [InlineData("[x-reputation-prompt-template:fingerprint = 'xyz']", "not a prompt fingerprint")]
    [InlineData("[x-reputation-payment-instrument:fingerprint = 42]", "int value")]
    [InlineData("[EXISTS ipv4-addr:value]", "operator EXISTS")]
    public void Valid_patterns_outside_the_subset_are_unsupported_with_a_reason(string pattern, string reason)
    {
        var mapping = IndicatorPattern.Map(pattern);

        Assert.False(mapping.IsSupported);
        Assert.Empty(mapping.Targets);
        Assert.Contains(reason, mapping.Unsupported, StringComparison.Ordinal);
    }

    [Fact]
    public void More_than_the_cap_of_values_is_unsupported()
    {
        var pattern = "[" + string.Join(" OR ", Enumerable.Range(1, IndicatorPattern.MaxTargets + 1).Select(i => $"ipv4-addr:value = '198.51.100.{i}'")) + "]";

        Assert.Contains("at most 16", IndicatorPattern.Map(pattern).Unsupported, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ipv4-addr:value = '198.51.100.7'")]
    [InlineData("[ipv4-addr:value = '198.51.100.7'")]
    [InlineData("[ipv4-addr:value == '198.51.100.7']")]
    [InlineData("[ipv4-addr:value = '198.51.100.7]")]
    [InlineData("[ipv4-addr value = '198.51.100.7']")]
    [InlineData("[ipv4-addr:value = ]")]
    [InlineData("[IPV4-ADDR:value = '198.51.100.7']")]
    [InlineData("[ipv4-addr:value = '198.51.100.7'] OR")]
    [InlineData("[ipv4-addr:value = '198.51.100.7'] WITHIN SECONDS")]
    [InlineData("[ipv4-addr:value = '198.51.100.7'] START t'yesterday' STOP t'2026-02-01T00:00:00Z'")]
    [InlineData("[ipv4-addr:value LIKE 42]")]
    [InlineData("[file:size IN ()]")]
    [InlineData("[artifact:payload_bin = b'not base64!']")]
    [InlineData("[ipv4-addr:value = 'a\\nb']")]
    public void Text_that_is_not_STIX_patterning_is_a_syntax_error(string pattern)
    {
        Assert.Throws<StixPatternSyntaxException>(() => StixPattern.Parse(pattern));
    }

    [Fact]
    public void Deep_nesting_is_a_syntax_error_not_a_stack_overflow()
    {
        var pattern = new string('(', 10_000) + "[ipv4-addr:value = '198.51.100.7']" + new string(')', 10_000);

        Assert.Throws<StixPatternSyntaxException>(() => StixPattern.Parse(pattern[..StixPattern.MaxLength]));
        Assert.Throws<StixPatternSyntaxException>(() => StixPattern.Parse(new string('(', 40) + "[ipv4-addr:value = '198.51.100.7']" + new string(')', 40)));
    }

    [Fact]
    public void The_full_grammar_parses_other_literal_kinds()
    {
        foreach (var pattern in new[]
        {
            "[file:size > 1024 AND file:name LIKE '%.exe'] REPEATS 5 TIMES",
            "[network-traffic:dst_port IN (80, 443) OR network-traffic:protocols[0] = 'tcp']",
            "[artifact:payload_bin = b'aGVsbG8=' OR file:hashes.MD5 = h'0a1b']",
            "[process:created > t'2026-01-01T00:00:00.123Z' AND process:is_hidden = true]",
            "([ipv4-addr:value = '198.51.100.1'] OR [ipv4-addr:value = '198.51.100.2']) WITHIN 60.5 SECONDS",
        })
        {
            Assert.True(StixPattern.TryParse(pattern, out _, out var error), $"{pattern}: {error}");
        }
    }

    [Fact]
    public void Exported_patterns_map_back_to_the_same_targets()
    {
        IntelTarget[] targets =
        [
            Range("198.51.0.0/16"), Range("2001:db8:5::/64"),
            new(IntelEntity.PaymentInstrument, "pf_o'brien\\1"), new(IntelEntity.PromptTemplate, "0123456789abcdef"),
        ];

        Assert.Equal(targets, IndicatorPattern.Map(IndicatorPattern.Format(targets)).Targets);
    }

    [Fact]
    public void Deterministic_ids_are_version_5_uuids_stable_per_name()
    {
        var ns = Guid.Parse("6c1d3e5a-93a8-4f0e-b1d2-0c6f2a9e4b71");
        var a = StixIds.Deterministic("indicator", ns, "ip-range/198.51.0.0/16");

        Assert.Equal(a, StixIds.Deterministic("indicator", ns, "ip-range/198.51.0.0/16"));
        Assert.NotEqual(a, StixIds.Deterministic("indicator", ns, "ip-range/198.52.0.0/16"));
        Assert.True(StixIds.IsValid(a, "indicator"));
        Assert.Equal('5', a["indicator--".Length + 14]);
        // The RFC 9562 example: the DNS namespace and "www.example.com".
        Assert.Equal("x--2ed6657d-e927-568b-95e1-2665a8aea6a2", StixIds.Deterministic("x", Guid.Parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), "www.example.com"));
    }
}
