using Reputation.Contracts;
using Reputation.Simulator.Scenarios;

namespace Reputation.Simulator.Generation;

/// <summary>One compact usage summary of a past day: what a gateway's daily rollup would have sent.</summary>
/// <param name="Account">Whose usage.</param>
/// <param name="Second">When, in simulated seconds from the window's start (negative: before it).</param>
/// <param name="Ip">The address the user was on.</param>
/// <param name="Requests">Requests that day.</param>
/// <param name="Prompts">Distinct prompts whose fingerprints the summary carries.</param>
/// <param name="InputTokens">Input tokens that day.</param>
/// <param name="OutputTokens">Output tokens that day.</param>
/// <param name="Model">The model used.</param>
/// <param name="Id">The event id (idempotency key).</param>
internal sealed record UsageSummary(SimAccount Account, long Second, string Ip, long Requests, IReadOnlyList<string> Prompts, long InputTokens, long OutputTokens, string Model, string Id);

/// <summary>What the service saw before the window: past usage summaries and past payments, in time order.</summary>
internal sealed class PriorTraffic
{
    public required IReadOnlyList<UsageSummary> Usage { get; init; }
    public required IReadOnlyList<IngestEvent> Payments { get; init; }

    public static PriorTraffic Empty { get; } = new() { Usage = [], Payments = [] };
}

/// <summary>
/// The past of accounts that existed before the window, so that the service has seen what it would
/// have seen in production: for each ordinary account one usage summary per active day of the last
/// <see cref="AccountHistory.Days"/> days (returning users: the days before they went quiet) with the
/// prompts the user keeps coming back to, from their home network, and the monthly renewals of paying
/// users; for aged campaign accounts only the charge at their signup (they were bought or parked, not used).
/// Deterministic per (population, seed): each account draws from its own history stream.
/// </summary>
internal static class HistoryGenerator
{
    private const long Day = 86_400;

    public static PriorTraffic Generate(Population population, Func<long, DateTimeOffset> timeOf)
    {
        ArgumentNullException.ThrowIfNull(population);
        ArgumentNullException.ThrowIfNull(timeOf);
        var scenario = population.Scenario;
        var usage = new List<UsageSummary>();
        var payments = new List<(long Second, IngestEvent Event)>();
        foreach (var account in population.Accounts)
        {
            var r = SimRandom.For(population.Seed, Streams.History, (ulong)account.Index);
            if (account.Kind == AccountKind.Legitimate && scenario.Legitimate.History is { } history && !account.SignsUpInWindow && !account.NeverUsed)
            {
                Backfill(scenario, history, account, r, usage);
                Renewals(scenario.Legitimate.Payments, history, account, r, payments, timeOf);
            }
            else if (account.Kind == AccountKind.Campaign && account.PaymentFingerprint is not null && !account.SignsUpInWindow)
            {
                var behaviour = scenario.Campaigns[account.CampaignIndex].Payments;
                if (behaviour.ChargeAtSignup)
                {
                    var second = Math.Min(-1, account.SignupSecond + (long)r.Uniform(5, 60));
                    payments.Add((second, Payment(account, second, behaviour, r, 0, timeOf, allowChargeback: true)));
                }
            }
        }

        usage.Sort(static (a, b) => a.Second != b.Second ? a.Second.CompareTo(b.Second) : string.CompareOrdinal(a.Id, b.Id));
        payments.Sort(static (a, b) => a.Second != b.Second ? a.Second.CompareTo(b.Second) : string.CompareOrdinal(a.Event.Id, b.Event.Id));
        return new PriorTraffic { Usage = usage, Payments = [.. payments.Select(p => p.Event)] };
    }

    /// <summary>The end of an account's recorded past: the window's start, or when a returning user went quiet.</summary>
    public static long HistoryEnd(SimAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return account.Returning ? -(long)(account.DormantDays * Day) : 0;
    }

    private static void Backfill(Scenario scenario, AccountHistory history, SimAccount account, SimRandom r, List<UsageSummary> usage)
    {
        var anchor = HistoryEnd(account);
        var activeShare = r.Uniform(history.ActiveDayShare.Min, history.ActiveDayShare.Max);
        var reasoningShare = scenario.Legitimate.Activity.ReasoningShare;
        var usual = Enumerable.Range(0, history.UsualPrompts).Select(_ => OrdinaryPrompts.Next(r, r.Chance(reasoningShare))).ToArray();
        var tool = scenario.Legitimate.PopularTool;
        for (var d = 1; d <= history.Days; d++)
        {
            var dayStart = anchor - (d * Day);
            if (dayStart + Day <= account.SignupSecond + 1)
            {
                break; // older days are before the signup
            }

            if (!r.Chance(activeShare))
            {
                continue;
            }

            var second = (long)r.Uniform(Math.Max(dayStart, account.SignupSecond + 1), dayStart + Day);
            var requests = Math.Max(1, r.Poisson(account.RequestsPerActiveHour * r.Uniform(0.25, 2)));
            var toolRequests = account.UsesTool && tool is not null ? (long)Math.Round(requests * tool.RequestShare) : 0;
            var prompts = new List<string>(4);
            var ordinary = requests - toolRequests;
            if (ordinary > 0)
            {
                r.Shuffle(usual);
                prompts.AddRange(usual.Take((int)Math.Min(ordinary, r.Next(1, 4))));
            }

            if (toolRequests > 0)
            {
                prompts.Add(ToolPrompts.Next(account.ToolVersion, r));
            }

            usage.Add(new UsageSummary(
                account,
                second,
                HomeAddress(account, r),
                requests,
                prompts,
                (ordinary * r.Next(40, 200)) + (toolRequests * ToolPrompts.FixedInputTokens),
                requests * r.Next(200, 1200),
                scenario.ModelRelease.PreviousModel,
                $"{account.Id}-h{d}"));
        }
    }

    private static void Renewals(PaymentBehaviour behaviour, AccountHistory history, SimAccount account, SimRandom r, List<(long, IngestEvent)> payments, Func<long, DateTimeOffset> timeOf)
    {
        if (account.PaymentFingerprint is null)
        {
            return;
        }

        // A monthly plan renews on the same day of the month: the latest renewal is 0-30 days before the history's end.
        var phase = r.Uniform(0, 30);
        for (var k = 0; k < history.RenewalMonths; k++)
        {
            var second = HistoryEnd(account) - (long)((phase + (30 * k)) * Day) - 1;
            if (second <= account.SignupSecond)
            {
                break;
            }

            payments.Add((second, Payment(account, second, behaviour, r, k + 1, timeOf, allowChargeback: false)));
        }
    }

    // "-r": past payments; in-window ones are "-p".
    private static IngestEvent Payment(SimAccount account, long second, PaymentBehaviour behaviour, SimRandom r, int sequence, Func<long, DateTimeOffset> timeOf, bool allowChargeback) =>
        PaymentEvents.Create(account, $"{account.Id}-r{sequence}", timeOf(second), behaviour, r, allowChargeback);

    /// <summary>Where the user was: a fixed home address, or an address of their NAT or IPv6 network.</summary>
    private static string HomeAddress(SimAccount account, SimRandom r) => account.HomeKind switch
    {
        HomeNetworkKind.CarrierNat or HomeNetworkKind.Campus or HomeNetworkKind.Ipv6 => account.Home.Address(r),
        _ => account.SignupIp,
    };
}
