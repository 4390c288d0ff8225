using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Reputation.Core.Intel;

/// <summary>STIX identifiers: <c>type--UUID</c>, and deterministic (version 5) UUIDs for what the service exports.</summary>
public static partial class StixIds
{
    /// <summary>True when <paramref name="id"/> is a STIX identifier of the given type (any type when null).</summary>
    public static bool IsValid(string? id, string? type = null)
    {
        if (id is null || !Shape().IsMatch(id))
        {
            return false;
        }

        return type is null || (id.Length > type.Length + 2 && id.StartsWith(type, StringComparison.Ordinal) && id.AsSpan(type.Length).StartsWith("--"));
    }

    /// <summary>The type part of an identifier.</summary>
    public static string TypeOf(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var at = id.IndexOf("--", StringComparison.Ordinal);
        return at < 0 ? id : id[..at];
    }

    /// <summary>
    /// <c>type--</c> a name-based UUID (RFC 9562 version 5, SHA-1) of <paramref name="name"/> in
    /// <paramref name="ns"/>: the same entity exported twice gets the same id.
    /// </summary>
    public static string Deterministic(string type, Guid ns, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var nsBytes = ns.ToByteArray(bigEndian: true);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[nsBytes.Length + nameBytes.Length];
        nsBytes.CopyTo(input, 0);
        nameBytes.CopyTo(input, nsBytes.Length);
#pragma warning disable CA5350 // SHA-1 is what version 5 UUIDs are defined with; this is naming, not security.
        var hash = SHA1.HashData(input);
#pragma warning restore CA5350
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return $"{type}--{new Guid(bytes, bigEndian: true):D}";
    }

    /// <summary>A random (version 4) identifier.</summary>
    public static string Random(string type) => $"{type}--{Guid.NewGuid():D}";

    /// <summary>The UUID of an identifier.</summary>
    public static Guid UuidOf(string id) => Guid.Parse(id.AsSpan(id.IndexOf("--", StringComparison.Ordinal) + 2));

    [GeneratedRegex("^[a-z][a-z0-9-]+[a-z0-9]--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
