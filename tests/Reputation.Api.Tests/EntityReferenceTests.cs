using System.Net;
using System.Text.Json;
using Reputation.Client;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

/// <summary>Labels, lists and the entity views read entity ids one way (one parser): the same id means the same entity, the same mistake the same message.</summary>
[Collection(ApiCollection.Name)]
public sealed class EntityReferenceTests(ApiFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<JsonElement> ListProblemAsync(string entityType, string entityId)
    {
        using var http = factory.CreateDefaultClient();
        using var response = await http.SendAsync(Raw.Request(HttpMethod.Put, $"/v1/lists/deny/{entityType}/{entityId}", """{"reason":"entity reference test"}""", ApiFactory.OperatorKey), Ct);
        return await Raw.AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    private Task<ReputationApiException> LabelFailsAsync(EntityType type, string id) =>
        ApiAssert.FailsValidationAsync("entityId", () => factory.CreateReputationClient(ApiFactory.OperatorKey).SetLabelAsync(
            new LabelRequest { EntityType = type, EntityId = id, Label = LabelKind.Fraud, Reason = "entity reference test" }, Ct));

    [Theory]
    [InlineData("b4:3fa2")]
    [InlineData("b0:3FA2")]
    [InlineData("3fa2")]
    [InlineData("0123456789abcde")]
    public async Task A_wrong_prompt_template_id_is_refused_alike_by_labels_lists_and_the_view(string id)
    {
        var label = await LabelFailsAsync(EntityType.PromptTemplate, id);
        var list = await ListProblemAsync("prompt-template", Uri.EscapeDataString(id));

        var message = label.Problem!.Errors["entityId"][0];
        Assert.Equal(message, list.GetProperty("errors").GetProperty("entityId")[0].GetString());
        Assert.Contains("bucket key (b0:3fa2)", message, StringComparison.Ordinal);
        await ApiAssert.FailsValidationAsync("bucket", () => factory.CreateReputationClient().GetPromptTemplateAsync(id, Ct));
    }

    [Fact]
    public async Task A_label_on_an_address_in_a_range_lands_on_the_range_the_view_shows()
    {
        var net = Unique.Ipv4Range();
        var client = factory.CreateReputationClient(ApiFactory.OperatorKey);
        await client.IngestAsync(Events.Batch(Events.Signup(Unique.Id("evt"), Unique.Id("ref"), factory.Time.GetUtcNow().AddMinutes(-5), net.Host(7))), Ct);

        var labelled = await client.SetLabelAsync(new LabelRequest { EntityType = EntityType.IpRange, EntityId = $"{net.Host(7)}/24", Label = LabelKind.Trusted, Reason = "entity reference test" }, Ct);

        Assert.Equal(net.Range, labelled.EntityId);
        var parts = net.Range.Split('/');
        var view = await client.GetIpRangeAsync(parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), Ct);
        Assert.Equal([LabelKind.Trusted], view!.Labels);
        await LabelFailsAsync(EntityType.IpRange, net.Host(7));
        await LabelFailsAsync(EntityType.IpRange, $"{net.Host(7)}/33");
    }
}
