using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;

namespace Reputation.Deploy.Tests;

/// <summary>What one run of a tool printed and how it ended.</summary>
internal sealed record ToolRun(int ExitCode, string Output, string Error)
{
    public string Describe() => $"exit code {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}

/// <summary>Runs a command-line tool from the repository root and waits for it (60 s at most).</summary>
internal static class Tool
{
    public static ToolRun Run(string binary, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repo.Root,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {binary}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"{binary} {string.Join(' ', start.ArgumentList)} did not finish within 60 s");
        }

        return new ToolRun(process.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>One object of a rendered chart: the template it came from, as JSON and as the typed Kubernetes object.</summary>
internal sealed record RenderedObject(string Template, JsonNode Json, object Typed)
{
    public string Kind => (string)Json["kind"]!;
}

/// <summary>
/// The real Helm, pinned in tools/helm/package.json and unpacked by scripts/lib.sh (ensure_helm,
/// which ./test.sh runs). Missing, it fails the test that needs it with what to run: nothing is
/// skipped. Renders are cached per argument list; every rendered object is loaded strictly into the
/// Kubernetes API types (an unknown or misplaced field is an error).
/// </summary>
internal static partial class Helm
{
    public const string PinnedVersion = "v4.1.4";
    public const string Release = "reputation";
    public const string Namespace = "reputation";

    private static readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<RenderedObject>>> Renders = new();

    private static readonly Lazy<string> LazyBinary = new(FindBinary);

    public static string Binary => LazyBinary.Value;

    public static ToolRun Run(params string[] args)
    {
        // Helm keeps caches and a registry config under these; none is needed, so point them at a
        // throwaway folder rather than the user's home.
        var home = Path.Combine(Path.GetTempPath(), "reputation-deploy-tests-helm");
        return Tool.Run(Binary, args, new Dictionary<string, string>
        {
            ["HELM_CACHE_HOME"] = Path.Combine(home, "cache"),
            ["HELM_CONFIG_HOME"] = Path.Combine(home, "config"),
            ["HELM_DATA_HOME"] = Path.Combine(home, "data"),
        });
    }

    /// <summary>
    /// <c>helm template</c> of the chart as release <see cref="Release"/> in namespace
    /// <see cref="Namespace"/> with extra arguments (<c>--set a=b</c>, <c>--set-json ...</c>); fails the
    /// test when Helm refuses. Cached per argument list.
    /// </summary>
    public static IReadOnlyList<RenderedObject> Template(params string[] args) =>
        Renders.GetOrAdd(string.Join('\u0001', args), _ => new(() => Load(Render(args)))).Value;

    /// <summary><c>helm template</c> that must fail: the run, for its message.</summary>
    public static ToolRun TemplateFailing(params string[] args)
    {
        var run = Run(TemplateArgs(args));
        Assert.True(run.ExitCode != 0, $"helm template {string.Join(' ', args)} rendered; it must refuse.\n{run.Describe()}");
        return run;
    }

    public static string Render(params string[] args)
    {
        var run = Run(TemplateArgs(args));
        Assert.True(run.ExitCode == 0, $"helm template {string.Join(' ', args)} failed.\n{run.Describe()}");
        return run.Output;
    }

    /// <summary>The one object rendered from <paramref name="template"/> (e.g. <c>deployment.yaml</c>).</summary>
    public static RenderedObject Single(IReadOnlyList<RenderedObject> objects, string template)
    {
        var matching = objects.Where(o => o.Template == template).ToList();
        Assert.True(matching.Count == 1, $"{template} rendered {matching.Count} objects, not 1");
        return matching[0];
    }

    /// <summary>
    /// Every document of a <c>helm template</c> output, by the template named in its <c># Source:</c>
    /// line, parsed as JSON and loaded strictly as its Kubernetes type.
    /// </summary>
    public static IReadOnlyList<RenderedObject> Load(string manifest)
    {
        var result = new List<RenderedObject>();
        foreach (var document in DocumentSeparator().Split(manifest))
        {
            var source = SourceLine().Match(document);
            if (!source.Success)
            {
                Assert.True(string.IsNullOrWhiteSpace(document), $"a rendered document without a '# Source:' line:\n{document}");
                continue;
            }

            var json = YamlJson.ParseAll(document).SingleOrDefault();
            if (json is null)
            {
                // A template whose condition is false renders only its Source line.
                continue;
            }

            result.Add(new RenderedObject(source.Groups["template"].Value, json, LoadStrict(document)));
        }

        return result;
    }

    /// <summary>One YAML document as its Kubernetes type; an unknown field, kind or apiVersion throws.</summary>
    public static object LoadStrict(string document)
    {
        var objects = KubernetesYaml.LoadAllFromString(document, CustomResources.TypeMap, strict: true);
        return Assert.Single(objects);
    }

    private static string[] TemplateArgs(string[] args) =>
        ["template", Release, "charts/reputation", "--namespace", Namespace, .. args];

    private static string FindBinary()
    {
        var configured = Environment.GetEnvironmentVariable("REPUTATION_HELM");
        var path = string.IsNullOrEmpty(configured) ? Path.Combine(Repo.Root, "tools", "helm", "bin", "helm") : configured;
        if (!File.Exists(path))
        {
            throw new Xunit.Sdk.XunitException(
                $"Helm {PinnedVersion} is not installed at {path}. ./test.sh installs it; to install it alone run "
                + "'bash -c \"source scripts/lib.sh && ensure_helm\"' in the repository (or set REPUTATION_HELM to a Helm binary).");
        }

        return path;
    }

    [GeneratedRegex(@"^---[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();

    [GeneratedRegex(@"^# Source: reputation/templates/(?<template>\S+)[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex SourceLine();
}
