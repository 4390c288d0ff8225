using System.Net.Http;
using System.Net.Sockets;
using Orleans.Runtime;
using Reputation.Api.Errors;

namespace Reputation.Api.Tests;

/// <summary>Which exceptions mean "storage or the cluster did not answer" (503, retry) and which are bugs (500).</summary>
public sealed class ProblemStatusTests
{
    private static Azure.RequestFailedException Refused() =>
        new("Connection refused (127.0.0.1:10002)", new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused)));

    public static TheoryData<string, Exception, int> Cases => new()
    {
        { "Azure SDK retries exhausted", new AggregateException("Retry failed after 4 tries.", Refused(), Refused(), Refused(), Refused()), 503 },
        { "connection failed", new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused)), 503 },
        { "socket", new SocketException((int)SocketError.ConnectionRefused), 503 },
        { "Azure storage failure", Refused(), 503 },
        { "Orleans storage provider", new OrleansException("Error from storage provider during WriteStateAsync", Refused()), 503 },
        { "timeout", new TimeoutException(), 503 },
        { "aggregate of a bug", new AggregateException(new InvalidOperationException()), 500 },
        { "aggregate of storage and a bug", new AggregateException(Refused(), new InvalidOperationException()), 500 },
        { "bug", new InvalidOperationException(), 500 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Storage_and_cluster_failures_are_503_and_bugs_500(string what, Exception exception, int status) =>
        Assert.True(ProblemExceptionHandler.StatusFor(exception) == status, $"{what}: {ProblemExceptionHandler.StatusFor(exception)}");
}
