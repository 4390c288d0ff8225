using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Reputation.Api.Hosting;

namespace Reputation.Api.Tests;

public sealed class ShutdownTests
{
    [Fact]
    public async Task Readiness_fails_from_the_moment_the_host_starts_stopping()
    {
        using var lifetime = new Lifetime();
        var check = new StoppingHealthCheck(lifetime);
        var context = new HealthCheckContext();
        var ct = TestContext.Current.CancellationToken;

        var running = await check.CheckHealthAsync(context, ct);
        lifetime.StopApplication();
        var stopping = await check.CheckHealthAsync(context, ct);

        Assert.Equal(HealthStatus.Healthy, running.Status);
        Assert.Equal(HealthStatus.Unhealthy, stopping.Status);
    }

    private sealed class Lifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => _stopping.Cancel();

        public void Dispose() => _stopping.Dispose();
    }
}
