using System.Net;
using Reputation.Contracts;

namespace Reputation.Client.Tests;

public sealed class DecisionFallbackTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Request_decision_falls_back_to_allow_when_the_service_does_not_answer_in_time()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = Samples.CreateClient(
            StubHandler.NeverAnswering(cancelled: cancelled),
            o => o.DecisionTimeout = TimeSpan.FromMilliseconds(50));

        var result = await client.DecideRequestAsync(Samples.Request("acct-timeout"), Ct);

        Assert.True(result.IsFallback);
        Assert.Equal(FallbackCauses.Timeout, result.FallbackCause);
        var decision = result.Response;
        Assert.Equal("acct-timeout", decision.AccountId);
        Assert.Equal(RequestDecision.Allow, decision.Decision);
        Assert.Equal(600, decision.RequestsPerMinute);
        Assert.Equal(5, decision.CacheTtlSeconds);
        Assert.Equal(0, decision.Score);
        Assert.Empty(decision.Reasons);
        Assert.Equal(0, decision.PolicyVersion);

        // The request was aborted, not left running behind the fallback.
        await cancelled.Task.WaitAsync(Ct);
    }

    [Fact]
    public async Task Signup_decision_falls_back_to_review_when_the_connection_is_refused()
    {
        var client = Samples.CreateClient(StubHandler.RefusingConnections());

        var result = await client.DecideSignupAsync(Samples.Signup("acct-refused"), Ct);

        Assert.True(result.IsFallback);
        Assert.Equal(FallbackCauses.Unreachable, result.FallbackCause);
        Assert.Equal(SignupDecision.Review, result.Response.Decision);
        Assert.Equal("acct-refused", result.Response.AccountId);
    }

    [Fact]
    public async Task Billing_decision_falls_back_to_hold_on_503()
    {
        var handler = StubHandler.Answering(
            HttpStatusCode.ServiceUnavailable, """{"title":"Service Unavailable","status":503}""", "application/problem+json");
        var client = Samples.CreateClient(handler);

        var result = await client.DecideBillingAsync(Samples.Billing(), Ct);

        Assert.True(result.IsFallback);
        Assert.Equal("http 503", result.FallbackCause);
        Assert.Equal(BillingDecision.Hold, result.Response.Decision);
        Assert.Equal(1, handler.Calls);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task Request_decision_falls_back_when_the_service_cannot_answer_now(HttpStatusCode status)
    {
        var client = Samples.CreateClient(StubHandler.Answering(status, "{}"));

        var result = await client.DecideRequestAsync(Samples.Request(), Ct);

        Assert.True(result.IsFallback);
        Assert.Equal($"http {(int)status}", result.FallbackCause);
    }

    [Fact]
    public async Task A_timeout_reported_by_the_transport_is_a_fallback_too()
    {
        // What HttpClient throws when its own Timeout elapses: not a cancellation by the caller.
        var client = Samples.CreateClient(new StubHandler(
            (_, _) => throw new TaskCanceledException("The request timed out.", new TimeoutException())));

        var result = await client.DecideRequestAsync(Samples.Request(), Ct);

        Assert.True(result.IsFallback);
        Assert.Equal(FallbackCauses.Timeout, result.FallbackCause);
    }

    [Fact]
    public async Task A_body_the_deadline_cuts_short_is_a_timeout_not_an_invalid_answer()
    {
        // Headers at once, then a body that never finishes: a service too busy to write its answer.
        var client = Samples.CreateClient(
            new StubHandler((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StreamContent(new StallingStream()) { Headers = { ContentType = new("application/json") } },
            })),
            o => o.DecisionTimeout = TimeSpan.FromMilliseconds(50));

        var result = await client.DecideRequestAsync(Samples.Request(), Ct);

        Assert.True(result.IsFallback);
        Assert.Equal(FallbackCauses.Timeout, result.FallbackCause);
    }

    /// <summary>A response body whose first read ends only when the reader gives up.</summary>
    private sealed class StallingStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await new TaskCompletionSource().Task.WaitAsync(cancellationToken);
            return 0;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task A_success_answer_that_is_not_a_decision_is_a_fallback()
    {
        var client = Samples.CreateClient(
            StubHandler.Answering(HttpStatusCode.OK, "<html>captive portal</html>", "text/html"));

        var result = await client.DecideSignupAsync(Samples.Signup(), Ct);

        Assert.True(result.IsFallback);
        Assert.Equal(FallbackCauses.InvalidResponse, result.FallbackCause);
        Assert.Equal(SignupDecision.Review, result.Response.Decision);
    }

    [Fact]
    public async Task Configured_fallback_decisions_are_used()
    {
        var client = Samples.CreateClient(StubHandler.RefusingConnections(), o =>
        {
            o.FallbackRequestDecision = RequestDecision.Throttle;
            o.FallbackRequestsPerMinute = 30;
            o.FallbackCacheTtlSeconds = 1;
            o.FallbackSignupDecision = SignupDecision.Challenge;
            o.FallbackBillingDecision = BillingDecision.Allow;
        });

        var request = await client.DecideRequestAsync(Samples.Request(), Ct);
        var signup = await client.DecideSignupAsync(Samples.Signup(), Ct);
        var billing = await client.DecideBillingAsync(Samples.Billing(), Ct);

        Assert.Equal(RequestDecision.Throttle, request.Response.Decision);
        Assert.Equal(30, request.Response.RequestsPerMinute);
        Assert.Equal(1, request.Response.CacheTtlSeconds);
        Assert.Equal(SignupDecision.Challenge, signup.Response.Decision);
        Assert.Equal(BillingDecision.Allow, billing.Response.Decision);
        Assert.All([request.IsFallback, signup.IsFallback, billing.IsFallback], Assert.True);
    }

    [Fact]
    public async Task An_answer_from_the_service_is_not_a_fallback()
    {
        var client = Samples.CreateClient(StubHandler.Answering(HttpStatusCode.OK, Samples.RequestDecisionJson));

        var result = await client.DecideRequestAsync(Samples.Request(), Ct);

        Assert.False(result.IsFallback);
        Assert.Null(result.FallbackCause);
        Assert.Equal(RequestDecision.Throttle, result.Response.Decision);
        Assert.Equal(10, result.Response.RequestsPerMinute);
        Assert.Equal(30, result.Response.CacheTtlSeconds);
        Assert.Equal(7, result.Response.PolicyVersion);
        var reason = Assert.Single(result.Response.Reasons);
        Assert.Equal("IP_RANGE_CROWDED", reason.Code);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_rethrown_not_turned_into_a_fallback()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = Samples.CreateClient(
            StubHandler.NeverAnswering(entered: entered),
            o => o.DecisionTimeout = TimeSpan.FromMinutes(1));
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var call = client.DecideRequestAsync(Samples.Request(), caller.Token);
        await entered.Task.WaitAsync(Ct);
        await caller.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(caller.Token, ex.CancellationToken);
    }

    [Fact]
    public async Task An_already_cancelled_caller_token_throws()
    {
        var handler = StubHandler.Answering(HttpStatusCode.OK, Samples.RequestDecisionJson);
        var client = Samples.CreateClient(handler);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => client.DecideRequestAsync(Samples.Request(), new CancellationToken(canceled: true)));
        Assert.Equal(0, handler.Calls);
    }
}
