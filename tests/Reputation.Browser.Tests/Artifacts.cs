namespace Reputation.Browser.Tests;

/// <summary>Where a failing browser test leaves its screenshot and page source: TestResults/Reputation.Browser.Tests/ of the repository, as ./test.sh names it.</summary>
internal static class Artifacts
{
    public static string Directory { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Reputation.sln")))
            {
                return Path.Combine(dir.FullName, "TestResults", "Reputation.Browser.Tests");
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "TestResults");
    }
}
