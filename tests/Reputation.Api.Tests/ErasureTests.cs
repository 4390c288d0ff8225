using System.Net;
using System.Text.Json;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

/// <summary><c>DELETE /v1/accounts/{accountId}</c>, through the client.</summary>
[Collection(ApiCollection.Name)]
public sealed class ErasureTests(ApiFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Http => factory.CreateDefaultClient();

    private async Task<string> GetTextAsync(string path, string key)
    {
        using var response = await Http.SendAsync(Raw.Get(path, key), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return text;
    }

    [Fact]
    public async Task An_erased_account_is_404_and_its_id_is_in_no_view_graph_campaign_export_or_audit_record()
    {
        var service = factory.CreateReputationClient();
        var operate = factory.CreateReputationClient(ApiFactory.OperatorKey);
        var victim = Unique.Id("erase-victim");
        var other = Unique.Id("erase-other");
        var card = Unique.Id("pf-erase");
        var at = factory.Time.GetUtcNow();
        await service.IngestAsync(Events.Batch(
            Events.Signup(Unique.Id("e"), victim, at, "192.168.201.7", card),
            Events.Usage(Unique.Id("e"), victim, at, 5, "192.168.201.7"),
            Events.Signup(Unique.Id("e"), other, at, "192.168.201.8", card)), Ct);
        await operate.SetLabelAsync(new LabelRequest { EntityType = EntityType.Account, EntityId = victim, Label = LabelKind.Fraud, Reason = $"{victim} resold keys" }, Ct);
        using (var listed = await Http.SendAsync(Raw.Request(HttpMethod.Put, $"/v1/lists/deny/account/{victim}", """{"reason":"resale"}""", ApiFactory.OperatorKey), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        }

        Assert.Contains(victim, (await service.GetIpRangeAsync("192.168.201.0", 24, Ct))!.RecentAccounts);
        Assert.Contains(victim, (await service.GetPaymentInstrumentAsync(card, Ct))!.RecentAccounts);
        var distinctBefore = (await service.GetPaymentInstrumentAsync(card, Ct))!.DistinctAccounts;
        await ApiAssert.FailsWithAsync(HttpStatusCode.Forbidden, () => service.EraseAccountAsync(victim, Ct));

        var erased = await operate.EraseAccountAsync(victim, Ct);

        Assert.NotNull(erased);
        Assert.Matches("^erased-[0-9a-f]{32}$", erased.AuditRef);
        Assert.Equal(1, erased.IpRanges);
        Assert.Equal(1, erased.PaymentInstruments);
        Assert.Equal(1, erased.ListEntries);
        // Its signup and usage, in the service key's journal.
        Assert.Equal(2, erased.JournalEntries);
        Assert.True(erased.AuditRecords >= 2, $"the label and the list entry were audited: {erased.AuditRecords} redacted");
        Assert.Null(await service.GetAccountAsync(victim, Ct));
        Assert.Null(await service.GetAccountGraphAsync(victim, cancellationToken: Ct));
        var range = (await service.GetIpRangeAsync("192.168.201.0", 24, Ct))!;
        var instrument = (await service.GetPaymentInstrumentAsync(card, Ct))!;
        Assert.DoesNotContain(victim, range.RecentAccounts);
        Assert.Contains(other, range.RecentAccounts);
        Assert.DoesNotContain(victim, instrument.RecentAccounts);
        Assert.Equal(distinctBefore, instrument.DistinctAccounts);
        var graph = (await service.GetAccountGraphAsync(other, cancellationToken: Ct))!;
        Assert.DoesNotContain(graph.Nodes, n => n.Id.Contains(victim, StringComparison.Ordinal));
        foreach (var (path, key) in new[]
        {
            ("/v1/lists/deny?limit=1000", ApiFactory.OperatorKey),
            ("/v1/campaigns?limit=100", ApiFactory.ServiceKey),
            ("/v1/intel/stix", ApiFactory.ServiceKey),
            ("/v1/audit?limit=500", ApiFactory.OperatorKey),
        })
        {
            Assert.DoesNotContain(victim, await GetTextAsync(path, key), StringComparison.Ordinal);
        }

        var audit = JsonSerializer.Deserialize<AuditPage>(await GetTextAsync($"/v1/audit?target=account:{erased.AuditRef}", ApiFactory.OperatorKey), JsonSerializerOptions.Web)!;
        Assert.Contains(audit.Records, r => r.Action == "account.erase" && r.Status == 200);
        Assert.Contains(audit.Records, r => r.Action == "label.set");
    }

    [Fact]
    public async Task Erasing_an_account_never_seen_or_already_erased_is_a_404_and_events_sent_later_start_a_new_account()
    {
        var service = factory.CreateReputationClient();
        var operate = factory.CreateReputationClient(ApiFactory.OperatorKey);
        var account = Unique.Id("erase-twice");
        Assert.Null(await operate.EraseAccountAsync(account, Ct));

        var at = factory.Time.GetUtcNow();
        await service.IngestAsync(Events.Batch(Events.Usage(Unique.Id("e"), account, at, 7, "192.168.201.9")), Ct);
        Assert.NotNull(await operate.EraseAccountAsync(account, Ct));
        Assert.Null(await operate.EraseAccountAsync(account, Ct));

        await service.IngestAsync(Events.Batch(Events.Usage(Unique.Id("e"), account, at, 2, "192.168.201.9")), Ct);
        var reborn = await service.GetAccountAsync(account, Ct);

        Assert.NotNull(reborn);
        Assert.Equal(2, reborn.Usage.RequestsTotal);
    }

    [Fact]
    public async Task An_id_that_is_not_an_account_id_is_a_validation_problem()
    {
        using var response = await Http.SendAsync(Raw.Request(HttpMethod.Delete, "/v1/accounts/%20padded%20", null, ApiFactory.OperatorKey), Ct);

        await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }
}
