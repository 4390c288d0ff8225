using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Reputation.Api.Features.Audit;
using Reputation.Api.Security;
using Reputation.Contracts;

namespace Reputation.Api.Features.Bench;

/// <summary>
/// Endpoints that <c>./bench.sh</c> measures the real ones against, mapped only when
/// <c>Reputation:Api:BenchmarkEndpoints</c> is true (docs/performance.md).
/// </summary>
/// <remarks>
/// Each baseline goes through everything a decision goes through up to the handler — Kestrel, the
/// exception handler, API-key authentication, the scope check, routing and binding of the same JSON
/// body — and answers a constant decision-shaped body of the same type, with no grain call. The
/// ratio of a decision's throughput to its baseline's is then the cost of the decision itself.
/// </remarks>
internal static class BenchApi
{
    private static readonly Reason[] s_reasons = [new("NEW_ACCOUNT", 0.1, "account first seen 0 h ago")];

    public static void MapBenchApi(this IEndpointRouteBuilder app)
    {
        var baseline = app.MapGroup("/v1/bench/baseline").WithTags("Benchmark").RequireScope(Scopes.Decide).ProducesCommonProblems();

        baseline.MapPost("/request", Ok<RequestDecisionResponse> (RequestDecisionRequest body) => TypedResults.Ok(new RequestDecisionResponse
            {
                AccountId = body.AccountId,
                Decision = RequestDecision.Allow,
                Score = 0.1,
                Reasons = s_reasons,
                RequestsPerMinute = 600,
                CacheTtlSeconds = 30,
                PolicyVersion = 1,
            }))
            .WithName("BaselineRequest")
            .WithSummary("Benchmark baseline: binds a request-decision body and answers a constant one (no grain call)");

        baseline.MapPost("/signup", Ok<SignupDecisionResponse> (SignupDecisionRequest body) => TypedResults.Ok(new SignupDecisionResponse
            {
                AccountId = body.AccountId,
                Decision = SignupDecision.Allow,
                Score = 0.1,
                Reasons = s_reasons,
                PolicyVersion = 1,
            }))
            .WithName("BaselineSignup")
            .WithSummary("Benchmark baseline: binds a signup-decision body and answers a constant one (no grain call)");

        baseline.MapPost("/billing", Ok<BillingDecisionResponse> (BillingDecisionRequest body) => TypedResults.Ok(new BillingDecisionResponse
            {
                AccountId = body.AccountId,
                Decision = BillingDecision.Allow,
                Score = 0.1,
                Reasons = s_reasons,
                PolicyVersion = 1,
            }))
            .WithName("BaselineBilling")
            .WithSummary("Benchmark baseline: binds a billing-decision body and answers a constant one (no grain call)");

        app.MapGet("/v1/bench/memory", async Task<Ok<MemoryReport>> (IGrainFactory grains) =>
            {
                // A full blocking, compacting collection (twice, so finalizable objects are gone too).
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                var heap = GC.GetTotalMemory(forceFullCollection: false);
                using var process = Process.GetCurrentProcess();
                var statistics = await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
                var activations = statistics
                    .GroupBy(s => s.GrainType, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Sum(s => (long)s.ActivationCount), StringComparer.Ordinal);
                return TypedResults.Ok(new MemoryReport(heap, process.WorkingSet64, activations));
            })
            .WithTags("Benchmark")
            .RequireScope(Scopes.Operate)
            .Audited(AuditActions.BenchMemory)
            .ProducesCommonProblems()
            .WithName("BenchMemory")
            .WithSummary("Benchmark: forces a full garbage collection, then reports the managed heap, the working set and this silo's activations by grain type");
    }
}

/// <summary>What <c>GET /v1/bench/memory</c> reports, after a forced full collection.</summary>
/// <param name="ManagedHeapBytes">Bytes on the managed heap (live objects, the collection just made).</param>
/// <param name="WorkingSetBytes">
/// The process's working set (resident memory). It may be below the heap: committed heap pages need
/// not be resident, so the two are compared only with themselves between reports.
/// </param>
/// <param name="Activations">Activations on this silo by grain type.</param>
internal sealed record MemoryReport(long ManagedHeapBytes, long WorkingSetBytes, IReadOnlyDictionary<string, long> Activations);
