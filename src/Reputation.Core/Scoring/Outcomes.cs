namespace Reputation.Core.Scoring;

public enum SignupOutcome
{
    Allow,
    Review,
    Challenge,
    Deny,
}

public enum RequestOutcome
{
    Allow,
    Throttle,
    Degrade,
    Block,
}

public enum BillingOutcome
{
    Allow,
    Hold,
    Deny,
}
