using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Reputation.Client;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

/// <summary>The service as the detection sweep starts it: reputation time follows the events (<c>Reputation:Api:FollowEventTime</c>).</summary>
public sealed class FollowEventTimeFactory : WebApplicationFactory<Program>
{
    public string Environment { get; init; } = "Development";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        builder.UseSetting("Reputation:Storage:Provider", "Memory");
        builder.UseSetting("Reputation:Api:FollowEventTime", "true");
        builder.UseSetting("Reputation:Silo:SiloPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Reputation:Silo:GatewayPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Reputation:Privacy:EmailHashKey", Convert.ToBase64String("follow-event-time-test-key-0123"u8.ToArray()));
    }

    public ReputationClient CreateReputationClient()
    {
        var http = CreateDefaultClient();
        return ReputationClient.Create(http, new ReputationClientOptions
        {
            BaseAddress = http.BaseAddress!,
            ApiKey = ApiFactory.OperatorKey,
            DecisionTimeout = TimeSpan.FromSeconds(30),
            ReadTimeout = TimeSpan.FromSeconds(30),
            IngestTimeout = TimeSpan.FromSeconds(30),
        });
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed class EventTimeClockTests
{
    [Fact]
    public async Task Replayed_traffic_from_hours_ago_counts_in_its_own_last_hour()
    {
        await using var factory = new FollowEventTimeFactory();
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        var account = Unique.Id("replayed");
        var past = DateTimeOffset.UtcNow.AddHours(-3);

        // Three hours ago, as a simulation replays it: a signup, then ten minutes of usage.
        await client.IngestAsync(Events.Batch(
            [Events.Signup(Unique.Id("su"), account, past, "192.0.2.90"),
             .. Enumerable.Range(0, 10).Select(m => Events.Usage(Unique.Id("u"), account, past.AddMinutes(m + 1), 6, "192.0.2.90"))]), ct);

        var view = await client.GetAccountAsync(account, ct);
        // On the wall clock these requests are three hours old; on the events' clock they are the last hour.
        Assert.Equal(60, view!.Usage.RequestsLastHour);
        Assert.Contains(view.Reasons, r => r.Code == "NEW_ACCOUNT" && r.Detail.Contains("10 minutes old", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Events_more_than_five_minutes_past_the_wall_clock_are_still_rejected()
    {
        await using var factory = new FollowEventTimeFactory();
        var client = factory.CreateReputationClient();
        var result = await client.IngestAsync(Events.Batch(
            Events.Usage(Unique.Id("u"), Unique.Id("future"), DateTimeOffset.UtcNow.AddMinutes(30), 1)), TestContext.Current.CancellationToken);
        Assert.Equal("occurredAt", Assert.Single(result.Rejected).Error.Split(':')[0]);
    }

    [Fact]
    public void Outside_Development_the_service_refuses_to_start_with_it()
    {
        using var factory = new FollowEventTimeFactory { Environment = "Production" };
        var ex = Assert.ThrowsAny<Exception>(() => factory.Server);
        Assert.Contains("FollowEventTime", ex.ToString(), StringComparison.Ordinal);
    }
}
