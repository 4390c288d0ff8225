using System.Net;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class ValidationTests(ApiFactory factory)
{
    [Theory]
    [InlineData("999.1.1.1")]
    [InlineData("not-an-ip")]
    [InlineData("198.51.100")]
    [InlineData("010.0.0.1")]
    [InlineData("2001:db8:::1")]
    public async Task An_invalid_ip_is_a_validation_problem_naming_ip(string ip)
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        var account = Unique.Id("bad-ip");

        await ApiAssert.FailsValidationAsync("ip", () => client.DecideSignupAsync(new SignupDecisionRequest { AccountId = account, Ip = ip }, ct));
        await ApiAssert.FailsValidationAsync("ip", () => client.DecideRequestAsync(new RequestDecisionRequest { AccountId = account, Ip = ip }, ct));

        Assert.Null(await client.GetAccountAsync(account, ct));
    }

    [Fact]
    public async Task A_missing_or_empty_accountId_is_a_validation_problem_naming_accountId()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;

        // The client leaves a null property out of the body: the field is missing.
        await ApiAssert.FailsValidationAsync("accountId", () => client.DecideSignupAsync(new SignupDecisionRequest { AccountId = null!, Ip = "192.0.2.30" }, ct));
        await ApiAssert.FailsValidationAsync("accountId", () => client.DecideSignupAsync(new SignupDecisionRequest { AccountId = "", Ip = "192.0.2.30" }, ct));
        await ApiAssert.FailsValidationAsync("accountId", () => client.DecideRequestAsync(new RequestDecisionRequest { AccountId = null!, Ip = "192.0.2.30" }, ct));
        await ApiAssert.FailsValidationAsync("accountId", () => client.DecideBillingAsync(
            new BillingDecisionRequest { AccountId = null!, PaymentFingerprint = "pf-v", AmountMinor = 1, Currency = "USD" }, ct));
    }

    [Theory]
    [InlineData("US")]
    [InlineData("US$")]
    [InlineData("DOLLARS")]
    public async Task A_bad_currency_is_a_validation_problem_naming_currency(string currency)
    {
        var client = factory.CreateReputationClient();

        await ApiAssert.FailsValidationAsync("currency", () => client.DecideBillingAsync(
            new BillingDecisionRequest { AccountId = Unique.Id("cur"), PaymentFingerprint = "pf-cur", AmountMinor = 100, Currency = currency },
            TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_missing_currency_is_a_validation_problem_naming_currency()
    {
        var client = factory.CreateReputationClient();

        await ApiAssert.FailsValidationAsync("currency", () => client.DecideBillingAsync(
            new BillingDecisionRequest { AccountId = Unique.Id("cur"), PaymentFingerprint = "pf-cur", AmountMinor = 100, Currency = null! },
            TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Several_invalid_fields_are_all_named_at_once()
    {
        var client = factory.CreateReputationClient();

        var ex = await ApiAssert.FailsValidationAsync("ip", () => client.DecideSignupAsync(
            new SignupDecisionRequest { AccountId = Unique.Id("many"), Ip = "nope", Email = "not an email", Country = "Germany" },
            TestContext.Current.CancellationToken));

        Assert.True(ex.Problem!.Errors.ContainsKey("email"), ex.Message);
        Assert.True(ex.Problem.Errors.ContainsKey("country"), ex.Message);
    }

    [Theory]
    [InlineData("/v1/decisions/signup", "{\"accountId\": \"x\", \"ip\": ")]
    [InlineData("/v1/decisions/request", "not json at all")]
    [InlineData("/v1/decisions/billing", "{'accountId':'x'}")]
    public async Task A_decision_body_that_is_not_JSON_is_a_400_problem(string path, string body)
    {
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Post(path, body), TestContext.Current.CancellationToken);

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("JSON", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST", "/v1/accounts/no-body-acct/release")]
    [InlineData("PUT", "/v1/webhooks/no-body")]
    [InlineData("POST", "/v1/decisions/request")]
    public async Task A_call_that_takes_a_body_sent_none_is_a_validation_problem_naming_body(string method, string path)
    {
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Request(new HttpMethod(method), path, body: null, ApiFactory.OperatorKey),
            TestContext.Current.CancellationToken);

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("body", out _), problem.ToString());
        // Words for the caller, not for the endpoint's author.
        Assert.DoesNotContain("inferred", problem.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_field_of_the_wrong_type_is_a_validation_problem_naming_it()
    {
        using var response = await factory.CreateDefaultClient().SendAsync(
            Raw.Post("/v1/decisions/billing", """{"accountId":"wrong-type","paymentFingerprint":"pf","amountMinor":"a lot","currency":"USD"}"""),
            TestContext.Current.CancellationToken);

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("amountMinor", out _), problem.ToString());
    }

    [Theory]
    [InlineData("/v1/decisions/signup", """{"accountId":"ctype","ip":"192.0.2.31"}""")]
    [InlineData("/v1/events", """{"events":[{"id":"ctype-1","type":"usage","accountId":"ctype","occurredAt":"2026-01-01T00:00:00Z","requests":1}]}""")]
    public async Task A_body_that_is_not_declared_as_JSON_is_a_415_problem(string path, string body)
    {
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Post(path, body, contentType: "text/plain"), TestContext.Current.CancellationToken);

        await Raw.AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task An_IPv4_mapped_IPv6_address_counts_as_its_IPv4_24()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        var account = Unique.Id("mapped");

        ApiAssert.Answered(await client.DecideSignupAsync(new SignupDecisionRequest { AccountId = account, Ip = "::ffff:198.51.100.7" }, ct));

        Assert.Equal(["198.51.100.0/24"], (await client.GetAccountAsync(account, ct))?.IpRanges);
    }

    [Fact]
    public async Task An_IPv6_signup_counts_in_its_64()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        var account = Unique.Id("ipv6");
        var prefix = Unique.Ipv6Prefix64();

        ApiAssert.Answered(await client.DecideSignupAsync(new SignupDecisionRequest { AccountId = account, Ip = $"{prefix}:aaaa:bbbb:cccc:1" }, ct));

        Assert.Equal([$"{prefix}::/64"], (await client.GetAccountAsync(account, ct))?.IpRanges);
        var range = await client.GetIpRangeAsync($"{prefix}::", 64, ct);
        Assert.Equal($"{prefix}::/64", range?.Range);
        Assert.Equal(1, range?.SignupsLastHour);
    }

    [Theory]
    [InlineData("10.0.0.1", "10.0.0.0/24")]
    [InlineData("192.168.1.1", "192.168.1.0/24")]
    [InlineData("203.0.113.5", "203.0.113.0/24")]
    [InlineData("2001:db8::1", "2001:db8::/64")]
    [InlineData("fd00:1:2:3::9", "fd00:1:2:3::/64")]
    public async Task Documentation_and_private_addresses_are_accepted(string ip, string expectedRange)
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        var account = Unique.Id("private");

        var decision = ApiAssert.Answered(await client.DecideSignupAsync(new SignupDecisionRequest { AccountId = account, Ip = ip }, ct));

        Assert.Equal(account, decision.AccountId);
        Assert.Equal([expectedRange], (await client.GetAccountAsync(account, ct))?.IpRanges);
    }
}
