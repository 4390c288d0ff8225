using System.Net;
using System.Text.Json;

namespace Reputation.Client.Tests;

public sealed class WireFormatTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_request_carries_the_api_key_header()
    {
        var handler = StubHandler.Answering(HttpStatusCode.OK, Samples.RequestDecisionJson);
        var client = Samples.CreateClient(handler);

        await client.DecideRequestAsync(Samples.Request(), Ct);
        await client.DecideRequestAsync(Samples.Request(), Ct);

        Assert.Equal(2, handler.Requests.Count);
        Assert.All(handler.Requests, r => Assert.Equal(Samples.ApiKey, r.ApiKey));
    }

    [Fact]
    public async Task Two_clients_over_one_HttpClient_send_their_own_keys_and_leave_its_default_headers_alone()
    {
        var handler = StubHandler.Answering(HttpStatusCode.OK, Samples.RequestDecisionJson);
        using var http = new HttpClient(handler) { BaseAddress = Samples.BaseAddress };
        var gateway = ReputationClient.Create(http, new ReputationClientOptions { BaseAddress = http.BaseAddress!, ApiKey = "gateway-key" });
        var billing = ReputationClient.Create(http, new ReputationClientOptions { BaseAddress = http.BaseAddress!, ApiKey = "billing-key" });

        await gateway.DecideRequestAsync(Samples.Request(), Ct);
        await billing.DecideRequestAsync(Samples.Request(), Ct);

        Assert.Equal(["gateway-key", "billing-key"], handler.Requests.Select(r => r.ApiKey));
        Assert.False(http.DefaultRequestHeaders.Contains(ReputationClient.ApiKeyHeaderName));
    }

    [Fact]
    public async Task Decision_requests_post_camelCase_json_to_the_contract_paths_and_omit_nulls()
    {
        var handler = new StubHandler((request, _) => Task.FromResult(StubHandler.Json(
            HttpStatusCode.OK,
            request.RequestUri!.AbsolutePath.EndsWith("/request", StringComparison.Ordinal)
                ? Samples.RequestDecisionJson
                : request.RequestUri.AbsolutePath.EndsWith("/signup", StringComparison.Ordinal)
                    ? Samples.SignupDecisionJson
                    : """{"accountId":"acct-1","decision":"hold","score":0.5,"reasons":[],"policyVersion":3}""")));
        var client = Samples.CreateClient(handler);

        await client.DecideRequestAsync(Samples.Request(), Ct);
        await client.DecideSignupAsync(Samples.Signup(), Ct);
        await client.DecideBillingAsync(Samples.Billing(), Ct);

        var requests = handler.Requests;
        Assert.All(requests, r => Assert.Equal(HttpMethod.Post, r.Method));
        Assert.All(requests, r => Assert.Equal("application/json", r.ContentType));
        Assert.Equal(
            ["/v1/decisions/request", "/v1/decisions/signup", "/v1/decisions/billing"],
            requests.Select(r => r.Uri.AbsolutePath));
        Assert.Equal("""{"accountId":"acct-1","ip":"198.51.100.7"}""", requests[0].Body);
        Assert.Equal("""{"accountId":"acct-1","ip":"203.0.113.9","email":"someone@example.com","country":"DE"}""", requests[1].Body);
        Assert.Equal("""{"accountId":"acct-1","paymentFingerprint":"fp_123","amountMinor":2000,"currency":"USD"}""", requests[2].Body);
    }

    [Fact]
    public async Task Decisions_are_read_from_lowercase_enum_strings()
    {
        var client = Samples.CreateClient(StubHandler.Answering(HttpStatusCode.OK, Samples.SignupDecisionJson));

        var result = await client.DecideSignupAsync(Samples.Signup(), Ct);

        Assert.Equal(Contracts.SignupDecision.Allow, result.Response.Decision);
        Assert.Equal(3, result.Response.PolicyVersion);
    }

    [Fact]
    public async Task Event_batches_are_camelCase_with_enum_strings_and_no_nulls()
    {
        var handler = StubHandler.Answering(HttpStatusCode.Accepted, Samples.BatchResultJson);
        var client = Samples.CreateClient(handler);

        await client.IngestAsync(Samples.Batch(), Ct);

        var request = Assert.Single(handler.Requests);
        Assert.Equal("/v1/events", request.Uri.AbsolutePath);
        using var body = JsonDocument.Parse(request.Body!);
        var events = body.RootElement.GetProperty("events");
        var usage = events[0];
        Assert.Equal("usage", usage.GetProperty("type").GetString());
        Assert.Equal("evt-1", usage.GetProperty("id").GetString());
        Assert.Equal("acct-1", usage.GetProperty("accountId").GetString());
        Assert.Equal("2025-01-02T03:04:05+00:00", usage.GetProperty("occurredAt").GetString());
        Assert.Equal(12, usage.GetProperty("requests").GetInt64());
        Assert.Equal("0123456789abcdef", usage.GetProperty("promptFingerprints")[0].GetString());
        Assert.False(usage.TryGetProperty("email", out _));
        Assert.False(usage.TryGetProperty("outcome", out _));
        var payment = events[1];
        Assert.Equal("payment", payment.GetProperty("type").GetString());
        Assert.Equal("chargeback", payment.GetProperty("outcome").GetString());
        Assert.Equal("fp_123", payment.GetProperty("paymentFingerprint").GetString());
        Assert.False(payment.TryGetProperty("ip", out _));
    }
}
