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

    /// <summary>The card a billing decision names: the account's own, or a new one for an account without.</summary>
    public static string BillingCard(long i) => Card(i) ?? string.Create(CultureInfo.InvariantCulture, $"card-{i}");
}
