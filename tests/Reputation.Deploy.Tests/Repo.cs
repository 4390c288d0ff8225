namespace Reputation.Deploy.Tests;

/// <summary>Paths in the repository, found from the test's own directory.</summary>
internal static class Repo
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    public static string Chart => Path.Combine(Root, "charts", "reputation");

    public static string Templates => Path.Combine(Chart, "templates");

    public static string ReadText(params string[] relative) => File.ReadAllText(Path.Combine([Root, .. relative]));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Reputation.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Reputation.sln above {AppContext.BaseDirectory}: the tests must run from inside the repository.");
    }
}
