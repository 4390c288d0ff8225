using System.Security.Cryptography;
using System.Text;

namespace Reputation.Core.Privacy;

/// <summary>
/// What the audit log keeps of an erased account instead of its id (docs/security.md, "Erasure"):
/// <c>erased-</c> and a keyed hash (HMAC-SHA256, first 128 bits, hex) under a key derived from the
/// privacy key, so one erasure's records line up and whoever holds the key and an id can find its
/// erasure, while the log alone names nobody.
/// </summary>
public sealed class AccountPseudonym
{
    private const string Purpose = "reputation/erased-account/v1";
    private readonly byte[] _key;

    /// <param name="privacyKey">The email hash key (<c>Reputation:Privacy:EmailHashKey</c>); a key for this purpose only is derived from it.</param>
    public AccountPseudonym(byte[] privacyKey)
    {
        ArgumentNullException.ThrowIfNull(privacyKey);
        ArgumentOutOfRangeException.ThrowIfLessThan(privacyKey.Length, 16);
        _key = HMACSHA256.HashData(privacyKey, Encoding.UTF8.GetBytes(Purpose));
    }

    public string Of(string accountId)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(accountId), mac);
        return "erased-" + Convert.ToHexStringLower(mac[..16]);
    }
}
