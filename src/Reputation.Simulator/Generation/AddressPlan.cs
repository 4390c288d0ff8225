using System.Buffers.Binary;
using System.Net;
using Reputation.Simulator.Scenarios;

namespace Reputation.Simulator.Generation;

/// <summary>
/// One simulated network: an IPv4 /24 in 198.18.0.0/15 (RFC 2544 benchmark space) or an IPv6 /64 in
/// 2001:db8::/32 (RFC 3849 documentation space). Only those ranges are ever used.
/// </summary>
internal readonly record struct SimNetwork(bool IsIpv6, ulong Prefix)
{
    private static readonly uint _ipv4Base = BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse("198.18.0.0").GetAddressBytes());

    /// <summary>The <paramref name="slot"/>-th /24 of 198.18.0.0/15 (0..511).</summary>
    public static SimNetwork Ipv4Slot(int slot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, ScenarioLoader.AvailableIpv4Ranges);
        return new SimNetwork(false, _ipv4Base + ((uint)slot << 8));
    }

    /// <summary>The /64 2001:db8:hhhh:llll::/64 for a 32-bit subnet number.</summary>
    public static SimNetwork Ipv6Subnet(uint subnet) => new(true, (0x20010db8UL << 32) | subnet);

    /// <summary>An address in this network; <paramref name="random"/> picks the host part.</summary>
    public string Address(SimRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!IsIpv6)
        {
            Span<byte> v4 = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(v4, (uint)Prefix + (uint)random.Next(1, 255));
            return new IPAddress(v4).ToString();
        }

        Span<byte> v6 = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(v6, Prefix);
        BinaryPrimitives.WriteUInt64BigEndian(v6[8..], random.NextUInt64() | 1);
        return new IPAddress(v6).ToString();
    }

    /// <summary>The canonical range as the service names it, for example <c>198.18.4.0/24</c>.</summary>
    public override string ToString()
    {
        if (!IsIpv6)
        {
            Span<byte> v4 = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(v4, (uint)Prefix);
            return $"{new IPAddress(v4)}/24";
        }

        Span<byte> v6 = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(v6, Prefix);
        return $"{new IPAddress(v6)}/64";
    }
}

/// <summary>
/// Which networks each group uses: the 512 IPv4 /24s are shuffled (by the seed) and dealt out,
/// disjointly, to carrier-NAT, office, residential and campaign proxy ranges; IPv6 /64s are drawn
/// without repeats.
/// </summary>
internal sealed class AddressPlan
{
    private readonly HashSet<uint> _usedIpv6 = [];
    private readonly SimRandom _ipv6Random;

    public AddressPlan(Scenario scenario, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var random = SimRandom.For(seed, Streams.Addresses);
        _ipv6Random = SimRandom.For(seed, Streams.Addresses, 1);
        var slots = Enumerable.Range(0, ScenarioLoader.AvailableIpv4Ranges).ToList();
        random.Shuffle(slots);
        var next = 0;
        List<SimNetwork> Take(int count)
        {
            var taken = slots.Skip(next).Take(count).Select(SimNetwork.Ipv4Slot).ToList();
            next += count;
            return taken;
        }

        var network = scenario.Legitimate.Network;
        CarrierNat = Take(network.CarrierNat.Ranges);
        Offices = Take(network.Offices.Ranges);
        Residential = Take(network.ResidentialRanges);
        CampaignProxies = [.. scenario.Campaigns.Select((c, i) => (IReadOnlyList<SimNetwork>)[
            .. Take(c.Proxy.Ipv4Ranges), .. NewIpv6Subnets(c.Proxy.Ipv6Ranges), .. SharedResidential(seed, i, c.Proxy.ResidentialRanges)])];

        // Ranges of the newer honest groups come after everything the original scenarios take.
        var legitimate = scenario.Legitimate;
        Teams = Take(legitimate.Teams.Count);
        Classes = Take(legitimate.Classes.Count);
        LabelledCarrierNats = Take(legitimate.LabelledCarrierNats.Count);
    }

    /// <summary>IPv4 /24s the honest groups get to themselves (a team's office, a class's campus, a small carrier range).</summary>
    public static int DedicatedRanges(LegitimatePopulation legitimate)
    {
        ArgumentNullException.ThrowIfNull(legitimate);
        return legitimate.Teams.Count + legitimate.Classes.Count + legitimate.LabelledCarrierNats.Count;
    }

    public IReadOnlyList<SimNetwork> CarrierNat { get; }
    public IReadOnlyList<SimNetwork> Offices { get; }
    public IReadOnlyList<SimNetwork> Residential { get; }

    /// <summary>Per campaign (in scenario order), its proxy pool.</summary>
    public IReadOnlyList<IReadOnlyList<SimNetwork>> CampaignProxies { get; }

    /// <summary>One office range per team, one campus range per class, one carrier range per labelled carrier group.</summary>
    public IReadOnlyList<SimNetwork> Teams { get; }
    public IReadOnlyList<SimNetwork> Classes { get; }
    public IReadOnlyList<SimNetwork> LabelledCarrierNats { get; }

    /// <summary>A /64 no one else in this plan has.</summary>
    public SimNetwork NewIpv6Subnet()
    {
        uint subnet;
        do
        {
            subnet = (uint)_ipv6Random.NextUInt64();
        }
        while (!_usedIpv6.Add(subnet));

        return SimNetwork.Ipv6Subnet(subnet);
    }

    private List<SimNetwork> NewIpv6Subnets(int count) => [.. Enumerable.Range(0, count).Select(_ => NewIpv6Subnet())];

    // Residential proxy exits are home connections of an ISP's customers: the campaign's exits sit in
    // /24s where ordinary residential users of the scenario live too.
    private List<SimNetwork> SharedResidential(ulong seed, int campaign, int count)
    {
        if (count == 0)
        {
            return [];
        }

        var pick = Residential.ToList();
        SimRandom.For(seed, Streams.SharedResidential, (ulong)campaign).Shuffle(pick);
        return [.. pick.Take(count)];
    }
}

/// <summary>Stream numbers of <see cref="SimRandom.For"/>, one per purpose.</summary>
internal static class Streams
{
    public const ulong Addresses = 1;
    public const ulong Population = 2;
    public const ulong LegitimateAccount = 3;
    public const ulong CampaignAccount = 4;
    public const ulong Campaign = 5;
    public const ulong Sampling = 6;
    public const ulong Activity = 7;

    // Streams of the newer options: nothing the original scenarios draw moves when these are used.
    public const ulong SharedResidential = 8;
    public const ulong Honest = 9;
    public const ulong CampaignExtra = 10;
    public const ulong Cohort = 11;
    public const ulong History = 12;
    public const ulong Intel = 13;
}
