using Microsoft.Extensions.DependencyInjection;
using Reputation.Core.Prompts;
using Reputation.Core.Scoring;
using Reputation.Grains.Accounts;
using Reputation.Grains.Templates;

namespace Reputation.Grains.Tests;

/// <summary>A silo of its own: the customer base is the whole service's, so no other test's templates may speak in it.</summary>
public sealed class CustomerBaseFixture : SiloFixture
{
    protected override void ConfigureServices(IServiceCollection services) => WatchedForYears(services);
}

/// <summary>
/// A popular tool's template read beyond what the service's own customer base reads as
/// (docs/decisions/0049-customer-base.md): every base has new users, and a tool's template shared by
/// a sample of the customers carries their share as its suspicion however honest it is.
/// </summary>
public sealed class CustomerBaseGrainTests(CustomerBaseFixture fixture) : IClassFixture<CustomerBaseFixture>
{
    private static int s_range;

    private IGrainFactory Grains => fixture.Grains;

    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    private static string UniqueRange()
    {
        var n = Interlocked.Increment(ref s_range);
        return $"10.{40 + (n / 256)}.{n % 256}.0/24";
    }

    /// <summary>
    /// <paramref name="aged"/> aged accounts the service knows nothing against (made eight days ago,
    /// first used a day and a half ago) and <paramref name="young"/> accounts made within the hour,
    /// each on a range of its own, sending <paramref name="template"/> in one or two sessions of
    /// their own over the last hour.
    /// </summary>
    private async Task<List<string>> SharersAsync(string prefix, ulong template, int aged, int young)
    {
        var random = new Random(prefix.Length * 7919 + aged * 31 + young);
        var ids = new List<string>();
        for (var i = 0; i < aged + young; i++)
        {
            var id = Events.NewId(prefix);
            ids.Add(id);
            var home = UniqueRange();
            var account = Grains.GetGrain<IAccountGrain>(id);
            if (i < aged)
            {
                await account.RecordAsync([Events.Signup(Now.AddDays(-8), home)]);
                await account.RecordAsync([Events.Usage(Now.AddHours(-36), home, requests: 3)]);
            }
            else
            {
                await account.RecordAsync([Events.Signup(Now.AddMinutes(-59), home)]);
            }

            var minutes = Enumerable.Range(0, random.Next(1, 3)).SelectMany(_ =>
            {
                var start = random.Next(-55, -10);
                return Enumerable.Range(start, random.Next(5, 10));
            }).Distinct().Where(_ => random.NextDouble() < 0.5).DefaultIfEmpty(-5);
            await account.RecordAsync([.. minutes.Select(m => (AccountEvent)Events.Prompted(Now.AddMinutes(m), home, 1, template))]);
        }

        return ids;
    }

    private async Task<TemplateSignals> SignalsAsync(ulong template) =>
        await Grains.GetGrain<IPromptTemplateGrain>(PromptBands.BucketKeys(template).First()).GetSignalsAsync();

    private static double Shared(DecisionResult decision) =>
        decision.Reasons.Where(r => r.Code == ReasonCodes.PromptTemplateShared).Select(r => r.Contribution).DefaultIfEmpty(0).Sum();

    /// <summary>A customer made now that sends <paramref name="template"/> for all its traffic, and its decision.</summary>
    private async Task<DecisionResult> NewcomerSendsAsync(string id, string range, ulong template)
    {
        var account = Grains.GetGrain<IAccountGrain>(id);
        await account.RecordAsync([Events.Prompted(Now, range, 1, template)]);
        return await account.DecideRequestAsync(range);
    }

    [Fact]
    public async Task A_tool_s_template_weighs_a_newcomer_by_how_far_its_sharers_exceed_the_customer_base()
    {
        // A popular tool shared by a sample of the customers: aged accounts and about one in seven
        // new ones, as every customer base has. Twenty sharers are too few to speak of the base.
        ulong tool = 0x3a7c_91e5_5d20_b4f8;
        await SharersAsync("tool-early", tool, aged: 17, young: 3);
        var early = await SignalsAsync(tool);
        Assert.InRange(early.Suspicion, 0.1, 0.3);
        Assert.Equal(0, early.BaseSuspicion);

        var newcomer = Events.NewId("newcomer");
        var home = UniqueRange();
        await Grains.GetGrain<IAccountGrain>(newcomer).RecordAsync([Events.Signup(Now.AddMinutes(-20), home)]);
        var before = Shared(await NewcomerSendsAsync(newcomer, home, tool));
        Assert.True(before > 0.02, $"PROMPT_TEMPLATE_SHARED read from zero: {before}");
        // A second newcomer sends the tool's prompt now and then nothing for a while.
        var idle = Events.NewId("idle-newcomer");
        var idleHome = UniqueRange();
        await Grains.GetGrain<IAccountGrain>(idle).RecordAsync([Events.Signup(Now.AddMinutes(-20), idleHome)]);
        var idleBefore = Shared(await NewcomerSendsAsync(idle, idleHome, tool));
        Assert.True(idleBefore > 0.02, $"PROMPT_TEMPLATE_SHARED read from zero: {idleBefore}");

        // Twenty more customers: the tool's four band buckets each speak of the base now.
        await SharersAsync("tool-later", tool, aged: 17, young: 3);
        // A campaign's template: young accounts spread over many ranges. It does not speak of the base.
        ulong harvest = 0x9d04_6be3_17fa_c258;
        var campaign = await SharersAsync("campaign", harvest, aged: 0, young: 40);

        fixture.Time.Advance(TimeSpan.FromMinutes(1));
        var signals = await SignalsAsync(tool);
        Assert.Equal(signals.Suspicion, signals.BaseSuspicion, 9);
        Assert.Equal(signals.BaseSuspicion, (await SignalsAsync(harvest)).BaseSuspicion, 9);
        var view = await Grains.GetGrain<IPromptTemplateGrain>(PromptBands.BucketKeys(tool).First()).GetSnapshotAsync();
        Assert.Equal(signals.BaseSuspicion, view!.BaseSuspicion, 9);

        // The newcomer's next request on the tool: its template weighs a fraction of what it did.
        var after = Shared(await NewcomerSendsAsync(newcomer, home, tool));
        Assert.True(after < before / 3, $"PROMPT_TEMPLATE_SHARED beyond the base {after}, from zero {before}");

        // The campaign's members still read their template whole.
        var member = await Grains.GetGrain<IAccountGrain>(campaign[^1]).DecideRequestAsync(null);
        Assert.True(Shared(member) > before, $"campaign member's PROMPT_TEMPLATE_SHARED {Shared(member)}");

        // The idle newcomer is asked about again after more than a lockstep bin without sending: nothing
        // was pushed to it (no sharer's risk changed), and its decision reads the template as it is
        // now, not as it cached it before the base formed (no background refresh has to land first).
        fixture.Time.Advance(AccountGrain.SignalsWaitAfter + TimeSpan.FromMinutes(1));
        var idleAfter = Shared(await Grains.GetGrain<IAccountGrain>(idle).DecideRequestAsync(idleHome));
        Assert.True(idleAfter < idleBefore / 3, $"PROMPT_TEMPLATE_SHARED after the idle spell {idleAfter}, before {idleBefore}");
    }

    [Fact]
    public async Task Silos_exchange_their_speaking_templates_and_a_silent_silo_stops_counting()
    {
        var exchange = Grains.GetGrain<ICustomerBaseGrain>(ICustomerBaseGrain.Key);
        var at = Now;
        await exchange.MergeAsync("silo-a", [new("exchange-a1", 0.1, at), new("exchange-moved", 0.2, at)]);
        var toB = await exchange.MergeAsync("silo-b", [new("exchange-b1", 0.3, at), new("exchange-moved", 0.25, at.AddMinutes(1))]);

        // B hears A's, and of a template both sent, the newer report (B's own is not sent back).
        Assert.Contains(toB, e => e.Template == "exchange-a1" && e.Suspicion == 0.1);
        Assert.DoesNotContain(toB, e => e.Template == "exchange-b1");
        var toA = await exchange.MergeAsync("silo-a", [new("exchange-a1", 0.1, at)]);
        Assert.Contains(toA, e => e.Template == "exchange-moved" && e.Suspicion == 0.25);
        Assert.Contains(toA, e => e.Template == "exchange-b1");

        // A stops (or dies): after four of its renewals without a word, its templates no longer count.
        fixture.Time.Advance(TimeSpan.FromSeconds(121));
        toB = await exchange.MergeAsync("silo-b", []);
        Assert.DoesNotContain(toB, e => e.Template.StartsWith("exchange-", StringComparison.Ordinal));
    }
}
