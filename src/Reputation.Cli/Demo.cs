using System.Globalization;
using Reputation.Client;
using Reputation.Contracts;
using Spectre.Console;

namespace Reputation.Cli;

/// <summary>
/// A small scenario on a running service: a burst of new accounts signing up on one card from one
/// /24 and sending usage, one of them then confirmed fraud; beside them an ordinary user elsewhere.
/// Ids carry the run's time, so the demo can be run again on the same service.
/// </summary>
internal static class Demo
{
    public const int Burst = 12;

    public static async Task<int> RunAsync(IAnsiConsole console, ReputationClient client, CancellationToken ct)
    {
        var run = DateTimeOffset.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var card = $"pf-demo-{run}";
        var accounts = Enumerable.Range(1, Burst).Select(i => $"demo-{run}-{i:00}").ToList();
        var ordinary = $"demo-{run}-ordinary";
        var now = DateTimeOffset.UtcNow;

        await console.Progress().AutoClear(false).StartAsync(async progress =>
        {
            var signups = progress.AddTask("signups", maxValue: Burst + 1);
            foreach (var (account, i) in accounts.Select((a, i) => (a, i)))
            {
                await client.DecideSignupAsync(new SignupDecisionRequest { AccountId = account, Ip = $"198.51.100.{10 + i}", PaymentFingerprint = card, Country = "NL" }, ct);
                signups.Increment(1);
            }

            await client.DecideSignupAsync(new SignupDecisionRequest { AccountId = ordinary, Ip = "203.0.113.77", PaymentFingerprint = $"pf-demo-{run}-own", Country = "DE" }, ct);
            signups.Increment(1);

            var usage = progress.AddTask("usage", maxValue: 1);
            await client.IngestAsync(new EventBatch
            {
                Events = [.. accounts.Select((account, i) => new IngestEvent
                {
                    Id = $"{account}-usage",
                    Type = EventType.Usage,
                    AccountId = account,
                    OccurredAt = now.AddSeconds(-30),
                    Ip = $"198.51.100.{10 + i}",
                    Requests = 40,
                    PromptFingerprints = ["9f3c2a7b1d4e6f80"],
                    ReasoningElicitation = 0.9,
                })],
            }, ct);
            usage.Increment(1);

            var label = progress.AddTask("label", maxValue: 1);
            await client.SetLabelAsync(new LabelRequest
            {
                EntityType = EntityType.Account,
                EntityId = accounts[0],
                Label = LabelKind.Fraud,
                Reason = "demo: confirmed member of a distillation campaign",
            }, ct);
            label.Increment(1);
        });

        var held = 0;
        foreach (var account in accounts.Skip(1))
        {
            var decision = await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = account, Ip = "198.51.100.200" }, ct);
            held += decision.Response.Decision == RequestDecision.Allow ? 0 : 1;
        }

        var mine = await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = ordinary, Ip = "203.0.113.77" }, ct);
        console.MarkupLine($"Seeded {Burst} accounts on card [bold]{Markup.Escape(card)}[/] from 198.51.100.0/24, [bold]{Markup.Escape(accounts[0])}[/] labelled fraud; "
            + $"{held} of the other {Burst - 1} are now held, the ordinary user [bold]{Markup.Escape(ordinary)}[/] is {Markup.Escape(mine.Response.Decision.ToString().ToLowerInvariant())}.");
        console.WriteLine();
        console.MarkupLine("Look at:");
        console.MarkupLine($"  reputation explain {Markup.Escape(accounts[1])}      [grey]why a sharer of the card is held[/]");
        console.MarkupLine($"  reputation graph {Markup.Escape(accounts[0])}        [grey]the card, the range and the accounts behind them[/]");
        console.MarkupLine($"  reputation explain {Markup.Escape(ordinary)}   [grey]an ordinary user, untouched[/]");
        console.MarkupLine("  reputation campaigns                          [grey]the campaign, once it has formed[/]");
        return ExitCodes.Ok;
    }
}
