using Reputation.Client;

namespace Reputation.Api.Tests;

/// <summary>A deployment that learns since when it has seen usage (<c>Reputation:Detection:UsageSince</c> unset).</summary>
public sealed class LearnedUsageSinceFactory : ApiFactory
{
    protected override DateTimeOffset? UsageSince => null;
}

/// <summary>
/// Dormancy is evidence only where the service watched (docs/detection.md, "Dormancy only where the
/// service watched"): an aged account first seen by a service that was sent no past is not dormant;
/// said or learned, a past from before its silence makes it so.
/// </summary>
public sealed class UsageSinceTests
{
    private static async Task<Contracts.AccountView> AgedAccountsFirstHourAsync(ReputationClient client, DateTimeOffset now, string ip)
    {
        var account = Unique.Id("aged");
        await client.IngestAsync(Events.Batch(
            [Events.Signup(Unique.Id("su"), account, now.AddDays(-90), ip),
             Events.Usage(Unique.Id("u"), account, now.AddMinutes(-30), 120, ip)]), TestContext.Current.CancellationToken);
        return (await client.GetAccountAsync(account, TestContext.Current.CancellationToken))!;
    }

    [Fact]
    public async Task An_aged_account_is_dormant_once_usage_from_before_its_silence_was_sent()
    {
        await using var factory = new LearnedUsageSinceFactory();
        var client = factory.CreateReputationClient(ApiFactory.OperatorKey);
        var now = factory.Time.GetUtcNow();

        var firstSeen = await AgedAccountsFirstHourAsync(client, now, "198.18.20.7");
        Assert.DoesNotContain(firstSeen.Reasons, r => r.Code == "DORMANT_ACTIVATION");

        // A customer's past from a month ago: from then on the service has watched.
        await client.IngestAsync(Events.Batch(Events.Usage(Unique.Id("u"), Unique.Id("customer"), now.AddDays(-30), 3, "198.18.21.7")), TestContext.Current.CancellationToken);
        var afterThePast = await AgedAccountsFirstHourAsync(client, now, "198.18.22.7");
        Assert.Contains(afterThePast.Reasons, r => r.Code == "DORMANT_ACTIVATION");
    }

    [Fact]
    public async Task A_configured_start_stands_without_any_past()
    {
        await using var factory = new ApiFactory();
        var client = factory.CreateReputationClient(ApiFactory.OperatorKey);
        var view = await AgedAccountsFirstHourAsync(client, factory.Time.GetUtcNow(), "198.18.23.7");
        Assert.Contains(view.Reasons, r => r.Code == "DORMANT_ACTIVATION");
    }
}
