using System.Security.Cryptography;

namespace Reputation.Grains.Erasure;

/// <summary>An account's side of erasure (docs/security.md, "Erasure"): what it links to, then forgetting it all.</summary>
[Alias("reputation.IAccountErasure")]
public interface IAccountErasure : IGrainWithStringKey
{
    /// <summary>The entities that may name the account; null when it was never seen.</summary>
    [Alias("GetFootprint"), ReadOnly]
    ValueTask<AccountFootprint?> GetFootprintAsync();

    /// <summary>Clears the account's state and deletes its storage record; the activation goes away.</summary>
    [Alias("Erase")]
    ValueTask EraseAsync();
}

/// <summary>A range, card or template forgetting an erased account.</summary>
[Alias("reputation.IEntityErasure")]
public interface IEntityErasure : IGrainWithStringKey
{
    /// <summary>
    /// Removes the account from the entity's samples (recent accounts, a template's sampled
    /// fingerprints and sharers) and puts <paramref name="placeholder"/> in its place in the
    /// flagged and confirmed-fraud lists, so those still count it; true when anything changed.
    /// </summary>
    [Alias("ForgetAccount")]
    ValueTask<bool> ForgetAccountAsync(string accountId, string placeholder);
}

/// <summary>The campaign registry forgetting an erased account.</summary>
[Alias("reputation.ICampaignErasure")]
public interface ICampaignErasure : IGrainWithStringKey
{
    /// <summary>Removes the account from every campaign's member sample; how many campaigns named it.</summary>
    [Alias("ForgetMember")]
    ValueTask<int> ForgetMemberAsync(string accountId);
}

/// <summary>A shadow report forgetting an erased account among the accounts whose decision would change.</summary>
[Alias("reputation.IShadowReportErasure")]
public interface IShadowReportErasure : IGrainWithStringKey
{
    [Alias("ForgetAccount")]
    ValueTask<bool> ForgetAccountAsync(string accountId);
}

/// <summary>The entities an account links to or was last seen with: where its id may be held.</summary>
[GenerateSerializer, Immutable, Alias("reputation.AccountFootprint")]
public sealed class AccountFootprint
{
    [Id(0)] public string[] IpRanges { get; init; } = [];
    [Id(1)] public string[] PaymentInstruments { get; init; } = [];
    [Id(2)] public string[] PromptBuckets { get; init; } = [];
    /// <summary>The key journal slots (<see cref="Provenance.JournalPolicy.ShardKey"/>) its accepted events may be journaled in.</summary>
    [Id(3)] public string[] JournalSlots { get; init; } = [];
    /// <summary>The oldest hour the journal still reads: a slot holding an older one is past it.</summary>
    [Id(4)] public long OldestJournalHour { get; init; }
    /// <summary>Watermark keys whose record may name the account.</summary>
    [Id(5)] public string[] WatermarkKeys { get; init; } = [];
    /// <summary>The co-occurrence clusters (template-set band keys) it is a member of.</summary>
    [Id(60)] public string[] TemplateSets { get; init; } = [];
}

/// <summary>The anonymous stand-ins an erased account leaves in the counts it contributed to.</summary>
public static class ErasedAccounts
{
    /// <summary>'/' is refused in account ids at the edge, so no real account can ever look like a placeholder.</summary>
    public const string Prefix = "erased/";

    /// <summary>A fresh random placeholder: it says an account was here, never which.</summary>
    public static string NewPlaceholder() => Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public static bool IsPlaceholder(string accountId) => accountId.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Replaces <paramref name="accountId"/> by <paramref name="placeholder"/> where it stands; true when it was there.</summary>
    public static bool Replace(List<string> list, string accountId, string placeholder)
    {
        ArgumentNullException.ThrowIfNull(list);
        var index = list.IndexOf(accountId);
        if (index < 0)
        {
            return false;
        }

        list[index] = placeholder;
        return true;
    }
}
