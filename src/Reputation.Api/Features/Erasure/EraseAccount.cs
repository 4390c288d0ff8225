using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Reputation.Api.Errors;
using Reputation.Api.Features.Audit;
using Reputation.Api.Features.Decisions;
using Reputation.Api.Security;
using Reputation.Contracts;
using Reputation.Core.Privacy;
using Reputation.Grains.Erasure;

namespace Reputation.Api.Features.Erasure;

internal static class ErasureApi
{
    public static IEndpointRouteBuilder MapErasureApi(this IEndpointRouteBuilder app)
    {
        app.MapDelete("/v1/accounts/{accountId}", async Task<Results<Ok<ErasureResult>, ProblemHttpResult>> (
                string accountId, IMediator mediator, AccountPseudonym pseudonyms, AuditContext audit, CancellationToken ct) =>
            {
                // The audit record names the account only by its keyed hash, whatever the outcome.
                audit.Target = "account:" + pseudonyms.Of(accountId);
                if (await mediator.Send(new EraseAccount(accountId), ct) is not { } erased)
                {
                    return Problems.NotFound("Account not found", $"No event or signup is held for account '{accountId}': never seen, or already erased.");
                }

                audit.After = erased;
                return TypedResults.Ok(erased);
            })
            .WithTags("Accounts")
            .RequireScope(Scopes.Operate)
            .Audited(AuditActions.AccountErase)
            .ProducesCommonProblems()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("EraseAccount")
            .WithSummary("Erase an account: its state, and its id wherever the service holds it; counts it contributed stay, anonymous")
            .WithDescription("Clears the account's state and deletes its storage record; removes its id from the samples of the IP ranges, " +
                "payment instruments and prompt templates it links to or was last seen with (recent accounts, sampled fingerprints, sharers), " +
                "from campaign member samples, the allow and deny lists and the current shadow report; takes its events out of the key " +
                "journal of the keys that sent them (they can no longer be voided); in flagged and fraud lists an anonymous " +
                "placeholder takes its place, so entity risk and counts stay as they were. Older audit records naming it are redacted to auditRef " +
                "(a keyed hash of the id), which this call's own record names too. Afterwards the account is 404 everywhere, and a second DELETE " +
                "is a 404 as for an account never seen. Events sent later for the same id start a new account. Stop sending its events first.");

        return app;
    }
}

public sealed record EraseAccount(string AccountId) : IRequest<ErasureResult?>, IValidatable
{
    public void Validate(ValidationErrors errors) => Fields.Id(errors, "accountId", AccountId);
}

public sealed class EraseAccountHandler(IGrainFactory grains, AccountPseudonym pseudonyms, LastRequestDecisions lastDecisions) : IRequestHandler<EraseAccount, ErasureResult?>
{
    public async ValueTask<ErasureResult?> Handle(EraseAccount request, CancellationToken cancellationToken)
    {
        var auditRef = pseudonyms.Of(request.AccountId);
        // This silo's copy goes now; the other silos' copies age out within Reputation:DecisionCache:StaleSeconds.
        lastDecisions.Remove(request.AccountId);
        // Not cancellable: an erasure that has begun is finished even if the caller goes away.
        return await AccountErasure.EraseAsync(grains, request.AccountId, auditRef) is not { } r ? null : new ErasureResult
        {
            AuditRef = auditRef,
            IpRanges = r.IpRanges,
            PaymentInstruments = r.PaymentInstruments,
            PromptTemplates = r.PromptTemplates,
            Campaigns = r.Campaigns,
            ListEntries = r.ListEntries,
            ShadowReports = r.ShadowReports,
            AuditRecords = r.AuditRecords,
            JournalEntries = r.JournalEntries,
            Watermarks = r.Watermarks,
            WebhookDeliveries = r.WebhookDeliveries,
            BacktestSamples = r.BacktestSamples,
        };
    }
}
