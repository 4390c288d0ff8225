using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Reputation.Core.Networks;

/// <summary>
/// The canonical network an address belongs to: IPv4 /24 and IPv6 /64 by default.
/// IPv4-mapped IPv6 addresses count as IPv4. The key (<see cref="ToString"/>) is the
/// CIDR text, for example <c>198.51.100.0/24</c> or <c>2001:db8:1:2::/64</c>.
/// </summary>
public readonly record struct IpRange
{
    public const int DefaultIpv4Prefix = 24;
    public const int DefaultIpv6Prefix = 64;

    private IpRange(IPNetwork network) => Network = network;

    public IPNetwork Network { get; }

    public bool IsIpv4 => Network.BaseAddress.AddressFamily == AddressFamily.InterNetwork;

    public int PrefixLength => Network.PrefixLength;

    /// <summary>Parses an address and returns its canonical range; false for anything that is not an address.</summary>
    public static bool TryFromAddress([NotNullWhen(true)] string? text, out IpRange range)
    {
        range = default;
        if (!TryParseAddress(text, out var address))
        {
            return false;
        }

        range = FromAddress(address);
        return true;
    }

    /// <summary>
    /// Parses an address strictly: a dotted-decimal quad without leading zeros, or a colon form.
    /// IPv4-mapped IPv6 addresses are returned as they are written.
    /// </summary>
    public static bool TryParseAddress([NotNullWhen(true)] string? text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 64)
        {
            return false;
        }

        // IPAddress.TryParse accepts legacy forms ("1", "0x7f.1", "127.1", hex "0x7f.0.0.1", octal
        // "010.0.0.1" = 8.0.0.1); a caller sending those is sending garbage, or a zero-padded address
        // that would land in the wrong range, so demand a strict dotted-decimal quad or a colon form.
        var span = text.AsSpan().Trim();
        if (!span.Contains(':') && !IsDottedDecimalQuad(span))
        {
            return false;
        }

        return IPAddress.TryParse(span, out address);
    }

    /// <summary>Canonical range of an address, with the given prefix lengths.</summary>
    public static IpRange FromAddress(IPAddress address, int ipv4Prefix = DefaultIpv4Prefix, int ipv6Prefix = DefaultIpv6Prefix)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        // No ScopeId reset here: the setter throws for IPv4 and would mutate the caller's address;
        // Mask builds a fresh address from the bytes, which carries no zone.
        var prefix = address.AddressFamily == AddressFamily.InterNetwork ? ipv4Prefix : ipv6Prefix;
        return new IpRange(Mask(address, prefix));
    }

    /// <summary>
    /// Parses a range named by network and prefix length, as in <c>GET /v1/ip-ranges/{network}/{prefixLength}</c>.
    /// Host bits are cleared. Only the grain sizes (IPv4 /24, IPv6 /64) are ranges of their own.
    /// </summary>
    public static bool TryParse(string? network, int prefixLength, out IpRange range, [NotNullWhen(false)] out string? error)
    {
        range = default;
        if (!TryFromAddress(network, out var byAddress))
        {
            error = "network must be an IPv4 or IPv6 address";
            return false;
        }

        var expected = byAddress.IsIpv4 ? DefaultIpv4Prefix : DefaultIpv6Prefix;
        if (prefixLength != expected)
        {
            error = byAddress.IsIpv4
                ? $"prefixLength must be {DefaultIpv4Prefix} for an IPv4 range"
                : $"prefixLength must be {DefaultIpv6Prefix} for an IPv6 range";
            return false;
        }

        range = byAddress;
        error = null;
        return true;
    }

    /// <summary>Parses a key produced by <see cref="ToString"/>.</summary>
    public static bool TryParseKey(string? key, out IpRange range)
    {
        range = default;
        var slash = key?.LastIndexOf('/') ?? -1;
        if (key is null || slash <= 0 || !int.TryParse(key.AsSpan(slash + 1), out var prefix))
        {
            return false;
        }

        return TryParse(key[..slash], prefix, out range, out _) && range.ToString() == key;
    }

    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return Network.Contains(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
    }

    public override string ToString() => Network.ToString();

    /// <summary>Four parts of one to three decimal digits, none with a leading zero.</summary>
    private static bool IsDottedDecimalQuad(ReadOnlySpan<char> text)
    {
        var parts = 0;
        foreach (var range in text.Split('.'))
        {
            var part = text[range];
            if (++parts > 4 || part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0') || part.ContainsAnyExceptInRange('0', '9'))
            {
                return false;
            }
        }

        return parts == 4;
    }

    private static IPNetwork Mask(IPAddress address, int prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        bytes = bytes[..length];
        for (var bit = prefix; bit < length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPNetwork(new IPAddress(bytes), prefix);
    }
}
