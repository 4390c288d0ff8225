using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace Reputation.Api.Hosting;

/// <summary>
/// The investigation console: static files (HTML, CSS, ES modules and the vendored graph and chart
/// libraries) under <c>/console</c>, copied beside the service's assembly by the build
/// (docs/decisions/0032-console-vendored-libraries.md). The page needs no key to load; it calls the
/// API with the key the operator enters, so every action is authorised and audited as an API call.
/// </summary>
internal static partial class InvestigationConsole
{
    public const string Path = "/console";

    /// <summary>
    /// Nothing inline and nothing from elsewhere: scripts, styles and API calls only from this origin,
    /// no framing, no form posts; images may also be data: URLs (the page's empty icon) or blob: URLs.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
        "font-src 'self'; base-uri 'self'; form-action 'none'; frame-ancestors 'none'";

    public static WebApplication UseReputationConsole(this WebApplication app)
    {
        var root = System.IO.Path.Combine(AppContext.BaseDirectory, "console");
        IFileProvider files = Directory.Exists(root) ? new PhysicalFileProvider(root) : new NullFileProvider();
        ConsoleConfigured(app.Logger, Path, Directory.Exists(System.IO.Path.Combine(root, "vendor")) ? "present" : "missing (the page says how to install them)");

        app.UseWhen(http => http.Request.Path.StartsWithSegments(Path), branch => branch.Use((http, next) =>
        {
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            // Revalidated on every load (ETag), so a new version of the service is seen at once.
            headers.CacheControl = "no-cache";
            return next(http);
        }));
        // GET /console serves index.html itself (no redirect to /console/): the page names its files
        // from a <base href="/console/">.
        app.UseDefaultFiles(new DefaultFilesOptions { RequestPath = Path, FileProvider = files, RedirectToAppendTrailingSlash = false });
        app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = Path,
            FileProvider = files,
            OnPrepareResponse = context => context.Context.Response.Headers[HeaderNames.CacheControl] = "no-cache",
        });
        return app;
    }

    [LoggerMessage(1131, LogLevel.Information, "Investigation console at {Path}; vendored libraries {Vendor}")]
    private static partial void ConsoleConfigured(ILogger logger, string path, string vendor);
}
