using System.Net;

namespace Reputation.Client.Tests;

public sealed class IngestTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ReputationClient CreateClient(StubHandler handler, int maxRetries = 3) =>
        Samples.CreateClient(handler, o =>
        {
            o.IngestMaxRetries = maxRetries;
            o.IngestRetryDelay = TimeSpan.Zero;
        });

    [Fact]
    public async Task A_transient_503_is_retried_and_the_batch_then_lands()
    {
        var handler = new StubHandler((_, attempt, _) => Task.FromResult(attempt == 1
            ? StubHandler.Problem(HttpStatusCode.ServiceUnavailable, """{"title":"Service Unavailable","status":503}""")
            : StubHandler.Json(HttpStatusCode.Accepted, Samples.BatchResultJson)));
        var client = CreateClient(handler);

        var result = await client.IngestAsync(Samples.Batch(), Ct);

        Assert.Equal(2, result.Accepted);
        Assert.Equal(0, result.Duplicates);
        Assert.Empty(result.Rejected);
        Assert.Equal(2, handler.Calls);
        var requests = handler.Requests;
        Assert.Equal(requests[0].Body, requests[1].Body);
        Assert.All(requests, r => Assert.Equal(Samples.ApiKey, r.ApiKey));
    }

    [Fact]
    public async Task A_refused_connection_is_retried()
    {
        var handler = new StubHandler((_, attempt, _) => attempt < 3
            ? throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused")
            : Task.FromResult(StubHandler.Json(HttpStatusCode.Accepted, Samples.BatchResultJson)));
        var client = CreateClient(handler);

        var result = await client.IngestAsync(Samples.Batch(), Ct);

        Assert.Equal(2, result.Accepted);
        Assert.Equal(3, handler.Calls);
    }

    [Fact]
    public async Task An_attempt_that_times_out_is_retried()
    {
        var handler = new StubHandler(async (_, attempt, ct) =>
        {
            if (attempt == 1)
            {
                await new TaskCompletionSource().Task.WaitAsync(ct);
            }

            return StubHandler.Json(HttpStatusCode.Accepted, Samples.BatchResultJson);
        });
        // The first attempt waits until its timeout; the timeout is long enough that the second,
        // answered at once, finishes reading its body within it even on a loaded machine (at 50 ms a
        // loaded run timed out mid-body).
        var client = Samples.CreateClient(handler, o =>
        {
            o.IngestTimeout = TimeSpan.FromSeconds(1);
            o.IngestRetryDelay = TimeSpan.Zero;
        });

        var result = await client.IngestAsync(Samples.Batch(), Ct);

        Assert.Equal(2, result.Accepted);
        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task A_validation_problem_is_not_retried()
    {
        var handler = StubHandler.Answering(
            HttpStatusCode.BadRequest,
            """{"title":"One or more validation errors occurred.","status":400,"errors":{"events":["1 to 1000 events per call."]}}""",
            "application/problem+json");
        var client = CreateClient(handler);

        var ex = await Assert.ThrowsAsync<ReputationApiException>(() => client.IngestAsync(Samples.Batch(), Ct));

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Equal(["1 to 1000 events per call."], ex.Problem!.Errors["events"]);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task A_persistent_503_throws_once_the_retries_are_spent()
    {
        var handler = StubHandler.Answering(HttpStatusCode.ServiceUnavailable, """{"title":"Service Unavailable"}""", "application/problem+json");
        var client = CreateClient(handler, maxRetries: 2);

        var ex = await Assert.ThrowsAsync<ReputationApiException>(() => client.IngestAsync(Samples.Batch(), Ct));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.Equal(3, handler.Calls);
    }

    [Fact]
    public async Task A_persistently_unreachable_service_throws_HttpRequestException()
    {
        var handler = StubHandler.RefusingConnections();
        var client = CreateClient(handler, maxRetries: 1);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.IngestAsync(Samples.Batch(), Ct));
        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task Cancelling_an_ingest_throws_and_does_not_retry()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = StubHandler.NeverAnswering(entered: entered);
        var client = CreateClient(handler);
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var call = client.IngestAsync(Samples.Batch(), caller.Token);
        await entered.Task.WaitAsync(Ct);
        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(1, handler.Calls);
    }
}
