using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Reputation.Api.Features.Audit;
using Reputation.Api.Security;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class AuditTests(ApiFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The configured name of dev-operator-key (appsettings.Development.json).</summary>
    private const string OperatorKeyName = "dev-operator";

    private static LabelRequest Label(string account, LabelKind label = LabelKind.Fraud, string reason = "confirmed harvesting") =>
        new() { EntityType = EntityType.Account, EntityId = account, Label = label, Reason = reason };

    private async Task<AuditPage> AuditAsync(string query)
    {
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get($"/v1/audit{query}", ApiFactory.OperatorKey), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<AuditPage>(text, JsonSerializerOptions.Web)!;
    }

    [Fact]
    public async Task Labelling_an_entity_records_the_operator_key_name_action_target_status_and_the_label_set()
    {
        var account = Unique.Id("audit-label");
        var started = factory.Time.GetUtcNow();

        await factory.CreateReputationClient(ApiFactory.OperatorKey).SetLabelAsync(Label(account), Ct);
        var page = await AuditAsync($"?target=account:{account}");

        var record = Assert.Single(page.Records);
        Assert.Equal(OperatorKeyName, record.KeyName);
        Assert.Equal("label.set", record.Action);
        Assert.Equal($"account:{account}", record.Target);
        Assert.Equal(200, record.Status);
        Assert.True(record.At >= started, $"recorded at {record.At}, before the call at {started}");
        Assert.Equal("fraud", record.After!.Value.GetProperty("label").GetString());
        Assert.Equal(account, record.After.Value.GetProperty("entityId").GetString());
        Assert.Equal(OperatorKeyName, record.After.Value.GetProperty("labelledBy").GetString());
        Assert.DoesNotContain(ApiFactory.OperatorKey, JsonSerializer.Serialize(page, JsonSerializerOptions.Web), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rejected_label_is_recorded_with_its_status_and_no_after()
    {
        var account = Unique.Id("audit-rejected");

        await ApiAssert.FailsValidationAsync("reason", () => factory.CreateReputationClient(ApiFactory.OperatorKey).SetLabelAsync(Label(account, reason: " "), Ct));
        var page = await AuditAsync($"?target=account:{account}&action=label.set");

        var record = Assert.Single(page.Records);
        Assert.Equal(400, record.Status);
        Assert.Equal(OperatorKeyName, record.KeyName);
        Assert.Null(record.After);
    }

    [Fact]
    public async Task A_label_whose_body_does_not_bind_is_recorded_with_status_400_and_no_target()
    {
        var newest = (await AuditAsync("?limit=1")).Records.SingleOrDefault()?.Sequence ?? 0;

        using var response = await factory.CreateDefaultClient().SendAsync(
            Raw.Post("/v1/labels", """{"entityType":"account","entityId":"audit-unbound","label":"bogus","reason":"r"}""", ApiFactory.OperatorKey), Ct);
        await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);

        var page = await AuditAsync("?action=label.set&limit=500");
        Assert.Contains(page.Records, r => r.Sequence > newest && r.Status == 400 && r.Target is null && r.KeyName == OperatorKeyName);
    }

    [Fact]
    public async Task Paging_with_before_returns_the_next_older_records_without_overlap()
    {
        var account = Unique.Id("audit-paging");
        var client = factory.CreateReputationClient(ApiFactory.OperatorKey);
        LabelKind[] labels = [LabelKind.Fraud, LabelKind.Cleared, LabelKind.Trusted, LabelKind.Cleared, LabelKind.Fraud];
        foreach (var label in labels)
        {
            await client.SetLabelAsync(Label(account, label), Ct);
        }

        var pages = new List<AuditPage> { await AuditAsync($"?target=account:{account}&limit=2") };
        while (pages[^1].Next is { } next)
        {
            Assert.True(pages.Count < 10, "paging did not end");
            pages.Add(await AuditAsync($"?target=account:{account}&limit=2&before={next}"));
        }

        Assert.Equal([2, 2, 1], pages.Select(p => p.Records.Count));
        var sequences = pages.SelectMany(p => p.Records).Select(r => r.Sequence).ToList();
        Assert.Equal(sequences.OrderDescending(), sequences);
        Assert.Equal(sequences.Count, sequences.Distinct().Count());
        // Newest first: the last label set is the first record.
        Assert.Equal(
            labels.Reverse().Select(l => JsonSerializer.Serialize(l).Trim('"')),
            pages.SelectMany(p => p.Records).Select(r => r.After!.Value.GetProperty("label").GetString()));
    }

    [Theory]
    [InlineData("limit", "0")]
    [InlineData("limit", "501")]
    [InlineData("limit", "ten")]
    [InlineData("before", "0")]
    [InlineData("before", "-3")]
    [InlineData("before", "abc")]
    public async Task A_bad_query_value_is_a_400_problem_naming_the_parameter(string parameter, string value)
    {
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get($"/v1/audit?{parameter}={value}", ApiFactory.OperatorKey), Ct);

        var problem = await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), $"errors should name {parameter}: {problem}");
    }

    [Fact]
    public async Task The_default_limit_is_50_and_500_is_allowed()
    {
        var client = factory.CreateReputationClient(ApiFactory.OperatorKey);
        // Enough records that the default limit, not the log's length, decides the count.
        for (var i = 0; i < GetAudit.DefaultLimit + 1; i++)
        {
            await client.SetLabelAsync(Label(Unique.Id("audit-limit")), Ct);
        }

        Assert.Equal(GetAudit.DefaultLimit, (await AuditAsync("")).Records.Count);
        Assert.InRange((await AuditAsync("?limit=500")).Records.Count, GetAudit.DefaultLimit + 1, 500);
    }

    [Fact]
    public async Task Without_a_key_the_audit_is_401_and_with_a_key_lacking_operate_it_is_403()
    {
        var http = factory.CreateDefaultClient();

        using var anonymous = await http.SendAsync(Raw.Get("/v1/audit", apiKey: null), Ct);
        using var service = await http.SendAsync(Raw.Get("/v1/audit", ApiFactory.ServiceKey), Ct);

        await Raw.AssertProblemAsync(anonymous, HttpStatusCode.Unauthorized);
        var forbidden = await Raw.AssertProblemAsync(service, HttpStatusCode.Forbidden);
        Assert.Contains("'operate'", forbidden.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_label_refused_for_lack_of_the_operate_scope_changes_nothing_and_is_not_recorded()
    {
        var account = Unique.Id("audit-forbidden");

        await ApiAssert.FailsWithAsync(HttpStatusCode.Forbidden, () => factory.CreateReputationClient(ApiFactory.ServiceKey).SetLabelAsync(Label(account), Ct));

        Assert.Empty((await AuditAsync($"?target=account:{account}")).Records);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("POST")]
    [InlineData("PATCH")]
    public async Task Audit_records_cannot_be_edited_or_deleted_through_the_API(string method)
    {
        var account = Unique.Id("audit-immutable");
        await factory.CreateReputationClient(ApiFactory.OperatorKey).SetLabelAsync(Label(account), Ct);
        var before = JsonSerializer.Serialize(await AuditAsync($"?target=account:{account}"), JsonSerializerOptions.Web);
        var sequence = (await AuditAsync($"?target=account:{account}")).Records.Single().Sequence;
        var http = factory.CreateDefaultClient();

        foreach (var path in new[] { "/v1/audit", $"/v1/audit/{sequence}" })
        {
            using var response = await http.SendAsync(Raw.Request(new HttpMethod(method), path, """{"records":[]}""", ApiFactory.OperatorKey), Ct);
            Assert.True(
                response.StatusCode is HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotFound,
                $"{method} {path} answered {(int)response.StatusCode}");
            if (path == "/v1/audit")
            {
                Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
            }
        }

        Assert.Equal(before, JsonSerializer.Serialize(await AuditAsync($"?target=account:{account}"), JsonSerializerOptions.Web));
    }

    [Fact]
    public void Every_endpoint_that_needs_the_operate_scope_is_audited()
    {
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<RequiredScopeMetadata>()?.Scope == Scopes.Operate)
            .ToList();

        Assert.NotEmpty(endpoints);
        Assert.All(endpoints, e => Assert.True(e.Metadata.GetMetadata<AuditedMetadata>() is not null, $"{e.DisplayName} is not audited: add .Audited(\"...\")"));
    }
}
