namespace Reputation.Contracts;

/// <summary>How many sampled decisions had one outcome under the current policy and one under the candidate.</summary>
/// <typeparam name="T">The decision kind's outcome.</typeparam>
/// <param name="Current">The outcome under the policy's current version.</param>
/// <param name="Candidate">The outcome under the candidate.</param>
/// <param name="Count">Sampled decisions with this pair.</param>
public sealed record BacktestCell<T>(T Current, T Candidate, long Count) where T : struct, Enum;

/// <summary>An account whose sampled decision the candidate changes.</summary>
/// <typeparam name="T">The decision kind's outcome.</typeparam>
/// <param name="AccountId">The account.</param>
/// <param name="Current">Its outcome under the current version.</param>
/// <param name="Candidate">Its outcome under the candidate.</param>
/// <param name="CurrentScore">Its score under the current version, 0..1.</param>
/// <param name="CandidateScore">Its score under the candidate, 0..1.</param>
public sealed record BacktestChange<T>(string AccountId, T Current, T Candidate, double CurrentScore, double CandidateScore) where T : struct, Enum;

/// <summary>Scores of the sampled decisions in fixed bins, under the current version and under the candidate.</summary>
public sealed record ScoreHistogram
{
    /// <summary>Each bin's lower bound: 0, 0.1, … 0.9; a bin runs up to the next bound, the last includes 1.</summary>
    public required IReadOnlyList<double> Bins { get; init; }
    /// <summary>Decisions per bin under the current version.</summary>
    public required IReadOnlyList<long> Current { get; init; }
    /// <summary>Decisions per bin under the candidate.</summary>
    public required IReadOnlyList<long> Candidate { get; init; }
}

/// <summary>One decision kind's part of a backtest.</summary>
/// <typeparam name="T">The decision kind's outcome.</typeparam>
public sealed record BacktestKind<T> where T : struct, Enum
{
    /// <summary>Sampled decisions of this kind decided again.</summary>
    public required long Sampled { get; init; }
    /// <summary>Of those, decisions whose outcome the candidate changes.</summary>
    public required long Changed { get; init; }
    /// <summary>Decisions by (current, candidate) outcome; pairs never seen are left out.</summary>
    public required IReadOnlyList<BacktestCell<T>> Table { get; init; }
    /// <summary>Up to 100 accounts whose decision changes, each once, largest score move first.</summary>
    public required IReadOnlyList<BacktestChange<T>> ChangedAccounts { get; init; }
    /// <summary>Scores under the current version and under the candidate.</summary>
    public required ScoreHistogram Scores { get; init; }
}

/// <summary>
/// A candidate policy decided on the silos' samples of recent decisions (the facts each decision
/// was made from), beside the policy's current version: what it would change had it been live.
/// </summary>
public sealed record BacktestResult
{
    /// <summary>The policy the candidate is compared with.</summary>
    public required string Policy { get; init; }
    /// <summary>Its current version, which decided the <c>current</c> side.</summary>
    public required int CurrentVersion { get; init; }
    /// <summary>Silos whose samples were decided again (every active silo).</summary>
    public required int Silos { get; init; }
    /// <summary>Sampled decisions decided again, all kinds.</summary>
    public required long Sampled { get; init; }
    /// <summary>Of those, decisions whose outcome the candidate changes.</summary>
    public required long Changed { get; init; }
    /// <summary>Signup decisions.</summary>
    public required BacktestKind<SignupDecision> Signup { get; init; }
    /// <summary>Request decisions.</summary>
    public required BacktestKind<RequestDecision> Request { get; init; }
    /// <summary>Billing decisions.</summary>
    public required BacktestKind<BillingDecision> Billing { get; init; }
}
