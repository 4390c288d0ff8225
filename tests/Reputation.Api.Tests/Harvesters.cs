using Reputation.Client;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

/// <summary>Campaign accounts, as the service sees them: each flagged on its own evidence.</summary>
internal static class Harvesters
{
    /// <summary>
    /// Accounts of ten days that each send, in the batch that signs them up, thousands of
    /// reasoning-eliciting requests a minute: each tells its card, range and template buckets at once
    /// that it is flagged. Each has its own range unless one is given.
    /// </summary>
    public static async Task<List<string>> CreateAsync(ReputationClient client, DateTimeOffset now, int accounts,
        string? card = null, string? fingerprint = null, string? model = null, Net24? range = null)
    {
        var ids = new List<string>();
        for (var i = 0; i < accounts; i++)
        {
            var id = Unique.Id("harvester");
            ids.Add(id);
            var ip = (range ?? Unique.Ipv4Range()).Host(10 + i);
            var result = await client.IngestAsync(Events.Batch(
                Events.Signup(Unique.Id("s"), id, now.AddDays(-10), ip, card),
                new IngestEvent
                {
                    Id = Unique.Id("u"),
                    Type = EventType.Usage,
                    AccountId = id,
                    OccurredAt = now,
                    Ip = ip,
                    Requests = 4000,
                    OutputTokens = 4000 * 400,
                    ReasoningElicitation = 1,
                    PromptFingerprints = fingerprint is null ? null : [fingerprint],
                    Model = model,
                }), TestContext.Current.CancellationToken);
            Assert.Equal(2, result.Accepted);
        }

        return ids;
    }
}
