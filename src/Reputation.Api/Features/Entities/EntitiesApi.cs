using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Reputation.Api.Errors;
using Reputation.Api.Features.Graph;
using Reputation.Api.Hosting;
using Reputation.Api.Security;
using Reputation.Contracts;

namespace Reputation.Api.Features.Entities;

internal static class EntitiesApi
{
    public static IEndpointRouteBuilder MapEntitiesApi(this IEndpointRouteBuilder app)
    {
        var accounts = app.MapGroup("/v1/accounts").WithTags("Accounts").RequireScope(Scopes.Read).ProducesCommonProblems();
        accounts.MapGet("/{accountId}", async Task<Results<Ok<AccountView>, ProblemHttpResult>> (string accountId, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new GetAccount(accountId), ct) is { } view
                    ? TypedResults.Ok(view)
                    : Problems.NotFound("Account not found", $"No event or signup was ever seen for account '{accountId}'."))
            .WithName("GetAccount")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Account view: score, current request decision, reasons, links and usage counters");

        accounts.MapGet("/{accountId}/graph", async Task<Results<Ok<GraphView>, ProblemHttpResult>> (string accountId, IMediator mediator, CancellationToken ct, int depth = 2, int limit = GetGraph.DefaultLimit) =>
                await mediator.Send(new GetGraph(accountId, depth, limit), ct) is { } view
                    ? TypedResults.Ok(view)
                    : Problems.NotFound("Account not found", $"No event or signup was ever seen for account '{accountId}'."))
            .WithName("GetAccountGraph")
            .CostsTokens(GetGraph.Cost)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The account's neighbourhood for investigators: accounts, cards, ranges and prompt templates it shares")
            .WithDescription("depth 1 is the account's own entities, 2 adds their other most recent accounts, up to 4; at most limit nodes (1-1000). Counts against the key's read rate limit as limit calls.");

        var ranges = app.MapGroup("/v1/ip-ranges").WithTags("IP ranges").RequireScope(Scopes.Read).ProducesCommonProblems();
        ranges.MapGet("/{network}/{prefixLength:int}", async Task<Results<Ok<IpRangeView>, ProblemHttpResult>> (string network, int prefixLength, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new GetIpRange(network, prefixLength), ct) is { } view
                    ? TypedResults.Ok(view)
                    : Problems.NotFound("IP range not found", $"No account was ever seen in {network}/{prefixLength}."))
            .WithName("GetIpRange")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("IP range view (IPv4 /24, IPv6 /64): distinct accounts, signup and usage velocity");

        var instruments = app.MapGroup("/v1/payment-instruments").WithTags("Payment instruments").RequireScope(Scopes.Read).ProducesCommonProblems();
        instruments.MapGet("/{fingerprint}", async Task<Results<Ok<PaymentInstrumentView>, ProblemHttpResult>> (string fingerprint, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new GetPaymentInstrument(fingerprint), ct) is { } view
                    ? TypedResults.Ok(view)
                    : Problems.NotFound("Payment instrument not found", "No account was ever linked to this payment fingerprint."))
            .WithName("GetPaymentInstrument")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Payment instrument view: distinct accounts and payment outcomes");

        var templates = app.MapGroup("/v1/prompt-templates").WithTags("Prompt templates").RequireScope(Scopes.Read).ProducesCommonProblems();
        templates.MapGet("/{bucket}", async Task<Results<Ok<PromptTemplateView>, ProblemHttpResult>> (string bucket, IMediator mediator, CancellationToken ct) =>
                await mediator.Send(new GetPromptTemplate(bucket), ct) is { } view
                    ? TypedResults.Ok(view)
                    : Problems.NotFound("Prompt template not found", $"No fingerprint was ever seen in bucket '{bucket}'."))
            .WithName("GetPromptTemplate")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Prompt-template bucket view (b{band}:{4 hex}): accounts sharing near-duplicate prompts, their usage, risk");

        return app;
    }
}
