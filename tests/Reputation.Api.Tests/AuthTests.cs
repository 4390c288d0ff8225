using System.Net;
using Reputation.Client;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class AuthTests(ApiFactory factory)
{
    private const string UnknownKey = "not-a-configured-key";

    /// <summary>One call per endpoint group, with a body that would be valid.</summary>
    public static TheoryData<string, string, string?> Endpoints => new()
    {
        { "POST", "/v1/decisions/signup", """{"accountId":"auth-signup","ip":"192.0.2.10"}""" },
        { "POST", "/v1/decisions/request", """{"accountId":"auth-request","ip":"192.0.2.10"}""" },
        { "POST", "/v1/decisions/billing", """{"accountId":"auth-billing","paymentFingerprint":"pf-auth","amountMinor":100,"currency":"USD"}""" },
        { "POST", "/v1/events", """{"events":[{"id":"auth-evt-1","type":"usage","accountId":"auth-events","occurredAt":"2026-01-01T00:00:00Z","requests":1}]}""" },
        { "GET", "/v1/accounts/auth-account", null },
        { "GET", "/v1/ip-ranges/192.0.2.0/24", null },
        { "GET", "/v1/payment-instruments/pf-auth", null },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_call_without_a_key_is_a_401_problem_with_an_ApiKey_challenge(string method, string path, string? body)
    {
        var http = factory.CreateDefaultClient();

        using var response = await http.SendAsync(Raw.Request(new HttpMethod(method), path, body, apiKey: null), TestContext.Current.CancellationToken);

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("ApiKey", response.Headers.WwwAuthenticate.Select(h => h.Scheme));
        Assert.Contains("X-Api-Key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_call_with_an_unknown_key_is_a_401_problem(string method, string path, string? body)
    {
        var http = factory.CreateDefaultClient();

        using var response = await http.SendAsync(Raw.Request(new HttpMethod(method), path, body, apiKey: UnknownKey), TestContext.Current.CancellationToken);

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("ApiKey", response.Headers.WwwAuthenticate.Select(h => h.Scheme));
        Assert.Contains("not hold a valid API key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    public static TheoryData<string> ClientCalls => ["signup", "request", "billing", "ingest", "account", "ip-range", "payment-instrument"];

    [Theory]
    [MemberData(nameof(ClientCalls))]
    public async Task The_client_with_an_unknown_key_throws_401_instead_of_falling_back(string call)
    {
        var client = factory.CreateReputationClient(UnknownKey);
        var ct = TestContext.Current.CancellationToken;
        var account = Unique.Id("auth");

        var ex = await ApiAssert.FailsWithAsync(HttpStatusCode.Unauthorized, call switch
        {
            "signup" => () => client.DecideSignupAsync(new SignupDecisionRequest { AccountId = account, Ip = "192.0.2.11" }, ct),
            "request" => () => client.DecideRequestAsync(new RequestDecisionRequest { AccountId = account, Ip = "192.0.2.11" }, ct),
            "billing" => () => client.DecideBillingAsync(new BillingDecisionRequest { AccountId = account, PaymentFingerprint = "pf-x", AmountMinor = 1, Currency = "USD" }, ct),
            "ingest" => () => client.IngestAsync(Events.Batch(Events.Usage(Unique.Id("evt"), account, factory.Time.GetUtcNow(), 1)), ct),
            "account" => () => client.GetAccountAsync(account, ct),
            "ip-range" => () => client.GetIpRangeAsync("192.0.2.0", 24, ct),
            "payment-instrument" => () => client.GetPaymentInstrumentAsync("pf-x", ct),
            _ => throw new ArgumentOutOfRangeException(nameof(call)),
        });

        Assert.Equal("Unauthorized", ex.Problem!.Title);
    }

    [Fact]
    public async Task An_ingest_without_a_valid_key_applies_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var account = Unique.Id("auth-ingest");
        var batch = Events.Batch(Events.Usage(Unique.Id("evt"), account, factory.Time.GetUtcNow(), 5));

        await ApiAssert.FailsWithAsync(HttpStatusCode.Unauthorized, () => factory.CreateReputationClient(UnknownKey).IngestAsync(batch, ct));

        Assert.Null(await factory.CreateReputationClient().GetAccountAsync(account, ct));
    }
}

[Collection(ReadOnlyKeyCollection.Name)]
public sealed class ScopeTests(ReadOnlyKeyFactory factory)
{
    [Fact]
    public async Task A_read_only_key_gets_403_naming_the_decide_scope_on_every_decision()
    {
        var client = factory.CreateReputationClient(ReadOnlyKeyFactory.ReadOnlyKey);
        var ct = TestContext.Current.CancellationToken;
        var account = Unique.Id("scope");

        var calls = new Func<Task>[]
        {
            () => client.DecideSignupAsync(new SignupDecisionRequest { AccountId = account, Ip = "192.0.2.20" }, ct),
            () => client.DecideRequestAsync(new RequestDecisionRequest { AccountId = account, Ip = "192.0.2.20" }, ct),
            () => client.DecideBillingAsync(new BillingDecisionRequest { AccountId = account, PaymentFingerprint = "pf-scope", AmountMinor = 1, Currency = "USD" }, ct),
        };
        foreach (var call in calls)
        {
            var ex = await ApiAssert.FailsWithAsync(HttpStatusCode.Forbidden, call);
            Assert.Contains("'decide'", ex.Problem!.Detail, StringComparison.Ordinal);
        }

        // The refused signup was not recorded.
        Assert.Null(await factory.CreateReputationClient().GetAccountAsync(account, ct));
    }

    [Fact]
    public async Task A_read_only_key_gets_403_naming_the_ingest_scope_and_nothing_is_applied()
    {
        var ct = TestContext.Current.CancellationToken;
        var account = Unique.Id("scope-ingest");
        var batch = Events.Batch(Events.Usage(Unique.Id("evt"), account, factory.Time.GetUtcNow(), 3));

        var ex = await ApiAssert.FailsWithAsync(HttpStatusCode.Forbidden,
            () => factory.CreateReputationClient(ReadOnlyKeyFactory.ReadOnlyKey).IngestAsync(batch, ct));

        Assert.Contains("'ingest'", ex.Problem!.Detail, StringComparison.Ordinal);
        Assert.Null(await factory.CreateReputationClient().GetAccountAsync(account, ct));
    }

    [Fact]
    public async Task A_403_is_a_problem_json_answer()
    {
        var http = factory.CreateDefaultClient();

        using var response = await http.SendAsync(
            Raw.Post("/v1/decisions/signup", """{"accountId":"scope-raw","ip":"192.0.2.21"}""", ReadOnlyKeyFactory.ReadOnlyKey),
            TestContext.Current.CancellationToken);

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Contains("'decide'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_only_key_reads_the_entity_views()
    {
        var ct = TestContext.Current.CancellationToken;
        var account = Unique.Id("scope-read");
        var card = Unique.Id("card");
        var net = Unique.Ipv4Range();
        ApiAssert.Answered(await factory.CreateReputationClient().DecideSignupAsync(
            new SignupDecisionRequest { AccountId = account, Ip = net.Host(4), PaymentFingerprint = card }, ct));
        var reader = factory.CreateReputationClient(ReadOnlyKeyFactory.ReadOnlyKey);

        var view = await reader.GetAccountAsync(account, ct);
        var range = await reader.GetIpRangeAsync(net.Network, 24, ct);
        var instrument = await reader.GetPaymentInstrumentAsync(card, ct);

        Assert.Equal(account, view?.AccountId);
        Assert.Equal(net.Range, range?.Range);
        Assert.Equal(card, instrument?.Fingerprint);
    }
}
