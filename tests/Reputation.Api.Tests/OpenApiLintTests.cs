using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;

namespace Reputation.Api.Tests;

/// <summary>The Development host with the benchmark endpoints on, so the document holds every operation there is.</summary>
public sealed class EveryEndpointFactory : ApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Reputation:Api:BenchmarkEndpoints", "true");
    }
}

[CollectionDefinition(Name)]
public sealed class EveryEndpointCollection : ICollectionFixture<EveryEndpointFactory>
{
    public const string Name = "api-every-endpoint";
}

/// <summary>
/// The OpenAPI document through a standard linter: Redocly CLI (pinned in tools/redocly, installed by
/// ./test.sh) with its recommended rules. No error and no warning: a servers entry, a licence, a
/// description on every tag, and every example valid against its schema.
/// </summary>
[Collection(EveryEndpointCollection.Name)]
public sealed class OpenApiLintTests(EveryEndpointFactory factory)
{
    private const string DeploymentHost = "reputation.trust.internal";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string RepoRoot() => RepositoryRoot.Find();

    private static string Redocly()
    {
        var path = Path.Combine(RepoRoot(), "tools", "redocly", "node_modules", ".bin", "redocly");
        Assert.True(File.Exists(path),
            $"Redocly CLI is not installed at {path}. ./test.sh installs it; to install it alone run "
            + "'bash -c \"source scripts/lib.sh && ensure_redocly\"' in the repository.");
        return path;
    }

    /// <summary>Redocly's problems for <paramref name="document"/> as "severity rule pointer: message" lines.</summary>
    private static async Task<List<string>> LintAsync(string document)
    {
        var file = Path.Combine(Path.GetTempPath(), $"reputation-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, document, Ct);
        try
        {
            var start = new ProcessStartInfo(Redocly())
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetTempPath(),
            };
            foreach (var arg in new[] { "lint", "--extends", "recommended", "--format", "json", file })
            {
                start.ArgumentList.Add(arg);
            }

            // Nothing leaves the machine: no usage telemetry, no update check.
            start.Environment["REDOCLY_TELEMETRY"] = "off";
            start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync(Ct);
            var stderr = process.StandardError.ReadToEndAsync(Ct);
            await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(120), Ct);
            var output = await stdout;
            Assert.True(output.TrimStart().StartsWith('{'), $"redocly printed no JSON report (exit code {process.ExitCode}): {output}\n{await stderr}");
            using var report = JsonDocument.Parse(output);
            return [.. report.RootElement.GetProperty("problems").EnumerateArray().Select(p =>
                $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()} {p.GetProperty("location")[0].GetProperty("pointer").GetString()}: {p.GetProperty("message").GetString()}")];
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// The document as a deployment serves it: its server is the address it was asked at, so it is
    /// asked at a deployment's name (the linter rightly warns of a localhost server).
    /// </summary>
    private async Task<string> DocumentAsync()
    {
        using var request = Raw.Get("/swagger/v1/swagger.json", apiKey: null);
        request.Headers.Host = DeploymentHost;
        using var response = await factory.CreateDefaultClient().SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    [Fact]
    public async Task The_OpenAPI_document_passes_redocly_recommended_rules_without_a_warning()
    {
        var problems = await LintAsync(await DocumentAsync());

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public async Task The_linter_reports_an_example_that_does_not_match_its_schema_and_a_tag_without_a_description()
    {
        // The check above is only worth something if it can fail.
        var document = JsonNode.Parse(await DocumentAsync())!;
        var stix = document["paths"]!["/v1/intel/stix"]!["post"]!["requestBody"]!["content"]!["application/json"]!;
        stix["example"]!["objects"] = "not a list";
        document["tags"]!.AsArray().Add(new JsonObject { ["name"] = "Undescribed" });

        var problems = await LintAsync(document.ToJsonString());

        Assert.Contains(problems, p => p.Contains("no-invalid-media-type-examples", StringComparison.Ordinal) && p.Contains("/objects", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("tag-description", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_server_is_the_address_the_document_was_asked_of_and_the_STIX_body_is_a_bundle()
    {
        var document = JsonNode.Parse(await DocumentAsync())!;

        Assert.Equal($"http://{DeploymentHost}", (string?)document["servers"]![0]!["url"]);
        var schema = document["paths"]!["/v1/intel/stix"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!;
        Assert.Equal(["type", "id", "objects"], schema["required"]!.AsArray().Select(r => (string?)r));
        Assert.Equal("array", (string?)schema["properties"]!["objects"]!["type"]);
        Assert.Equal("bundle", (string?)document["paths"]!["/v1/intel/stix"]!["post"]!["requestBody"]!["content"]!["application/json"]!["example"]!["type"]);
    }
}
