using Reputation.Core.Scoring;
using Reputation.Grains.Erasure;

namespace Reputation.Grains.Templates;

/// <summary>
/// One co-occurrence cluster: the accounts whose sets of shared prompt buckets have this MinHash
/// band key (<see cref="Core.Sketches.TemplateSets"/>; key <c>s{band}:{16 hex}</c>), i.e. accounts
/// that use nearly the same several templates, whether or not a card or a range links them.
/// </summary>
[Alias("reputation.ITemplateSetGrain")]
public interface ITemplateSetGrain : IGrainWithStringKey
{
    /// <summary>The account's set has this band key now: it is (again) a member, with its standing and tags as given.</summary>
    [Alias("Join")]
    ValueTask<TemplateSetSignals> JoinAsync(string accountId, TemplateSetMember member);

    /// <summary>The account's set no longer has this band key: it is no longer a member.</summary>
    [Alias("Leave")]
    ValueTask LeaveAsync(string accountId);

    [Alias("GetSignals"), ReadOnly]
    ValueTask<TemplateSetSignals> GetSignalsAsync();
}

/// <summary>What a member tells its cluster of itself: its standing, 16-bit tags of its range and work domain (never the values) and its own five-minute bins.</summary>
[GenerateSerializer, Immutable, Alias("reputation.TemplateSetMember")]
public sealed record TemplateSetMember
{
    [Id(0)] public Standing Standing { get; init; }
    [Id(1)] public ushort RangeTag { get; init; }
    [Id(2)] public ushort DomainTag { get; init; }
    /// <summary>The account's own five-minute bins, all its traffic (<c>AccountState.ActiveBins</c>): whether it keeps the other members' hours (<see cref="SharerProfile"/>).</summary>
    [Id(3)] public ulong AccountBins { get; init; }
    [Id(4)] public int AccountLatestBin { get; init; }
    /// <summary>Whether a template or cluster found the account in lockstep with its sharers beyond chance lately (<see cref="SharerTraits.InStepElsewhere"/>).</summary>
    [Id(5)] public bool InStep { get; init; }

    /// <summary>
    /// Whether <paramref name="other"/> has the same standing and tags and the same latest bin: a
    /// member re-joins at most once per five-minute bin of its own usage (its bins otherwise change
    /// with each request) unless something else changed.
    /// </summary>
    public bool SameProfile(TemplateSetMember? other) =>
        other is not null && other.Standing == Standing && other.RangeTag == RangeTag && other.DomainTag == DomainTag && other.AccountLatestBin == AccountLatestBin
        && other.InStep == InStep;
}

/// <summary>A cluster as one member sees it.</summary>
[GenerateSerializer, Immutable, Alias("reputation.TemplateSetSignals")]
public sealed record TemplateSetSignals
{
    [Id(0)] public required string Key { get; init; }
    /// <summary>Sampled members other than the one asking (at most <see cref="TemplateSetState.MemberCapacity"/>).</summary>
    [Id(1)] public long Sharers { get; init; }
    /// <summary>How suspect its members are, 0..1: 1 − the larger of the share that vouches and one cohort's share (<see cref="SharerProfile.Suspicion"/>, as for a template's sharers).</summary>
    [Id(2)] public double Suspicion { get; init; } = 1;
    /// <summary>The share of the members in lockstep beyond chance when the member asking is one of them (<see cref="SharerProfile.Suspicion(System.ReadOnlySpan{SharerTraits}, double, int?, System.Span{bool}, out double)"/>); 0 otherwise.</summary>
    [Id(3)] public double InStepShare { get; init; }
}

/// <summary>A cluster's members, the most recent first: bounded at <see cref="MemberCapacity"/>, about 3 KB.</summary>
[GenerateSerializer, Alias("reputation.TemplateSetState")]
public sealed class TemplateSetState
{
    public const int MemberCapacity = 64;

    [Id(0)] public List<SharerSample> Members { get; set; } = [];
    // Never renumber an Id; a new member takes the next one.
}

/// <summary>
/// Holds a cluster's sampled members and their profile (docs/detection.md, "Templates in common").
/// Writes only when a member enters, leaves or changes its standing or tags: members re-join each
/// time they report, most often with nothing new but their bins.
/// </summary>
public sealed class TemplateSetGrain(
    [PersistentState("template-set", StorageNames.Reputation)] IPersistentState<TemplateSetState> state,
    IPolicyCache policies,
    IUsageObservation observation) : Grain, ITemplateSetGrain, IEntityErasure
{
    async ValueTask<TemplateSetSignals> ITemplateSetGrain.JoinAsync(string accountId, TemplateSetMember member)
    {
        var members = state.State.Members;
        var index = members.FindIndex(x => x.AccountId == accountId);
        var known = index >= 0 ? members[index] : null;
        var changed = known is null || known.Standing != member.Standing || known.RangeTag != member.RangeTag || known.DomainTag != member.DomainTag
            || known.InStepElsewhere != member.InStep;
        if (index != 0)
        {
            if (index > 0)
            {
                members.RemoveAt(index);
            }

            members.Insert(0, known ?? new SharerSample { AccountId = accountId });
            if (members.Count > TemplateSetState.MemberCapacity)
            {
                members.RemoveAt(members.Count - 1);
            }
        }

        var sample = members[0];
        sample.Standing = member.Standing;
        sample.RangeTag = member.RangeTag;
        sample.DomainTag = member.DomainTag;
        sample.InStepElsewhere = member.InStep;
        // Its timing is kept in memory and stored with the next change: bins move every five
        // minutes, and a member that re-joins with nothing else new costs no write.
        if (member.AccountBins != 0 && (sample.AccountBins == 0 || member.AccountLatestBin >= sample.AccountLatestBin))
        {
            sample.AccountBins = member.AccountBins;
            sample.AccountLatestBin = member.AccountLatestBin;
        }

        if (changed)
        {
            await state.WriteStateAsync();
        }

        return Signals(accountId);
    }

    async ValueTask ITemplateSetGrain.LeaveAsync(string accountId)
    {
        if (state.State.Members.RemoveAll(x => x.AccountId == accountId) > 0)
        {
            await state.WriteStateAsync();
        }
    }

    ValueTask<TemplateSetSignals> ITemplateSetGrain.GetSignalsAsync() => ValueTask.FromResult(Signals(null));

    /// <summary>An erased account leaves every cluster it named (its footprint lists its band keys); no count of it remains.</summary>
    async ValueTask<bool> IEntityErasure.ForgetAccountAsync(string accountId, string placeholder)
    {
        if (state.State.Members.RemoveAll(x => x.AccountId == accountId) == 0)
        {
            return false;
        }

        await state.WriteStateAsync();
        return true;
    }

    private TemplateSetSignals Signals(string? accountId)
    {
        var members = state.State.Members;
        var index = accountId is null ? -1 : members.FindIndex(x => x.AccountId == accountId);
        Span<bool> inStep = index >= 0 ? stackalloc bool[members.Count] : [];
        return new TemplateSetSignals
        {
            Key = this.GetPrimaryKeyString(),
            Sharers = members.Count - (index >= 0 ? 1 : 0),
            Suspicion = Sharers.Suspicion(members, policies.Current.Trust.CohortShare, observation.Since, inStep, out var together),
            InStepShare = index >= 0 && inStep[index] ? together : 0,
        };
    }
}
