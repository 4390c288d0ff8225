namespace Reputation.Api.Tests;

/// <summary>The repository's root directory, found above the test assembly by its solution file.</summary>
internal static class RepositoryRoot
{
    public static string Find()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Reputation.sln")))
        {
            root = root.Parent;
        }

        Assert.True(root is not null, $"No Reputation.sln above {AppContext.BaseDirectory}");
        return root.FullName;
    }
}
