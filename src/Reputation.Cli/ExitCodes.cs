namespace Reputation.Cli;

/// <summary>What <c>reputation</c> exits with (README, "Operator command line").</summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>The service refused the call (a 4xx other than 404: bad input, missing scope, a conflict).</summary>
    public const int Refused = 1;

    /// <summary>The command line itself is wrong (unknown command or option, a missing or bad value, no API key).</summary>
    public const int Usage = 2;

    /// <summary>The service did not answer, or answered 5xx; a decision shown is the client's fallback.</summary>
    public const int Unavailable = 3;

    /// <summary>The account, policy or version asked about is unknown to the service.</summary>
    public const int NotFound = 4;
}
