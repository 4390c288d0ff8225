using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Reputation.Api.Security;

/// <summary>
/// Authenticates <c>X-Api-Key</c> by comparing its SHA-256 with every configured hash in constant
/// time (all of them, so the time taken does not tell which key came close).
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore keys,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    private const string BearerPrefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (PresentedKey() is not { } key)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var principal = keys.Authenticate(key);
        return Task.FromResult(principal is null
            ? AuthenticateResult.Fail("invalid API key")
            : AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    /// <summary>
    /// The key in <c>X-Api-Key</c>, or else in <c>Authorization: Bearer</c>: scrapers that can send no
    /// header of their choosing (a Prometheus Operator ServiceMonitor) send a bearer token.
    /// </summary>
    private string? PresentedKey()
    {
        if (Request.Headers.TryGetValue(HeaderName, out var values) && values.Count > 0 && !string.IsNullOrEmpty(values[0]))
        {
            return values[0];
        }

        var authorization = Request.Headers.Authorization;
        return authorization.Count == 1 && authorization[0] is { } value
            && value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) && value.Length > BearerPrefix.Length
            ? value[BearerPrefix.Length..].Trim()
            : null;
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = SchemeName;
        var missing = PresentedKey() is null;
        var header = Request.Headers.ContainsKey(HeaderName) ? HeaderName : "Authorization";
        await WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized",
            missing ? $"Send an API key in the {HeaderName} header." : $"The {header} header does not hold a valid API key.");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        var needed = Context.GetEndpoint()?.Metadata.GetMetadata<RequiredScopeMetadata>();
        await WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden",
            needed is null ? "The API key lacks the scope this endpoint needs." : $"The API key lacks the {needed.Describe()} scope.");
    }

    private ValueTask WriteProblemAsync(int status, string title, string detail) =>
        problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
}

/// <summary>Hashes of the configured keys, and the principal each stands for.</summary>
internal sealed class ApiKeyStore
{
    private readonly (byte[] Hash, ClaimsPrincipal Principal)[] _keys;

    public ApiKeyStore(IOptions<ApiKeyOptions> options)
    {
        _keys = [.. options.Value.Keys.Select(k => (Convert.FromHexString(k.Sha256), Principal(k)))];
    }

    public ClaimsPrincipal? Authenticate(string key)
    {
        Span<byte> hash = stackalloc byte[32];
        var bytes = Encoding.UTF8.GetBytes(key);
        SHA256.HashData(bytes, hash);
        ClaimsPrincipal? found = null;
        foreach (var (expected, principal) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                found = principal;
            }
        }

        return found;
    }

    public static string HashKey(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static ClaimsPrincipal Principal(ApiKeyEntry key)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, key.Name) };
        claims.AddRange(key.Scopes.Select(s => new Claim(Scopes.ClaimType, s)));
        claims.AddRange(key.AccountPrefixes.Select(p => new Claim(KeyAccounts.ClaimType, p)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, ApiKeyAuthenticationHandler.SchemeName));
    }
}

/// <summary>
/// Endpoint metadata naming the scope it needs (and any other scope that opens it too), for a
/// helpful 403 and for the rate limits, which count a call against the first of them the key holds.
/// </summary>
internal sealed record RequiredScopeMetadata(string Scope, params string[] AlsoAccepted)
{
    /// <summary>Every scope that opens the endpoint, <see cref="Scope"/> first.</summary>
    public IReadOnlyList<string> Accepted { get; } = [Scope, .. AlsoAccepted];

    /// <summary><c>'read'</c>, or <c>'intel' or 'read'</c>.</summary>
    public string Describe() => string.Join(" or ", Accepted.Select(s => $"'{s}'"));
}

internal static class ScopeEndpointExtensions
{
    /// <summary>
    /// Needs a key with <paramref name="scope"/>, or with one of <paramref name="alsoAccepted"/>; the
    /// key's rate limits in that scope apply, so the endpoint documents their 429.
    /// </summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope, params string[] alsoAccepted) where TBuilder : IEndpointConventionBuilder
    {
        var metadata = new RequiredScopeMetadata(scope, alsoAccepted);
        return (alsoAccepted.Length == 0 ? builder.RequireAuthorization(scope) : builder.RequireAuthorization(ScopePolicies.AnyOf(metadata.Accepted)))
            .WithMetadata(metadata)
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status429TooManyRequests, typeof(ProblemDetails), ["application/problem+json"]));
    }
}
