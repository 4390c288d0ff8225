using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Reputation.Client;
using Reputation.Contracts;

namespace Reputation.Simulator.Tests;

/// <summary>
/// An in-process stand-in for the service behind <see cref="ReputationClient"/>: it keeps the events
/// it is sent (idempotent by id, refusing any dated more than 5 minutes ahead, as the contract says)
/// and answers request decisions with a rule given by the test. No network.
/// </summary>
internal sealed class FakeService : HttpMessageHandler
{
    private static readonly JsonSerializerOptions _json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly ConcurrentDictionary<string, IngestEvent> _events = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<int> _batchSizes = new();
    private readonly ConcurrentQueue<string> _signupDecisions = new();
    private readonly ConcurrentDictionary<string, int> _requestDecisions = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<LabelRequest> _labels = new();
    private readonly ConcurrentQueue<string> _bundles = new();
    private string _policy = """{"name":"default","version":1,"intel":{"defaultTrust":0.5,"producerTrust":{}}}""";
    private int _policyVersion = 1;

    /// <summary>The request decision for an account, given what the fake has received for it.</summary>
    public Func<string, FakeService, RequestDecision> Decide { get; init; } = (_, _) => RequestDecision.Allow;

    /// <summary>Events the fake rejects (besides future-dated ones), with the error.</summary>
    public Func<IngestEvent, string?> Reject { get; init; } = _ => null;

    public HttpStatusCode? DecisionStatus { get; init; }

    /// <summary>The first this many request decisions answer 503 (a service still warming up).</summary>
    public int UnavailableDecisions { get; init; }

    private int _decisionsSeen;

    public HttpStatusCode? IngestStatus { get; init; }

    public IReadOnlyCollection<IngestEvent> Events => [.. _events.Values];

    public IReadOnlyList<int> BatchSizes => [.. _batchSizes];

    public IReadOnlyList<string> SignupDecisions => [.. _signupDecisions];

    public int RequestDecisionsFor(string accountId) => _requestDecisions.GetValueOrDefault(accountId);

    public IReadOnlyList<LabelRequest> Labels => [.. _labels];

    /// <summary>STIX bundles imported, as sent.</summary>
    public IReadOnlyList<string> Bundles => [.. _bundles];

    /// <summary>The default policy as last saved, and its version.</summary>
    public (string Json, int Version) Policy => (_policy, _policyVersion);

    /// <summary>Called before each event batch is taken (to look at the fake's state mid-run).</summary>
    public Action<FakeService>? BeforeIngest { get; init; }

    public int UsageEventsOf(string accountId) => _events.Values.Count(e => e.AccountId == accountId && e.Type == EventType.Usage);

    public ReputationClient CreateClient() => ReputationClient.Create(
        new HttpClient(this) { BaseAddress = new Uri("http://reputation.test/") },
        new ReputationClientOptions { BaseAddress = new Uri("http://reputation.test/"), ApiKey = "test-key", DecisionTimeout = TimeSpan.FromSeconds(5), IngestMaxRetries = 0 });

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var path = request.RequestUri!.AbsolutePath;
        var response = path switch
        {
            "/v1/events" => Ingest(JsonSerializer.Deserialize<EventBatch>(body, _json)!),
            "/v1/decisions/request" => DecideRequest(JsonSerializer.Deserialize<RequestDecisionRequest>(body, _json)!),
            "/v1/decisions/signup" => DecideSignup(JsonSerializer.Deserialize<SignupDecisionRequest>(body, _json)!),
            "/v1/labels" => Label(JsonSerializer.Deserialize<LabelRequest>(body, _json)!),
            "/v1/intel/stix" => ImportStix(body),
            "/v1/policies/default" when request.Method == HttpMethod.Get => Json(HttpStatusCode.OK, _policy).WithETag(_policyVersion),
            "/v1/policies/default" => PutPolicy(request, body),
            _ when request.Method == HttpMethod.Get && path.StartsWith("/v1/accounts/", StringComparison.Ordinal) => Account(Uri.UnescapeDataString(path["/v1/accounts/".Length..])),
            _ when request.Method == HttpMethod.Get && path.StartsWith("/v1/prompt-templates/", StringComparison.Ordinal) => Template(Uri.UnescapeDataString(path["/v1/prompt-templates/".Length..])),
            _ => new HttpResponseMessage(HttpStatusCode.NotFound),
        };
        response.RequestMessage = request;
        return response;
    }

    /// <summary>The fake's bucket of a fingerprint: its first 16-bit band, as the service names it.</summary>
    public static string BucketOf(string fingerprint) => $"b0:{fingerprint[..4]}";

    private IEnumerable<string> BucketsOf(string accountId) => _events.Values
        .Where(e => e.AccountId == accountId && e.Type == EventType.Usage)
        .SelectMany(e => e.PromptFingerprints ?? []).Select(BucketOf).Distinct(StringComparer.Ordinal);

    private HttpResponseMessage Account(string accountId)
    {
        if (!_events.Values.Any(e => e.AccountId == accountId))
        {
            return Json(HttpStatusCode.NotFound, """{"title":"Account not found","status":404}""", "application/problem+json");
        }

        var zero = new UsageCounters { RequestsLastMinute = 0, RequestsLastHour = 0, RequestsLastDay = 0, TokensLastHour = 0, RequestsTotal = 0 };
        return Json(HttpStatusCode.OK, JsonSerializer.Serialize(new AccountView
        {
            AccountId = accountId, Score = 0, RequestDecision = RequestDecision.Allow, Reasons = [], Labels = [], PaymentInstruments = [], IpRanges = [],
            PromptBuckets = [.. BucketsOf(accountId)], Usage = zero, Payments = new PaymentCounters { Succeeded = 0, Declined = 0, Chargebacks = 0, Refunded = 0 }, PolicyVersion = 1,
        }, _json));
    }

    /// <summary>A bucket shared by the accounts whose usage named it: suspicion 0.5 and a base of 0.2, lockstep 0.1.</summary>
    private HttpResponseMessage Template(string bucket)
    {
        var sharers = _events.Values.Where(e => e.Type == EventType.Usage && (e.PromptFingerprints ?? []).Any(f => BucketOf(f) == bucket))
            .Select(e => e.AccountId).Distinct(StringComparer.Ordinal).ToList();
        if (sharers.Count == 0)
        {
            return Json(HttpStatusCode.NotFound, """{"title":"Bucket not found","status":404}""", "application/problem+json");
        }

        return Json(HttpStatusCode.OK, JsonSerializer.Serialize(new PromptTemplateView
        {
            Bucket = bucket, SharingAccounts = sharers.Count, Usage = new UsageCounters { RequestsLastMinute = 0, RequestsLastHour = 0, RequestsLastDay = 0, TokensLastHour = 0, RequestsTotal = 0 },
            RecentAccounts = [.. sharers.Take(5)], Fingerprints = [], Risk = 0.3, Labels = [],
            Suspicion = 0.5, CustomerBaseSuspicion = 0.2, Lockstep = 0.1, SampledSharers = Math.Min(64, sharers.Count),
        }, _json));
    }

    private HttpResponseMessage Label(LabelRequest r)
    {
        _labels.Enqueue(r);
        return Json(HttpStatusCode.OK, JsonSerializer.Serialize(new LabelResponse
        {
            EntityType = r.EntityType, EntityId = r.EntityId, Label = r.Label, Reason = r.Reason, LabelledBy = "test-operator", LabelledAt = DateTimeOffset.UtcNow,
        }, _json));
    }

    private HttpResponseMessage ImportStix(string body)
    {
        _bundles.Enqueue(body);
        var indicators = JsonNode.Parse(body)!["objects"]!.AsArray().Count(o => (string?)o!["type"] == "indicator");
        return Json(HttpStatusCode.OK, JsonSerializer.Serialize(new StixImportResult
        {
            BundleId = (string)JsonNode.Parse(body)!["id"]!, Imported = indicators, Updated = 0, Unchanged = 0, Revoked = 0, Skipped = 1,
            SkippedTypes = new Dictionary<string, int> { ["identity"] = 1 }, SkippedIndicators = [], Held = indicators,
        }, _json));
    }

    private HttpResponseMessage PutPolicy(HttpRequestMessage request, string body)
    {
        if (request.Headers.IfMatch.SingleOrDefault()?.Tag != $"\"{_policyVersion}\"")
        {
            return Json(HttpStatusCode.PreconditionFailed, """{"title":"The policy changed since you read it","status":412}""", "application/problem+json");
        }

        _policy = body;
        _policyVersion++;
        return Json(HttpStatusCode.OK, body).WithETag(_policyVersion);
    }

    private HttpResponseMessage Ingest(EventBatch batch)
    {
        BeforeIngest?.Invoke(this);
        _batchSizes.Enqueue(batch.Events.Count);
        if (IngestStatus is { } status)
        {
            return Json(status, $$"""{"title":"Temporarily unavailable.","status":{{(int)status}}}""", "application/problem+json");
        }

        if (batch.Events.Count is < 1 or > 1000)
        {
            return Json(HttpStatusCode.BadRequest, """{"title":"bad batch","status":400}""", "application/problem+json");
        }

        var now = DateTimeOffset.UtcNow;
        int accepted = 0, duplicates = 0;
        var rejected = new List<RejectedEvent>();
        for (var i = 0; i < batch.Events.Count; i++)
        {
            var e = batch.Events[i];
            var error = e.OccurredAt > now.AddMinutes(5) ? "occurredAt: is more than 5 minutes in the future" : Reject(e);
            if (error is not null)
            {
                rejected.Add(new RejectedEvent(i, e.Id, error));
            }
            else if (_events.TryAdd(e.Id, e))
            {
                accepted++;
            }
            else
            {
                duplicates++;
            }
        }

        return Json(HttpStatusCode.Accepted, JsonSerializer.Serialize(new EventBatchResult { Accepted = accepted, Duplicates = duplicates, Rejected = rejected }, _json));
    }

    private HttpResponseMessage DecideRequest(RequestDecisionRequest r)
    {
        var status = Interlocked.Increment(ref _decisionsSeen) <= UnavailableDecisions ? HttpStatusCode.ServiceUnavailable : DecisionStatus;
        if (status is { } failure)
        {
            return Json(failure, $$"""{"title":"{{failure}}","status":{{(int)failure}}}""", "application/problem+json");
        }

        _requestDecisions.AddOrUpdate(r.AccountId, 1, (_, n) => n + 1);
        var decision = Decide(r.AccountId, this);
        var reasons = decision == RequestDecision.Allow ? "[]" : """[{"code":"FAKE_RULE","contribution":0.9,"detail":"the test said so"}]""";
        return Json(HttpStatusCode.OK, $$"""
            {"accountId":"{{r.AccountId}}","decision":"{{decision.ToString().ToLowerInvariant()}}","score":0.5,"reasons":{{reasons}},
             "requestsPerMinute":60,"cacheTtlSeconds":30,"policyVersion":1}
            """);
    }

    private HttpResponseMessage DecideSignup(SignupDecisionRequest r)
    {
        _signupDecisions.Enqueue(r.AccountId);
        return Json(HttpStatusCode.OK, $$"""{"accountId":"{{r.AccountId}}","decision":"review","score":0.4,"reasons":[],"policyVersion":1}""");
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string json, string mediaType = "application/json") =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, mediaType) };
}

internal static class FakeResponses
{
    public static HttpResponseMessage WithETag(this HttpResponseMessage response, int version)
    {
        response.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue($"\"{version}\"");
        return response;
    }
}
