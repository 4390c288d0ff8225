using System.Globalization;

namespace Reputation.Core.Scoring;

/// <summary>One signal: a value in [0,1] with a stable code and a readable detail.</summary>
public readonly record struct Signal(string Code, double Value, string Detail);

/// <summary>A signal's share of the score.</summary>
public readonly record struct Contribution(string Code, double Value, double Share, string Detail);

public sealed record ScoreResult(double Score, IReadOnlyList<Contribution> Contributions)
{
    public IEnumerable<Contribution> Top(int count) => Contributions.Take(count);
}

/// <summary>
/// Noisy-OR scoring (docs/decisions/0003-scoring-formula.md): each signal i at value v with weight w
/// is an independent chance w·v that the entity is abusive, so score = 1 − Π(1 − w·v). One strong
/// signal is enough; several weak ones add up without passing 1. Each signal's share of the score
/// is its log-odds part −ln(1 − w·v) over the sum of those, times the score, so shares add up to it.
/// </summary>
public static class Scorer
{
    private const double MaxTerm = 0.999;

    public static ScoreResult Combine(ReadOnlySpan<Signal> signals, Func<string, double> weightOf)
    {
        ArgumentNullException.ThrowIfNull(weightOf);
        Span<double> logs = signals.Length <= 16 ? stackalloc double[signals.Length] : new double[signals.Length];
        double logSum = 0;
        var clear = 1.0;
        for (var i = 0; i < signals.Length; i++)
        {
            var term = Math.Clamp(weightOf(signals[i].Code) * Math.Clamp(signals[i].Value, 0, 1), 0, MaxTerm);
            clear *= 1 - term;
            logs[i] = -Math.Log(1 - term);
            logSum += logs[i];
        }

        // The product, not exp(-logSum): a lone signal of weight w then scores exactly w.
        var score = 1 - clear;
        var contributions = new List<Contribution>(signals.Length);
        for (var i = 0; i < signals.Length; i++)
        {
            if (logs[i] > 0)
            {
                contributions.Add(new Contribution(signals[i].Code, signals[i].Value, score * logs[i] / logSum, signals[i].Detail));
            }
        }

        contributions.Sort(static (a, b) => b.Share.CompareTo(a.Share));
        return new ScoreResult(score, contributions);
    }

    public static double WeightOf(this SignalWeights weights, string code) => code switch
    {
        ReasonCodes.NewAccount => weights.NewAccount,
        ReasonCodes.IpRangeSignupVelocity => weights.IpRangeSignupVelocity,
        ReasonCodes.IpRangeAccounts => weights.IpRangeAccounts,
        ReasonCodes.PaymentInstrumentShared => weights.PaymentInstrumentShared,
        ReasonCodes.PaymentChargebacks => weights.PaymentChargebacks,
        ReasonCodes.PaymentDeclines => weights.PaymentDeclines,
        ReasonCodes.AccountRequestVelocity => weights.AccountRequestVelocity,
        _ => 0,
    };

    /// <summary>Scores an account from its own facts and those of its linked range and instruments.</summary>
    public static ScoreResult Score(
        ScoringPolicy policy,
        DateTimeOffset now,
        AccountFacts account,
        RangeFacts? range,
        ReadOnlySpan<InstrumentFacts> instruments)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var ramps = policy.Ramps;
        var buffer = default(SignalBuffer);
        Span<Signal> signals = buffer;
        var n = 0;

        var age = account.CreatedAt is { } created ? now - created : TimeSpan.Zero;
        var newness = age >= ramps.NewAccountMaturity ? 0 : 1 - (Math.Max(age.Ticks, 0) / (double)ramps.NewAccountMaturity.Ticks);
        signals[n++] = new Signal(ReasonCodes.NewAccount, newness,
            account.CreatedAt is null ? "account not seen before" : $"account is {FormatAge(age)} old");

        if (account.RequestsLastMinute > 0)
        {
            signals[n++] = new Signal(ReasonCodes.AccountRequestVelocity, ramps.AccountRequestsPerMinute.Apply(account.RequestsLastMinute),
                $"{account.RequestsLastMinute} requests in the last minute");
        }

        if (range is { } r)
        {
            signals[n++] = new Signal(ReasonCodes.IpRangeSignupVelocity, ramps.IpRangeSignupsPerHour.Apply(r.SignupsLastHour),
                $"{r.SignupsLastHour} signups from {r.Range} in the last hour");
            signals[n++] = new Signal(ReasonCodes.IpRangeAccounts, ramps.IpRangeDistinctAccounts.Apply(r.DistinctAccounts),
                $"about {r.DistinctAccounts} accounts seen in {r.Range}");
        }

        // The worst instrument speaks for the account: one shared card is enough, whatever else it has.
        if (instruments.Length > 0)
        {
            long accounts = 0, chargebacks = 0, declines = 0;
            foreach (var i in instruments)
            {
                accounts = Math.Max(accounts, i.DistinctAccounts);
                chargebacks = Math.Max(chargebacks, i.Chargebacks);
                declines = Math.Max(declines, i.Declines);
            }

            signals[n++] = new Signal(ReasonCodes.PaymentInstrumentShared, ramps.PaymentInstrumentAccounts.Apply(accounts),
                $"payment instrument shared by about {accounts} accounts");
            signals[n++] = new Signal(ReasonCodes.PaymentChargebacks, ramps.PaymentChargebacks.Apply(chargebacks),
                $"{chargebacks} chargebacks on a linked payment instrument");
            signals[n++] = new Signal(ReasonCodes.PaymentDeclines, ramps.PaymentDeclines.Apply(declines),
                $"{declines} declined charges on a linked payment instrument");
        }

        var weights = policy.Weights;
        return Combine(signals[..n], weights.WeightOf);
    }

    private static string FormatAge(TimeSpan age) =>
        age.TotalDays >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{age.TotalDays:0.#} days")
        : age.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{age.TotalHours:0.#} hours")
        : string.Create(CultureInfo.InvariantCulture, $"{Math.Max(age.TotalMinutes, 0):0} minutes");
}

[System.Runtime.CompilerServices.InlineArray(8)]
internal struct SignalBuffer
{
    private Signal _element;
}
