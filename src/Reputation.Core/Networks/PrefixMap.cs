using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Reputation.Core.Networks;

/// <summary>
/// Networks of any prefix length with a value each, answering "which listed networks contain this
/// one" with at most 33 (IPv4) or 129 (IPv6) hash lookups: one per prefix length that holds any
/// network, no longer than the queried network's own. Built once, then read by many threads.
/// IPv4-mapped IPv6 queries are looked up as the IPv4 network they map.
/// </summary>
public sealed class PrefixMap<T>
{
    private readonly Dictionary<UInt128, T>?[] _v4 = new Dictionary<UInt128, T>?[33];
    private readonly Dictionary<UInt128, T>?[] _v6 = new Dictionary<UInt128, T>?[129];

    public int Count { get; private set; }

    /// <summary>Adds or replaces the value of a network; host bits are ignored.</summary>
    public void Set(IPNetwork network, T value)
    {
        var (table, bits) = Table(network.BaseAddress, network.PrefixLength, out var prefix);
        var level = table[prefix] ??= [];
        if (level.TryAdd(Masked(bits, prefix, table.Length - 1), value))
        {
            Count++;
        }
        else
        {
            level[Masked(bits, prefix, table.Length - 1)] = value;
        }
    }

    /// <summary>
    /// The values of the listed networks that contain <paramref name="network"/> (itself included),
    /// broadest first; stops at the first one <paramref name="accept"/> takes.
    /// </summary>
    public bool TryFindContaining<TState>(IPNetwork network, TState state, Func<T, TState, bool> accept, out T value)
    {
        ArgumentNullException.ThrowIfNull(accept);
        var (table, bits) = Table(network.BaseAddress, network.PrefixLength, out var prefix);
        var width = table.Length - 1;
        for (var length = 0; length <= prefix; length++)
        {
            if (table[length] is { } level && level.TryGetValue(Masked(bits, length, width), out var found) && accept(found, state))
            {
                value = found;
                return true;
            }
        }

        value = default!;
        return false;
    }

    private (Dictionary<UInt128, T>?[] Table, UInt128 Bits) Table(IPAddress address, int prefixLength, out int prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
            prefixLength = Math.Max(0, prefixLength - 96);
        }

        address.TryWriteBytes(bytes, out var length);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            prefix = Math.Clamp(prefixLength, 0, 32);
            return (_v4, BinaryPrimitives.ReadUInt32BigEndian(bytes[..length]));
        }

        prefix = Math.Clamp(prefixLength, 0, 128);
        return (_v6, BinaryPrimitives.ReadUInt128BigEndian(bytes[..16]));
    }

    private static UInt128 Masked(UInt128 bits, int prefix, int width) =>
        prefix == 0 ? UInt128.Zero : bits & ((UInt128.MaxValue >> (128 - width)) ^ ((UInt128.One << (width - prefix)) - 1));
}
