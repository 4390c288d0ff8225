using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Reputation.Core.Networks;
using Reputation.Core.Prompts;

namespace Reputation.Core.Intel;

/// <summary>The kinds of entity an indicator can name: never an account.</summary>
public enum IntelEntity
{
    IpRange,
    PaymentInstrument,
    PromptTemplate,
}

/// <summary>One entity an indicator names, canonical: a network key (<c>198.51.100.0/24</c>), a payment fingerprint token, a 16-hex prompt fingerprint.</summary>
public readonly record struct IntelTarget(IntelEntity Entity, string Value);

/// <summary>
/// What a pattern names, or why the service does not act on it (<see cref="Unsupported"/>: the
/// indicator is skipped), or why the service refuses it (<see cref="Refused"/>: the bundle is not
/// acceptable, as for a malformed pattern).
/// </summary>
public sealed record PatternMapping(IReadOnlyList<IntelTarget> Targets, string? Unsupported, string? Refused = null)
{
    public bool IsSupported => Unsupported is null;
}

/// <summary>
/// The subset of STIX patterns the service acts on (docs/intel-sharing.md): one observation, or
/// several joined by OR, each a comparison or an OR of comparisons of the form
/// <c>ipv4-addr:value = 'address or CIDR'</c>, <c>ipv4-addr:value ISSUBSET 'CIDR'</c> (and the same
/// for <c>ipv6-addr</c>), <c>x-reputation-payment-instrument:fingerprint = '...'</c> or
/// <c>x-reputation-prompt-template:fingerprint = '16 hex'</c>. Anything else that parses is
/// unsupported, with the reason.
/// </summary>
public static class IndicatorPattern
{
    public const string PaymentInstrumentType = "x-reputation-payment-instrument";
    public const string PromptTemplateType = "x-reputation-prompt-template";
    public const string FingerprintProperty = "fingerprint";
    public const int MaxTargets = 16;
    public const int MaxFingerprintLength = 128;

    /// <summary>Parses and maps; throws <see cref="StixPatternSyntaxException"/> for a pattern that is not valid syntax.</summary>
    public static PatternMapping Map(string pattern) => Map(StixPattern.Parse(pattern));

    public static PatternMapping Map(StixNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var targets = new List<IntelTarget>();
        var reason = Observations(node, targets);
        foreach (var target in targets)
        {
            if (target.Entity == IntelEntity.IpRange && IpPrefix.TryParse(target.Value, out var network, out _) && IpPrefix.IsTooWide(network))
            {
                return new PatternMapping([], null, $"pattern names {network}: {IpPrefix.TooWideError(network)}");
            }
        }

        if (reason is null && targets.Count > MaxTargets)
        {
            reason = string.Create(CultureInfo.InvariantCulture, $"pattern names {targets.Count} values; at most {MaxTargets} are taken from one indicator");
        }

        return reason is null ? new PatternMapping([.. targets.Distinct()], null) : new PatternMapping([], reason);
    }

    /// <summary>The pattern of the given targets, as the service exports it (comparisons joined by OR in one observation).</summary>
    public static string Format(IEnumerable<IntelTarget> targets) =>
        "[" + string.Join(" OR ", targets.Select(Comparison)) + "]";

    private static string Comparison(IntelTarget t) => t.Entity switch
    {
        IntelEntity.IpRange when IpPrefix.TryParse(t.Value, out var network, out _) =>
            $"{(network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? "ipv4-addr" : "ipv6-addr")}:value ISSUBSET '{network}'",
        IntelEntity.PaymentInstrument => $"{PaymentInstrumentType}:{FingerprintProperty} = '{Escape(t.Value)}'",
        IntelEntity.PromptTemplate => $"{PromptTemplateType}:{FingerprintProperty} = '{t.Value}'",
        _ => throw new ArgumentException($"not an exportable target: {t}", nameof(t)),
    };

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal);

    private static string? Observations(StixNode node, List<IntelTarget> targets) => node switch
    {
        StixJoin { IsObservation: true, Operator: "OR" } join => join.Parts.Select(p => Observations(p, targets)).FirstOrDefault(r => r is not null),
        StixJoin { IsObservation: true } join => $"pattern joins observations with {join.Operator}; only OR is supported",
        StixObservation { Qualifiers.Count: > 0 } o => $"pattern uses the qualifier {o.Qualifiers[0].Split(' ')[0]}; qualifiers are not supported",
        StixGroup { Qualifiers.Count: > 0 } g => $"pattern uses the qualifier {g.Qualifiers[0].Split(' ')[0]}; qualifiers are not supported",
        StixGroup g => Observations(g.Inner, targets),
        StixObservation o => Comparisons(o.Comparison, targets),
        _ => "pattern is not an observation expression",
    };

    private static string? Comparisons(StixNode node, List<IntelTarget> targets) => node switch
    {
        StixJoin { Operator: "OR" } join => join.Parts.Select(p => Comparisons(p, targets)).FirstOrDefault(r => r is not null),
        StixJoin join => $"pattern requires several comparisons to hold together ({join.Operator}); only OR is supported",
        StixTest test => Test(test.Comparison, targets),
        _ => "pattern is not a comparison expression",
    };

    private static string? Test(StixComparison c, List<IntelTarget> targets)
    {
        switch (c.ObjectType)
        {
            case "ipv4-addr" or "ipv6-addr":
                return Network(c, targets);
            case PaymentInstrumentType or PromptTemplateType:
                return Fingerprint(c, targets);
            default:
                return $"pattern uses unsupported object type '{c.ObjectType}'";
        }
    }

    private static string? Network(StixComparison c, List<IntelTarget> targets)
    {
        if (c.Property != "value")
        {
            return $"pattern compares unsupported property '{c.ObjectType}:{c.Property}'; only value is supported";
        }

        if (Unsupported(c, "=", "ISSUBSET") is { } reason)
        {
            return reason;
        }

        var text = c.Value!.Text;
        var v4 = c.ObjectType == "ipv4-addr";
        IPNetwork network;
        if (text.Contains('/', StringComparison.Ordinal))
        {
            if (!IpPrefix.TryParse(text, out network, out var error))
            {
                return $"'{text}' is not a CIDR: {error}";
            }
        }
        else if (c.Operator == "ISSUBSET")
        {
            return $"ISSUBSET takes a CIDR; '{text}' is an address";
        }
        else if (IpRange.TryParseAddress(text, out var address))
        {
            if (address.IsIPv4MappedToIPv6)
            {
                address = address.MapToIPv4();
            }

            network = IpPrefix.Mask(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        }
        else
        {
            return $"'{text}' is not an {(v4 ? "IPv4" : "IPv6")} address or CIDR";
        }

        // A mapped IPv6 network is the IPv4 network it maps (IpPrefix), so ipv6-addr may name one.
        var isV4 = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
        if (v4 && !isV4)
        {
            return $"'{text}' is an IPv6 value compared as ipv4-addr";
        }

        if (!v4 && isV4 && !text.Contains(':', StringComparison.Ordinal))
        {
            return $"'{text}' is an IPv4 value compared as ipv6-addr";
        }

        targets.Add(new IntelTarget(IntelEntity.IpRange, IpPrefix.ToKey(network)));
        return null;
    }

    private static string? Fingerprint(StixComparison c, List<IntelTarget> targets)
    {
        if (c.Property != FingerprintProperty)
        {
            return $"pattern compares unsupported property '{c.ObjectType}:{c.Property}'; only {FingerprintProperty} is supported";
        }

        if (Unsupported(c, "=") is { } reason)
        {
            return reason;
        }

        var text = c.Value!.Text;
        if (c.ObjectType == PromptTemplateType)
        {
            if (!SimHash.TryParseHex(text, out var fingerprint))
            {
                return $"'{text}' is not a prompt fingerprint (16 hex digits)";
            }

            targets.Add(new IntelTarget(IntelEntity.PromptTemplate, SimHash.ToHex(fingerprint)));
            return null;
        }

        if (!IsPaymentFingerprint(text))
        {
            return $"'{Shorten(text)}' is not a payment fingerprint (1..{MaxFingerprintLength} characters, no control characters, '/' or surrounding spaces)";
        }

        targets.Add(new IntelTarget(IntelEntity.PaymentInstrument, text));
        return null;
    }

    /// <summary>A payment fingerprint token as the service keys instruments by it.</summary>
    public static bool IsPaymentFingerprint(string? text) =>
        !string.IsNullOrWhiteSpace(text) && text.Length <= MaxFingerprintLength && !text.Any(char.IsControl)
        && !text.Contains('/', StringComparison.Ordinal) && text == text.Trim();

    private static string? Unsupported(StixComparison c, params string[] operators)
    {
        if (c.Negated)
        {
            return $"pattern negates a comparison (NOT {c.Operator}) on {c.ObjectType}; negation is not supported";
        }

        if (!operators.Contains(c.Operator))
        {
            return $"pattern uses the operator {c.Operator} on {c.ObjectType}:{c.Property}; supported: {string.Join(", ", operators)}";
        }

        return c.Value is { Kind: "string" } ? null : $"pattern compares {c.ObjectType}:{c.Property} with a {c.Value?.Kind ?? "missing"} value; a string is expected";
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
