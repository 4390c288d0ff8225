using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Reputation.Contracts;

namespace Reputation.Integration.Tests;

/// <summary>
/// Storage goes away for a while and comes back: the service, on an Azurite of the test's own,
/// answers 503 with Retry-After while it is gone (never 500, never accepted), is not ready but
/// live, and recovers without a restart with nothing acknowledged lost and nothing counted twice.
/// </summary>
public sealed class StorageOutageTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("Batched", "None")]
    [InlineData("PerGrain", "None")]
    // Through the write-ahead log (docs/decisions/0039-write-ahead-log-ingest.md): the append fails, and
    // what was acknowledged before is in the log or stored, whichever the checkpoint had reached.
    [InlineData("Batched", "AppendBlob")]
    public async Task Ingest_answers_503_while_storage_is_down_and_recovers_without_a_restart(string writes, string log)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var azurite = AzuriteProcess.OnFreePorts();
        await azurite.StartAsync(ct);
        var ports = ServiceProcess.Ports.Free();
        var table = Azurite.UniqueTable("Outage");
        var settings = log == "None"
            ? new Dictionary<string, string>()
            : WriteAheadLogTests.LogOn(WriteAheadLogTests.UniqueContainer(), "00:00:01");
        settings["Reputation__Storage__Writes"] = writes;
        await using var service = ServiceProcess.Start(ports, azurite.ConnectionString, table, settings: settings);
        await service.WaitUntilReadyAsync(ct);
        var client = service.CreateClient();
        using var http = new HttpClient { BaseAddress = service.BaseAddress, Timeout = Bound };
        http.DefaultRequestHeaders.Add("X-Api-Key", "dev-service-key");
        var at = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);

        // Acknowledged before the outage.
        var first = await client.IngestAsync(new EventBatch
        {
            Events =
            [
                new IngestEvent { Id = "out-1", Type = EventType.Usage, AccountId = "outage-1", OccurredAt = DateTimeOffset.UtcNow, Requests = 10 },
                new IngestEvent { Id = "out-2", Type = EventType.Usage, AccountId = "outage-1", OccurredAt = DateTimeOffset.UtcNow, Requests = 5 },
            ],
        }, ct);
        Assert.Equal(2, first.Accepted);

        await azurite.StopAsync(ct);

        // An active grain whose write fails, and a grain that cannot even load its state.
        var duringOutage = new[]
        {
            Batch(Usage("out-3", "outage-1", 3, at)),
            Batch(Usage("out-4", "outage-2", 7, at)),
        };
        foreach (var body in duringOutage)
        {
            using var refused = await PostAsync(http, body, ct);
            var text = await refused.Content.ReadAsStringAsync(ct);
            Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)refused.StatusCode}: {text}\n{service.Output}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.True(refused.Headers.RetryAfter is not null, "no Retry-After");
            Assert.DoesNotContain("accepted", text, StringComparison.OrdinalIgnoreCase);
        }

        using (var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative), ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }

        using (var live = await http.GetAsync(new Uri("/health/live", UriKind.Relative), ct))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        await azurite.StartAsync(ct);

        // The refused events re-sent until storage takes them again; no restart of the service.
        var resent = Batch(Usage("out-3", "outage-1", 3, at), Usage("out-4", "outage-2", 7, at));
        var deadline = Stopwatch.StartNew();
        HttpStatusCode last;
        while (true)
        {
            using var response = await PostAsync(http, resent, ct);
            last = response.StatusCode;
            if (last == HttpStatusCode.Accepted)
            {
                break;
            }

            Assert.True(last == HttpStatusCode.ServiceUnavailable, $"{(int)last} while storage comes back: {await response.Content.ReadAsStringAsync(ct)}");
            Assert.True(deadline.Elapsed < Bound, $"no ingest accepted within {Bound.TotalSeconds} s of Azurite's restart:\n{service.Output}");
            await Task.Delay(200, ct);
        }

        // Sent once more: both are known, so nothing is counted again.
        var again = await client.IngestAsync(new EventBatch
        {
            Events =
            [
                new IngestEvent { Id = "out-3", Type = EventType.Usage, AccountId = "outage-1", OccurredAt = DateTimeOffset.Parse(at, CultureInfo.InvariantCulture), Requests = 3 },
                new IngestEvent { Id = "out-4", Type = EventType.Usage, AccountId = "outage-2", OccurredAt = DateTimeOffset.Parse(at, CultureInfo.InvariantCulture), Requests = 7 },
            ],
        }, ct);
        Assert.Equal(0, again.Accepted);
        Assert.Equal(2, again.Duplicates);

        // The first batch is intact and each refused-then-re-sent event counts once.
        var one = await client.GetAccountAsync("outage-1", ct);
        var two = await client.GetAccountAsync("outage-2", ct);
        Assert.Equal(10 + 5 + 3, one!.Usage.RequestsTotal);
        Assert.Equal(7, two!.Usage.RequestsTotal);

        using var readyAgain = await http.GetAsync(new Uri("/health/ready", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.OK, readyAgain.StatusCode);
        Assert.False(service.HasExited);

        // What the recovered service answered is what storage holds, not what a grain kept in memory
        // from a write that failed: a fresh process reads the same counters from Azurite.
        await service.KillAsync();
        await using var restarted = ServiceProcess.Start(ports, azurite.ConnectionString, table, settings: settings);
        await restarted.WaitUntilReadyAsync(ct);
        var fresh = restarted.CreateClient();
        Assert.Equal(10 + 5 + 3, (await fresh.GetAccountAsync("outage-1", ct))!.Usage.RequestsTotal);
        Assert.Equal(7, (await fresh.GetAccountAsync("outage-2", ct))!.Usage.RequestsTotal);
    }

    private static string Usage(string id, string account, int requests, string at) =>
        $$"""{"id":"{{id}}","type":"usage","accountId":"{{account}}","occurredAt":"{{at}}","requests":{{requests}}}""";

    private static string Batch(params string[] events) => $$"""{"events":[{{string.Join(",", events)}}]}""";

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string body, CancellationToken ct) =>
        http.PostAsync(new Uri("/v1/events", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"), ct);
}
