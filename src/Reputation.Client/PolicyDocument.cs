using System.Text.Json.Nodes;

namespace Reputation.Client;

/// <summary>A policy as the service holds it: its version (the ETag) and its body.</summary>
/// <param name="Version">The version; send it back to save the next one.</param>
/// <param name="Policy">The whole policy (its JSON is Reputation.Core's <c>ScoringPolicy</c>).</param>
public sealed record PolicyDocument(int Version, JsonObject Policy);

/// <summary>One saved version of a policy, from its history.</summary>
public sealed record PolicyVersion
{
    /// <summary>The version number.</summary>
    public required int Version { get; init; }

    /// <summary>The name of the key that saved it.</summary>
    public required string By { get; init; }

    /// <summary>When it was saved.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The policy as saved; PUT it back (with the current version) to restore it.</summary>
    public required JsonObject Policy { get; init; }
}
