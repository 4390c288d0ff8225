namespace Reputation.Core.Scoring;

/// <summary>
/// Everything scoring needs: signal weights, the ramps that turn counts into [0,1] values, and the
/// thresholds per decision kind. Immutable; a new version is a new instance. The defaults are the
/// <c>default</c> policy, version 1.
/// </summary>
public sealed record ScoringPolicy
{
    public string Name { get; init; } = "default";

    public int Version { get; init; } = 1;

    public SignalWeights Weights { get; init; } = new();

    public SignalRamps Ramps { get; init; } = new();

    public SignupThresholds Signup { get; init; } = new();

    public RequestThresholds Request { get; init; } = new();

    public BillingThresholds Billing { get; init; } = new();

    public RequestTiers Tiers { get; init; } = new();

    public static ScoringPolicy Default { get; } = new();
}

/// <summary>Weight of each signal: the score a signal at full strength gives on its own.</summary>
public sealed record SignalWeights
{
    public double NewAccount { get; init; } = 0.15;
    public double IpRangeSignupVelocity { get; init; } = 0.5;
    public double IpRangeAccounts { get; init; } = 0.3;
    public double PaymentInstrumentShared { get; init; } = 0.6;
    public double PaymentChargebacks { get; init; } = 0.8;
    public double PaymentDeclines { get; init; } = 0.4;
    public double AccountRequestVelocity { get; init; } = 0.5;
}

/// <summary>
/// Linear ramps from a count to a signal value: 0 at or below <c>Free</c>, 1 at or above
/// <c>Saturation</c>. <c>Free</c> is what an ordinary user or household produces.
/// </summary>
public sealed record SignalRamps
{
    /// <summary>Age at which an account stops being new.</summary>
    public TimeSpan NewAccountMaturity { get; init; } = TimeSpan.FromDays(7);
    public Ramp IpRangeSignupsPerHour { get; init; } = new(3, 20);
    public Ramp IpRangeDistinctAccounts { get; init; } = new(25, 500);
    public Ramp PaymentInstrumentAccounts { get; init; } = new(2, 8);
    public Ramp PaymentChargebacks { get; init; } = new(0, 2);
    public Ramp PaymentDeclines { get; init; } = new(2, 10);
    public Ramp AccountRequestsPerMinute { get; init; } = new(300, 3000);
}

public readonly record struct Ramp(double Free, double Saturation)
{
    public double Apply(double count) =>
        count <= Free ? 0 : count >= Saturation ? 1 : (count - Free) / (Saturation - Free);
}

/// <summary>Score at or above which each outcome applies.</summary>
public sealed record SignupThresholds
{
    public double Review { get; init; } = 0.35;
    public double Challenge { get; init; } = 0.6;
    public double Deny { get; init; } = 0.85;

    public SignupOutcome Decide(double score) =>
        score >= Deny ? SignupOutcome.Deny : score >= Challenge ? SignupOutcome.Challenge : score >= Review ? SignupOutcome.Review : SignupOutcome.Allow;
}

public sealed record RequestThresholds
{
    public double Throttle { get; init; } = 0.5;
    public double Degrade { get; init; } = 0.7;
    public double Block { get; init; } = 0.9;

    public RequestOutcome Decide(double score) =>
        score >= Block ? RequestOutcome.Block : score >= Degrade ? RequestOutcome.Degrade : score >= Throttle ? RequestOutcome.Throttle : RequestOutcome.Allow;
}

public sealed record BillingThresholds
{
    public double Hold { get; init; } = 0.5;
    public double Deny { get; init; } = 0.8;

    public BillingOutcome Decide(double score) =>
        score >= Deny ? BillingOutcome.Deny : score >= Hold ? BillingOutcome.Hold : BillingOutcome.Allow;
}

/// <summary>Rate granted per request outcome, and how long a gateway may cache an answer.</summary>
public sealed record RequestTiers
{
    public int AllowRequestsPerMinute { get; init; } = 600;
    public int ThrottleRequestsPerMinute { get; init; } = 60;
    public int DegradeRequestsPerMinute { get; init; } = 60;
    public int CacheTtlSeconds { get; init; } = 30;

    public int RequestsPerMinute(RequestOutcome outcome) => outcome switch
    {
        RequestOutcome.Allow => AllowRequestsPerMinute,
        RequestOutcome.Throttle => ThrottleRequestsPerMinute,
        RequestOutcome.Degrade => DegradeRequestsPerMinute,
        _ => 0,
    };
}
