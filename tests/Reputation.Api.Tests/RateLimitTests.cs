using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Reputation.Client;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

/// <summary>
/// The Development host with small per-key limits that refill once an hour (so nothing refills
/// during a test) and four keys of its own, one per test, so the tests' spending never meets.
/// </summary>
public sealed class RateLimitFactory : ApiFactory
{
    public const int Decisions = 5;
    public const int Reads = 10;

    public const string TenantA = "rate-tenant-a-key-5e0b2d";
    public const string TenantB = "rate-tenant-b-key-91c7fa";
    public const string InvestigatorC = "rate-investigator-c-key-3d8e41";
    public const string InvestigatorD = "rate-investigator-d-key-c62a90";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Reputation:RateLimits:Decide:TokenLimit", $"{Decisions}");
        builder.UseSetting("Reputation:RateLimits:Decide:TokensPerPeriod", "1");
        builder.UseSetting("Reputation:RateLimits:Decide:ReplenishmentPeriod", "01:00:00");
        builder.UseSetting("Reputation:RateLimits:Read:TokenLimit", $"{Reads}");
        builder.UseSetting("Reputation:RateLimits:Read:TokensPerPeriod", "1");
        builder.UseSetting("Reputation:RateLimits:Read:ReplenishmentPeriod", "01:00:00");
        // Keys 0 and 1 are the Development keys from appsettings.Development.json.
        var keys = new[] { ("rate-tenant-a", TenantA), ("rate-tenant-b", TenantB), ("rate-investigator-c", InvestigatorC), ("rate-investigator-d", InvestigatorD) };
        for (var i = 0; i < keys.Length; i++)
        {
            builder.UseSetting($"Reputation:ApiKeys:Keys:{i + 2}:Name", keys[i].Item1);
            builder.UseSetting($"Reputation:ApiKeys:Keys:{i + 2}:Sha256", ReadOnlyKeyFactory.Sha256Hex(keys[i].Item2));
            builder.UseSetting($"Reputation:ApiKeys:Keys:{i + 2}:Scopes:0", "decide");
            builder.UseSetting($"Reputation:ApiKeys:Keys:{i + 2}:Scopes:1", "read");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RateLimitCollection : ICollectionFixture<RateLimitFactory>
{
    public const string Name = "api-rate-limits";
}

[Collection(RateLimitCollection.Name)]
public sealed class RateLimitTests(RateLimitFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_key_over_its_decision_rate_gets_429_problems_with_Retry_After_and_another_key_is_unaffected()
    {
        var tenantA = factory.CreateReputationClient(RateLimitFactory.TenantA);
        for (var i = 0; i < RateLimitFactory.Decisions; i++)
        {
            ApiAssert.Answered(await tenantA.DecideRequestAsync(Request(), Ct));
        }

        // The client falls back, as for any service that cannot answer now ...
        var fallback = await tenantA.DecideRequestAsync(Request(), Ct);
        Assert.Equal(FallbackCauses.Http(429), fallback.FallbackCause);

        // ... and the answer says which limit and when to come back.
        using var response = await factory.CreateDefaultClient().SendAsync(
            Raw.Post("/v1/decisions/request", $$"""{"accountId":"{{Unique.Id("rate")}}","ip":"192.0.2.92"}""", RateLimitFactory.TenantA), Ct);
        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.TooManyRequests);
        Assert.Equal("rate:decide", problem.GetProperty("limit").GetString());
        Assert.Contains("'decide' rate limit", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var retryAfter = int.Parse(Assert.Single(response.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 3600);

        // Its other scope and another key's decisions are not touched.
        Assert.Null(await tenantA.GetAccountAsync(Unique.Id("never-seen"), Ct));
        ApiAssert.Answered(await factory.CreateReputationClient(RateLimitFactory.TenantB).DecideRequestAsync(Request(), Ct));

        // Counted by key name, never the key.
        var scrape = await Eventually.ValueAsync(
            () => MetricsTests.ScrapeAsync(factory),
            s => s.Sum("reputation_rate_limit_rejections_total", ("key", "rate-tenant-a"), ("scope", "decide"), ("limit", "rate")) >= 2,
            "the rejections in the scrape");
        Assert.DoesNotContain(RateLimitFactory.TenantA, scrape.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_graph_costs_the_nodes_it_may_visit_against_the_read_rate()
    {
        var account = Unique.Id("rate-graph");
        ApiAssert.Answered(await factory.CreateReputationClient(ApiFactory.OperatorKey).DecideSignupAsync(
            new SignupDecisionRequest { AccountId = account, Ip = "192.0.2.90", PaymentFingerprint = Unique.Id("pf-rate") }, Ct));

        // A graph of up to 8 nodes leaves 2 of 10 reads ...
        var wide = factory.CreateReputationClient(RateLimitFactory.InvestigatorC);
        Assert.NotNull(await wide.GetAccountGraphAsync(account, depth: 2, limit: 8, Ct));
        for (var i = 0; i < RateLimitFactory.Reads - 8; i++)
        {
            Assert.NotNull(await wide.GetAccountAsync(account, Ct));
        }

        var refused = await ApiAssert.FailsWithAsync(HttpStatusCode.TooManyRequests, () => wide.GetAccountAsync(account, Ct));
        Assert.Contains("'read' rate limit", refused.Problem!.Detail, StringComparison.Ordinal);

        // ... a graph of 1 node leaves 9; and a graph past the bucket's size empties it without being refused.
        var narrow = factory.CreateReputationClient(RateLimitFactory.InvestigatorD);
        Assert.NotNull(await narrow.GetAccountGraphAsync(account, depth: 1, limit: 1, Ct));
        for (var i = 0; i < RateLimitFactory.Reads - 1; i++)
        {
            Assert.NotNull(await narrow.GetAccountAsync(account, Ct));
        }

        await ApiAssert.FailsWithAsync(HttpStatusCode.TooManyRequests, () => narrow.GetAccountGraphAsync(account, cancellationToken: Ct));
    }

    [Fact]
    public async Task Calls_without_a_valid_key_stay_401_and_health_is_never_limited()
    {
        var http = factory.CreateDefaultClient();
        for (var i = 0; i < RateLimitFactory.Decisions * 3; i++)
        {
            using var noKey = await http.SendAsync(Raw.Post("/v1/decisions/request", """{"accountId":"rate-anon","ip":"192.0.2.91"}""", apiKey: null), Ct);
            await Raw.AssertProblemAsync(noKey, HttpStatusCode.Unauthorized);
            using var wrongKey = await http.SendAsync(Raw.Get("/v1/accounts/rate-anon", "not-a-key"), Ct);
            await Raw.AssertProblemAsync(wrongKey, HttpStatusCode.Unauthorized);
            using var health = await http.SendAsync(Raw.Get("/health/live", RateLimitFactory.TenantB), Ct);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
    }

    [Theory]
    [InlineData("/v1/decisions/request", "post")]
    [InlineData("/v1/events", "post")]
    [InlineData("/v1/accounts/{accountId}/graph", "get")]
    [InlineData("/v1/intel/stix", "get")]
    public async Task The_OpenAPI_document_lists_the_429_of_every_call_with_a_key(string path, string method)
    {
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get("/swagger/v1/swagger.json", apiKey: null), Ct);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));

        var refused = document.RootElement.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses").GetProperty("429");
        Assert.Equal(["application/problem+json"], refused.GetProperty("content").EnumerateObject().Select(c => c.Name));
    }

    private static RequestDecisionRequest Request() => new() { AccountId = Unique.Id("rate"), Ip = "192.0.2.92" };
}

/// <summary>
/// The Development host where a key may have one call in flight, and a way to know that a call is
/// in flight: the first read of a body marked <see cref="HeldHeader"/> (which only the endpoint
/// does, after authentication, authorization and the limits) completes <see cref="HeldBodyRead"/>.
/// </summary>
public sealed class ConcurrencyLimitFactory : ApiFactory
{
    public const string HeldHeader = "X-Test-Held";

    private readonly TaskCompletionSource _heldBodyRead = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task HeldBodyRead => _heldBodyRead.Task;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Reputation:RateLimits:ConcurrentRequestsPerKey", "1");
        builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter>(new SignalBodyRead(_heldBodyRead)));
    }

    private sealed class SignalBodyRead(TaskCompletionSource read) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, nextMiddleware) =>
            {
                if (http.Request.Headers.ContainsKey(HeldHeader))
                {
                    http.Request.Body = new ReadSignallingStream(http.Request.Body, read);
                }

                return nextMiddleware(http);
            });
            next(app);
        };
    }

    private sealed class ReadSignallingStream(Stream inner, TaskCompletionSource read) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            read.TrySetResult();
            return inner.ReadAsync(buffer, cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

[CollectionDefinition(Name)]
public sealed class ConcurrencyLimitCollection : ICollectionFixture<ConcurrencyLimitFactory>
{
    public const string Name = "api-concurrency-limit";
}

[Collection(ConcurrencyLimitCollection.Name)]
public sealed class ConcurrencyLimitTests(ConcurrencyLimitFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_key_with_its_most_calls_in_flight_gets_429_until_one_ends_and_other_keys_are_served()
    {
        // A STIX import whose body arrives only when the test lets it: once the endpoint reads it,
        // the call holds the key's one slot. (The test server's own client: the default client's
        // redirect handler would buffer the whole body before sending.)
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var held = new HttpRequestMessage(HttpMethod.Post, "/v1/intel/stix") { Content = new HeldContent(Stix.Bundle(), release.Task) };
        held.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        held.Headers.Add(ReputationClient.ApiKeyHeaderName, ApiFactory.OperatorKey);
        held.Headers.Add(ConcurrencyLimitFactory.HeldHeader, "1");
        var import = factory.Server.CreateClient().SendAsync(held, Ct);
        await factory.HeldBodyRead.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        var refused = await DecideAsync(ApiFactory.OperatorKey);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        using (var problem = JsonDocument.Parse(refused.Body))
        {
            Assert.Equal("concurrency", problem.RootElement.GetProperty("limit").GetString());
            Assert.Contains("1 calls in flight", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal("1", refused.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, (await DecideAsync(ApiFactory.ServiceKey)).Status);

        release.SetResult();
        using (var imported = await import)
        {
            Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        }

        // The slot is given back as the import's pipeline ends, which may be just after its answer arrived.
        await Eventually.ValueAsync(() => DecideAsync(ApiFactory.OperatorKey), r => r.Status == HttpStatusCode.OK, "decisions once the import ended");
    }

    private async Task<(HttpStatusCode Status, string Body, string? RetryAfter)> DecideAsync(string key)
    {
        using var response = await factory.CreateDefaultClient().SendAsync(
            Raw.Post("/v1/decisions/request", $$"""{"accountId":"{{Unique.Id("inflight")}}","ip":"192.0.2.93"}""", key), Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct),
            response.Headers.TryGetValues("Retry-After", out var values) ? values.Single() : null);
    }

    /// <summary>JSON whose first byte is sent at once and the rest once <c>release</c> completes.</summary>
    private sealed class HeldContent(string json, Task release) : HttpContent
    {
        private readonly byte[] _bytes = System.Text.Encoding.UTF8.GetBytes(json);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(_bytes.AsMemory(0, 1));
            await stream.FlushAsync();
            await release;
            await stream.WriteAsync(_bytes.AsMemory(1));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _bytes.Length;
            return true;
        }
    }
}
