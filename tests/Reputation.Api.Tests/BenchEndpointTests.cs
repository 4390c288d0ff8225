using System.Net;
using System.Text.Json;

namespace Reputation.Api.Tests;

/// <summary>The endpoints <c>./bench.sh</c> measures against: mapped only when asked for.</summary>
[Collection(BenchCollection.Name)]
public sealed class BenchEndpointTests(BenchFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("request", """{"accountId":"bench-a","ip":"198.51.100.7","model":"m"}""", "allow")]
    [InlineData("signup", """{"accountId":"bench-a","ip":"198.51.100.7","paymentFingerprint":"card-1"}""", "allow")]
    [InlineData("billing", """{"accountId":"bench-a","paymentFingerprint":"card-1","amountMinor":100,"currency":"USD"}""", "allow")]
    public async Task A_baseline_binds_the_decision_body_and_answers_a_constant_decision_of_the_same_shape(string kind, string body, string decision)
    {
        using var http = factory.CreateDefaultClient();

        using var response = await http.SendAsync(Raw.Post($"/v1/bench/baseline/{kind}", body), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("bench-a", json.RootElement.GetProperty("accountId").GetString());
        Assert.Equal(decision, json.RootElement.GetProperty("decision").GetString());
        Assert.True(json.RootElement.TryGetProperty("reasons", out _));
        Assert.True(json.RootElement.TryGetProperty("policyVersion", out _));
    }

    [Fact]
    public async Task A_baseline_checks_the_key_and_the_body_like_the_decision_it_stands_for()
    {
        using var http = factory.CreateDefaultClient();

        using (var anonymous = await http.SendAsync(Raw.Post("/v1/bench/baseline/request", """{"accountId":"a","ip":"198.51.100.7"}""", apiKey: null), Ct))
        {
            await Raw.AssertProblemAsync(anonymous, HttpStatusCode.Unauthorized);
        }

        using var broken = await http.SendAsync(Raw.Post("/v1/bench/baseline/request", """{"accountId":"""), Ct);
        await Raw.AssertProblemAsync(broken, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_memory_report_needs_operate_and_counts_the_account_grains_activated()
    {
        var client = factory.CreateReputationClient();
        using var http = factory.CreateDefaultClient();

        using (var service = await http.SendAsync(Raw.Get("/v1/bench/memory"), Ct))
        {
            await Raw.AssertProblemAsync(service, HttpStatusCode.Forbidden);
        }

        // ./bench.sh divides the growth between two reports by the account activations added, so
        // what must hold is what that figure rests on: new accounts counted, a collection forced
        // before the heap is read, live objects on that heap, a resident size rather than an
        // address space. Not "working set >= heap": committed heap pages need not be resident
        // (with ~15 test hosts in one process the working set was up to 90 MB below the heap).
        var before = await MemoryAsync(http);
        const int Added = 3;
        for (var i = 0; i < Added; i++)
        {
            ApiAssert.Answered(await client.DecideRequestAsync(new() { AccountId = Unique.Id("bench-memory"), Ip = "198.51.100.8" }, Ct));
        }

        var live = new byte[64 << 20];
        var fullCollections = GC.CollectionCount(GC.MaxGeneration);
        var after = await MemoryAsync(http);
        GC.KeepAlive(live);

        Assert.True(after.Accounts - before.Accounts >= Added, $"account activations {before.Accounts} -> {after.Accounts}, {Added} added");
        Assert.True(GC.CollectionCount(GC.MaxGeneration) - fullCollections >= 2, "two full collections before the heap is read");
        Assert.True(after.Heap >= live.LongLength, $"heap {after.Heap:N0} bytes, a live {live.LongLength:N0}-byte array not on it");
        // Resident, not address space: a .NET process reserves hundreds of gigabytes of address space,
        // far more than the machine's memory, while what is resident fits in it. (Not "at most the
        // peak working set read afterwards": the kernel updates that high-water mark only at some
        // events, so a working set read earlier, before the collections gave pages back, can exceed it.)
        Assert.InRange(after.WorkingSet, 1, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        Assert.True(after.WorkingSet < process.VirtualMemorySize64, $"working set {after.WorkingSet:N0} not below the address space {process.VirtualMemorySize64:N0}");
    }

    private static async Task<(long Heap, long WorkingSet, long Accounts)> MemoryAsync(HttpClient http)
    {
        using var response = await http.SendAsync(Raw.Get("/v1/bench/memory", ApiFactory.OperatorKey), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var accounts = json.RootElement.GetProperty("activations").EnumerateObject()
            .Where(p => p.Name.Contains("account", StringComparison.OrdinalIgnoreCase)).Sum(p => p.Value.GetInt64());
        return (json.RootElement.GetProperty("managedHeapBytes").GetInt64(), json.RootElement.GetProperty("workingSetBytes").GetInt64(), accounts);
    }
}

/// <summary>Without <c>Reputation:Api:BenchmarkEndpoints</c> there is no benchmark endpoint.</summary>
[Collection(ApiCollection.Name)]
public sealed class BenchEndpointsOffTests(ApiFactory factory)
{
    [Theory]
    [InlineData("POST", "/v1/bench/baseline/request")]
    [InlineData("GET", "/v1/bench/memory")]
    public async Task They_are_not_mapped_by_default(string method, string path)
    {
        using var http = factory.CreateDefaultClient();

        using var response = await http.SendAsync(Raw.Request(new HttpMethod(method), path, method == "POST" ? "{}" : null, ApiFactory.OperatorKey), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
