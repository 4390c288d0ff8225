using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Reputation.Core.Privacy;

/// <summary>
/// Turns a raw email address into a keyed hash (HMAC-SHA256, hex, first 128 bits) after normalising
/// it: trimmed, lower-cased, any "+tag" sub-address removed, and for Gmail (which ignores them)
/// dots in the local part removed. The raw address is never kept.
/// </summary>
public sealed class EmailHasher
{
    private static readonly HashSet<string> s_dotInsensitiveDomains = new(StringComparer.Ordinal) { "gmail.com", "googlemail.com" };
    private readonly byte[] _key;

    public EmailHasher(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(key.Length, 16);
        _key = key;
    }

    public static string? Normalise(string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return null;
        }

        var text = email.Trim().ToLower(CultureInfo.InvariantCulture);
        var at = text.LastIndexOf('@');
        if (at <= 0 || at == text.Length - 1)
        {
            return null;
        }

        var local = text[..at];
        var domain = text[(at + 1)..];
        var plus = local.IndexOf('+', StringComparison.Ordinal);
        if (plus > 0)
        {
            local = local[..plus];
        }

        if (s_dotInsensitiveDomains.Contains(domain))
        {
            local = local.Replace(".", string.Empty, StringComparison.Ordinal);
            domain = "gmail.com";
        }

        return local.Length == 0 ? null : $"{local}@{domain}";
    }

    /// <summary>The keyed hash of the normalised address, or null when it is not an address.</summary>
    public string? Hash(string? email)
    {
        var normalised = Normalise(email);
        if (normalised is null)
        {
            return null;
        }

        return Mac(normalised);
    }

    /// <summary>
    /// The keyed hash of the address's domain (prefixed so it can never equal an address's hash), and
    /// its kind; null and <see cref="EmailDomainKind.Unknown"/> when it is not an address. Accounts of
    /// one work domain can then be told apart from strangers without the domain being stored.
    /// </summary>
    public (string? Hash, EmailDomainKind Kind) HashDomain(string? email)
    {
        var domain = EmailDomains.DomainOf(email);
        return domain is null ? (null, EmailDomainKind.Unknown) : (Mac("@" + domain), EmailDomains.Classify(domain));
    }

    private string Mac(string text)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(text), mac);
        return Convert.ToHexStringLower(mac[..16]);
    }
}
