using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Reputation.Core.Networks;

/// <summary>
/// A network of any prefix length (IPv4 /0../32, IPv6 /0../128), as allow and deny lists name
/// them. IPv4-mapped IPv6 networks (<c>::ffff:198.18.0.0/112</c>) are the IPv4 network they map
/// (<c>198.18.0.0/16</c>), as <see cref="IpRange"/> treats mapped addresses.
/// </summary>
public static class IpPrefix
{
    private const int MappedPrefix = 96;

    /// <summary>
    /// The widest IPv4 network a list entry or an imported indicator may name: a /8 is 16.7 million
    /// addresses, 65,536 of the /24 ranges the service keeps reputation for. Anything wider (a /0
    /// is every address) is a mistake or an attack, not an operator's intent: one entry would
    /// decide for every caller.
    /// </summary>
    public const int WidestIpv4Prefix = 8;

    /// <summary>The widest IPv6 network a list entry or an imported indicator may name: a /32, what a regional registry allocates to one provider (4 billion of the /64 ranges).</summary>
    public const int WidestIpv6Prefix = 32;

    /// <summary>
    /// Parses <c>network/prefixLength</c>. Host bits set is an error, not silently masked: an
    /// operator who writes <c>198.18.7.0/16</c> may have meant a /24, and listing a /16 instead
    /// would block 256 times what they meant. The error names the network they would get.
    /// </summary>
    public static bool TryParse(string? text, out IPNetwork network, [NotNullWhen(false)] out string? error)
    {
        network = default;
        var slash = text?.LastIndexOf('/') ?? -1;
        if (text is null || slash <= 0 || slash == text.Length - 1 || text.Length - slash > 4
            || text.AsSpan(slash + 1).ContainsAnyExceptInRange('0', '9')
            || (text.Length - slash > 2 && text[slash + 1] == '0'))
        {
            error = "an IP range is network/prefixLength, for example 198.18.0.0/16 or 2001:db8::/32";
            return false;
        }

        var prefix = int.Parse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture);
        if (!IpRange.TryParseAddress(text[..slash], out var address))
        {
            error = "the network must be an IPv4 or IPv6 address";
            return false;
        }

        var maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefix > maxPrefix)
        {
            error = $"prefixLength must be 0..{maxPrefix} for an {(maxPrefix == 32 ? "IPv4" : "IPv6")} network";
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            if (prefix < MappedPrefix)
            {
                error = "an IPv4-mapped network needs prefixLength 96..128";
                return false;
            }

            address = address.MapToIPv4();
            prefix -= MappedPrefix;
        }

        var masked = Mask(address, prefix);
        if (!masked.BaseAddress.Equals(WithoutScope(address)))
        {
            error = $"host bits are set: the network of this prefix is {masked}";
            return false;
        }

        network = masked;
        error = null;
        return true;
    }

    /// <summary>True when <paramref name="network"/> is wider than <see cref="WidestIpv4Prefix"/> or <see cref="WidestIpv6Prefix"/>.</summary>
    public static bool IsTooWide(IPNetwork network) => network.PrefixLength < WidestPrefix(network);

    /// <summary>Why a network is refused when <see cref="IsTooWide"/>; names the bound, not the network.</summary>
    public static string TooWideError(IPNetwork network) =>
        network.BaseAddress.AddressFamily == AddressFamily.InterNetwork
            ? $"an IPv4 network may be at most a /{WidestIpv4Prefix} (prefixLength {WidestIpv4Prefix}..32); /{network.PrefixLength} is wider"
            : $"an IPv6 network may be at most a /{WidestIpv6Prefix} (prefixLength {WidestIpv6Prefix}..128); /{network.PrefixLength} is wider";

    private static int WidestPrefix(IPNetwork network) =>
        network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? WidestIpv4Prefix : WidestIpv6Prefix;

    /// <summary>A network as the canonical text <see cref="TryParse"/> accepts back.</summary>
    public static string ToKey(IPNetwork network) => network.ToString();

    /// <summary>The network of the first <paramref name="prefix"/> bits of an address (a fresh address: no zone).</summary>
    public static IPNetwork Mask(IPAddress address, int prefix)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        bytes = bytes[..length];
        for (var bit = prefix; bit < length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPNetwork(new IPAddress(bytes), prefix);
    }

    private static IPAddress WithoutScope(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        return new IPAddress(bytes[..length]);
    }
}
