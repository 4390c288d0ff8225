using System.Security.Claims;

namespace Reputation.Api.Security;

/// <summary>
/// The accounts a key may write events for and ask decisions about: those whose id starts with one
/// of its configured <see cref="ApiKeyEntry.AccountPrefixes"/>, or every account when it has none.
/// </summary>
public sealed class KeyAccounts
{
    public const string ClaimType = "account-prefix";

    /// <summary>A key without restriction (and callers inside the service).</summary>
    public static KeyAccounts Any { get; } = new("", []);

    private readonly string[] _prefixes;

    public KeyAccounts(string keyName, IEnumerable<string> prefixes)
    {
        KeyName = keyName;
        _prefixes = [.. prefixes];
    }

    /// <summary>The key's configured name (never the key).</summary>
    public string KeyName { get; }

    public bool IsRestricted => _prefixes.Length > 0;

    public static KeyAccounts Of(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new(user.Identity?.Name ?? "", user.FindAll(ClaimType).Select(c => c.Value));
    }

    public bool Allows(string? accountId)
    {
        if (_prefixes.Length == 0)
        {
            return true;
        }

        if (accountId is null)
        {
            return false;
        }

        foreach (var prefix in _prefixes)
        {
            if (accountId.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Why an account is refused, naming the restriction: <c>key 'acme-gateway' may only use accounts starting with 'acme-'</c>.</summary>
    public string Describe() =>
        $"key '{KeyName}' may only use accounts whose id starts with {string.Join(" or ", _prefixes.Select(p => $"'{p}'"))}";
}

internal static class KeyAccountsEndpointExtensions
{
    /// <summary>
    /// Answers 403 problem+json naming the key's restriction when the account the body names is not
    /// one of the key's accounts (<see cref="ApiKeyEntry.AccountPrefixes"/>); the handler never runs.
    /// </summary>
    public static RouteHandlerBuilder RestrictedToKeyAccounts<TBody>(this RouteHandlerBuilder builder, Func<TBody, string?> accountOf) =>
        builder.AddEndpointFilter((context, next) =>
        {
            // Most keys have no restriction: nothing to build or wait for on the decision path.
            var user = context.HttpContext.User;
            if (!user.HasClaim(static c => c.Type == KeyAccounts.ClaimType))
            {
                return next(context);
            }

            var accounts = KeyAccounts.Of(user);
            if (context.Arguments.OfType<TBody>().FirstOrDefault() is { } body && !accounts.Allows(accountOf(body)))
            {
                return ValueTask.FromResult<object?>(TypedResults.Problem(
                    statusCode: StatusCodes.Status403Forbidden,
                    title: "Forbidden",
                    detail: $"The account is outside this key's accounts: {accounts.Describe()}."));
            }

            return next(context);
        });
}
