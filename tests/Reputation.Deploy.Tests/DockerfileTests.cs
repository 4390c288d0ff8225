using System.Text.Json;
using System.Xml.Linq;

namespace Reputation.Deploy.Tests;

/// <summary>
/// The Dockerfile read instruction by instruction: fast, and each failure names the line. The image
/// itself is built and run by scripts/check-image.sh (part of ./test.sh) on local stand-in base images.
/// </summary>
public sealed class DockerfileTests
{
    private sealed record Instruction(string Keyword, string Arguments);

    private static List<Instruction> Instructions()
    {
        var result = new List<Instruction>();
        var pending = "";
        foreach (var raw in Repo.ReadText("Dockerfile").Split('\n'))
        {
            var line = raw.TrimEnd();
            if (pending.Length == 0 && (line.TrimStart().StartsWith('#') || line.Trim().Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var full = (pending + line).Trim();
            pending = "";
            var space = full.IndexOf(' ', StringComparison.Ordinal);
            result.Add(new Instruction(full[..space].ToUpperInvariant(), full[(space + 1)..].Trim()));
        }

        return result;
    }

    /// <summary>The instructions after the last FROM: what the shipped image is made of.</summary>
    private static List<Instruction> FinalStage()
    {
        var all = Instructions();
        return all.Skip(all.FindLastIndex(i => i.Keyword == "FROM")).ToList();
    }

    [Fact]
    public void It_builds_with_the_sdk_and_ships_on_the_aspnet_runtime()
    {
        var froms = Instructions().Where(i => i.Keyword == "FROM").Select(i => i.Arguments).ToList();

        Assert.Equal(2, froms.Count);
        Assert.Matches(@"^mcr\.microsoft\.com/dotnet/sdk:10\.0 AS build$", froms[0]);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", froms[1], StringComparison.Ordinal);
        Assert.Contains(FinalStage(), i => i.Keyword == "COPY" && i.Arguments.StartsWith("--from=build /app", StringComparison.Ordinal));
    }

    [Fact]
    public void It_publishes_the_api_in_release()
    {
        var publish = Instructions().Single(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal));

        Assert.Matches(@"dotnet publish src/Reputation\.Api(/Reputation\.Api\.csproj)? ", publish.Arguments);
        Assert.Contains("-c Release", publish.Arguments, StringComparison.Ordinal);
        Assert.Contains("-o /app", publish.Arguments, StringComparison.Ordinal);
    }

    /// <summary>
    /// The console's vendored libraries come with the build context (the build stage has no npm):
    /// a context without them stops the build before the publish, saying what to run; one with them
    /// goes on. The check runs here with /bin/sh, as the build stage runs it.
    /// </summary>
    [Fact]
    public async Task The_build_stops_before_the_publish_when_the_console_libraries_are_not_in_the_context()
    {
        var all = Instructions();
        var publish = all.FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal));
        var check = all.FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("src/Reputation.Api/console/vendor/VERSIONS.txt", StringComparison.Ordinal));
        Assert.InRange(check, all.FindIndex(i => i is { Keyword: "COPY", Arguments: "src/ src/" }) + 1, publish - 1);

        var context = Directory.CreateTempSubdirectory("reputation-context-");
        try
        {
            var (missingCode, missingError) = await RunAsync(all[check].Arguments, context.FullName);
            Assert.NotEqual(0, missingCode);
            Assert.Contains("ensure_console_vendor", missingError, StringComparison.Ordinal);

            var vendor = Directory.CreateDirectory(Path.Combine(context.FullName, "src", "Reputation.Api", "console", "vendor"));
            await File.WriteAllTextAsync(Path.Combine(vendor.FullName, "VERSIONS.txt"), "cytoscape 3.34.4\n", TestContext.Current.CancellationToken);
            Assert.Equal(0, (await RunAsync(all[check].Arguments, context.FullName)).Code);
        }
        finally
        {
            context.Delete(recursive: true);
        }

        static async Task<(int Code, string Error)> RunAsync(string command, string directory)
        {
            var start = new System.Diagnostics.ProcessStartInfo("/bin/sh") { WorkingDirectory = directory, RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(command);
            using var process = System.Diagnostics.Process.Start(start)!;
            var error = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            return (process.ExitCode, error);
        }
    }

    [Fact]
    public void The_image_runs_as_a_non_root_user()
    {
        var user = FinalStage().LastOrDefault(i => i.Keyword == "USER")?.Arguments;

        Assert.NotNull(user);
        Assert.DoesNotMatch(@"^(root|0)(:.*)?$", user);
        Assert.Matches(@"^(\$APP_UID|\$\{APP_UID\}|[1-9][0-9]*)$", user);
    }

    [Fact]
    public void It_exposes_the_ports_the_chart_uses_and_listens_on_all_interfaces()
    {
        var exposed = FinalStage().Where(i => i.Keyword == "EXPOSE").SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var values = Chart.Values();

        Assert.Equal(["8080", "11111", "30000"], exposed);
        Assert.Equal(values["http"]!["port"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture), exposed[0]);
        // The service's own default is 127.0.0.1:5080, unreachable from outside a container.
        var env = string.Join(' ', FinalStage().Where(i => i.Keyword == "ENV").Select(i => i.Arguments));
        Assert.Matches(@"ASPNETCORE_URLS=http://(0\.0\.0\.0|\+|\*|\[::\]):8080(\s|$)", env);
    }

    [Fact]
    public void The_entrypoint_runs_the_api_dll()
    {
        var entrypoint = FinalStage().Single(i => i.Keyword == "ENTRYPOINT").Arguments;

        Assert.Equal(["dotnet", "Reputation.Api.dll"], JsonSerializer.Deserialize<string[]>(entrypoint)!);
        Assert.Equal("Reputation.Api", AssemblyName(Path.Combine(Repo.Root, "src", "Reputation.Api", "Reputation.Api.csproj")));
    }

    [Fact]
    public void Every_project_the_api_references_is_copied_before_the_restore()
    {
        var instructions = Instructions();
        var restore = instructions.FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore", StringComparison.Ordinal));
        var copied = instructions.Take(restore).Where(i => i.Keyword == "COPY").SelectMany(i => i.Arguments.Split(' ')[..^1]).ToHashSet();

        var notCopied = ProjectClosure("src/Reputation.Api/Reputation.Api.csproj")
            .Concat(["global.json", "Directory.Build.props", "Directory.Packages.props"])
            .Where(p => !copied.Contains(p)).ToList();

        Assert.True(restore > 0, "no dotnet restore step");
        Assert.Equal(5, ProjectClosure("src/Reputation.Api/Reputation.Api.csproj").Count);
        Assert.Empty(notCopied);
    }

    [Fact]
    public void Every_copied_path_exists_in_the_repository()
    {
        var sources = Instructions().Where(i => i.Keyword == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal))
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1]);

        var missing = sources.Where(s => !File.Exists(Path.Combine(Repo.Root, s)) && !Directory.Exists(Path.Combine(Repo.Root, s))).ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void Dockerignore_keeps_build_output_and_local_state_out_of_the_context()
    {
        var lines = Repo.ReadText(".dockerignore").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet();

        var notIgnored = new[] { "**/bin/", "**/obj/", "**/node_modules/", ".data/", "**/TestResults/", ".git" }.Where(l => !lines.Contains(l)).ToList();
        // Nothing the build copies may be ignored.
        var needed = lines.Where(l => l.TrimEnd('/') is "src" or "global.json" or "Directory.Build.props" or "Directory.Packages.props" or ".editorconfig").ToList();

        Assert.Empty(notIgnored);
        Assert.Empty(needed);
    }

    /// <summary>The project and every project it references, transitively, as repository-relative paths.</summary>
    private static SortedSet<string> ProjectClosure(string start)
    {
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>([start]);
        while (queue.TryDequeue(out var project))
        {
            if (!seen.Add(project))
            {
                continue;
            }

            var dir = Path.GetDirectoryName(Path.Combine(Repo.Root, project))!;
            foreach (var reference in XDocument.Load(Path.Combine(Repo.Root, project)).Descendants("ProjectReference"))
            {
                var full = Path.GetFullPath(Path.Combine(dir, reference.Attribute("Include")!.Value.Replace('\\', '/')));
                queue.Enqueue(Path.GetRelativePath(Repo.Root, full).Replace('\\', '/'));
            }
        }

        return seen;
    }

    private static string AssemblyName(string csproj) =>
        XDocument.Load(csproj).Descendants("AssemblyName").FirstOrDefault()?.Value ?? Path.GetFileNameWithoutExtension(csproj);

}
