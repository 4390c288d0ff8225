using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Reputation.Contracts;

namespace Reputation.Client.Tests;

/// <summary>What the fake handler saw of one request.</summary>
internal sealed record RecordedRequest(HttpMethod Method, Uri Uri, string? ApiKey, string? ContentType, string? Body);

/// <summary>An in-process HTTP handler: records each request and answers with the given function. No network.</summary>
internal sealed class StubHandler(Func<HttpRequestMessage, int, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private int _calls;

    public StubHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond)
        : this((request, _, ct) => respond(request, ct))
    {
    }

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public int Calls => Volatile.Read(ref _calls);

    public static StubHandler Answering(HttpStatusCode status, string json, string mediaType = "application/json") =>
        new((_, _) => Task.FromResult(Json(status, json, mediaType)));

    /// <summary>A handler that never answers; it only ends when the request's token is cancelled.</summary>
    public static StubHandler NeverAnswering(TaskCompletionSource? entered = null, TaskCompletionSource? cancelled = null) =>
        new(async (_, ct) =>
        {
            entered?.TrySetResult();
            try
            {
                await new TaskCompletionSource().Task.WaitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                cancelled?.TrySetResult();
                throw;
            }

            throw new InvalidOperationException("unreachable: the task above never completes");
        });

    public static StubHandler RefusingConnections() =>
        new((_, _) => throw new HttpRequestException(
            HttpRequestError.ConnectionError,
            "Connection refused (reputation.test:80)",
            new SocketException((int)SocketError.ConnectionRefused)));

    public static HttpResponseMessage Json(HttpStatusCode status, string json, string mediaType = "application/json") =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, mediaType) };

    public static HttpResponseMessage Problem(HttpStatusCode status, string json) =>
        Json(status, json, "application/problem+json");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var attempt = Interlocked.Increment(ref _calls);
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        _requests.Enqueue(new RecordedRequest(
            request.Method,
            request.RequestUri!,
            request.Headers.TryGetValues(ReputationClient.ApiKeyHeaderName, out var keys) ? string.Join(",", keys) : null,
            request.Content?.Headers.ContentType?.MediaType,
            body));
        var response = await respond(request, attempt, cancellationToken);
        response.RequestMessage ??= request; // as real handlers do; Refit relies on it
        return response;
    }
}

internal static class Samples
{
    public static readonly Uri BaseAddress = new("http://reputation.test/");

    public const string ApiKey = "test-key";

    public static ReputationClient CreateClient(HttpMessageHandler handler, Action<ReputationClientOptions>? configure = null)
    {
        // The HttpClient is left to the finalizer: a fake handler holds no sockets.
        var http = new HttpClient(handler) { BaseAddress = BaseAddress };
        var options = new ReputationClientOptions { BaseAddress = BaseAddress, ApiKey = ApiKey };
        configure?.Invoke(options);
        return ReputationClient.Create(http, options);
    }

    public static RequestDecisionRequest Request(string accountId = "acct-1") =>
        new() { AccountId = accountId, Ip = "198.51.100.7" };

    public static SignupDecisionRequest Signup(string accountId = "acct-1") =>
        new() { AccountId = accountId, Ip = "203.0.113.9", Email = "someone@example.com", Country = "DE" };

    public static BillingDecisionRequest Billing(string accountId = "acct-1") =>
        new() { AccountId = accountId, PaymentFingerprint = "fp_123", AmountMinor = 2_000, Currency = "USD" };

    public const string RequestDecisionJson =
        """{"accountId":"acct-1","decision":"throttle","score":0.8,"reasons":[{"code":"IP_RANGE_CROWDED","contribution":0.8,"detail":"412 accounts"}],"requestsPerMinute":10,"cacheTtlSeconds":30,"policyVersion":7}""";

    public const string SignupDecisionJson =
        """{"accountId":"acct-1","decision":"allow","score":0.1,"reasons":[],"policyVersion":3}""";

    public const string BatchResultJson = """{"accepted":2,"duplicates":0,"rejected":[]}""";

    public const string ValidationProblemJson =
        """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"detail":"The request is invalid.","errors":{"ip":["'not-an-ip' is not an IPv4 or IPv6 address."]},"traceId":"00-abc-def-00"}""";

    public static EventBatch Batch() => new()
    {
        Events =
        [
            new IngestEvent
            {
                Id = "evt-1",
                Type = EventType.Usage,
                AccountId = "acct-1",
                OccurredAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
                Ip = "198.51.100.7",
                Requests = 12,
                PromptFingerprints = ["0123456789abcdef"],
            },
            new IngestEvent
            {
                Id = "evt-2",
                Type = EventType.Payment,
                AccountId = "acct-1",
                OccurredAt = new DateTimeOffset(2025, 1, 2, 3, 4, 6, TimeSpan.Zero),
                PaymentFingerprint = "fp_123",
                Outcome = PaymentOutcome.Chargeback,
            },
        ],
    };
}
