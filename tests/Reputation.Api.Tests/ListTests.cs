using System.Net;
using System.Net.Http.Json;
using Reputation.Client;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class ListTests(ApiFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly System.Text.Json.JsonSerializerOptions s_json = new(System.Text.Json.JsonSerializerDefaults.Web);

    private HttpClient Http { get; } = factory.CreateDefaultClient();

    private Task<HttpResponseMessage> PutAsync(string path, string body, string key = ApiFactory.OperatorKey) =>
        Http.SendAsync(Raw.Request(HttpMethod.Put, path, body, key), Ct);

    private Task<HttpResponseMessage> DeleteAsync(string path, string key = ApiFactory.OperatorKey) =>
        Http.SendAsync(Raw.Request(HttpMethod.Delete, path, null, key), Ct);

    private async Task<ListEntry> ListAsync(string path, string reason = "test entry", DateTimeOffset? expiresAt = null)
    {
        var body = expiresAt is { } at ? $$"""{"reason":"{{reason}}","expiresAt":"{{at.UtcDateTime:O}}"}""" : $$"""{"reason":"{{reason}}"}""";
        using var response = await PutAsync(path, body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<ListEntry>(s_json, Ct))!;
    }

    private static async Task<RequestDecisionResponse> DecideAsync(ReputationClient client, string account, string ip) =>
        ApiAssert.Answered(await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = account, Ip = ip }, Ct));

    private async Task<ListPage> PageAsync(string query)
    {
        using var response = await Http.SendAsync(Raw.Get(query), Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<ListPage>(s_json, Ct))!;
    }

    /// <summary>An account signed up a month ago in the given network, with nothing against it.</summary>
    private async Task<string> QuietAccountAsync(ReputationClient client, string ip)
    {
        var account = Unique.Id("list-acct");
        var result = await client.IngestAsync(Events.Batch(Events.Signup(Unique.Id("s"), account, factory.Time.GetUtcNow().AddDays(-30), ip)), Ct);
        Assert.Equal(1, result.Accepted);
        return account;
    }

    [Fact]
    public async Task Put_get_and_delete_round_trip_with_a_canonical_id()
    {
        var entry = await ListAsync("/v1/lists/allow/ip-range/2001:DB8:77:0::/48", "office egress");

        Assert.Equal(ListKind.Allow, entry.List);
        Assert.Equal(EntityType.IpRange, entry.EntityType);
        Assert.Equal("2001:db8:77::/48", entry.EntityId);
        Assert.Equal("office egress", entry.Reason);
        Assert.Equal("dev-operator", entry.AddedBy);
        Assert.Null(entry.ExpiresAt);
        var again = await ListAsync("/v1/lists/allow/ip-range/2001:db8:77::/48", "office egress");
        Assert.Equal(entry.AddedAt, again.AddedAt);

        var page = await PageAsync("/v1/lists/allow?limit=1000");
        Assert.Contains(page.Entries, e => e.EntityId == "2001:db8:77::/48" && e.EntityType == EntityType.IpRange);

        using var deleted = await DeleteAsync("/v1/lists/allow/ip-range/2001:db8:77::/48");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.DoesNotContain((await PageAsync("/v1/lists/allow?limit=1000")).Entries, e => e.EntityId == "2001:db8:77::/48");
        using var missing = await DeleteAsync("/v1/lists/allow/ip-range/2001:db8:77::/48");
        await Raw.AssertProblemAsync(missing, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Pages_follow_the_key_cursor_without_repeats()
    {
        var ids = Enumerable.Range(0, 5).Select(_ => Unique.Id("page")).ToList();
        foreach (var id in ids)
        {
            await ListAsync($"/v1/lists/deny/payment-instrument/{id}");
        }

        var seen = new List<string>();
        string? after = null;
        do
        {
            var page = await PageAsync($"/v1/lists/deny?limit=2{(after is null ? "" : "&after=" + Uri.EscapeDataString(after))}");
            Assert.True(page.Entries.Count <= 2);
            seen.AddRange(page.Entries.Select(e => e.EntityId));
            after = page.Next;
        }
        while (after is not null);

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.All(ids, id => Assert.Contains(id, seen));
    }

    public static TheoryData<string, string, string> BadPuts => new()
    {
        { "/v1/lists/grey/account/acct-x", """{"reason":"r"}""", "list" },
        { "/v1/lists/deny/device/dev-1", """{"reason":"r"}""", "entityType" },
        { "/v1/lists/deny/ip-range/198.18.7.0/16", """{"reason":"r"}""", "entityId" },
        { "/v1/lists/deny/ip-range/198.18.0.0/33", """{"reason":"r"}""", "entityId" },
        { "/v1/lists/deny/ip-range/not-an-ip", """{"reason":"r"}""", "entityId" },
        { "/v1/lists/deny/prompt-template/b9:zzzz", """{"reason":"r"}""", "entityId" },
        { "/v1/lists/deny/account/a/b", """{"reason":"r"}""", "entityId" },
        { "/v1/lists/deny/account/acct-bad-1", """{}""", "reason" },
        { "/v1/lists/deny/account/acct-bad-2", """{"reason":"  "}""", "reason" },
        { "/v1/lists/deny/account/acct-bad-3", $$"""{"reason":"{{new string('x', 501)}}"}""", "reason" },
        { "/v1/lists/deny/account/acct-bad-4", """{"reason":"r","expiresAt":"2001-01-01T00:00:00Z"}""", "expiresAt" },
    };

    [Theory]
    [MemberData(nameof(BadPuts))]
    public async Task A_bad_put_is_a_400_naming_the_field_and_lists_nothing(string path, string body, string field)
    {
        using var response = await PutAsync(path, body);

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {problem}");
        Assert.DoesNotContain((await PageAsync("/v1/lists/deny?limit=1000")).Entries, e => e.EntityId.StartsWith("acct-bad", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Host_bits_set_is_refused_naming_the_network_meant()
    {
        using var response = await PutAsync("/v1/lists/deny/ip-range/198.18.7.0/16", """{"reason":"r"}""");

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("198.18.0.0/16", problem.GetProperty("errors").GetProperty("entityId")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_limit_outside_1_to_1000_is_a_400_naming_limit()
    {
        using var response = await Http.SendAsync(Raw.Get("/v1/lists/deny?limit=1001"), Ct);

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("limit", out _));
    }

    [Fact]
    public async Task An_entity_on_one_list_is_a_409_on_the_other()
    {
        var card = Unique.Id("card-both");
        await ListAsync($"/v1/lists/deny/payment-instrument/{card}");

        using var response = await PutAsync($"/v1/lists/allow/payment-instrument/{card}", """{"reason":"r"}""");

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains(card, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("deny list", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain((await PageAsync("/v1/lists/allow?limit=1000")).Entries, e => e.EntityId == card);
    }

    [Fact]
    public async Task Writes_need_the_operate_scope_and_reads_the_read_scope()
    {
        using var put = await PutAsync("/v1/lists/deny/account/scope-acct", """{"reason":"r"}""", ApiFactory.ServiceKey);
        var problem = await Raw.AssertProblemAsync(put, HttpStatusCode.Forbidden);
        Assert.Contains("'operate'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var delete = await DeleteAsync("/v1/lists/deny/account/scope-acct", ApiFactory.ServiceKey);
        await Raw.AssertProblemAsync(delete, HttpStatusCode.Forbidden);
        using var anonymous = await Http.SendAsync(Raw.Request(HttpMethod.Put, "/v1/lists/deny/account/scope-acct", """{"reason":"r"}""", apiKey: null), Ct);
        await Raw.AssertProblemAsync(anonymous, HttpStatusCode.Unauthorized);
        using var anonymousGet = await Http.SendAsync(Raw.Get("/v1/lists/deny", apiKey: null), Ct);
        await Raw.AssertProblemAsync(anonymousGet, HttpStatusCode.Unauthorized);

        // The service key reads.
        Assert.NotNull(await PageAsync("/v1/lists/deny"));
    }

    [Fact]
    public async Task A_deny_listed_account_that_would_be_allowed_is_blocked_and_unblocked_when_removed()
    {
        var client = factory.CreateReputationClient();
        var net = Unique.Ipv4Range();
        var account = await QuietAccountAsync(client, net.Host(9));
        Assert.Equal(RequestDecision.Allow, (await DecideAsync(client, account, net.Host(9))).Decision);

        await ListAsync($"/v1/lists/deny/account/{account}", "chargeback ring");

        var blocked = await DecideAsync(client, account, net.Host(9));
        Assert.Equal(RequestDecision.Block, blocked.Decision);
        Assert.Equal(1, blocked.Score);
        var reason = Assert.Single(blocked.Reasons);
        Assert.Equal("LIST_DENY", reason.Code);
        Assert.Contains("the account", reason.Detail, StringComparison.Ordinal);
        Assert.Contains("chargeback ring", reason.Detail, StringComparison.Ordinal);
        var signup = ApiAssert.Answered(await client.DecideSignupAsync(new SignupDecisionRequest { AccountId = account, Ip = net.Host(9) }, Ct));
        Assert.Equal(SignupDecision.Deny, signup.Decision);

        using var deleted = await DeleteAsync($"/v1/lists/deny/account/{account}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(RequestDecision.Allow, (await DecideAsync(client, account, net.Host(9))).Decision);
    }

    [Fact]
    public async Task A_deny_on_a_slash_16_blocks_an_account_in_a_slash_24_inside_it()
    {
        var client = factory.CreateReputationClient();
        var account = await QuietAccountAsync(client, "198.18.42.7");
        Assert.Equal(RequestDecision.Allow, (await DecideAsync(client, account, "198.18.42.7")).Decision);

        await ListAsync("/v1/lists/deny/ip-range/198.18.0.0/16", "benchmark proxies");
        try
        {
            var blocked = await DecideAsync(client, account, "198.18.42.7");
            Assert.Equal(RequestDecision.Block, blocked.Decision);
            var reason = Assert.Single(blocked.Reasons);
            Assert.Equal("LIST_DENY", reason.Code);
            Assert.Contains("198.18.0.0/16", reason.Detail, StringComparison.Ordinal);
            var billing = ApiAssert.Answered(await client.DecideBillingAsync(
                new BillingDecisionRequest { AccountId = account, PaymentFingerprint = Unique.Id("pf"), AmountMinor = 100, Currency = "USD" }, Ct));
            Assert.Equal(BillingDecision.Deny, billing.Decision);
        }
        finally
        {
            (await DeleteAsync("/v1/lists/deny/ip-range/198.18.0.0/16")).Dispose();
        }
    }

    [Fact]
    public async Task An_allow_listed_account_that_would_be_throttled_is_allowed()
    {
        var client = factory.CreateReputationClient();
        var net = Unique.Ipv4Range();
        var account = await QuietAccountAsync(client, net.Host(3));
        var now = factory.Time.GetUtcNow();
        Assert.Equal(1, (await client.IngestAsync(Events.Batch(Events.Usage(Unique.Id("u"), account, now, 5000, net.Host(3))), Ct)).Accepted);
        var before = await DecideAsync(client, account, net.Host(3));
        Assert.NotEqual(RequestDecision.Allow, before.Decision);

        await ListAsync($"/v1/lists/allow/account/{account}", "load test account");

        var after = await DecideAsync(client, account, net.Host(3));
        Assert.Equal(RequestDecision.Allow, after.Decision);
        Assert.Equal(0, after.Score);
        Assert.Equal("LIST_ALLOW", Assert.Single(after.Reasons).Code);
    }

    [Fact]
    public async Task An_expired_entry_no_longer_applies()
    {
        var client = factory.CreateReputationClient();
        var net = Unique.Ipv4Range();
        var account = await QuietAccountAsync(client, net.Host(5));
        await ListAsync($"/v1/lists/deny/account/{account}", "short ban", factory.Time.GetUtcNow().AddMinutes(1));
        Assert.Equal(RequestDecision.Block, (await DecideAsync(client, account, net.Host(5))).Decision);

        factory.Time.Advance(TimeSpan.FromMinutes(2));

        await Eventually.ValueAsync(() => DecideAsync(client, account, net.Host(5)), d => d.Decision == RequestDecision.Allow, "the expired entry lifting", TimeSpan.FromSeconds(5));
        Assert.DoesNotContain((await PageAsync("/v1/lists/deny?limit=1000")).Entries, e => e.EntityId == account);
    }

    [Fact]
    public async Task The_client_puts_and_removes_entries_and_keeps_an_ip_range_s_slash()
    {
        var client = factory.CreateReputationClient(ApiFactory.OperatorKey);
        var network = $"{Unique.Wide16().Network}/16";

        var entry = await client.PutListEntryAsync(ListKind.Deny, EntityType.IpRange, network, new ListEntryRequest { Reason = "proxy farm" }, Ct);

        Assert.Equal((ListKind.Deny, EntityType.IpRange, network, "proxy farm"), (entry.List, entry.EntityType, entry.EntityId, entry.Reason));
        var onAllow = await Assert.ThrowsAsync<ReputationApiException>(() =>
            client.PutListEntryAsync(ListKind.Allow, EntityType.IpRange, network, new ListEntryRequest { Reason = "both" }, Ct));
        Assert.Equal(HttpStatusCode.Conflict, onAllow.StatusCode);
        Assert.True(await client.DeleteListEntryAsync(ListKind.Deny, EntityType.IpRange, network, Ct));
        Assert.False(await client.DeleteListEntryAsync(ListKind.Deny, EntityType.IpRange, network, Ct));
    }
}
