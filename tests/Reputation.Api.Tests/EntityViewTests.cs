using System.Net;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class EntityViewTests(ApiFactory factory)
{
    [Fact]
    public async Task The_account_view_shows_its_links_usage_and_payments()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        // Away from an hour boundary: this test is about the view, not the window edges (WindowEdgeTests).
        var now = factory.Time.MoveToNext(minute: 15);
        var account = Unique.Id("view");
        var card = Unique.Id("card-view");
        var net = Unique.Ipv4Range();
        var signedUpAt = now.AddMinutes(-20);
        await client.IngestAsync(Events.Batch(
            Events.Signup(Unique.Id("evt"), account, signedUpAt, net.Host(44), card),
            Events.Usage(Unique.Id("evt"), account, now.AddMinutes(-3), 10, net.Host(44)) with { InputTokens = 1000, OutputTokens = 3000 },
            Events.Payment(Unique.Id("evt"), account, now.AddMinutes(-2), card, PaymentOutcome.Succeeded),
            Events.Payment(Unique.Id("evt"), account, now.AddMinutes(-1), card, PaymentOutcome.Refunded)), ct);

        var view = await client.GetAccountAsync(account, ct);

        Assert.NotNull(view);
        Assert.Equal(account, view.AccountId);
        Assert.Equal(signedUpAt, view.CreatedAt);
        Assert.Equal(now.AddMinutes(-1), view.LastSeenAt);
        Assert.Equal([card], view.PaymentInstruments);
        Assert.Equal([net.Range], view.IpRanges);
        Assert.Equal(new UsageCounters { RequestsLastMinute = 0, RequestsLastHour = 10, RequestsLastDay = 10, TokensLastHour = 4000, RequestsTotal = 10 }, view.Usage);
        Assert.Equal(new PaymentCounters { Succeeded = 1, Declined = 0, Chargebacks = 0, Refunded = 1 }, view.Payments);
        Assert.Equal(RequestDecision.Allow, view.RequestDecision);
        Assert.Contains(view.Reasons, r => r.Code == "NEW_ACCOUNT");
        Assert.InRange(view.Score, 0, 1);
        Assert.Equal(1, view.PolicyVersion);
    }

    [Fact]
    public async Task An_unknown_account_is_null_from_the_client_and_a_404_problem_on_the_wire()
    {
        var account = Unique.Id("never-seen");

        Assert.Null(await factory.CreateReputationClient().GetAccountAsync(account, TestContext.Current.CancellationToken));

        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get($"/v1/accounts/{account}"), TestContext.Current.CancellationToken);
        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Contains(account, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_payment_instrument_is_null_from_the_client_and_a_404_problem_on_the_wire()
    {
        var card = Unique.Id("card-never");

        Assert.Null(await factory.CreateReputationClient().GetPaymentInstrumentAsync(card, TestContext.Current.CancellationToken));

        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get($"/v1/payment-instruments/{card}"), TestContext.Current.CancellationToken);
        await Raw.AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_unknown_ip_range_is_null_from_the_client_and_a_404_problem_on_the_wire()
    {
        var net = Unique.Ipv4Range();

        Assert.Null(await factory.CreateReputationClient().GetIpRangeAsync(net.Network, 24, TestContext.Current.CancellationToken));

        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get($"/v1/ip-ranges/{net.Network}/24"), TestContext.Current.CancellationToken);
        await Raw.AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("198.51.100.0", 16)]
    [InlineData("198.51.100.0", 32)]
    [InlineData("2001:db8::", 24)]
    public async Task An_ip_range_with_the_wrong_prefix_length_is_a_validation_problem_naming_prefixLength(string network, int prefixLength)
    {
        var ex = await ApiAssert.FailsValidationAsync("prefixLength",
            () => factory.CreateReputationClient().GetIpRangeAsync(network, prefixLength, TestContext.Current.CancellationToken));

        Assert.Contains(network.Contains(':', StringComparison.Ordinal) ? "64" : "24", ex.Problem!.Errors["prefixLength"][0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ip_range_with_an_invalid_network_is_a_validation_problem_naming_network()
    {
        await ApiAssert.FailsValidationAsync("network",
            () => factory.CreateReputationClient().GetIpRangeAsync("300.1.2.0", 24, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task An_ip_range_named_by_a_host_address_resolves_to_its_range()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        var net = Unique.Ipv4Range();
        var account = Unique.Id("host");
        ApiAssert.Answered(await client.DecideSignupAsync(new SignupDecisionRequest { AccountId = account, Ip = net.Host(200) }, ct));

        var range = await client.GetIpRangeAsync(net.Host(77), 24, ct);

        Assert.NotNull(range);
        Assert.Equal(net.Range, range.Range);
        Assert.Equal(1, range.SignupsLastHour);
        Assert.Equal(1, range.DistinctAccounts);
        Assert.Equal([account], range.RecentAccounts);
    }

    [Fact]
    public async Task The_payment_instrument_view_counts_the_accounts_that_use_it()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        var card = Unique.Id("card-two");
        var first = Unique.Id("holder");
        var second = Unique.Id("holder");
        foreach (var account in new[] { first, second })
        {
            ApiAssert.Answered(await client.DecideSignupAsync(
                new SignupDecisionRequest { AccountId = account, Ip = Unique.Ipv4Range().Host(5), PaymentFingerprint = card }, ct));
        }

        var view = await client.GetPaymentInstrumentAsync(card, ct);

        Assert.NotNull(view);
        Assert.Equal(card, view.Fingerprint);
        Assert.Equal(2, view.DistinctAccounts);
        Assert.Equal([second, first], view.RecentAccounts);
        Assert.Equal(new PaymentCounters { Succeeded = 0, Declined = 0, Chargebacks = 0, Refunded = 0 }, view.Payments);
    }

    [Theory]
    [InlineData("acct with spaces")]
    [InlineData("üser-ß-账户")]
    [InlineData("a%2Fb+c#d?e&f")]
    [InlineData("user@example.com")]
    public async Task Account_ids_with_reserved_and_non_ASCII_characters_round_trip_through_the_client(string prefix)
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        var account = Unique.Id(prefix);
        ApiAssert.Answered(await client.DecideSignupAsync(new SignupDecisionRequest { AccountId = account, Ip = "192.0.2.50" }, ct));

        var view = await client.GetAccountAsync(account, ct);

        Assert.Equal(account, view?.AccountId);
    }
}
