namespace Reputation.Integration.Tests;

/// <summary>The Azurite instance ./test.sh starts for these tests.</summary>
internal static class Azurite
{
    public const string Variable = "REPUTATION_TEST_STORAGE";

    /// <summary>The connection string, or a failure that says how to get one: these tests never pass without storage.</summary>
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set: run the integration tests through ./test.sh, which starts Azurite and sets it.");

    /// <summary>A table of its own per test, so runs and tests never see each other's grains.</summary>
    public static string UniqueTable(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 20, 62)];
}
