using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Reputation.Api.Hosting;

/// <summary>
/// Not ready from the moment the host starts stopping (SIGTERM), so a load balancer sends no new
/// calls while in-flight ones finish and the silo hands its grains over.
/// </summary>
internal sealed class StoppingHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("stopping")
            : HealthCheckResult.Healthy("running"));
}

/// <summary>Ready when the silo has joined its cluster.</summary>
internal sealed class SiloHealthCheck(ISiloStatusOracle oracle) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(oracle.CurrentStatus == SiloStatus.Active
            ? HealthCheckResult.Healthy("silo active")
            : HealthCheckResult.Unhealthy($"silo {oracle.CurrentStatus}"));
}

/// <summary>Ready when grain storage answers.</summary>
internal sealed class StorageHealthCheck(IOptions<StorageOptions> options) : IHealthCheck
{
    private readonly Azure.Data.Tables.TableServiceClient? _client = options.Value.Provider == StorageProvider.AzureTable
        ? StoragePreflight.CreateClient(options.Value.ConnectionString, TimeSpan.FromSeconds(2))
        : null;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_client is null)
        {
            return HealthCheckResult.Healthy("memory storage");
        }

        try
        {
            await _client.GetPropertiesAsync(cancellationToken);
            return HealthCheckResult.Healthy("table storage answers");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("table storage does not answer");
        }
    }
}
