using Reputation.Core.Scoring;

namespace Reputation.Core.Backtests;

/// <summary>One sampled decision whose outcome a candidate policy changes.</summary>
public sealed record BacktestChange(string AccountId, DecisionKind Kind, int Current, int Candidate, double CurrentScore, double CandidateScore);

/// <summary>
/// A backtest's counts over some samples: decisions by (current, candidate) outcome per kind, score
/// histograms, and the changed decisions with the largest score moves. Tallies of several silos'
/// samples add up (<see cref="Add"/>).
/// </summary>
public sealed class BacktestTally
{
    /// <summary>Outcomes per kind are at most four (allow … deny/block).</summary>
    public const int Outcomes = 4;

    public const int Kinds = 3;

    /// <summary>Histogram bins over scores 0..1, each 1/Bins wide; a score of 1 counts in the last.</summary>
    public const int Bins = 10;

    /// <summary>Changed decisions named per kind at most.</summary>
    public const int ChangedCapacity = 100;

    /// <summary>Decisions by <see cref="Index"/> (kind, current outcome, candidate outcome).</summary>
    public long[] Counts { get; init; } = new long[Kinds * Outcomes * Outcomes];

    /// <summary>Scores under the current policy by (kind, bin).</summary>
    public long[] CurrentScores { get; init; } = new long[Kinds * Bins];

    /// <summary>Scores under the candidate by (kind, bin).</summary>
    public long[] CandidateScores { get; init; } = new long[Kinds * Bins];

    /// <summary>Per kind, at most <see cref="ChangedCapacity"/> accounts whose decision changes (each once, by its largest score move), largest move first.</summary>
    public List<BacktestChange> Changed { get; init; } = [];

    public static int Index(DecisionKind kind, int current, int candidate) => ((int)kind * Outcomes * Outcomes) + (current * Outcomes) + candidate;

    public static int Bin(DecisionKind kind, double score) => ((int)kind * Bins) + Math.Clamp((int)(score * Bins), 0, Bins - 1);

    /// <summary>Decisions of one kind counted.</summary>
    public long Sampled(DecisionKind kind) => Counts.AsSpan((int)kind * Outcomes * Outcomes, Outcomes * Outcomes).ToArray().Sum();

    /// <summary>Decisions of one kind whose outcome the candidate changes.</summary>
    public long ChangedCount(DecisionKind kind)
    {
        long changed = 0;
        for (var current = 0; current < Outcomes; current++)
        {
            for (var candidate = 0; candidate < Outcomes; candidate++)
            {
                changed += current != candidate ? Counts[Index(kind, current, candidate)] : 0;
            }
        }

        return changed;
    }

    /// <summary>Adds another tally's counts and keeps the largest moves of both.</summary>
    public void Add(BacktestTally other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Accumulate(Counts, other.Counts);
        Accumulate(CurrentScores, other.CurrentScores);
        Accumulate(CandidateScores, other.CandidateScores);
        Changed.AddRange(other.Changed);
        Trim();
    }

    internal void Trim()
    {
        // An account decided several times (or sampled on several silos) is named once, by its largest move.
        var kept = Changed
            .GroupBy(c => (c.Kind, c.AccountId))
            .Select(g => g.MaxBy(c => Math.Abs(c.CandidateScore - c.CurrentScore))!)
            .GroupBy(c => c.Kind)
            .SelectMany(g => g.OrderByDescending(c => Math.Abs(c.CandidateScore - c.CurrentScore)).ThenBy(c => c.AccountId, StringComparer.Ordinal).Take(ChangedCapacity))
            .OrderBy(c => c.Kind)
            .ThenByDescending(c => Math.Abs(c.CandidateScore - c.CurrentScore))
            .ThenBy(c => c.AccountId, StringComparer.Ordinal)
            .ToList();
        Changed.Clear();
        Changed.AddRange(kept);
    }

    private static void Accumulate(long[] into, long[] from)
    {
        for (var i = 0; i < into.Length && i < from.Length; i++)
        {
            into[i] += from[i];
        }
    }
}

/// <summary>
/// Decides sampled decisions again under the current policy and a candidate, as shadow mode
/// would have: the candidate's outcome is <see cref="AccountDecision.ShadowOutcome"/> of the same
/// call, so a backtest counts what the candidate set as shadow counts on the same facts.
/// </summary>
public static class Backtest
{
    public static BacktestTally Run(IEnumerable<DecisionSample> samples, ScoringPolicy current, ScoringPolicy candidate)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(candidate);
        var tally = new BacktestTally();
        foreach (var sample in samples)
        {
            var inputs = sample.Inputs();
            var decision = AccountDecider.Decide(sample.Kind, sample.At, inputs, sample.Listed, current, candidate);
            var candidateOutcome = decision.ShadowOutcome!.Value;
            // A list entry decides alike under both (its score too); otherwise the candidate's own score.
            var currentScore = decision.Result.Score;
            var candidateScore = decision.Listed ? currentScore : Scorer.Score(candidate, sample.At, inputs).Score;
            tally.Counts[BacktestTally.Index(sample.Kind, decision.Outcome, candidateOutcome)]++;
            tally.CurrentScores[BacktestTally.Bin(sample.Kind, currentScore)]++;
            tally.CandidateScores[BacktestTally.Bin(sample.Kind, candidateScore)]++;
            if (decision.Outcome != candidateOutcome)
            {
                tally.Changed.Add(new BacktestChange(sample.AccountId, sample.Kind, decision.Outcome, candidateOutcome, currentScore, candidateScore));
            }
        }

        tally.Trim();
        return tally;
    }
}
