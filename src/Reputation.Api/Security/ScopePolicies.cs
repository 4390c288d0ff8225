using Microsoft.AspNetCore.Authorization;

namespace Reputation.Api.Security;

internal static class ScopePolicies
{
    /// <summary>One policy per scope, named after it: an endpoint requires a scope by requiring its policy.</summary>
    public static AuthorizationBuilder AddScopePolicies(this AuthorizationBuilder builder)
    {
        foreach (var scope in Scopes.All)
        {
            builder.AddPolicy(scope, AnyOf([scope]));
        }

        return builder;
    }

    /// <summary>A key holding any one of <paramref name="scopes"/>.</summary>
    public static AuthorizationPolicy AnyOf(IEnumerable<string> scopes) =>
        new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser()
            .RequireClaim(Scopes.ClaimType, scopes)
            .Build();
}
