using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Reputation.Api.Security;
using Reputation.Grains;

namespace Reputation.Api.Hosting;

/// <summary>
/// Metrics on a Prometheus scrape endpoint, and metrics, traces and logs over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (docs/decisions/0014-observability.md).
/// </summary>
internal static partial class Telemetry
{
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ScrapePath = "/metrics";

    /// <summary>
    /// Meters read besides <see cref="ReputationMetrics.MeterName"/>: Orleans (activations, storage
    /// latency, messaging), ASP.NET Core's request durations and the runtime's GC and thread pool.
    /// </summary>
    private static readonly string[] s_meters = ["Microsoft.Orleans", "Microsoft.AspNetCore.Hosting", "System.Runtime"];

    // Orleans records storage latency in milliseconds: memory storage is sub-millisecond, a table
    // write tens of milliseconds, an outage seconds of retries.
    private static readonly double[] s_storageMilliseconds = [0.1, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000];

    private static readonly string[] s_storageLatencies = ["orleans-storage-read-latency", "orleans-storage-write-latency", "orleans-storage-clear-latency"];

    /// <summary>Tags the ASP.NET Core instrumentation sets that could carry an account id or a fingerprint (the route template stays).</summary>
    private static readonly string[] s_identifyingTags = ["url.path", "url.query", "url.full", "client.address"];

    /// <summary>
    /// Meters are process-wide: a meter provider listens to every meter of a name it was given, even
    /// one another host in the same process (the API tests run several) created through its own
    /// <see cref="IMeterFactory"/>. Same-named instruments of two hosts share one metric stream, and
    /// when the other host stops and disposes its meter that stream stops exporting. So a host reads
    /// the meters of its own factory and the static ones only.
    /// </summary>
    private static Func<Instrument, MetricStreamConfiguration?> View(IMeterFactory own) => instrument =>
        instrument.Meter.Scope is { } scope && !ReferenceEquals(scope, own) ? MetricStreamConfiguration.Drop
        : s_storageLatencies.Contains(instrument.Name, StringComparer.Ordinal) ? new ExplicitBucketHistogramConfiguration { Boundaries = s_storageMilliseconds }
        : null;

    public static bool OtlpConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey]);

    public static WebApplicationBuilder AddReputationTelemetry(this WebApplicationBuilder builder)
    {
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : "reputation"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ReputationMetrics.MeterName).AddMeter(s_meters).AddPrometheusExporter();
                ((IDeferredMeterProviderBuilder)metrics).Configure((services, b) => b.AddView(View(services.GetRequiredService<IMeterFactory>())));
            });

        // No exporter, no tracing: without an OTLP endpoint nothing listens to an ActivitySource,
        // so no request or grain call pays for a span.
        if (OtlpConfigured(builder.Configuration))
        {
            // Orleans' own sources are left out: their spans are tagged with grain ids, which are
            // account ids and payment fingerprints.
            otel.WithTracing(tracing => tracing.AddAspNetCoreInstrumentation(o =>
                {
                    o.Filter = http => !http.Request.Path.StartsWithSegments(ScrapePath) && !http.Request.Path.StartsWithSegments("/health");
                    o.EnrichWithHttpRequest = (activity, _) =>
                    {
                        foreach (var tag in s_identifyingTags)
                        {
                            activity.SetTag(tag, null);
                        }
                    };
                }))
                .UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// Maps <c>GET /metrics</c>: behind the <c>metrics</c> scope (a scraper's key opens nothing else)
    /// or <c>read</c> outside Development (or with <see cref="MetricsOptions.RequireKey"/>), open in Development.
    /// </summary>
    public static IEndpointConventionBuilder MapReputationMetrics(this WebApplication app, MetricsOptions options)
    {
        var endpoint = app.MapPrometheusScrapingEndpoint(ScrapePath).ExcludeFromDescription();
        var keyRequired = options.KeyRequired(app.Environment);
        TelemetryConfigured(app.Logger, ScrapePath, keyRequired ? "metrics or read scope" : "no key", OtlpConfigured(app.Configuration) ? "on" : "off");
        return keyRequired ? endpoint.RequireScope(Scopes.Metrics, Scopes.Read) : endpoint;
    }

    [LoggerMessage(1101, LogLevel.Information, "Metrics served on {Path} ({Access}); OTLP export of metrics, traces and logs {Otlp}")]
    private static partial void TelemetryConfigured(ILogger logger, string path, string access, string otlp);
}
