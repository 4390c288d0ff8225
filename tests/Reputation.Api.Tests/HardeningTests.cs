using System.Net;
using System.Text.Json;
using Reputation.Api.Features.Events;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

/// <summary>Input the service must refuse cleanly: text that is not valid Unicode, counts past their bound, networks too wide to list.</summary>
[Collection(ApiCollection.Name)]
public sealed class HardeningTests(ApiFactory factory)
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Http { get; } = factory.CreateDefaultClient();

    [Fact]
    public async Task An_event_whose_id_is_a_lone_surrogate_is_rejected_alone_and_the_rest_of_the_batch_is_applied()
    {
        var now = factory.Time.GetUtcNow();
        var account = Unique.Id("surrogate");
        // "\ud800" is valid JSON text but no Unicode character: it once answered 500 for the whole batch.
        var body = $$"""
            {"events":[
              {{Events.UsageJson(Unique.Id("evt"), account, now, 2)}},
              {"id":"\ud800","type":"usage","accountId":"{{account}}","occurredAt":"{{now.UtcDateTime:O}}","requests":5},
              {{Events.UsageJson(Unique.Id("evt"), account, now, 3)}},
              {"id":"{{Unique.Id("evt")}}","type":"usage","accountId":"x\udc00","occurredAt":"{{now.UtcDateTime:O}}","requests":7}
            ]}
            """;

        using var response = await Http.SendAsync(Raw.Post("/v1/events", body), Ct);

        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        var result = JsonSerializer.Deserialize<EventBatchResult>(text, s_json)!;
        Assert.Equal(2, result.Accepted);
        Assert.Equal([1, 3], result.Rejected.Select(r => r.Index));
        Assert.Null(result.Rejected[0].Id);
        Assert.StartsWith("id:", result.Rejected[0].Error, StringComparison.Ordinal);
        Assert.StartsWith("accountId:", result.Rejected[1].Error, StringComparison.Ordinal);
        Assert.Equal(5, (await factory.CreateReputationClient().GetAccountAsync(account, Ct))?.Usage.RequestsTotal);
    }

    [Fact]
    public async Task Non_characters_in_event_fields_are_rejected_per_event_with_the_field_named()
    {
        var client = factory.CreateReputationClient();
        var now = factory.Time.GetUtcNow();
        var account = Unique.Id("nonchar");

        var result = await client.IngestAsync(Events.Batch(
            Events.Usage(Unique.Id("evt"), account, now, 1),
            Events.Usage(Unique.Id("evt") + "\uFFFF", account, now, 1),
            Events.Usage(Unique.Id("evt"), account, now, 1) with { Model = "frontier-\uFDD0" },
            Events.Signup(Unique.Id("evt"), account, now, "192.0.2.44") with { DeviceId = "dev-\U0010FFFF" }), Ct);

        Assert.Equal(1, result.Accepted);
        Assert.Equal(["id", "model", "deviceId"], result.Rejected.Select(r => r.Error.Split(':')[0]));
        Assert.All(result.Rejected, r => Assert.Contains("valid Unicode", r.Error, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/v1/decisions/signup", """{"accountId":"\ud800","ip":"192.0.2.1"}""", "accountId")]
    [InlineData("/v1/decisions/request", """{"accountId":"a","ip":"192.0.2.1","model":"\udfff"}""", "model")]
    [InlineData("/v1/decisions/request", """{"accountId":"a\uffff","ip":"192.0.2.1"}""", "accountId")]
    [InlineData("/v1/decisions/billing", """{"accountId":"a","paymentFingerprint":"pf\ufdd5","amountMinor":1,"currency":"USD"}""", "paymentFingerprint")]
    [InlineData("/v1/decisions/signup", """{"accountId":"a","ip":"192.0.2.1","email":"x\uffff@example.com"}""", "email")]
    [InlineData("/v1/labels", """{"entityType":"account","entityId":"a","label":"fraud","reason":"r\ud83d"}""", "reason")]
    [InlineData("/v1/labels", """{"entityType":"account","entityId":"a","label":"fraud","reason":"because \ufffe"}""", "reason")]
    public async Task A_body_string_that_is_not_valid_Unicode_is_a_400_naming_the_field(string path, string body, string field)
    {
        using var response = await Http.SendAsync(Raw.Post(path, body, ApiFactory.OperatorKey), Ct);

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.DoesNotContain("System.", problem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/v1/accounts/acct%EF%BF%BF", "accountId")]
    [InlineData("GET", "/v1/payment-instruments/pf%EF%B7%90", "fingerprint")]
    [InlineData("GET", "/v1/campaigns/cmp%EF%BF%BE", "campaignId")]
    [InlineData("GET", "/v1/campaigns?after=%EF%BF%BF", "after")]
    [InlineData("GET", "/v1/audit?target=%F4%8F%BF%BF", "target")]
    [InlineData("GET", "/v1/policies/default%EF%BF%BF", "name")]
    [InlineData("DELETE", "/v1/lists/deny/account/a%EF%BF%BF", "entityId")]
    public async Task A_path_or_query_value_that_is_not_valid_Unicode_is_a_400_naming_the_parameter(string method, string path, string field)
    {
        using var response = await Http.SendAsync(Raw.Request(new HttpMethod(method), path, apiKey: ApiFactory.OperatorKey), Ct);

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Theory]
    [InlineData("requests", IngestEventsHandler.MaxRequestsPerSummary + 1)]
    [InlineData("requests", long.MaxValue)]
    [InlineData("inputTokens", IngestEventsHandler.MaxTokensPerSummary + 1)]
    [InlineData("outputTokens", long.MaxValue)]
    public async Task Usage_counts_past_their_bound_are_rejected_alone(string field, long value)
    {
        var client = factory.CreateReputationClient();
        var now = factory.Time.GetUtcNow();
        var account = Unique.Id("bound");
        var over = Events.Usage(Unique.Id("evt"), account, now, 1) with
        {
            Requests = field == "requests" ? value : 1,
            InputTokens = field == "inputTokens" ? value : null,
            OutputTokens = field == "outputTokens" ? value : null,
        };

        var result = await client.IngestAsync(Events.Batch(
            Events.Usage(Unique.Id("evt"), account, now, IngestEventsHandler.MaxRequestsPerSummary) with { InputTokens = IngestEventsHandler.MaxTokensPerSummary },
            over), Ct);

        Assert.Equal(1, result.Accepted);
        Assert.StartsWith(field + ":", Assert.Single(result.Rejected).Error, StringComparison.Ordinal);
        Assert.Equal(IngestEventsHandler.MaxRequestsPerSummary, (await client.GetAccountAsync(account, Ct))?.Usage.RequestsTotal);
    }

    [Fact]
    public async Task A_model_longer_than_128_characters_is_refused_in_decisions_and_events()
    {
        var client = factory.CreateReputationClient();
        var model = new string('m', 129);

        await ApiAssert.FailsValidationAsync("model", () => client.DecideRequestAsync(
            new RequestDecisionRequest { AccountId = Unique.Id("model"), Ip = "192.0.2.9", Model = model }, Ct));
        var result = await client.IngestAsync(Events.Batch(Events.Usage(Unique.Id("evt"), Unique.Id("model"), factory.Time.GetUtcNow(), 1) with { Model = model }), Ct);
        Assert.StartsWith("model:", Assert.Single(result.Rejected).Error, StringComparison.Ordinal);
        ApiAssert.Answered(await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = Unique.Id("model"), Ip = "192.0.2.9", Model = new string('m', 128) }, Ct));
    }

    [Theory]
    [InlineData("allow", "0.0.0.0/0")]
    [InlineData("deny", "0.0.0.0/0")]
    [InlineData("allow", "128.0.0.0/1")]
    [InlineData("allow", "::/0")]
    [InlineData("deny", "2001:db8::/31")]
    public async Task A_list_entry_wider_than_the_bound_is_a_400_naming_entityId_and_changes_nothing(string list, string prefix)
    {
        using var response = await Http.SendAsync(Raw.Request(HttpMethod.Put, $"/v1/lists/{list}/ip-range/{prefix}", """{"reason":"everyone"}""", ApiFactory.OperatorKey), Ct);

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("at most a /", problem.GetProperty("errors").GetProperty("entityId")[0].GetString(), StringComparison.Ordinal);
        var decision = ApiAssert.Answered(await factory.CreateReputationClient().DecideRequestAsync(
            new RequestDecisionRequest { AccountId = Unique.Id("wide"), Ip = prefix.Contains(':', StringComparison.Ordinal) ? "2001:db8::5" : "198.51.100.5" }, Ct));
        Assert.DoesNotContain(decision.Reasons, r => r.Code.StartsWith("LIST_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_list_entry_at_the_bound_is_accepted()
    {
        using var put = await Http.SendAsync(Raw.Request(HttpMethod.Put, "/v1/lists/deny/ip-range/2001:db8::/32", """{"reason":"at the bound"}""", ApiFactory.OperatorKey), Ct);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using var delete = await Http.SendAsync(Raw.Request(HttpMethod.Delete, "/v1/lists/deny/ip-range/2001:db8::/32", null, ApiFactory.OperatorKey), Ct);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
    }

    [Theory]
    [InlineData("[ipv4-addr:value ISSUBSET '0.0.0.0/0']")]
    [InlineData("[ipv6-addr:value ISSUBSET '::/0']")]
    [InlineData("[ipv4-addr:value ISSUBSET '10.0.0.0/7']")]
    public async Task A_STIX_indicator_wider_than_the_bound_is_a_400_naming_the_indicator_and_nothing_is_imported(string pattern)
    {
        var now = factory.Time.GetUtcNow();
        var card = Unique.Id("stix-wide-card");
        var wide = Stix.Indicator(pattern, now);
        var other = Stix.Indicator($"[x-reputation-payment-instrument:fingerprint = '{card}']", now);

        using var response = await Stix.ImportAsync(factory, Stix.Bundle(Stix.LabBIdentity(), other, wide));

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.Contains("pattern", errors.GetProperty(wide["id"]!.GetValue<string>())[0].GetString(), StringComparison.Ordinal);
        Assert.Null(Stix.IntelReason(await Stix.SignupAsync(factory, Unique.Ipv4Range().Host(1), card)));
    }

    [Fact]
    public async Task A_STIX_bundle_with_a_lone_surrogate_is_a_400_naming_where()
    {
        var body = $$"""{"type":"bundle","id":"bundle--\ud800","objects":[]}""";

        using var response = await Stix.ImportAsync(factory, body);

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("id", out _), problem.ToString());
    }
}
