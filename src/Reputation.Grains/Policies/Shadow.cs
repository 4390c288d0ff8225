using Reputation.Core.Scoring;

namespace Reputation.Grains.Policies;

/// <summary>A candidate policy evaluated beside the live one; <see cref="Id"/> changes with every PUT of a candidate.</summary>
[GenerateSerializer, Immutable, Alias("reputation.ShadowRevision")]
public sealed record ShadowRevision
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required int Id { get; init; }
    [Id(2)] public required string Json { get; init; }
    [Id(3)] public required string By { get; init; }
    [Id(4)] public required DateTimeOffset At { get; init; }
}

/// <summary>
/// Counts of (live outcome, shadow outcome) per decision kind, as <see cref="ShadowCounts.Index"/>
/// lays them out, plus accounts whose decision would change.
/// </summary>
[GenerateSerializer, Immutable, Alias("reputation.ShadowTally")]
public sealed record ShadowTally
{
    [Id(0)] public required long[] Counts { get; init; }
    [Id(1)] public string[] Changed { get; init; } = [];
}

public static class ShadowCounts
{
    /// <summary>Outcomes per kind are at most four (allow … deny/block).</summary>
    public const int Outcomes = 4;

    public const int Length = 3 * Outcomes * Outcomes;

    /// <summary>Accounts whose decision would change, kept per candidate.</summary>
    public const int ChangedCapacity = 100;

    public static int Index(DecisionKind kind, int live, int shadow) => ((int)kind * Outcomes * Outcomes) + (live * Outcomes) + shadow;
}

[Alias("reputation.IShadowReportGrain")]
public interface IShadowReportGrain : IGrainWithStringKey
{
    /// <summary>Adds what one silo counted since its last report.</summary>
    [Alias("Add"), OneWay]
    Task AddAsync(ShadowTally tally);

    [Alias("Get")]
    ValueTask<ShadowTally> GetAsync();

    /// <summary>
    /// The candidate was replaced or removed: its report forgets its counts and accounts, and takes
    /// no more (a silo may still send what it counted before it heard of the change).
    /// </summary>
    [Alias("Close")]
    Task CloseAsync();
}

[GenerateSerializer, Alias("reputation.ShadowReportState")]
public sealed class ShadowReportState
{
    [Id(0)] public long[] Counts { get; set; } = new long[ShadowCounts.Length];
    [Id(1)] public List<string> Changed { get; set; } = [];
    /// <summary>The candidate is gone: the report is empty and stays so.</summary>
    [Id(2)] public bool Closed { get; set; }
}

/// <summary>The shadow report of one candidate (key <c>{policy}:{candidate id}</c>): totals over every silo.</summary>
public sealed class ShadowReportGrain(
    [PersistentState("shadow", StorageNames.Reputation)] IPersistentState<ShadowReportState> state) : Grain, IShadowReportGrain, Erasure.IShadowReportErasure
{
    public static string Key(string policy, int shadowId) => $"{policy}:{shadowId}";

    async Task IShadowReportGrain.AddAsync(ShadowTally tally)
    {
        var s = state.State;
        if (s.Closed)
        {
            return;
        }

        for (var i = 0; i < ShadowCounts.Length && i < tally.Counts.Length; i++)
        {
            s.Counts[i] += tally.Counts[i];
        }

        foreach (var account in tally.Changed)
        {
            if (s.Changed.Count >= ShadowCounts.ChangedCapacity)
            {
                break;
            }

            if (!s.Changed.Contains(account))
            {
                s.Changed.Add(account);
            }
        }

        await state.WriteStateAsync();
    }

    async ValueTask<bool> Erasure.IShadowReportErasure.ForgetAccountAsync(string accountId)
    {
        if (!state.State.Changed.Remove(accountId))
        {
            return false;
        }

        await state.WriteStateAsync();
        return true;
    }

    async Task IShadowReportGrain.CloseAsync()
    {
        if (state.State.Closed)
        {
            return;
        }

        state.State = new ShadowReportState { Closed = true };
        await state.WriteStateAsync();
    }

    ValueTask<ShadowTally> IShadowReportGrain.GetAsync() =>
        ValueTask.FromResult(new ShadowTally { Counts = [.. state.State.Counts], Changed = [.. state.State.Changed] });
}
