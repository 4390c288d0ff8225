using Orleans.Dashboard;
using Reputation.Api.Security;

namespace Reputation.Api.Hosting;

public sealed class OrleansDashboardOptions
{
    public const string SectionName = "Reputation:OrleansDashboard";

    /// <summary>
    /// Whether the Orleans dashboard is served under <see cref="OrleansDashboard.Path"/>, to keys with
    /// the <c>operate</c> scope (it shows grain ids, which are account ids and fingerprints). Off by
    /// default: its grain profiler times every grain call, which costs decision throughput
    /// (docs/performance.md#orleans-dashboard).
    /// </summary>
    public bool Enabled { get; init; }
}

/// <summary>The Orleans dashboard (Microsoft.Orleans.Dashboard), when <see cref="OrleansDashboardOptions.Enabled"/>.</summary>
internal static partial class OrleansDashboard
{
    public const string Path = "/orleans";

    /// <summary>The dashboard's silo side: its grains, the grain-call profiler and the counters it polls.</summary>
    public static ISiloBuilder AddReputationDashboard(this ISiloBuilder silo, OrleansDashboardOptions options) =>
        options.Enabled ? silo.AddDashboard() : silo;

    /// <summary>The dashboard's page and the API it calls, every one behind the <c>operate</c> scope; nothing when off (404).</summary>
    public static WebApplication MapReputationDashboard(this WebApplication app, OrleansDashboardOptions options)
    {
        DashboardConfigured(app.Logger, Path, options.Enabled ? "on, operate scope" : "off");
        if (options.Enabled)
        {
            app.MapOrleansDashboard(Path).RequireScope(Scopes.Operate).ExcludeFromDescription();
        }

        return app;
    }

    [LoggerMessage(1103, LogLevel.Information, "Orleans dashboard on {Path}: {State}")]
    private static partial void DashboardConfigured(ILogger logger, string path, string state);
}
