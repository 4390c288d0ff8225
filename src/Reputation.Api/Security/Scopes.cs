namespace Reputation.Api.Security;

/// <summary>What an API key may do. Each is also the name of the authorization policy that requires it.</summary>
public static class Scopes
{
    public const string Decide = "decide";
    public const string Ingest = "ingest";
    public const string Read = "read";
    public const string Operate = "operate";

    /// <summary>For partners: the STIX export (<c>GET /v1/intel/stix</c>) and nothing else.</summary>
    public const string Intel = "intel";

    /// <summary>For scrapers: <c>GET /metrics</c> and nothing else.</summary>
    public const string Metrics = "metrics";

    public const string ClaimType = "scope";

    public static readonly IReadOnlyList<string> All = [Decide, Ingest, Read, Operate, Intel, Metrics];
}
