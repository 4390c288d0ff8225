using System.Globalization;
using Mediator;
using Reputation.Api.Errors;
using Reputation.Contracts;
using Reputation.Core.Backtests;
using Reputation.Core.Scoring;
using Reputation.Grains.Backtests;
using Reputation.Grains.Policies;

namespace Reputation.Api.Features.Policies;

/// <summary>Decides the silos' samples under a policy's current version and a candidate; validated exactly as a saved policy is.</summary>
public sealed record RunBacktest(string Name, string Json) : IRequest<BacktestResult?>, IValidatable
{
    public void Validate(ValidationErrors errors) => new SavePolicy(Name, Json, 0, "").Validate(errors);
}

public sealed class BacktestHandler(IGrainFactory grains) : IRequestHandler<RunBacktest, BacktestResult?>
{
    /// <summary>Null when no policy of that name was ever saved.</summary>
    public async ValueTask<BacktestResult?> Handle(RunBacktest request, CancellationToken cancellationToken)
    {
        if (await grains.GetGrain<IPolicyGrain>(request.Name).GetAsync() is not { } current)
        {
            return null;
        }

        var answer = await grains.GetGrain<IBacktestGrain>(0).RunAsync(current.Json, request.Json);
        var tally = answer.ToTally();
        var kinds = Enum.GetValues<DecisionKind>();
        return new BacktestResult
        {
            Policy = request.Name,
            CurrentVersion = current.Version,
            Silos = answer.Silos,
            Sampled = kinds.Sum(tally.Sampled),
            Changed = kinds.Sum(tally.ChangedCount),
            Signup = Kind<SignupDecision>(tally, DecisionKind.Signup),
            Request = Kind<RequestDecision>(tally, DecisionKind.Request),
            Billing = Kind<BillingDecision>(tally, DecisionKind.Billing),
        };
    }

    private static BacktestKind<T> Kind<T>(BacktestTally tally, DecisionKind kind)
        where T : struct, Enum
    {
        var outcomes = Enum.GetValues<T>();
        var table = new List<BacktestCell<T>>();
        foreach (var current in outcomes)
        {
            foreach (var candidate in outcomes)
            {
                var count = tally.Counts[BacktestTally.Index(kind, Int(current), Int(candidate))];
                if (count > 0)
                {
                    table.Add(new BacktestCell<T>(current, candidate, count));
                }
            }
        }

        var bins = Enumerable.Range(0, BacktestTally.Bins);
        return new BacktestKind<T>
        {
            Sampled = tally.Sampled(kind),
            Changed = tally.ChangedCount(kind),
            Table = table,
            ChangedAccounts = [.. tally.Changed.Where(c => c.Kind == kind)
                .Select(c => new BacktestChange<T>(c.AccountId, outcomes[c.Current], outcomes[c.Candidate], Math.Round(c.CurrentScore, 4), Math.Round(c.CandidateScore, 4)))],
            Scores = new ScoreHistogram
            {
                Bins = [.. bins.Select(b => (double)b / BacktestTally.Bins)],
                Current = [.. bins.Select(b => tally.CurrentScores[((int)kind * BacktestTally.Bins) + b])],
                Candidate = [.. bins.Select(b => tally.CandidateScores[((int)kind * BacktestTally.Bins) + b])],
            },
        };
    }

    private static int Int<T>(T outcome)
        where T : struct, Enum => Convert.ToInt32(outcome, CultureInfo.InvariantCulture);
}
