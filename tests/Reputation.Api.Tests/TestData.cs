using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Reputation.Client;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

/// <summary>Ids and networks no other test uses: the tests of a collection share one host.</summary>
internal static class Unique
{
    private static int s_network = 1000;

    public static string Id(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>A /24 of 10.0.0.0/8 no other test uses (10.0.0.0/24 is left to the tests that use 10.0.0.1).</summary>
    public static Net24 Ipv4Range()
    {
        var n = Interlocked.Increment(ref s_network);
        return new Net24(string.Create(CultureInfo.InvariantCulture, $"10.{(n >> 8) & 255}.{n & 255}"));
    }

    private static int s_wide = 63;

    /// <summary>
    /// A /24 at the start of a /16 of 100.64.0.0/10 no other test uses: for indicators wider than a
    /// range grain, which must not cover the 10.0.0.0/8 ranges of other tests.
    /// </summary>
    public static Net24 Wide16()
    {
        var n = Interlocked.Increment(ref s_wide);
        return new Net24(string.Create(CultureInfo.InvariantCulture, $"100.{n}.0"));
    }

    /// <summary>
    /// A /64 of the documentation prefix 2001:db8::/32 no other test uses, written the way the service
    /// writes it back (no zero group, so nothing is compressed to <c>::</c>).
    /// </summary>
    public static string Ipv6Prefix64()
    {
        var n = Interlocked.Increment(ref s_network);
        return string.Create(CultureInfo.InvariantCulture, $"2001:db8:{n:x}:{(n % 7) + 1:x}");
    }
}

/// <summary>An IPv4 /24 named by its first three octets, for example <c>10.3.232</c>.</summary>
internal sealed record Net24(string Prefix)
{
    public string Network => $"{Prefix}.0";

    public string Range => $"{Prefix}.0/24";

    public string Host(int last) => string.Create(CultureInfo.InvariantCulture, $"{Prefix}.{last}");
}

internal static class Clock
{
    /// <summary>
    /// Moves the reputation clock forward to the next time whose minute and second of the hour are
    /// the ones given, so that the event times of a test fall in known minute and hour buckets.
    /// </summary>
    public static DateTimeOffset MoveToNext(this FakeTimeProvider time, int minute, int second = 0)
    {
        var now = time.GetUtcNow();
        var target = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, minute, second, TimeSpan.Zero);
        if (target <= now)
        {
            target = target.AddHours(1);
        }

        time.Advance(target - now);
        return target;
    }
}

internal static class Events
{
    public static IngestEvent Signup(string id, string accountId, DateTimeOffset at, string ip, string? paymentFingerprint = null) =>
        new() { Id = id, Type = EventType.Signup, AccountId = accountId, OccurredAt = at, Ip = ip, PaymentFingerprint = paymentFingerprint };

    public static IngestEvent Usage(string id, string accountId, DateTimeOffset at, long requests, string? ip = null) =>
        new() { Id = id, Type = EventType.Usage, AccountId = accountId, OccurredAt = at, Ip = ip, Requests = requests };

    public static IngestEvent Payment(string id, string accountId, DateTimeOffset at, string paymentFingerprint, PaymentOutcome outcome) =>
        new()
        {
            Id = id,
            Type = EventType.Payment,
            AccountId = accountId,
            OccurredAt = at,
            PaymentFingerprint = paymentFingerprint,
            Outcome = outcome,
            AmountMinor = 2000,
            Currency = "USD",
        };

    public static EventBatch Batch(params IngestEvent[] events) => new() { Events = events };

    /// <summary>An event as JSON text, for bodies the typed client cannot send.</summary>
    public static string UsageJson(string id, string accountId, DateTimeOffset at, long requests) =>
        $$"""{"id":"{{id}}","type":"usage","accountId":"{{accountId}}","occurredAt":"{{at.UtcDateTime:O}}","requests":{{requests}}}""";
}

/// <summary>Raw HTTP for what the typed client cannot send or does not show (content types, headers, malformed bodies).</summary>
internal static class Raw
{
    public const string ProblemJson = "application/problem+json";

    public static HttpRequestMessage Request(HttpMethod method, string path, string? body = null, string? apiKey = ApiFactory.ServiceKey, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType) { CharSet = "utf-8" };
        }

        if (apiKey is not null)
        {
            request.Headers.Add(ReputationClient.ApiKeyHeaderName, apiKey);
        }

        return request;
    }

    public static HttpRequestMessage Post(string path, string body, string? apiKey = ApiFactory.ServiceKey, string contentType = "application/json") =>
        Request(HttpMethod.Post, path, body, apiKey, contentType);

    public static HttpRequestMessage Get(string path, string? apiKey = ApiFactory.ServiceKey) => Request(HttpMethod.Get, path, null, apiKey);

    /// <summary>Asserts the answer is an RFC 9457 problem with the status and returns its body.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal(ProblemJson, response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        var problem = document.RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return problem;
    }
}

internal static class ApiAssert
{
    /// <summary>Runs a client call that must fail with an answer of the service; returns the exception.</summary>
    public static async Task<ReputationApiException> FailsWithAsync(HttpStatusCode status, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<ReputationApiException>(call);
        Assert.True(ex.StatusCode == status, $"expected {(int)status}, got {(int)ex.StatusCode}: {ex.Message}");
        Assert.NotNull(ex.Problem);
        return ex;
    }

    /// <summary>Asserts a 400 validation problem whose errors dictionary names the field.</summary>
    public static async Task<ReputationApiException> FailsValidationAsync(string field, Func<Task> call)
    {
        var ex = await FailsWithAsync(HttpStatusCode.BadRequest, call);
        Assert.True(ex.Problem!.Errors.ContainsKey(field), $"errors should name '{field}': {ex.Message}");
        return ex;
    }

    public static T Answered<T>(DecisionResult<T> result)
        where T : class
    {
        Assert.False(result.IsFallback, $"the client fell back ({result.FallbackCause}) instead of getting an answer");
        return result.Response;
    }
}

internal static class Eventually
{
    /// <summary>
    /// Reads until the value holds (what one-way propagation or a per-second report makes true
    /// shortly); fails with the last value if it does not within the bound, which is for a stuck
    /// system, not a slow one.
    /// </summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> holds, string what, TimeSpan? within = null)
    {
        var limit = within ?? TimeSpan.FromSeconds(20);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (holds(value))
            {
                return value;
            }

            Assert.True(clock.Elapsed < limit, $"{what} did not hold within {limit.TotalSeconds:0} s; last: {value}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
