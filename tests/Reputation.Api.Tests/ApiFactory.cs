using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Reputation.Client;
using Reputation.Grains;

namespace Reputation.Api.Tests;

/// <summary>
/// The real host (silo, endpoints, auth) on memory storage, its own silo ports, and a reputation
/// clock the tests can move. Shared by the tests of a collection.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    public const string ServiceKey = "dev-service-key";
    public const string OperatorKey = "dev-operator-key";

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Reputation:Storage:Provider", "Memory");
        builder.UseSetting("Reputation:Silo:SiloPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Reputation:Silo:GatewayPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (UsageSince is { } since)
        {
            builder.UseSetting("Reputation:Detection:UsageSince", since.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        }

        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<ReputationClock>();
            services.AddSingleton(new ReputationClock(Time));
        });
    }

    /// <summary>
    /// Since when the deployment has sent every account's usage: years, so that which test sends the
    /// earliest usage does not decide which accounts are dormant. Null: the service learns it.
    /// </summary>
    protected virtual DateTimeOffset? UsageSince => Time.GetUtcNow().AddYears(-10);

    /// <summary>A client as a caller would use it, with a generous timeout so a cold start is not a fallback.</summary>
    public ReputationClient CreateReputationClient(string apiKey = ServiceKey, TimeSpan? decisionTimeout = null)
    {
        var http = CreateDefaultClient();
        return ReputationClient.Create(http, new ReputationClientOptions
        {
            BaseAddress = http.BaseAddress!,
            ApiKey = apiKey,
            DecisionTimeout = decisionTimeout ?? TimeSpan.FromSeconds(30),
            ReadTimeout = TimeSpan.FromSeconds(30),
            IngestTimeout = TimeSpan.FromSeconds(30),
        });
    }

    /// <summary>A loopback port free when asked (nothing listens on it afterwards).</summary>
    protected static int UnusedPort() => FreePort();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFactory>
{
    public const string Name = "api";
}
