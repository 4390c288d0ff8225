using FsCheck;
using FsCheck.Fluent;
using Reputation.Core.Scoring;

namespace Reputation.Core.Tests;

/// <summary>
/// A template's suspicion weighed beyond what the service's own customer base reads as
/// (docs/decisions/0049-customer-base.md): a popular tool used by a third of the customers reads their
/// share of new, dormant and light users, and that share is not evidence against any of them.
/// </summary>
public sealed class CustomerBaseTests
{
    private static readonly DateTimeOffset s_now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ScoringPolicy s_policy = ScoringPolicy.Default;

    [Fact]
    public void A_template_as_suspect_as_the_customer_base_weighs_nothing_and_one_of_young_accounts_weighs_whole()
    {
        Assert.Equal(0, CustomerBase.Beyond(0.17, 0.17), 12);
        Assert.Equal(0, CustomerBase.Beyond(0.10, 0.17), 12);
        Assert.Equal(1, CustomerBase.Beyond(1, 0.17), 12);
        Assert.Equal((0.6 - 0.2) / 0.8, CustomerBase.Beyond(0.6, 0.2), 12);
        // Without a base (too few templates speak), the suspicion itself, as before.
        Assert.Equal(0.17, CustomerBase.Beyond(0.17, 0), 12);
    }

    [Fact]
    public void Weighed_beyond_the_base_a_suspicion_never_grows_and_keeps_its_order()
    {
        Properties.Check(Prop.ForAll(
            Gen.Choose(0, 1000).Select(x => x / 1000.0).ToArbitrary(),
            Gen.Choose(0, 1000).Select(x => x / 1000.0).ToArbitrary(),
            Gen.Choose(0, 500).Select(x => x / 1000.0).ToArbitrary(),
            (a, b, baseline) =>
            {
                var (lo, hi) = a <= b ? (a, b) : (b, a);
                return CustomerBase.Beyond(lo, baseline) <= CustomerBase.Beyond(hi, baseline) + 1e-12
                    && CustomerBase.Beyond(hi, baseline) <= hi + 1e-12
                    && CustomerBase.Beyond(1, baseline) == 1;
            }));
    }

    [Fact]
    public void The_base_is_the_median_of_the_templates_that_speak_and_nothing_below_three()
    {
        Assert.Equal(0, CustomerBase.Of([0.2, 0.3]));
        Assert.Equal(0.2, CustomerBase.Of([0.3, 0.1, 0.2]), 12);
        Assert.Equal(0.25, CustomerBase.Of([0.3, 0.1, 0.2, 0.4]), 12);
        // One template far off (a campaign's aged accounts vouching for most of theirs) does not move it far.
        Assert.Equal(0.16, CustomerBase.Of([0.15, 0.16, 0.49, 0.17, 0.14]), 12);
    }

    [Fact]
    public void Only_a_large_vouched_sample_of_one_prompt_that_is_not_one_cohort_speaks_of_the_customers()
    {
        Assert.True(CustomerBase.Speaks(64, oneGroup: true, isCohort: false, 0.17));
        Assert.False(CustomerBase.Speaks(CustomerBase.MinSampled - 1, oneGroup: true, isCohort: false, 0.17));
        Assert.False(CustomerBase.Speaks(64, oneGroup: false, isCohort: false, 0.17));
        // A class or a team: one range or work domain, not a sample of the customers.
        Assert.False(CustomerBase.Speaks(64, oneGroup: true, isCohort: true, 0));
        // Suspect for the most part: a campaign's template, whatever its size.
        Assert.False(CustomerBase.Speaks(64, oneGroup: true, isCohort: false, CustomerBase.MaxSuspicion));
    }

    [Fact]
    public void A_template_that_stops_speaking_or_has_not_reported_for_an_hour_leaves_the_base()
    {
        var reports = new CustomerBaseReports();
        reports.Report("a", 0.1, s_now);
        reports.Report("b", 0.2, s_now);
        Assert.Equal(0, reports.Baseline(s_now));
        reports.Report("c", 0.3, s_now.AddMinutes(30));
        Assert.Equal(0.2, reports.Baseline(s_now.AddMinutes(30)), 12);

        // "b" turned suspect (a campaign came to share it): it no longer speaks.
        reports.Report("b", null, s_now.AddMinutes(31));
        reports.Report("d", 0.4, s_now.AddMinutes(31));
        Assert.Equal(0.3, reports.Baseline(s_now.AddMinutes(31)), 12);

        // An older report of "b" arriving late does not undo the newer one.
        reports.Report("b", 0.2, s_now.AddMinutes(5));
        Assert.Equal(0.3, reports.Baseline(s_now.AddMinutes(31)), 12);

        // An hour after "a" reported, it no longer counts: "c" and "d" alone are too few.
        Assert.Equal(0, reports.Baseline(s_now.AddMinutes(60)));
    }

    [Fact]
    public void Other_silos_templates_fill_the_base_and_a_template_reported_twice_counts_once_by_its_newer_report()
    {
        var reports = new CustomerBaseReports();
        reports.Report("a", 0.1, s_now);
        Assert.Equal(0, reports.Baseline(s_now));

        // Two more on other silos: three speak.
        (string, double, DateTimeOffset)[] others = [("b", 0.2, s_now), ("c", 0.3, s_now)];
        Assert.Equal(0.2, reports.Baseline(s_now, others), 12);

        // "a" moved to another silo and reported there later: its newer report counts, once.
        (string, double, DateTimeOffset)[] moved = [("a", 0.4, s_now.AddMinutes(1)), ("b", 0.2, s_now), ("c", 0.3, s_now)];
        Assert.Equal(0.3, reports.Baseline(s_now.AddMinutes(1), moved), 12);

        // Reported here later than there: this silo's report counts.
        reports.Report("a", 0.25, s_now.AddMinutes(2));
        Assert.Equal(0.25, reports.Baseline(s_now.AddMinutes(2), moved), 12);

        // What this silo tells the others: its speaking templates only.
        reports.Report("d", null, s_now.AddMinutes(2));
        reports.Report("e", 0.3, s_now.AddMinutes(2));
        reports.Report("e", null, s_now.AddMinutes(3));
        Assert.Equal(["a"], reports.Speaking().Select(r => r.Template));
    }

    [Fact]
    public void The_reports_are_bounded_and_the_oldest_makes_room()
    {
        var reports = new CustomerBaseReports();
        for (var i = 0; i < CustomerBaseReports.Capacity + 10; i++)
        {
            reports.Report($"t{i}", i < 10 ? 0.45 : 0.1, s_now.AddSeconds(i));
        }

        Assert.Equal(CustomerBaseReports.Capacity, reports.Count);
        // The ten oldest, the only ones at 0.45, were the ones dropped.
        Assert.Equal(0.1, reports.Baseline(s_now.AddSeconds(CustomerBaseReports.Capacity)), 12);
    }

    [Fact]
    public void A_popular_tool_read_beyond_its_customer_base_no_longer_pushes_a_new_customer_over_the_throttle_line()
    {
        // A tool used by a third of the customers: its sharers read as suspect as the customer base,
        // the new, dormant and light users every base has.
        var tool = new TemplateFacts(SharingAccounts: 500, RequestsLastHour: 20_000) { TrafficShare = 0.75, Suspicion = 0.17 };
        var newcomer = new AccountFacts(s_now.AddMinutes(-30), 1) { RequestsLastHour = 20, Standing = Standing.New };

        var fromZero = Shared(Score(newcomer, tool));
        var beyondBase = Shared(Score(newcomer, tool with { BaseSuspicion = 0.16 }));
        Assert.True(fromZero > 0.05, $"from zero {fromZero}");
        Assert.True(beyondBase < fromZero / 10, $"beyond the base {beyondBase}");

        // A campaign's template (young or dormant sharers) reads whole whatever the base.
        var campaign = tool with { Suspicion = 1, BaseSuspicion = 0.16 };
        Assert.Equal(Shared(Score(newcomer, campaign with { BaseSuspicion = 0 })), Shared(Score(newcomer, campaign)), 12);
    }

    private static ScoreResult Score(AccountFacts account, TemplateFacts template) =>
        Scorer.Score(s_policy, s_now, new ScoreInputs { Account = account, Templates = new[] { template } });

    private static double Shared(ScoreResult result) =>
        result.Contributions.Where(c => c.Code == ReasonCodes.PromptTemplateShared).Select(c => c.Value).DefaultIfEmpty(0).Sum();
}
