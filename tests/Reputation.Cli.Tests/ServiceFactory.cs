using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Reputation.Cli;
using Reputation.Client;
using Spectre.Console.Testing;

namespace Reputation.Cli.Tests;

/// <summary>The service in process (Development keys, memory storage), and the CLI run against it.</summary>
public sealed class ServiceFactory : WebApplicationFactory<Program>
{
    public const string ServiceKey = "dev-service-key";
    public const string OperatorKey = "dev-operator-key";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Reputation:Storage:Provider", "Memory");
        builder.UseSetting("Reputation:Silo:SiloPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Reputation:Silo:GatewayPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Runs <c>reputation ARGS</c> against this service; the exit code and what it printed.</summary>
    public async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 240;
        var code = await ReputationCli.RunAsync(args, console, Connect, TestContext.Current.CancellationToken);
        return (code, console.Output);
    }

    private ReputationClient Connect(CliConnection connection)
    {
        var http = CreateDefaultClient();
        return ReputationClient.Create(http, new ReputationClientOptions
        {
            BaseAddress = http.BaseAddress,
            ApiKey = connection.ApiKey,
            DecisionTimeout = TimeSpan.FromSeconds(30),
            ReadTimeout = TimeSpan.FromSeconds(30),
        });
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class ServiceCollection : ICollectionFixture<ServiceFactory>
{
    public const string Name = "cli-service";
}
