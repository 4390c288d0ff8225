using System.Net;
using System.Text.RegularExpressions;

namespace Reputation.Api.Tests;

/// <summary>
/// The investigation console's files as the service serves them (docs/decisions/0032-console-vendored-libraries.md):
/// no key to load, a strict Content-Security-Policy, nothing inline and nothing from elsewhere, and
/// the vendored libraries with their licences.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed partial class ConsoleHostingTests(ApiFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Http { get; } = factory.CreateDefaultClient();

    /// <summary>The vendored files the page loads; ./test.sh installs them (scripts/lib.sh, ensure_console_vendor).</summary>
    public static TheoryData<string, string> VendoredFiles => new()
    {
        { "/console/vendor/cytoscape/cytoscape.min.js", "text/javascript" },
        { "/console/vendor/layout-base/layout-base.js", "text/javascript" },
        { "/console/vendor/cose-base/cose-base.js", "text/javascript" },
        { "/console/vendor/cytoscape-fcose/cytoscape-fcose.js", "text/javascript" },
        { "/console/vendor/uplot/uPlot.iife.min.js", "text/javascript" },
        { "/console/vendor/uplot/uPlot.min.css", "text/css" },
    };

    [Theory]
    [InlineData("/console")]
    [InlineData("/console/")]
    [InlineData("/console/index.html")]
    public async Task The_page_answers_without_a_key_as_html_under_a_strict_content_security_policy(string path)
    {
        using var response = await Http.SendAsync(Raw.Get(path, apiKey: null), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        var directives = policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("default-src 'none'", directives);
        Assert.Contains("script-src 'self'", directives);
        Assert.Contains("style-src 'self'", directives);
        Assert.Contains("connect-src 'self'", directives);
        Assert.Contains("frame-ancestors 'none'", directives);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        var html = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("<title>Reputation console</title>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_has_no_inline_script_or_style_and_loads_nothing_from_another_origin()
    {
        var html = await Http.GetStringAsync(new Uri("/console", UriKind.Relative), Ct);

        Assert.Empty(InlineScript().Matches(html));
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" style=", html, StringComparison.OrdinalIgnoreCase);
        var references = Reference().Matches(html).Select(m => m.Groups["url"].Value).ToList();
        Assert.Contains("app.js", references);
        Assert.Contains("vendor/cytoscape/cytoscape.min.js", references);
        Assert.All(references, url => Assert.DoesNotMatch("^(?:[a-z]+:)?//", url));
    }

    [Theory]
    [MemberData(nameof(VendoredFiles))]
    public async Task A_vendored_library_is_served_with_its_licence(string path, string mediaType)
    {
        using var response = await Http.SendAsync(Raw.Get(path, apiKey: null), Ct);

        Assert.True(response.StatusCode == HttpStatusCode.OK,
            $"{path} answered {(int)response.StatusCode}: the console's libraries are not installed; run ./test.sh, or " +
            "bash -c 'source scripts/lib.sh && ensure_console_vendor' and rebuild.");
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        var licence = await Http.GetStringAsync(new Uri(path[..(path.LastIndexOf('/') + 1)] + "LICENSE.txt", UriKind.Relative), Ct);
        Assert.Contains("Permission is hereby granted, free of charge", licence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_vendored_versions_are_the_ones_pinned()
    {
        var versions = await Http.GetStringAsync(new Uri("/console/vendor/VERSIONS.txt", UriKind.Relative), Ct);

        Assert.Contains("cytoscape 3.34.4", versions, StringComparison.Ordinal);
        Assert.Contains("cytoscape-fcose 2.2.0", versions, StringComparison.Ordinal);
        Assert.Contains("uplot 1.6.32", versions, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_the_console_does_not_have_is_404_and_the_API_still_wants_a_key()
    {
        using var missing = await Http.SendAsync(Raw.Get("/console/nothing-here.js", apiKey: null), Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        using var api = await Http.SendAsync(Raw.Get("/v1/campaigns", apiKey: null), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    /// <summary>A script element without a src attribute (inline code).</summary>
    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"(?:src|href)=""(?<url>[^""]*)""")]
    private static partial Regex Reference();
}
