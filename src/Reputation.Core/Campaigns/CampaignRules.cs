using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace Reputation.Core.Campaigns;

/// <summary>
/// How campaigns form (docs/decisions/0018-campaigns.md): which shared entity is a campaign hub, when a
/// hub reports again, how a campaign is named, and the coordinated samples hubs and campaigns keep of
/// their accounts so that two samples of one campaign overlap.
/// </summary>
public static class CampaignRules
{
    /// <summary>A hub has at least this many flagged accounts: a handful of flagged users is not yet a campaign.</summary>
    public const int MinFlaggedAccounts = 5;

    /// <summary>
    /// ...and at least this share of its accounts flagged. A share, not a count: a carrier range or a
    /// popular tool's template with thousands of honest users and a few dozen flagged ones is no hub.
    /// </summary>
    public const double MinFlaggedShare = 0.3;

    /// <summary>Clean accounts every entity is assumed to have besides those it saw, so that 5 of 5 is not a certainty.</summary>
    public const double PriorAccounts = 1;


    /// <summary>Accounts a hub sends with a report: the bottom of its flagged accounts by hash.</summary>
    public const int ReportSample = 32;

    /// <summary>Sampled accounts two samples must share for their campaigns to be one.</summary>
    public const int MinOverlap = 2;

    /// <summary>HyperLogLog precision of flagged-account sketches (256 bytes, about 6.5 % error).</summary>
    public const int SketchPrecision = 8;

    public const string IdPrefix = "cmp-";

    /// <summary>Flagged accounts over distinct accounts plus the prior.</summary>
    public static double FlaggedShare(long flagged, long distinctAccounts)
    {
        var f = Math.Max(flagged, 0);
        return f / (Math.Max(distinctAccounts, f) + PriorAccounts);
    }

    /// <summary>Whether an entity with these accounts is a campaign hub; an entity labelled trusted never is.</summary>
    public static bool IsHub(long flagged, long distinctAccounts, bool trusted) =>
        !trusted && flagged >= MinFlaggedAccounts && FlaggedShare(flagged, distinctAccounts) >= MinFlaggedShare;

    /// <summary>
    /// A hub reports when it first becomes one (nothing reported yet) and when its flagged accounts grew
    /// by half since its last report, rounded down (5 → 7 → 10 → 15 ...): a few calls over a hub's life.
    /// </summary>
    public static bool ShouldReport(long flagged, long reportedFlagged) =>
        reportedFlagged <= 0 || flagged >= reportedFlagged + Math.Max(1, reportedFlagged / 2);

    /// <summary>The id of a campaign a hub founds: <c>cmp-</c> and 16 hex digits of a hash of the hub, the same every time.</summary>
    public static string IdOf(string hubType, string hubId)
    {
        ArgumentNullException.ThrowIfNull(hubType);
        ArgumentNullException.ThrowIfNull(hubId);
        var hash = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(hubType + ":" + hubId));
        return IdPrefix + hash.ToString("x16", CultureInfo.InvariantCulture);
    }

    /// <summary>True for a well-formed campaign id (<c>cmp-</c> and 16 lowercase hex digits).</summary>
    public static bool IsId(string? value)
    {
        if (value is null || value.Length != IdPrefix.Length + 16 || !value.StartsWith(IdPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in value.AsSpan(IdPrefix.Length))
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The hash that orders sampled accounts; the same everywhere, so samples are coordinated.</summary>
    public static ulong SampleHash(string accountId) =>
        XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(accountId ?? throw new ArgumentNullException(nameof(accountId))));

    /// <summary>
    /// The <paramref name="k"/> distinct accounts with the smallest <see cref="SampleHash"/> (a bottom-k
    /// sample), smallest first. Two bottom-k samples of overlapping sets share accounts in proportion
    /// to the overlap, whoever took them: a hub's sample and its campaign's meet; random samples would not.
    /// </summary>
    public static List<string> BottomK(IEnumerable<string> accounts, int k)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 0);
        return [.. accounts.Distinct(StringComparer.Ordinal)
            .Select(a => (Account: a, Hash: SampleHash(a)))
            .OrderBy(p => p.Hash)
            .ThenBy(p => p.Account, StringComparer.Ordinal)
            .Take(k)
            .Select(p => p.Account)];
    }
}
