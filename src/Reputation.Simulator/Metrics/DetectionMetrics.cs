using Reputation.Contracts;

namespace Reputation.Simulator.Metrics;

/// <summary>
/// The arithmetic of the report, kept apart from the run so it can be tested on its own. "Held"
/// means any request decision other than <see cref="RequestDecision.Allow"/> (throttle, degrade, block).
/// An empty population has no rate: the functions return <see langword="null"/>, never 0 or NaN.
/// </summary>
internal static class DetectionMetrics
{
    public static bool IsHeld(RequestDecision decision) => decision != RequestDecision.Allow;

    /// <summary>Share of the decisions that hold the account; <see langword="null"/> for none.</summary>
    public static double? HeldShare(IEnumerable<RequestDecision> decisions)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        long held = 0, total = 0;
        foreach (var decision in decisions)
        {
            total++;
            if (IsHeld(decision))
            {
                held++;
            }
        }

        return total == 0 ? null : (double)held / total;
    }

    /// <summary>Campaign recall: share of campaign accounts whose final request decision is not allow.</summary>
    public static double? Recall(IEnumerable<RequestDecision> finalCampaignDecisions) => HeldShare(finalCampaignDecisions);

    /// <summary>False-positive rate: share of legitimate accounts whose final request decision is not allow.</summary>
    public static double? FalsePositiveRate(IEnumerable<RequestDecision> finalLegitimateDecisions) => HeldShare(finalLegitimateDecisions);

    /// <summary>
    /// Estimated share of a whole population that is held, from a uniform sample of the accounts that
    /// exist so far (accounts that have not signed up yet count as not held).
    /// </summary>
    /// <param name="heldInSample">Held accounts in the sample.</param>
    /// <param name="sampled">Size of the sample.</param>
    /// <param name="existing">Accounts of the population that exist now (the sample is drawn from these).</param>
    /// <param name="total">All accounts of the population.</param>
    public static double? EstimatedHeldShare(int heldInSample, int sampled, int existing, int total)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(heldInSample);
        ArgumentOutOfRangeException.ThrowIfNegative(sampled);
        ArgumentOutOfRangeException.ThrowIfNegative(existing);
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(heldInSample, sampled);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sampled, existing);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(existing, total);
        if (total == 0)
        {
            return null;
        }

        return sampled == 0 ? 0 : (double)heldInSample / sampled * existing / total;
    }

    /// <summary>
    /// The weight of one sampled decision: the requests it answers for, scaled up by how many active
    /// accounts each sampled one stands for in its step (inverse sampling probability), so steps with
    /// different sample rates add up to an estimate over all requests.
    /// </summary>
    public static double SampleWeight(long requests, int activeAccounts, int sampledAccounts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(requests);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampledAccounts);
        ArgumentOutOfRangeException.ThrowIfLessThan(activeAccounts, sampledAccounts);
        return requests * ((double)activeAccounts / sampledAccounts);
    }
}

/// <summary>A weighted tally of decisions: what share of the weight (requests) was answered allow.</summary>
internal sealed class WeightedDecisionShare
{
    private readonly double[] _weights = new double[Enum.GetValues<RequestDecision>().Length];

    public double TotalWeight { get; private set; }

    public long Samples { get; private set; }

    public void Add(RequestDecision decision, double weight)
    {
        if (weight < 0 || double.IsNaN(weight) || double.IsInfinity(weight))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "A weight is a finite number of requests, at least 0.");
        }

        _weights[(int)decision] += weight;
        TotalWeight += weight;
        Samples++;
    }

    /// <summary>Share of the weight answered allow; <see langword="null"/> when nothing was weighed.</summary>
    public double? AllowShare => TotalWeight > 0 ? _weights[(int)RequestDecision.Allow] / TotalWeight : null;

    /// <summary>Share of the weight answered with <paramref name="decision"/>; <see langword="null"/> when nothing was weighed.</summary>
    public double? ShareOf(RequestDecision decision) => TotalWeight > 0 ? _weights[(int)decision] / TotalWeight : null;
}

/// <summary>One check of how much of the campaign population is held, after a step's events.</summary>
/// <param name="Step">Step number from 0.</param>
/// <param name="EventsSent">Events sent so far (all kinds, including the ones before the window).</param>
/// <param name="SimulatedMinute">Simulated minutes since the window opened, at the end of the step.</param>
/// <param name="ElapsedSeconds">Wall-clock seconds since the run started.</param>
/// <param name="HeldShare">Estimated share of all campaign accounts that are held.</param>
/// <summary>The estimated held share of the campaign population at one simulated minute.</summary>
internal sealed record HeldSharePoint(double Minute, double HeldShare);

internal sealed record DetectionCheck(int Step, long EventsSent, double SimulatedMinute, double ElapsedSeconds, double HeldShare);

/// <summary>
/// Time to detection: the first check at which the held share of the campaign population reaches the
/// threshold (90 % by default). Later checks do not change it, even if the share falls again.
/// </summary>
internal sealed class DetectionTracker
{
    public DetectionTracker(double threshold = 0.9)
    {
        if (threshold is <= 0 or > 1 || double.IsNaN(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold is a share in (0, 1].");
        }

        Threshold = threshold;
    }

    public double Threshold { get; }

    /// <summary>The check that first reached the threshold; <see langword="null"/> while it is not reached ("never").</summary>
    public DetectionCheck? Reached { get; private set; }

    /// <summary>The latest check.</summary>
    public DetectionCheck? Last { get; private set; }

    public int Checks { get; private set; }

    /// <summary>The highest held share seen.</summary>
    public double PeakHeldShare { get; private set; }

    private readonly List<HeldSharePoint> _curve = [];

    /// <summary>The held share at each check, in order: how fast the campaign was recognised.</summary>
    public IReadOnlyList<HeldSharePoint> Curve => _curve;

    /// <summary>Records a check; returns whether this check is the one that reached the threshold.</summary>
    public bool Observe(DetectionCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        if (Last is { } last && check.EventsSent < last.EventsSent)
        {
            throw new ArgumentException("Checks come in order: events sent never go down.", nameof(check));
        }

        Last = check;
        Checks++;
        PeakHeldShare = Math.Max(PeakHeldShare, check.HeldShare);
        _curve.Add(new HeldSharePoint(Math.Round(check.SimulatedMinute, 2), Math.Round(check.HeldShare, 4)));

        // A tiny tolerance: 9 of 10 is 0.9 even when floating point says 0.8999999.
        if (Reached is null && check.HeldShare >= Threshold - 1e-12)
        {
            Reached = check;
            return true;
        }

        return false;
    }
}
