using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Reputation.Api.Security;
using Reputation.Contracts;

namespace Reputation.Api.Features.Entities;

internal static class EntitiesApi
{
    public static IEndpointRouteBuilder MapEntitiesApi(this IEndpointRouteBuilder app)
    {
        var accounts = app.MapGroup("/v1/accounts").WithTags("Accounts").RequireScope(Scopes.Read).ProducesCommonProblems();
        accounts.MapGet("/{accountId}", async Task<Results<Ok<AccountView>, NotFound<ProblemDetails>>> (string accountId, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new GetAccount(accountId), ct) is { } view
                    ? TypedResults.Ok(view)
                    : NotFound("Account not found", $"No event or signup was ever seen for account '{accountId}'."))
            .WithName("GetAccount")
            .WithSummary("Account view: score, current request decision, reasons, links and usage counters");

        var ranges = app.MapGroup("/v1/ip-ranges").WithTags("IP ranges").RequireScope(Scopes.Read).ProducesCommonProblems();
        ranges.MapGet("/{network}/{prefixLength:int}", async Task<Results<Ok<IpRangeView>, NotFound<ProblemDetails>>> (string network, int prefixLength, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new GetIpRange(network, prefixLength), ct) is { } view
                    ? TypedResults.Ok(view)
                    : NotFound("IP range not found", $"No account was ever seen in {network}/{prefixLength}."))
            .WithName("GetIpRange")
            .WithSummary("IP range view (IPv4 /24, IPv6 /64): distinct accounts, signup and usage velocity");

        var instruments = app.MapGroup("/v1/payment-instruments").WithTags("Payment instruments").RequireScope(Scopes.Read).ProducesCommonProblems();
        instruments.MapGet("/{fingerprint}", async Task<Results<Ok<PaymentInstrumentView>, NotFound<ProblemDetails>>> (string fingerprint, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new GetPaymentInstrument(fingerprint), ct) is { } view
                    ? TypedResults.Ok(view)
                    : NotFound("Payment instrument not found", "No account was ever linked to this payment fingerprint."))
            .WithName("GetPaymentInstrument")
            .WithSummary("Payment instrument view: distinct accounts and payment outcomes");

        return app;
    }

    private static NotFound<ProblemDetails> NotFound(string title, string detail) =>
        TypedResults.NotFound(new ProblemDetails { Status = StatusCodes.Status404NotFound, Title = title, Detail = detail, Type = "https://tools.ietf.org/html/rfc9110#section-15.5.5" });
}
