using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Reputation.Contracts;
using Reputation.Storage.Log;

namespace Reputation.Integration.Tests;

/// <summary>
/// Ingest through the silo's write-ahead log (<c>Reputation:Ingest:Log=AppendBlob</c>,
/// docs/decisions/0039-write-ahead-log-ingest.md), the service as a process on Azurite: what it
/// acknowledged survives <c>kill -9</c> although grain state is written behind, a re-sent id counts
/// once, and a writer whose segment was taken over acknowledges nothing more.
/// </summary>
public sealed class WriteAheadLogTests
{
    private const int Accounts = 200;
    private const int Ranges = 4;
    private const int EventsPerBatch = 50;
    private const int AcknowledgedBeforeKill = 40;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    public static Dictionary<string, string> LogOn(string container, string checkpointInterval) => new()
    {
        ["Reputation__Ingest__Log"] = "AppendBlob",
        ["Reputation__Ingest__LogContainer"] = container,
        ["Reputation__Ingest__CheckpointInterval"] = checkpointInterval,
    };

    [Theory]
    // Checkpoints while ingesting: at the kill some segments are retired, one is being stored, some are not.
    [InlineData("00:00:01")]
    // No checkpoint before the kill: every acknowledged event is in the log only, none in grain state.
    [InlineData("00:05:00")]
    public async Task Every_acknowledged_event_survives_kill_9_mid_ingest_and_a_resent_id_counts_once(string checkpointInterval)
    {
        var ct = TestContext.Current.CancellationToken;
        var ports = ServiceProcess.Ports.Free();
        var table = Azurite.UniqueTable("Wal");
        var settings = LogOn(UniqueContainer(), checkpointInterval);
        var at = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O", CultureInfo.InvariantCulture);
        var sent = new ConcurrentDictionary<int, bool>();
        var acknowledged = new ConcurrentDictionary<int, bool>();

        await using (var service = ServiceProcess.Start(ports, Azurite.ConnectionString, table, settings: settings))
        {
            await service.WaitUntilReadyAsync(ct);
            using var http = Http(service.BaseAddress);
            var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var next = -1;
            var senders = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                while (true)
                {
                    var k = Interlocked.Increment(ref next);
                    sent[k] = true;
                    try
                    {
                        using var response = await PostAsync(http, Body(k, at), ct);
                        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode} before the kill: {await response.Content.ReadAsStringAsync(ct)}");
                        acknowledged[k] = true;
                        if (acknowledged.Count >= AcknowledgedBeforeKill)
                        {
                            enough.TrySetResult();
                        }
                    }
                    catch (HttpRequestException)
                    {
                        // The service was killed under this batch: it is sent, not acknowledged.
                        return;
                    }
                }
            }, ct)).ToList();

            await Task.WhenAny(enough.Task, Task.WhenAll(senders)).WaitAsync(Bound, ct);
            Assert.True(enough.Task.IsCompleted, $"fewer than {AcknowledgedBeforeKill} batches acknowledged:\n{service.Output}");
            await service.KillAsync();
            await Task.WhenAll(senders).WaitAsync(Bound, ct);
        }

        await using var restarted = ServiceProcess.Start(ports, Azurite.ConnectionString, table, settings: settings);
        await restarted.WaitUntilReadyAsync(ct);
        var client = restarted.CreateClient();
        using var again = Http(restarted.BaseAddress);

        // Every acknowledged event is counted; nothing beyond what was sent.
        for (var a = 0; a < Accounts; a++)
        {
            var view = await client.GetAccountAsync(Account(a), ct);
            var least = Requests(acknowledged.Keys, a);
            Assert.True(view is not null || least == 0, $"{Account(a)} lost: {least} requests acknowledged\n{restarted.Output}");
            var total = view?.Usage.RequestsTotal ?? 0;
            Assert.True(total >= least && total <= Requests(sent.Keys, a),
                $"{Account(a)}: {total} requests, {least} acknowledged, {Requests(sent.Keys, a)} sent\n{restarted.Output}");
        }

        // Everything sent, sent again: each event counts once, acknowledged before or not.
        foreach (var k in sent.Keys.Order())
        {
            using var response = await PostAsync(again, Body(k, at), ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {text}");
            var result = System.Text.Json.JsonSerializer.Deserialize(text, ContractsJsonContext.Default.EventBatchResult)!;
            Assert.Equal(EventsPerBatch, result.Accepted + result.Duplicates);
            if (acknowledged.ContainsKey(k))
            {
                Assert.Equal(0, result.Accepted);
            }
        }

        for (var a = 0; a < Accounts; a++)
        {
            Assert.Equal(Requests(sent.Keys, a), (await client.GetAccountAsync(Account(a), ct))?.Usage.RequestsTotal ?? 0);
        }

        // The ranges the accounts' events went through count each event once too.
        for (var r = 0; r < Ranges; r++)
        {
            var range = await client.GetIpRangeAsync($"198.18.{r}.0", 24, ct);
            var expected = Enumerable.Range(0, Accounts).Where(a => a % Ranges == r).Sum(a => Requests(sent.Keys, a));
            Assert.Equal(expected, range?.Usage.RequestsTotal ?? 0);
        }
    }

    [Fact]
    public async Task A_writer_whose_segment_was_taken_over_acknowledges_nothing_more()
    {
        var ct = TestContext.Current.CancellationToken;
        var container = UniqueContainer();
        var at = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O", CultureInfo.InvariantCulture);
        await using var service = ServiceProcess.Start(ServiceProcess.Ports.Free(), Azurite.ConnectionString, Azurite.UniqueTable("Fence"),
            settings: LogOn(container, "00:05:00"));
        await service.WaitUntilReadyAsync(ct);
        using var http = Http(service.BaseAddress);
        using (var first = await PostAsync(http, Body(0, at), ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        // Another process takes the silo's segment over, as a survivor would: it breaks the lease.
        var blobs = new BlobContainerClient(Azurite.ConnectionString, container);
        var segments = new List<string>();
        await foreach (var item in blobs.GetBlobsAsync(cancellationToken: ct))
        {
            segments.Add(item.Name);
        }

        var segment = Assert.Single(segments);
        await AppendBlobLog.TakeOverAsync(blobs.GetAppendBlobClient(segment), ct);
        var taken = await AppendBlobLog.ReadAsync(blobs.GetAppendBlobClient(segment), ct);

        using var refused = await PostAsync(http, Body(1, at), ct);
        var text = await refused.Content.ReadAsStringAsync(ct);
        Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)refused.StatusCode}: {text}\n{service.Output}");
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(refused.Headers.RetryAfter);

        // Nothing of the refused batch was applied or logged; it stays refused, and the silo is not ready.
        var client = service.CreateClient();
        Assert.Null(await client.GetAccountAsync(Account(EventsPerBatch), ct));
        Assert.Equal(Requests([0], 0), (await client.GetAccountAsync(Account(0), ct))!.Usage.RequestsTotal);
        Assert.Equal(taken.Payloads.Count, (await AppendBlobLog.ReadAsync(blobs.GetAppendBlobClient(segment), ct)).Payloads.Count);
        using (var still = await PostAsync(http, Body(1, at), ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, still.StatusCode);
        }

        using var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative), ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
    }

    [Theory]
    [InlineData("Reputation__Storage__Provider", "Memory", "Reputation:Storage:Provider=AzureTable")]
    [InlineData("Reputation__Silo__Clustering", "AzureTable", "one silo only")]
    public async Task The_log_refuses_to_start_without_azure_storage_or_with_several_silos(string setting, string value, string named)
    {
        var ct = TestContext.Current.CancellationToken;
        var settings = LogOn(UniqueContainer(), "00:00:05");
        settings[setting] = value;

        await using var service = ServiceProcess.Start(ServiceProcess.Ports.Free(), Azurite.ConnectionString, Azurite.UniqueTable("WalRefused"), settings: settings);
        var exitCode = await service.WaitForExitAsync(ct);

        Assert.Equal(1, exitCode);
        var line = service.RefusalLine();
        Assert.Contains("Reputation:Ingest:Log=AppendBlob", line, StringComparison.Ordinal);
        Assert.Contains(named, line, StringComparison.Ordinal);
    }

    public static string UniqueContainer() => $"wal-{Guid.NewGuid():N}";

    private static string Account(int a) => $"wal-acct-{a}";

    /// <summary>Batch k: <see cref="EventsPerBatch"/> usage events of distinct accounts, each through its account's range.</summary>
    private static IEnumerable<(int Account, string Id, int Requests)> Events(int k) =>
        Enumerable.Range(0, EventsPerBatch).Select(j => ((k * EventsPerBatch + j) % Accounts, $"wal-{k}-{j}", 1 + ((k + j) % 7)));

    private static long Requests(IEnumerable<int> batches, int account) =>
        batches.SelectMany(Events).Where(e => e.Account == account).Sum(e => (long)e.Requests);

    private static string Body(int k, string at) =>
        $$"""{"events":[{{string.Join(",", Events(k).Select(e =>
            $$"""{"id":"{{e.Id}}","type":"usage","accountId":"{{Account(e.Account)}}","occurredAt":"{{at}}","ip":"198.18.{{e.Account % Ranges}}.{{1 + (e.Account % 200)}}","requests":{{e.Requests}}}"""))}}]}""";

    private static HttpClient Http(Uri baseAddress)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = Bound };
        http.DefaultRequestHeaders.Add("X-Api-Key", "dev-service-key");
        return http;
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string body, CancellationToken ct) =>
        http.PostAsync(new Uri("/v1/events", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"), ct);
}
