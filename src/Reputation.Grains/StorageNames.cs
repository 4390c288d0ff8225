namespace Reputation.Grains;

public static class StorageNames
{
    /// <summary>The grain storage every reputation grain persists to.</summary>
    public const string Reputation = "reputation";
}
