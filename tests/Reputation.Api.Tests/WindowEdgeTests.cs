using Reputation.Contracts;

namespace Reputation.Api.Tests;

/// <summary>
/// "Last minute" and "last hour" are sliding windows: what happened seconds or minutes ago still
/// counts right after the clock minute or hour turns.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class WindowEdgeTests(ApiFactory factory)
{
    [Fact]
    public async Task Signups_of_the_last_minutes_still_count_after_the_clock_hour_turns()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        var net = Unique.Ipv4Range();
        factory.Time.MoveToNext(minute: 58);
        for (var i = 0; i < 10; i++)
        {
            ApiAssert.Answered(await client.DecideSignupAsync(new SignupDecisionRequest { AccountId = Unique.Id("edge"), Ip = net.Host(i + 1) }, ct));
            factory.Time.Advance(TimeSpan.FromSeconds(10));
        }

        // hh:01: the ten signups were 1 to 3 minutes ago.
        factory.Time.MoveToNext(minute: 1);
        var range = await client.GetIpRangeAsync(net.Network, 24, ct);
        var next = ApiAssert.Answered(await client.DecideSignupAsync(new SignupDecisionRequest { AccountId = Unique.Id("edge"), Ip = net.Host(99) }, ct));

        Assert.InRange(range!.SignupsLastHour, 9, 10);
        Assert.Contains(next.Reasons, r => r.Code == "IP_RANGE_SIGNUP_VELOCITY");
    }

    [Fact]
    public async Task Requests_of_the_last_seconds_still_count_after_the_clock_minute_turns()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        var account = Unique.Id("burst");
        var net = Unique.Ipv4Range();
        var at = factory.Time.MoveToNext(minute: 20, second: 50);
        await client.IngestAsync(Events.Batch(Events.Usage(Unique.Id("evt"), account, at, 2000, net.Host(3))), ct);

        // hh:21:05: the burst was 15 seconds ago.
        factory.Time.Advance(TimeSpan.FromSeconds(15));
        var view = await client.GetAccountAsync(account, ct);
        var decision = ApiAssert.Answered(await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = account, Ip = net.Host(3) }, ct));

        Assert.InRange(view!.Usage.RequestsLastMinute, 1000, 2000);
        Assert.Contains(decision.Reasons, r => r.Code == "ACCOUNT_REQUEST_VELOCITY");
    }
}
