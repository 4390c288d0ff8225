using System.Net;
using Reputation.Contracts;

namespace Reputation.Client.Tests;

public sealed class ReadTests
{
    private const string AccountJson =
        """{"accountId":"acct-1","createdAt":"2025-01-02T03:04:05Z","score":0.4,"requestDecision":"degrade","reasons":[],"labels":["fraud"],"paymentInstruments":["fp_123"],"ipRanges":["198.51.100.0/24"],"promptBuckets":[],"usage":{"requestsLastMinute":1,"requestsLastHour":2,"requestsLastDay":3,"tokensLastHour":4,"requestsTotal":5},"payments":{"succeeded":1,"declined":0,"chargebacks":1,"refunded":0},"policyVersion":2}""";

    private const string IpRangeJson =
        """{"range":"2001:db8::/64","distinctAccounts":3,"signupsLastHour":1,"signupsLastDay":2,"usage":{"requestsLastMinute":0,"requestsLastHour":0,"requestsLastDay":0,"tokensLastHour":0,"requestsTotal":0},"recentAccounts":["a","b","c"]}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_account_never_seen_is_null()
    {
        var client = Samples.CreateClient(StubHandler.Answering(
            HttpStatusCode.NotFound, """{"title":"Not Found","status":404}""", "application/problem+json"));

        Assert.Null(await client.GetAccountAsync("acct-unknown", Ct));
    }

    [Fact]
    public async Task An_account_view_is_read()
    {
        var handler = StubHandler.Answering(HttpStatusCode.OK, AccountJson);
        var client = Samples.CreateClient(handler);

        var account = await client.GetAccountAsync("acct-1", Ct);

        Assert.NotNull(account);
        Assert.Equal(RequestDecision.Degrade, account.RequestDecision);
        Assert.Equal([LabelKind.Fraud], account.Labels);
        Assert.Equal(1, account.Payments.Chargebacks);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Get, request.Method);
        Assert.Equal(Samples.ApiKey, request.ApiKey);
    }

    [Theory]
    [InlineData("acct/with/slashes")]
    [InlineData("odd id?#%&+=é")]
    public async Task Account_ids_are_escaped_into_one_path_segment(string accountId)
    {
        var handler = StubHandler.Answering(HttpStatusCode.NotFound, "{}");
        var client = Samples.CreateClient(handler);

        await client.GetAccountAsync(accountId, Ct);

        var uri = Assert.Single(handler.Requests).Uri;
        Assert.Equal("/v1/accounts/" + Uri.EscapeDataString(accountId), uri.AbsolutePath);
        Assert.Equal("", uri.Query);
        Assert.Equal(accountId, Uri.UnescapeDataString(uri.Segments[^1]));
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    public async Task Dot_segment_ids_are_refused_rather_than_sent_to_another_path(string id)
    {
        var handler = StubHandler.Answering(HttpStatusCode.NotFound, "{}");
        var client = Samples.CreateClient(handler);

        await Assert.ThrowsAsync<ArgumentException>(() => client.GetAccountAsync(id, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetPaymentInstrumentAsync(id, Ct));
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public async Task An_ipv6_range_is_read_from_its_network_and_prefix()
    {
        var handler = StubHandler.Answering(HttpStatusCode.OK, IpRangeJson);
        var client = Samples.CreateClient(handler);

        var range = await client.GetIpRangeAsync(IPNetwork.Parse("2001:db8::/64"), Ct);

        Assert.Equal("2001:db8::/64", range?.Range);
        var uri = Assert.Single(handler.Requests).Uri;
        Assert.Equal(["2001:db8::", "64"], uri.Segments[^2..].Select(s => Uri.UnescapeDataString(s.TrimEnd('/'))));
        Assert.StartsWith("/v1/ip-ranges/", uri.AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_payment_instrument_never_seen_is_null()
    {
        var handler = StubHandler.Answering(HttpStatusCode.NotFound, "{}");
        var client = Samples.CreateClient(handler);

        Assert.Null(await client.GetPaymentInstrumentAsync("fp_unknown", Ct));
        Assert.Equal("/v1/payment-instruments/fp_unknown", Assert.Single(handler.Requests).Uri.AbsolutePath);
    }

    [Fact]
    public async Task A_read_refused_for_lack_of_scope_throws()
    {
        var client = Samples.CreateClient(StubHandler.Answering(
            HttpStatusCode.Forbidden, """{"title":"Forbidden","status":403}""", "application/problem+json"));

        var ex = await Assert.ThrowsAsync<ReputationApiException>(() => client.GetAccountAsync("acct-1", Ct));

        Assert.Equal(HttpStatusCode.Forbidden, ex.StatusCode);
        Assert.Equal("Forbidden", ex.Problem?.Title);
    }

    [Fact]
    public async Task A_read_that_does_not_answer_in_time_throws_TimeoutException()
    {
        var client = Samples.CreateClient(StubHandler.NeverAnswering(), o => o.ReadTimeout = TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAsync<TimeoutException>(() => client.GetAccountAsync("acct-1", Ct));
    }

    [Fact]
    public async Task A_read_from_an_unreachable_service_throws_HttpRequestException()
    {
        var client = Samples.CreateClient(StubHandler.RefusingConnections());

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetPaymentInstrumentAsync("fp_123", Ct));
    }
}
