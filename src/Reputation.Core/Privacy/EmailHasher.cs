using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Reputation.Core.Privacy;

/// <summary>
/// Turns a raw email address into a keyed hash (HMAC-SHA256, hex, first 128 bits) after normalising
/// it: trimmed, lower-cased, any "+tag" sub-address removed, and for Gmail (which ignores them)
/// dots in the local part removed. The raw address is never kept.
/// </summary>
/// <remarks>
/// Key rotation (docs/operations.md, "Rotating the email hash key"): with a previous key, until
/// <c>previousKeyUntil</c> (or until the previous key is removed), addresses hash under the current
/// key and <see cref="HashPrevious"/> gives the previous key's hash beside it, so a signup retried
/// across the rotation is still recognised; domains hash under the previous key, so accounts that
/// signed up before the rotation and during it share one domain hash.
/// </remarks>
public sealed class EmailHasher
{
    private static readonly HashSet<string> s_dotInsensitiveDomains = new(StringComparer.Ordinal) { "gmail.com", "googlemail.com" };
    private readonly byte[] _key;
    private readonly byte[]? _previousKey;
    private readonly DateTimeOffset? _previousKeyUntil;
    private readonly TimeProvider _time;

    public EmailHasher(byte[] key)
        : this(key, null, null, TimeProvider.System)
    {
    }

    /// <param name="key">The current key, at least 16 bytes.</param>
    /// <param name="previousKey">The key before the current one during a rotation window; null outside one.</param>
    /// <param name="previousKeyUntil">When the window ends (null: while <paramref name="previousKey"/> is configured).</param>
    /// <param name="time">The clock the window's end is read on.</param>
    public EmailHasher(byte[] key, byte[]? previousKey, DateTimeOffset? previousKeyUntil, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(key.Length, 16);
        if (previousKey is not null)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(previousKey.Length, 16, nameof(previousKey));
            if (previousKey.AsSpan().SequenceEqual(key))
            {
                throw new ArgumentException("The previous key must differ from the current one.", nameof(previousKey));
            }
        }

        _key = key;
        _previousKey = previousKey;
        _previousKeyUntil = previousKeyUntil;
        _time = time;
    }

    /// <summary>True while a previous key is configured and its window has not ended.</summary>
    public bool InRotation => _previousKey is not null && (_previousKeyUntil is not { } until || _time.GetUtcNow() < until);

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

        return Mac(_key, normalised);
    }

    /// <summary>
    /// The keyed hash of the normalised address under the previous key, while a rotation window is
    /// open (<see cref="InRotation"/>); null otherwise or when it is not an address.
    /// </summary>
    public string? HashPrevious(string? email) =>
        InRotation && Normalise(email) is { } normalised ? Mac(_previousKey!, normalised) : null;

    /// <summary>
    /// The keyed hash of the address's domain (prefixed so it can never equal an address's hash), and
    /// its kind; null and <see cref="EmailDomainKind.Unknown"/> when it is not an address. Accounts of
    /// one work domain can then be told apart from strangers without the domain being stored. During
    /// a rotation window the previous key's: accounts keep the domain hash they signed up with, and
    /// those of the window must match those of before.
    /// </summary>
    public (string? Hash, EmailDomainKind Kind) HashDomain(string? email)
    {
        var domain = EmailDomains.DomainOf(email);
        return domain is null ? (null, EmailDomainKind.Unknown) : (Mac(InRotation ? _previousKey! : _key, "@" + domain), EmailDomains.Classify(domain));
    }

    private static string Mac(byte[] key, string text)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text), mac);
        return Convert.ToHexStringLower(mac[..16]);
    }
}
