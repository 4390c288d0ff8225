using System.Net;
using System.Text.Json;

namespace Reputation.Api.Tests;

/// <summary>Swagger switched on outside Development: the page and the document only for a key with the <c>read</c> scope.</summary>
[Collection(ProductionSwaggerCollection.Name)]
public sealed class ProductionSwaggerTests(ProductionSwaggerFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/swagger/index.html", null)]
    [InlineData("/swagger/index.html", "not-a-configured-key")]
    [InlineData("/swagger/v1/swagger.json", null)]
    [InlineData("/swagger/v1/swagger.json", ApiFactory.OperatorKey)]
    public async Task Swagger_answers_401_without_a_valid_key(string path, string? key)
    {
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get(path, key), Ct);

        await Raw.AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("ApiKey", response.Headers.WwwAuthenticate.ToString());
    }

    [Theory]
    [InlineData("/swagger/index.html")]
    [InlineData("/swagger/v1/swagger.json")]
    public async Task Swagger_answers_403_to_a_key_without_the_read_scope(string path)
    {
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get(path, ProductionSwaggerFactory.DecideOnlyKey), Ct);

        await Raw.AssertProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_OpenAPI_document_is_served_to_a_read_key()
    {
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get("/swagger/v1/swagger.json", ProductionFactory.ProductionKey), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.True(document.RootElement.GetProperty("paths").TryGetProperty("/v1/decisions/request", out _), "the document lacks /v1/decisions/request");
    }

    [Fact]
    public async Task Swagger_UI_is_served_to_a_read_key()
    {
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get("/swagger/index.html", ProductionFactory.ProductionKey), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Reputation API", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}
