using Orleans.Concurrency;
using Orleans.Runtime;
using Reputation.Core.Backtests;
using Reputation.Core.Scoring;

namespace Reputation.Grains.Backtests;

/// <summary>A changed decision as it crosses silos (<see cref="BacktestChange"/>).</summary>
[GenerateSerializer, Immutable, Alias("reputation.BacktestChangeWire")]
public sealed record BacktestChangeWire(
    [property: Id(0)] string AccountId, [property: Id(1)] DecisionKind Kind, [property: Id(2)] int Current, [property: Id(3)] int Candidate,
    [property: Id(4)] double CurrentScore, [property: Id(5)] double CandidateScore);

/// <summary>A <see cref="BacktestTally"/> as it crosses silos.</summary>
[GenerateSerializer, Immutable, Alias("reputation.BacktestTallyWire")]
public sealed record BacktestTallyWire
{
    [Id(0)] public required long[] Counts { get; init; }
    [Id(1)] public required long[] CurrentScores { get; init; }
    [Id(2)] public required long[] CandidateScores { get; init; }
    [Id(3)] public required BacktestChangeWire[] Changed { get; init; }
    /// <summary>Silos whose samples were decided again.</summary>
    [Id(4)] public int Silos { get; init; } = 1;

    public static BacktestTallyWire From(BacktestTally tally)
    {
        ArgumentNullException.ThrowIfNull(tally);
        return new()
        {
            Counts = tally.Counts,
            CurrentScores = tally.CurrentScores,
            CandidateScores = tally.CandidateScores,
            Changed = [.. tally.Changed.Select(c => new BacktestChangeWire(c.AccountId, c.Kind, c.Current, c.Candidate, c.CurrentScore, c.CandidateScore))],
        };
    }

    public BacktestTally ToTally() => new()
    {
        Counts = [.. Counts],
        CurrentScores = [.. CurrentScores],
        CandidateScores = [.. CandidateScores],
        Changed = [.. Changed.Select(c => new BacktestChange(c.AccountId, c.Kind, c.Current, c.Candidate, c.CurrentScore, c.CandidateScore))],
    };
}

/// <summary>
/// Runs a backtest over every active silo's sample and adds the answers up; forgets an erased
/// account on every silo. A silo that does not answer fails the call (retry): an answer never
/// leaves a silo out silently.
/// </summary>
[Alias("reputation.IBacktestGrain")]
public interface IBacktestGrain : IGrainWithIntegerKey
{
    /// <summary>Decides every silo's sample under <paramref name="currentJson"/> and <paramref name="candidateJson"/> (policy JSON).</summary>
    [Alias("Run")]
    Task<BacktestTallyWire> RunAsync(string currentJson, string candidateJson);

    /// <summary>Drops the account's sampled decisions on every silo; how many.</summary>
    [Alias("ForgetAccount")]
    Task<int> ForgetAccountAsync(string accountId);
}

[StatelessWorker]
public sealed class BacktestGrain(IBacktestServiceClient services, IClusterMembershipService membership) : Grain, IBacktestGrain
{
    async Task<BacktestTallyWire> IBacktestGrain.RunAsync(string currentJson, string candidateJson)
    {
        var answers = await Task.WhenAll(ActiveSilos().Select(s => services.On(s).RunAsync(currentJson, candidateJson)));
        var total = new BacktestTally();
        foreach (var answer in answers)
        {
            total.Add(answer.ToTally());
        }

        return BacktestTallyWire.From(total) with { Silos = answers.Length };
    }

    async Task<int> IBacktestGrain.ForgetAccountAsync(string accountId) =>
        (await Task.WhenAll(ActiveSilos().Select(s => services.On(s).ForgetAccountAsync(accountId)))).Sum();

    private IEnumerable<SiloAddress> ActiveSilos() =>
        membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress);
}
