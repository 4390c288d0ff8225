using System.Globalization;

namespace Reputation.Load;

/// <summary>
/// The benchmark population, derived from an account's number alone so that the load tool's
/// scripts (bench/wrk/decide.lua) build the same ids: 50 accounts per /24 under 10.0.0.0/8; one
/// account in ten pays with a card shared by ten accounts, three in ten with a card of their own,
/// and the rest have no card yet.
/// </summary>
internal static class Population
{
    public const int AccountsPerRange = 50;
    public const int AccountsPerSharedCard = 100;

    public static string Account(long i) => string.Create(CultureInfo.InvariantCulture, $"b-{i}");

    public static string Ip(long i)
    {
        var range = i / AccountsPerRange;
        return string.Create(CultureInfo.InvariantCulture, $"10.{range / 256 % 256}.{range % 256}.{(i % AccountsPerRange) + 1}");
    }

    public static string? Card(long i) => (i % 10) switch
    {
        0 => string.Create(CultureInfo.InvariantCulture, $"shared-card-{i / AccountsPerSharedCard}"),
        1 or 2 or 3 => string.Create(CultureInfo.InvariantCulture, $"card-{i}"),
        _ => null,
    };

    /// <summary>Accounts that send the same prompt templates (near-identical fingerprints).</summary>
    public const int AccountsPerTemplateGroup = 20;

    /// <summary>
    /// The <paramref name="f"/>-th prompt fingerprint of account <paramref name="i"/>, 16 hex
    /// characters: the template of its group, with one bit of its own flipped (within the service's
    /// near-duplicate distance), so the group's accounts share its buckets.
    /// </summary>
    public static string Fingerprint(long i, int f)
    {
        var template = System.IO.Hashing.XxHash64.HashToUInt64(BitConverter.GetBytes((i / AccountsPerTemplateGroup * 64) + f));
        return (template ^ (1UL << (int)(i % 64))).ToString("x16", CultureInfo.InvariantCulture);
    }

    /// <summary>The card a billing decision names: the account's own, or a new one for an account without.</summary>
    public static string BillingCard(long i) => Card(i) ?? string.Create(CultureInfo.InvariantCulture, $"card-{i}");
}
