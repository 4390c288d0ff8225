using Reputation.Core.Scoring;

namespace Reputation.Core.Tests;

/// <summary>
/// Who vouches for a shared template (docs/detection.md, "Who shares a template"): established and
/// trusted customers, and aged accounts of which nothing is known yet — which on a deployment's first
/// day, when the service was not sent its customers' past, is every customer — unless they keep the
/// other sharers' hours beyond chance; new, dormant and light accounts do not.
/// </summary>
public sealed class SharerProfileTests
{
    private static readonly DateTimeOffset s_start = new(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);
    private const double CohortShare = 0.6;

    private static (ulong Bits, int Latest) Active(IEnumerable<int> minutes)
    {
        ulong bits = 0;
        var latest = 0;
        foreach (var m in minutes)
        {
            Lockstep.Mark(ref bits, ref latest, s_start.AddMinutes(m));
        }

        return (bits, latest);
    }

    /// <summary>Each its own one or two sessions somewhere in the first two hours, on its own range.</summary>
    private static IEnumerable<(ulong Bits, int Latest)> People(int count, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var sessions = Enumerable.Range(0, random.Next(1, 3)).Select(_ => (Start: random.Next(0, 100), Length: random.Next(20, 41)));
            yield return Active(sessions.SelectMany(x => Enumerable.Range(x.Start, x.Length).Where(_ => random.NextDouble() < 0.6)));
        }
    }

    /// <summary>Scripts on one schedule of twenty minutes on and ten off for two hours, each in half of the minutes.</summary>
    private static IEnumerable<(ulong Bits, int Latest)> Shifts(int count, int seed)
    {
        var random = new Random(seed);
        var on = Enumerable.Range(0, 4).SelectMany(s => Enumerable.Range(s * 30, 20)).ToList();
        for (var i = 0; i < count; i++)
        {
            yield return Active(on.Where(_ => random.NextDouble() < 0.5));
        }
    }

    private static SharerTraits[] Sample(Standing standing, IEnumerable<(ulong Bits, int Latest)> timings) =>
        [.. timings.Select((t, i) => new SharerTraits(standing, (ushort)(i + 1), 0, t.Bits, t.Latest))];

    [Theory]
    [InlineData(Standing.Established, false, true)]
    [InlineData(Standing.Established, true, true)]
    [InlineData(Standing.Trusted | Standing.New, true, true)]
    [InlineData(Standing.Known, false, false)]
    [InlineData(Standing.Known, true, false)]
    [InlineData(Standing.None, false, true)]
    [InlineData(Standing.None, true, false)]
    [InlineData(Standing.New, false, false)]
    [InlineData(Standing.Dormant, false, false)]
    public void What_a_sharers_standing_and_timing_say(Standing standing, bool inLockstep, bool vouches) =>
        Assert.Equal(vouches, SharerProfile.Vouches(standing, inLockstep));

    [Fact]
    public void A_popular_tool_on_a_deployments_first_day_is_not_suspect()
    {
        // Aged customers the service has no history of yet (standing None), each with their own sessions.
        var sample = Sample(Standing.None, People(64, 3));
        Assert.True(SharerProfile.Suspicion(sample, CohortShare) <= 0.2, $"suspicion {SharerProfile.Suspicion(sample, CohortShare)}");
    }

    [Fact]
    public void Aged_accounts_working_one_shift_schedule_are_suspect_whatever_their_age()
    {
        var sample = Sample(Standing.None, Shifts(40, 5));
        Assert.True(SharerProfile.Suspicion(sample, CohortShare) >= 0.8, $"suspicion {SharerProfile.Suspicion(sample, CohortShare)}");
        // The same schedule kept by established customers (a tool's scheduled jobs) still vouches.
        Assert.Equal(0, SharerProfile.Suspicion(Sample(Standing.Established, Shifts(40, 5)), CohortShare));
    }

    [Fact]
    public void A_campaign_among_a_tools_users_raises_suspicion_by_its_share()
    {
        var sample = Sample(Standing.None, People(32, 7)).Concat(Sample(Standing.None, Shifts(32, 9))).ToArray();
        var suspicion = SharerProfile.Suspicion(sample, CohortShare);
        Assert.InRange(suspicion, 0.35, 0.65);
    }

    [Fact]
    public void Young_or_dormant_sharers_are_suspect_on_their_own_sessions()
    {
        Assert.Equal(1, SharerProfile.Suspicion(Sample(Standing.New, People(20, 1)), CohortShare));
        Assert.Equal(1, SharerProfile.Suspicion(Sample(Standing.Dormant, People(20, 2)), CohortShare));
    }

    [Fact]
    public void One_cohort_is_a_class_or_a_team_even_in_step()
    {
        // Thirty new students in one campus range, in class together.
        var sample = Sample(Standing.New, Shifts(30, 4)).Select(s => s with { RangeTag = 7 }).ToArray();
        Assert.Equal(0, SharerProfile.Suspicion(sample, CohortShare));
    }

    [Fact]
    public void Nothing_known_of_any_sharer_is_fully_suspect() =>
        Assert.Equal(1, SharerProfile.Suspicion([], CohortShare));

    [Fact]
    public void Lockstep_flags_name_the_sharers_in_step()
    {
        var timings = People(30, 13).Concat(Shifts(30, 17)).Select(t => (t.Bits, t.Latest)).ToArray();
        var flags = new bool[timings.Length];
        var share = Lockstep.BeyondChanceBySharer(timings, flags);
        Assert.Equal(Lockstep.BeyondChanceBySharer(timings, []), share, 1e-12);
        var peopleFlagged = flags[..30].Count(f => f);
        var scriptsFlagged = flags[30..].Count(f => f);
        Assert.True(scriptsFlagged >= 24, $"scripts in step: {scriptsFlagged} of 30");
        Assert.True(peopleFlagged <= 6, $"people in step: {peopleFlagged} of 30");
    }

    /// <summary>
    /// Customers with sessions of 20 minutes and idle spells of 100 on average (both exponential, as
    /// memoryless use is), a request a minute with chance 0.5 while in a session, watched for
    /// <paramref name="minutes"/> from the moment the service started: a sixth of them are in a session
    /// then. Each one's minutes with use.
    /// </summary>
    private static IEnumerable<(ulong Bits, int Latest)> Customers(int count, int minutes, int seed) =>
        CustomerMinutes(count, minutes, seed).Select(Active);

    /// <summary>The minutes with use of <see cref="Customers"/>' customers, each in order.</summary>
    private static IEnumerable<List<int>> CustomerMinutes(int count, int minutes, int seed)
    {
        var random = new Random(seed);
        double Exponential(double mean) => -mean * Math.Log(1 - random.NextDouble());
        for (var i = 0; i < count; i++)
        {
            var used = new List<int>();
            var inSession = random.NextDouble() < 20.0 / 120;
            var t = inSession ? 0 : Exponential(100);
            while (t < minutes)
            {
                var end = t + Math.Max(1, Exponential(20));
                for (var m = (int)t; m < Math.Min(end, minutes); m++)
                {
                    if (random.NextDouble() < 0.5)
                    {
                        used.Add(m);
                    }
                }

                t = end + Exponential(100);
            }

            yield return used;
        }
    }

    [Theory]
    [InlineData(150, 1)]
    [InlineData(150, 2)]
    [InlineData(300, 3)]
    public void Customers_in_a_session_when_the_watching_began_or_when_the_sample_was_taken_are_not_in_step(int minutes, int seed)
    {
        // A tool's 64 sampled sharers are those that used it last: all of them in a session now.
        var timings = Customers(2000, minutes, seed).Where(t => t.Bits != 0).OrderByDescending(t => t.Latest).Take(64).ToArray();
        var censored = Lockstep.BeyondChanceBySharer(timings, []);
        Assert.True(censored < 0.2, $"beyond chance {censored}");
        var sample = timings.Select((t, i) => new SharerTraits(Standing.None, (ushort)(i + 1), 0, t.Bits, t.Latest)).ToArray();
        Assert.True(SharerProfile.Suspicion(sample, CohortShare) <= 0.2, $"suspicion {SharerProfile.Suspicion(sample, CohortShare)}");

        // The same when the sample is read from where the service began watching (minute 0), not
        // from where its sharers' maps begin: those in a session then are still cut off there.
        var watched = Lockstep.BinOf(s_start);
        var fromWatch = Lockstep.BeyondChanceBySharer(timings, [], censor: true, watched);
        Assert.True(fromWatch < 0.2, $"beyond chance from the watch {fromWatch}");
        Assert.True(SharerProfile.Suspicion(sample, CohortShare, watched) <= 0.2, $"suspicion from the watch {SharerProfile.Suspicion(sample, CohortShare, watched)}");
    }

    [Theory]
    [InlineData(150, 1)]
    [InlineData(150, 2)]
    [InlineData(200, 5)]
    [InlineData(120, 4)]
    public void A_tools_latest_sharers_are_not_in_step_for_being_in_a_session_when_the_sample_is_read(int minutes, int seed)
    {
        // The sample is the 64 that used the tool last: every one of them reaches into the newest
        // bins, which the shifted copies do not. Kept, that run puts most of them "in step".
        var timings = Customers(2000, minutes, seed).Where(t => t.Bits != 0).OrderByDescending(t => t.Latest).Take(64).ToArray();
        var watched = Lockstep.BinOf(s_start);
        var kept = Lockstep.BeyondChanceSinceWatched(timings, watched);
        Assert.True(kept >= 0.4, $"with the run under way kept {kept}");

        // They vouch for the tool, so what it reports as its lockstep leaves that run out.
        var sample = timings.Select((t, i) => new SharerTraits(Standing.Established, (ushort)(i + 1), 0, t.Bits, t.Latest)).ToArray();
        var suspicion = SharerProfile.Suspicion(sample, CohortShare, watched);
        Assert.True(suspicion < Lockstep.CurrentShiftFromSuspicion, $"suspicion {suspicion}");
        var reported = Lockstep.OfTemplate(timings, watched, suspicion);
        Assert.True(reported < 0.3, $"reported lockstep {reported}");
    }

    /// <summary>
    /// Scripts that begin one schedule together twenty minutes after the service began watching: on
    /// from minute 20 to 40 and from 50, each in half of the minutes, sampled at minute
    /// <paramref name="now"/> of their second run.
    /// </summary>
    private static (ulong Bits, int Latest)[] ShiftsFrom20(int count, int now, int seed)
    {
        var random = new Random(seed);
        var on = Enumerable.Range(20, 20).Concat(Enumerable.Range(50, now - 50 + 1)).ToList();
        return [.. Enumerable.Range(0, count).Select(_ => Active(on.Where(m => m == now || random.NextDouble() < 0.5)))];
    }

    [Theory]
    [InlineData(52, 1)]
    [InlineData(55, 2)]
    [InlineData(58, 3)]
    public void Scripts_that_began_together_after_the_watching_began_are_in_step_once_their_first_run_ended(int now, int seed)
    {
        var timings = ShiftsFrom20(64, now, seed);
        var sample = Sample(Standing.None, timings);
        var watched = Lockstep.BinOf(s_start);

        // Their first run is whole: the watching began twenty minutes before it, and their second
        // run has begun since it ended.
        Assert.True(SharerProfile.Suspicion(sample, CohortShare, watched) >= 0.8, $"suspicion {SharerProfile.Suspicion(sample, CohortShare, watched)}");

        // Read from where their own maps begin, the first run looks cut off by the watching's start
        // and the second by the sample's end: nothing is left to compare yet.
        Assert.True(SharerProfile.Suspicion(sample, CohortShare) <= 0.2, $"suspicion from the maps {SharerProfile.Suspicion(sample, CohortShare)}");
    }

    [Theory]
    [InlineData(52, 1)]
    [InlineData(58, 3)]
    public void A_suspect_templates_lockstep_keeps_the_shift_under_way(int now, int seed)
    {
        // Scripts in their second shift: a template they make suspect reads its lockstep with the
        // run under way, as before.
        var timings = ShiftsFrom20(64, now, seed);
        var watched = Lockstep.BinOf(s_start);
        var suspect = Lockstep.OfTemplate(timings, watched, suspicion: 1);
        Assert.Equal(Lockstep.BeyondChanceSinceWatched(timings, watched), suspect, 1e-12);
        Assert.True(suspect >= 0.8, $"suspect template's lockstep {suspect}");
    }

    [Fact]
    public void Only_runs_cut_off_where_the_maps_begin_or_end_are_censored()
    {
        // Maps covering 10 bins (bit 9 the oldest, bit 0 the newest): a run reaching bin 7, 8 or 9,
        // or bin 0, 1 or 2, goes; the runs between stay.
        Assert.Equal(0b0000111000UL, Lockstep.Censored(0b1110111000UL, 10));
        Assert.Equal(0b0000011000UL, Lockstep.Censored(0b0011011000UL, 10));
        Assert.Equal(0b0001111000UL, Lockstep.Censored(0b0001111000UL, 10));
        Assert.Equal(0b0001100000UL, Lockstep.Censored(0b1001100111UL, 10));
        Assert.Equal(0UL, Lockstep.Censored(0b1111111111UL, 10));

        // The older end alone: the run under way stays.
        Assert.Equal(0b0000111111UL, Lockstep.Censored(0b1110111111UL, 10, newest: false));
        Assert.Equal(0b0001100111UL, Lockstep.Censored(0b1001100111UL, 10, newest: false));
    }

    [Fact]
    public void The_older_end_is_where_the_watching_began_when_it_is_known()
    {
        // Sixteen sharers with the same four-bin run (bins 3-6 after a watch that began at bin 0) and
        // one bin now (bin 10): from the watch the run is whole; from the maps it is their oldest.
        var timings = Enumerable.Range(0, 16).Select(_ => (Bits: 0b1111_0001UL, Latest: 1_000_010)).ToArray();
        Span<bool> fromWatch = stackalloc bool[16];
        Span<bool> fromMaps = stackalloc bool[16];
        Lockstep.BeyondChanceBySharer(timings, fromWatch, censor: true, watchedSinceBin: 1_000_000);
        Lockstep.BeyondChanceBySharer(timings, fromMaps, censor: true);
        Assert.All(fromWatch.ToArray(), Assert.True);
        Assert.All(fromMaps.ToArray(), Assert.False);

        // A watch that began within three bins of the run cuts it off again.
        Span<bool> lateWatch = stackalloc bool[16];
        Lockstep.BeyondChanceBySharer(timings, lateWatch, censor: true, watchedSinceBin: 1_000_002);
        Assert.All(lateWatch.ToArray(), Assert.False);
    }

    [Fact]
    public void An_account_found_in_step_elsewhere_does_not_vouch_here_though_nothing_else_is_known_of_it()
    {
        // Aged accounts without a history, each its own sessions: too little here to find them in step.
        var sample = Sample(Standing.None, People(20, 21)).ToArray();
        Assert.True(SharerProfile.Suspicion(sample, CohortShare) <= 0.2);

        // Half of them another template found moving in lockstep with its sharers lately.
        var told = sample.Select((s, i) => s with { InStepElsewhere = i % 2 == 0 }).ToArray();
        Assert.True(SharerProfile.Suspicion(told, CohortShare) >= 0.5, $"suspicion {SharerProfile.Suspicion(told, CohortShare)}");

        // Established customers vouch whatever another template found of their timing, as they do here.
        var established = Sample(Standing.Established, People(20, 21)).Select(s => s with { InStepElsewhere = true }).ToArray();
        Assert.Equal(0, SharerProfile.Suspicion(established, CohortShare));
    }

    [Fact]
    public void A_sample_mostly_on_one_schedule_names_its_members_in_step()
    {
        var sample = Sample(Standing.None, Shifts(30, 23)).ToArray();
        var flags = new bool[sample.Length];
        var suspicion = SharerProfile.Suspicion(sample, CohortShare, null, flags, out var together);
        Assert.Equal(SharerProfile.Suspicion(sample, CohortShare), suspicion, 1e-12);
        Assert.True(together >= SharerProfile.InStepMajority, $"in step together: {together}");
        Assert.Equal(together, flags.Count(f => f) / (double)sample.Length, 1e-12);
    }

    [Fact]
    public void A_tools_customers_in_step_by_chance_are_not_named()
    {
        // Independent customers, a few of them "in step" by chance, and a campaign a third of the sample:
        // fewer than half move together, so nobody is told (each template still weighs its own).
        var sample = Sample(Standing.None, People(40, 25)).Concat(Sample(Standing.None, Shifts(20, 27))).ToArray();
        var flags = new bool[sample.Length];
        SharerProfile.Suspicion(sample, CohortShare, null, flags, out var together);
        Assert.Equal(0, together);
        Assert.DoesNotContain(true, flags);
    }

    [Fact]
    public void A_class_in_step_is_one_cohort_and_is_not_named()
    {
        var sample = Sample(Standing.New, Shifts(30, 29)).Select(s => s with { RangeTag = 9 }).ToArray();
        var flags = new bool[sample.Length];
        SharerProfile.Suspicion(sample, CohortShare, null, flags, out var together);
        Assert.Equal(0, together);
        Assert.DoesNotContain(true, flags);
    }

    private static int Minute(int sinceStart) => CoStart.MinuteOf(s_start.AddMinutes(sinceStart));

    /// <summary>
    /// Scripts that begin one schedule at minute 20 of the watching, each within a minute of the
    /// others, and send a request a minute with chance 0.5 until minute <paramref name="now"/>: each
    /// one's traits, its start its first request.
    /// </summary>
    private static SharerTraits[] ScriptsBeginningAt20(int count, int now, int seed, Standing standing = Standing.None)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var begin = 20 + random.Next(0, 2);
            var used = Enumerable.Range(begin, now - begin + 1).Where(m => m == begin || random.NextDouble() < 0.5).ToList();
            var (bits, latest) = Active(used);
            return new SharerTraits(standing, (ushort)(i + 1), 0, bits, latest, StartMinute: Minute(begin));
        })];
    }

    [Theory]
    [InlineData(21, 1)]
    [InlineData(23, 2)]
    [InlineData(30, 3)]
    public void Aged_accounts_that_began_together_after_the_watching_began_do_not_vouch_from_their_first_minutes(int now, int seed)
    {
        // Lockstep cannot tell yet: nobody's first run has ended.
        var sample = ScriptsBeginningAt20(64, now, seed);
        var watched = Lockstep.BinOf(s_start);
        var flags = new bool[sample.Length];
        var suspicion = SharerProfile.Suspicion(sample, CohortShare, watched, flags, out var together);
        Assert.Equal(1, suspicion);
        Assert.Equal(1, together);
        Assert.All(flags, Assert.True);
        Assert.Equal(64, SharerProfile.BeganTogether(sample, watched, []));

        // Without their starts, nothing says so: they vouch as aged accounts of which nothing is known.
        var unknown = sample.Select(t => t with { StartMinute = 0 }).ToArray();
        Assert.True(SharerProfile.Suspicion(unknown, CohortShare, watched) <= 0.2, $"suspicion without starts {SharerProfile.Suspicion(unknown, CohortShare, watched)}");

        // Nor when the watching began with them: all of them could have been in a session already.
        Assert.True(SharerProfile.Suspicion(sample, CohortShare, Lockstep.BinOf(s_start.AddMinutes(10))) <= 0.2);

        // Established customers vouch however they began; new accounts never vouched.
        Assert.Equal(0, SharerProfile.Suspicion(ScriptsBeginningAt20(64, now, seed, Standing.Established), CohortShare, watched));
    }

    [Theory]
    [InlineData(20, 1)]
    [InlineData(30, 2)]
    [InlineData(60, 3)]
    [InlineData(150, 4)]
    [InlineData(300, 5)]
    public void A_tools_customers_begin_one_by_one_and_still_vouch_from_the_watchings_first_minutes(int minutes, int seed)
    {
        // The 64 that used the tool last, each with the minute of its first use since the watching began.
        var sample = CustomerMinutes(2000, minutes, seed).Where(m => m.Count > 0).OrderByDescending(m => m[^1]).Take(64)
            .Select((m, i) =>
            {
                var (bits, latest) = Active(m);
                return new SharerTraits(Standing.None, (ushort)(i + 1), 0, bits, latest, StartMinute: Minute(m[0]));
            }).ToArray();
        var watched = Lockstep.BinOf(s_start);
        var flags = new bool[sample.Length];
        var suspicion = SharerProfile.Suspicion(sample, CohortShare, watched, flags, out var together);
        Assert.True(suspicion <= 0.2, $"suspicion {suspicion}");
        Assert.Equal(0, together);
        Assert.Equal(0, SharerProfile.BeganTogether(sample, watched, []));
    }

    [Fact]
    public void A_class_that_begins_together_is_one_cohort()
    {
        var sample = ScriptsBeginningAt20(30, 25, 31).Select(t => t with { RangeTag = 9 }).ToArray();
        var flags = new bool[sample.Length];
        Assert.Equal(0, SharerProfile.Suspicion(sample, CohortShare, Lockstep.BinOf(s_start), flags, out var together));
        Assert.Equal(0, together);
        Assert.DoesNotContain(true, flags);
    }

    [Fact]
    public void A_start_counts_for_a_group_of_ten_that_is_most_of_the_sample_within_two_minutes_after_the_first_fifteen()
    {
        const int since = 1_000_000;
        var flags = new bool[12];

        // Ten at minutes 20-22 of twelve: the group, flagged; the two at 30 and 40 are not.
        int[] starts = [.. Enumerable.Repeat(since + 20, 4), .. Enumerable.Repeat(since + 21, 3), .. Enumerable.Repeat(since + 22, 3), since + 30, since + 40];
        Assert.Equal(10, CoStart.Flag(starts, since, 0.5, flags));
        Assert.Equal([.. Enumerable.Repeat(true, 10), false, false], flags);

        // Spread over four minutes, no ten lie within two of one another.
        Array.Clear(flags);
        int[] spread = [.. Enumerable.Range(0, 12).Select(i => since + 20 + (i % 4))];
        Assert.Equal(0, CoStart.Flag(spread, since, 0.5, flags));
        Assert.DoesNotContain(true, flags);

        // Nine are too few however close; ten are too few of a sample of 24.
        Assert.Equal(0, CoStart.Flag([.. Enumerable.Repeat(since + 20, 9)], since, 0.5, new bool[9]));
        Assert.Equal(0, CoStart.Flag([.. Enumerable.Repeat(since + 20, 10), .. Enumerable.Range(0, 14).Select(i => since + 30 + (3 * i))], since, 0.5, new bool[24]));

        // In the first fifteen minutes of the watching, or unknown (0), a first use is no start.
        Assert.Equal(0, CoStart.Flag([.. Enumerable.Repeat(since + 14, 12)], since, 0.5, new bool[12]));
        Assert.Equal(12, CoStart.Flag([.. Enumerable.Repeat(since + 15, 12)], since, 0.5, new bool[12]));
        Assert.Equal(0, CoStart.Flag([.. Enumerable.Repeat(0, 12)], since, 0.5, new bool[12]));

        // Not knowing when the watching began, the earliest start in the sample stands for it.
        Assert.Equal(0, CoStart.Flag([.. Enumerable.Repeat(since + 20, 12)], null, 0.5, new bool[12]));
        Assert.Equal(10, CoStart.Flag([since, since + 1, .. Enumerable.Repeat(since + 20, 10)], null, 0.5, new bool[12]));
    }
    /// <summary>
    /// <paramref name="count"/> fingerprints within one or two bits of <paramref name="centre"/>
    /// (a prompt and its near-duplicates), each differing from the others too.
    /// </summary>
    private static ulong[] Near(ulong centre, int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => centre ^ (1UL << random.Next(64)))];
    }

    private static SharerTraits[] WithPrints(SharerTraits[] sample, ulong[] prints) =>
        [.. sample.Select((t, i) => t with { Fingerprint = prints[i] })];

    // Two prompts that agree on their lowest 16 bits (one band) and on nothing else.
    private const ulong Homework = 0x0123_4567_89ab_5cffUL;
    private const ulong Harvest = 0xfedc_ba98_7654_5cffUL;

    [Fact]
    public void Near_duplicate_groups_are_the_prompts_within_three_bits_of_one_another()
    {
        ulong[] prints = [Homework, Homework ^ 0b111, Harvest, Homework ^ 0b1111_0000, 0, Harvest ^ (1UL << 63)];
        var sharers = prints.Select(f => new SharerTraits(Standing.None, 1, 0, Fingerprint: f)).ToArray();
        var group = new int[sharers.Length];
        Assert.Equal(3, SharerProfile.NearGroups(sharers, group));
        // Three bits from the homework prompt is near; four bits is another prompt; no fingerprint is no group.
        Assert.Equal([0, 0, 1, 2, -1, 1], group);
    }

    [Fact]
    public void A_class_whose_prompt_shares_one_band_with_a_campaign_is_judged_by_the_class()
    {
        // A bucket (one 16-bit band) holding forty of a campaign's young accounts on one harvest
        // template and eight established customers whose own prompt happens to agree with it there.
        var campaign = Sample(Standing.New, People(40, 11));
        var customers = Sample(Standing.Established, People(8, 12));
        SharerTraits[] together = [.. WithPrints(campaign, Near(Harvest, 40, 1)), .. WithPrints(customers, Near(Homework, 8, 2))];
        var suspicion = new double[together.Length];
        Assert.Equal(2, SharerProfile.GroupSuspicion(together, CohortShare, null, suspicion));
        Assert.All(suspicion[..40], value => Assert.Equal(1, value));
        Assert.All(suspicion[40..], value => Assert.Equal(0, value));
        // The bucket as a whole is still mostly young accounts (what its view shows).
        Assert.Equal(40 / 48.0, SharerProfile.Suspicion(together, CohortShare), 3);

        // Without their fingerprints it is one crowd: the whole sample speaks for everyone.
        Assert.Equal(0, SharerProfile.GroupSuspicion([.. campaign, .. customers], CohortShare, null, suspicion));
        Assert.All(suspicion, value => Assert.True(double.IsNaN(value)));
    }

    [Fact]
    public void A_handful_of_customers_in_a_campaigns_bucket_is_judged_by_its_own_prompt()
    {
        // Four customers whose prompt agrees with a campaign's harvest template on this band only:
        // fewer than a cohort, but still their own prompt's sharers, not the campaign's.
        var campaign = WithPrints(Sample(Standing.New, People(40, 11)), Near(Harvest, 40, 1));
        var customers = WithPrints(Sample(Standing.Established, People(4, 12)), Near(Homework, 4, 2));
        var suspicion = new double[44];
        Assert.Equal(2, SharerProfile.GroupSuspicion([.. campaign, .. customers], CohortShare, null, suspicion));
        Assert.All(suspicion[..40], value => Assert.Equal(1, value));
        Assert.All(suspicion[40..], value => Assert.Equal(0, value));

        // And four young accounts on a paraphrase in a tool's bucket read their own, not the tool's customers'.
        var tool = WithPrints(Sample(Standing.Established, People(40, 14)), Near(Homework, 40, 4));
        var paraphrase = WithPrints(Sample(Standing.New, People(4, 15)), Near(Harvest, 4, 5));
        Assert.Equal(2, SharerProfile.GroupSuspicion([.. tool, .. paraphrase], CohortShare, null, suspicion));
        Assert.All(suspicion[..40], value => Assert.Equal(0, value));
        Assert.All(suspicion[40..], value => Assert.Equal(1, value));

        // Two groups of young accounts (two harvest templates agreeing on one band) are each suspect.
        var other = WithPrints(Sample(Standing.Dormant, People(10, 13)), Near(Homework, 10, 3));
        suspicion = new double[50];
        Assert.Equal(2, SharerProfile.GroupSuspicion([.. campaign, .. other], CohortShare, null, suspicion));
        Assert.All(suspicion, value => Assert.Equal(1, value));
    }

    [Fact]
    public void A_paraphrase_of_a_campaigns_template_is_judged_with_the_template()
    {
        // Six bits from the harvest template: not a near-duplicate, but no chance agreement on one band
        // either (unrelated prompts differ in about half of the other 48 bits). One family, one sample.
        const ulong paraphrase = Harvest ^ 0b0011_1111UL << 20;
        var campaign = WithPrints(Sample(Standing.New, People(40, 11)), Near(Harvest, 40, 1));
        var paraphrasing = WithPrints(Sample(Standing.Established, People(4, 18)), Near(paraphrase, 4, 8));
        var suspicion = new double[44];
        Assert.Equal(0, SharerProfile.GroupSuspicion([.. campaign, .. paraphrasing], CohortShare, null, suspicion));
        Assert.All(suspicion, value => Assert.True(double.IsNaN(value)));
        var group = new int[44];
        Assert.Equal(2, SharerProfile.NearGroups([.. campaign, .. paraphrasing], group));
        Assert.Equal(1, SharerProfile.NearGroups([.. campaign, .. paraphrasing], group, SharerProfile.FamilyDistance));
    }

    [Fact]
    public void Only_small_groups_are_a_mix_the_whole_sample_speaks_for()
    {
        // No prompt with a cohort's five sharers: a band of scattered prompts, judged as one sample.
        var a = WithPrints(Sample(Standing.New, People(4, 16)), Near(Harvest, 4, 6));
        var b = WithPrints(Sample(Standing.Established, People(4, 17)), Near(Homework, 4, 7));
        var suspicion = new double[8];
        Assert.Equal(0, SharerProfile.GroupSuspicion([.. a, .. b], CohortShare, null, suspicion));
        Assert.All(suspicion, value => Assert.True(double.IsNaN(value)));
    }

    [Fact]
    public void A_groups_timing_is_judged_against_the_whole_bucket()
    {
        // Aged accounts without a history that began one schedule together three minutes ago, thirty
        // on a harvest template and six on a paraphrase that agrees with it on this band only: too
        // few to be a start kept together on their own (ten at least), the six began with the bucket's
        // thirty, and vouch no more than they do.
        var began = ScriptsBeginningAt20(36, 23, 4);
        SharerTraits[] sample = [.. WithPrints(began[..30], Near(Harvest, 30, 1)), .. WithPrints(began[30..], Near(Homework, 6, 2))];
        var suspicion = new double[sample.Length];
        Assert.Equal(2, SharerProfile.GroupSuspicion(sample, CohortShare, Lockstep.BinOf(s_start), suspicion));
        Assert.All(suspicion, value => Assert.Equal(1, value));
    }
}
