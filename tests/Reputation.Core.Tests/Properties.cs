using FsCheck;

namespace Reputation.Core.Tests;

/// <summary>Shared FsCheck settings: a property failure throws (and so fails the fact) with the counterexample and seed.</summary>
internal static class Properties
{
    public static Config Config { get; } = Config.QuickThrowOnFailure.WithMaxTest(300);

    public static void Check(Property property) => FsCheck.Check.One(Config, property);
}
