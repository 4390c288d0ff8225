using Reputation.Contracts;
using Reputation.Simulator.Scenarios;

namespace Reputation.Simulator.Generation;

/// <summary>One request a gateway would have served: who, when (simulated second), from where, what.</summary>
internal sealed record SimRequest(SimAccount Account, long Second, string Ip, string Prompt, string Model, int InputTokens, int OutputTokens);

/// <summary>What an account did in one step: the weight of its sampled decision and the address to ask about.</summary>
internal sealed record StepActivity(SimAccount Account, int Requests, string LastIp, string Model);

/// <summary>Everything that happened in one step of simulated time.</summary>
internal sealed class StepTraffic
{
    public required int Step { get; init; }
    public required long StartSecond { get; init; }
    public required long EndSecond { get; init; }
    public required IReadOnlyList<IngestEvent> Signups { get; init; }

    /// <summary>The signing-up accounts, in the order of <see cref="Signups"/>.</summary>
    public required IReadOnlyList<SimAccount> SignedUp { get; init; }

    public required IReadOnlyList<IngestEvent> Payments { get; init; }
    public required IReadOnlyList<SimRequest> Requests { get; init; }

    /// <summary>Accounts that sent at least one request in the step, by account index.</summary>
    public required IReadOnlyList<StepActivity> Active { get; init; }
}

/// <summary>
/// Generates the traffic of a population step by step. Deterministic: each account draws from its
/// own stream (seed, account), and steps are generated in order, so the same population and seed
/// give the same events. Legitimate users have sessions and idle periods with Poisson requests in a
/// session; campaign accounts are scripted: paced requests, a proxy range picked per request,
/// templated prompts, and a ramp after the model release.
/// </summary>
internal sealed class TrafficGenerator
{
    private readonly Population _population;
    private readonly Scenario _scenario;
    private readonly DateTimeOffset _windowStart;
    private readonly AccountState[] _states;
    private readonly long _windowSeconds;
    private int _nextStep;

    public TrafficGenerator(Population population, DateTimeOffset windowStart)
    {
        ArgumentNullException.ThrowIfNull(population);
        _population = population;
        _scenario = population.Scenario;
        _windowStart = windowStart;
        _windowSeconds = (long)Math.Round(_scenario.DurationMinutes * 60);
        _states = [.. population.Accounts.Select(a => new AccountState(SimRandom.For(population.Seed, Streams.Activity, (ulong)a.Index)))];
        foreach (var account in population.Accounts)
        {
            Initialise(account, _states[account.Index]);
        }
    }

    public int StepCount => (int)(_windowSeconds / _scenario.StepSeconds);

    public DateTimeOffset WindowStart => _windowStart;

    public DateTimeOffset TimeOf(long second) => _windowStart.AddSeconds(second);

    /// <summary>The last address each account used (its signup address until it sends a request).</summary>
    public string LastIpOf(SimAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return _states[account.Index].LastIp ?? account.SignupIp;
    }

    /// <summary>Signup events of the accounts that signed up before the window (all at once, before step 0).</summary>
    public IReadOnlyList<IngestEvent> PriorSignups() =>
        [.. _population.Accounts.Where(a => !a.SignsUpInWindow).Select(SignupEvent)];

    public bool HasNextStep => _nextStep < StepCount;

    public StepTraffic NextStep()
    {
        if (!HasNextStep)
        {
            throw new InvalidOperationException("The simulated window is over.");
        }

        var step = _nextStep++;
        var start = (long)step * _scenario.StepSeconds;
        var end = start + _scenario.StepSeconds;
        var signedUp = new List<SimAccount>();
        var payments = new List<(long Second, IngestEvent Event)>();
        var requests = new List<SimRequest>();
        var active = new List<StepActivity>();

        foreach (var account in _population.Accounts)
        {
            if (account.SignupSecond >= end)
            {
                continue;
            }

            var state = _states[account.Index];
            if (account.SignupSecond >= start)
            {
                signedUp.Add(account);
            }

            var before = requests.Count;
            if (account.Kind == AccountKind.Legitimate)
            {
                Legitimate(account, state, start, end, requests, payments);
            }
            else
            {
                Campaign(account, state, start, end, requests, payments);
            }

            if (requests.Count > before)
            {
                var last = requests[^1];
                state.LastIp = last.Ip;
                active.Add(new StepActivity(account, requests.Count - before, last.Ip, last.Model));
            }
        }

        signedUp.Sort(static (a, b) => a.SignupSecond != b.SignupSecond ? a.SignupSecond.CompareTo(b.SignupSecond) : a.Index.CompareTo(b.Index));
        return new StepTraffic
        {
            Step = step,
            StartSecond = start,
            EndSecond = end,
            Signups = [.. signedUp.Select(SignupEvent)],
            SignedUp = signedUp,
            Payments = [.. payments.OrderBy(p => p.Second).Select(p => p.Event)],
            Requests = requests,
            Active = active,
        };
    }

    private void Initialise(SimAccount account, AccountState state)
    {
        var r = state.Random;
        if (account.Kind == AccountKind.Legitimate)
        {
            var activity = _scenario.Legitimate.Activity;
            if (account.Returning)
            {
                // Back after months away: the first session is when they come back, and a paying user renews then.
                state.NextSessionStart = account.ReturnSecond;
                if (account.PaymentFingerprint is not null)
                {
                    state.SignupChargeAt = account.ReturnSecond + (long)r.Uniform(5, 600);
                }

                return;
            }

            if (account.SignsUpInWindow)
            {
                // A new user starts right away: the first session follows the signup.
                state.NextSessionStart = account.SignupSecond + r.Uniform(10, 180);
            }
            else if (r.Chance(activity.MeanSessionMinutes / (activity.MeanSessionMinutes + activity.MeanIdleMinutes)))
            {
                // Already in a session when the window opens (sessions are memoryless, so its rest is exponential too).
                StartSession(account, state, 0);
            }
            else
            {
                state.NextSessionStart = r.Exponential(activity.MeanIdleMinutes * 60);
            }
        }
        else
        {
            var campaign = _scenario.Campaigns[account.CampaignIndex];
            state.NextRequestAt = campaign.Signup.AgedDays is null
                ? account.SignupSecond + r.Uniform(30, 300)
                : (campaign.Signup.StartMinute * 60) + (r.NextDouble() * campaign.Signup.SpreadMinutes * 60) + r.Uniform(30, 300);
            if (campaign.Schedule is { } schedule)
            {
                // In lockstep every account starts each on-bin within the jitter of its start, the first one included.
                state.ScheduleJitter = r.Uniform(0, schedule.JitterSeconds);
                var from = account.SignsUpInWindow ? account.SignupSecond : (schedule.StartMinute * 60) - 1;
                var on = Lockstep.NextOn(schedule, from);
                state.NextRequestAt = on == double.MaxValue ? double.MaxValue : on + state.ScheduleJitter;
            }
        }

        if (account.PaymentFingerprint is not null && account.SignsUpInWindow && PaymentsOf(account).ChargeAtSignup)
        {
            state.SignupChargeAt = account.SignupSecond + (long)r.Uniform(5, 60);
        }
    }

    private void Legitimate(SimAccount account, AccountState state, long start, long end, List<SimRequest> requests, List<(long, IngestEvent)> payments)
    {
        var activity = _scenario.Legitimate.Activity;
        var r = state.Random;
        double t = Math.Max(start, account.SignupSecond);
        while (t < end)
        {
            if (state.InSession)
            {
                var until = Math.Min(state.SessionEnd, end);
                foreach (var second in Arrivals(r, account.RequestsPerActiveHour, t, until))
                {
                    if (InClass(account, second))
                    {
                        // In class the student works on the assignment (below), not on their own things.
                        continue;
                    }

                    if (account.UsesTool && r.Chance(_scenario.Legitimate.PopularTool!.RequestShare))
                    {
                        var toolIp = state.SessionPerRequestAddress ? state.SessionNetwork.Address(r) : state.SessionIp!;
                        requests.Add(Request(account, second, toolIp, ToolPrompts.Next(account.ToolVersion, r), ToolModel(r, second), 300, 2000, r, ToolPrompts.FixedInputTokens));
                        continue;
                    }

                    var reasoning = r.Chance(activity.ReasoningShare);
                    var prompt = OrdinaryPrompts.Next(r, reasoning);
                    var ip = state.SessionPerRequestAddress ? state.SessionNetwork.Address(r) : state.SessionIp!;
                    requests.Add(Request(account, second, ip, prompt, LegitimateModel(r, second), reasoning ? 600 : 40, reasoning ? 2500 : 700, r));
                }

                if (state.SessionEnd <= end)
                {
                    state.InSession = false;
                    state.NextSessionStart = state.SessionEnd + r.Exponential(activity.MeanIdleMinutes * 60);
                    t = state.SessionEnd;
                }
                else
                {
                    t = end;
                }
            }
            else if (state.NextSessionStart < end)
            {
                var at = Math.Max(t, state.NextSessionStart);
                StartSession(account, state, at);
                t = at;
            }
            else
            {
                t = end;
            }
        }

        if (account.Cohort is { Kind: CohortKind.Class } cohort)
        {
            ClassWork(account, _scenario.Legitimate.Classes[cohort.Index], state, start, end, requests);
        }

        Charges(account, state, start, end, payments);
    }

    /// <summary>Poisson arrivals at <paramref name="perHour"/> in [from, to), in order.</summary>
    private static long[] Arrivals(SimRandom r, double perHour, double from, double to)
    {
        var count = r.Poisson(perHour / 3600 * (to - from));
        var seconds = new long[count];
        for (var i = 0; i < count; i++)
        {
            seconds[i] = (long)r.Uniform(from, to);
        }

        Array.Sort(seconds);
        return seconds;
    }

    private bool InClass(SimAccount account, long second) =>
        account.Cohort is { Kind: CohortKind.Class } cohort && ClassSpan(_scenario.Legitimate.Classes[cohort.Index]) is var (from, to) && second >= from && second < to;

    private static (long From, long To) ClassSpan(StudentClass course) =>
        ((long)(course.ClassStartMinute * 60), (long)((course.ClassStartMinute + course.ClassMinutes) * 60));

    /// <summary>
    /// During class every student works on the same assignment at once: requests at their class rate,
    /// most of them the assignment as pasted from the course page (with a few words of their own), from
    /// the campus network. Honest, and as lockstep and templated as a campaign's shift.
    /// </summary>
    private void ClassWork(SimAccount account, StudentClass course, AccountState state, long start, long end, List<SimRequest> requests)
    {
        var (from, to) = ClassSpan(course);
        var lo = Math.Max(Math.Max(start, from), account.SignupSecond);
        var hi = Math.Min(end, to);
        if (lo >= hi)
        {
            return;
        }

        var r = state.Random;
        foreach (var second in Arrivals(r, account.RequestsPerClassHour, lo, hi))
        {
            var ip = account.Home.Address(r);
            if (r.Chance(course.AssignmentShare))
            {
                var pasted = PromptTemplate.Fill(r.Pick(course.Assignment), course.AssignmentSlots, r);
                var prompt = $"{r.Pick(_studentAsks)} {pasted}".TrimStart();
                requests.Add(Request(account, second, ip, prompt, LegitimateModel(r, second), 400, 1800, r));
            }
            else
            {
                var reasoning = r.Chance(_scenario.Legitimate.Activity.ReasoningShare);
                requests.Add(Request(account, second, ip, OrdinaryPrompts.Next(r, reasoning), LegitimateModel(r, second), reasoning ? 600 : 40, reasoning ? 2500 : 700, r));
            }
        }
    }

    private static readonly string[] _studentAsks =
    [
        "", "", "", "help me with this:", "I'm stuck on this one.", "can you explain this question?", "how do I start this?",
        "is my approach right?", "what does this question want?", "please help, due tonight:", "hint only please:",
    ];

    private void StartSession(SimAccount account, AccountState state, double at)
    {
        var r = state.Random;
        var network = _scenario.Legitimate.Network;
        state.InSession = true;
        state.SessionEnd = at + Math.Max(30, r.Exponential(_scenario.Legitimate.Activity.MeanSessionMinutes * 60));
        if (account.HomeKind != HomeNetworkKind.CarrierNat && _population.Addresses.CarrierNat.Count > 0 && r.Chance(network.MobileSessionShare))
        {
            // On the phone: the carrier's NAT hands out a public address per connection.
            state.SessionNetwork = r.Pick(_population.Addresses.CarrierNat);
            state.SessionPerRequestAddress = true;
            state.SessionIp = null;
            return;
        }

        state.SessionNetwork = account.Home;
        switch (account.HomeKind)
        {
            case HomeNetworkKind.CarrierNat:
            case HomeNetworkKind.Campus:
                state.SessionPerRequestAddress = true;
                state.SessionIp = null;
                break;
            case HomeNetworkKind.Ipv6:
                // IPv6 privacy addresses: a new interface id now and then, same /64.
                state.SessionPerRequestAddress = false;
                state.SessionIp = account.Home.Address(r);
                break;
            default:
                state.SessionPerRequestAddress = false;
                state.SessionIp = account.SignupIp;
                break;
        }
    }

    private void Campaign(SimAccount account, AccountState state, long start, long end, List<SimRequest> requests, List<(long, IngestEvent)> payments)
    {
        var campaign = _scenario.Campaigns[account.CampaignIndex];
        var pool = _population.Addresses.CampaignProxies[account.CampaignIndex];
        var r = state.Random;
        while (state.NextRequestAt < end)
        {
            var t = state.NextRequestAt;
            if (campaign.Schedule is { } schedule && !Lockstep.IsOn(schedule, t))
            {
                // Off-bin: the whole fleet waits for the next on-bin (or has stopped for good).
                var on = Lockstep.NextOn(schedule, t);
                state.NextRequestAt = on == double.MaxValue ? double.MaxValue : on + state.ScheduleJitter;
                continue;
            }

            var (activeShare, multiplier) = RampAt(campaign, t);
            if (t >= start && account.ActivationRank < activeShare)
            {
                var ip = account.StickyIp ?? r.Pick(pool).Address(r);
                var second = (long)t;
                var model = CampaignModel(campaign, t, r);
                var prompts = campaign.Prompts;
                if (r.Chance(prompts.OrdinaryShare))
                {
                    var reasoning = r.Chance(_scenario.Legitimate.Activity.ReasoningShare);
                    requests.Add(Request(account, second, ip, OrdinaryPrompts.Next(r, reasoning), model, reasoning ? 600 : 40, reasoning ? 2500 : 700, r));
                }
                else
                {
                    var reasoningShare = account.BlendsElicitation ? prompts.Blend!.ReasoningShare : prompts.ReasoningShare;
                    var reasoning = prompts.ReasoningTemplates.Count > 0 && (prompts.Templates.Count == 0 || r.Chance(reasoningShare));
                    var entry = r.Pick(reasoning ? prompts.ReasoningTemplates : prompts.Templates);
                    var template = entry.IsParaphrased ? r.Pick(entry.Variants) : entry.Variants[0];
                    requests.Add(Request(account, second, ip, PromptTemplate.Fill(template, prompts.Slots, r), model, 800, 3000, r));
                }
            }

            // Paced like a script that keeps every account under the per-account limit: the interval
            // with jitter, never shorter than the limit allows, so no minute holds more than the limit.
            var interval = 3600 / (campaign.RequestsPerHour * multiplier) * r.Uniform(0.7, 1.3);
            state.NextRequestAt = t + Math.Max(interval, 60 / campaign.PerAccountLimitPerMinute);
        }

        Charges(account, state, start, end, payments);
    }

    /// <summary>The campaign's active share and rate multiplier at a simulated second.</summary>
    internal (double ActiveShare, double RateMultiplier) RampAt(Campaign campaign, double second)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        var release = _scenario.ModelRelease.AtMinute * 60;
        if (second < release)
        {
            return (campaign.Ramp.ActiveShareBeforeRelease, 1);
        }

        var progress = campaign.Ramp.RampMinutes <= 0 ? 1 : Math.Min(1, (second - release) / (campaign.Ramp.RampMinutes * 60));
        var share = campaign.Ramp.ActiveShareBeforeRelease + ((1 - campaign.Ramp.ActiveShareBeforeRelease) * progress);
        return (share, 1 + ((campaign.Ramp.RateMultiplier - 1) * progress));
    }

    /// <summary>
    /// The model a campaign request goes to: the new one from its release on, or, with a pivot, with a
    /// share that grows to the pivot's share over its minutes.
    /// </summary>
    private string CampaignModel(Campaign campaign, double t, SimRandom r)
    {
        var release = _scenario.ModelRelease;
        if (campaign.Pivot is not { } pivot)
        {
            return t >= release.AtMinute * 60 ? release.NewModel : release.PreviousModel;
        }

        if (t < release.AtMinute * 60)
        {
            return release.PreviousModel;
        }

        var share = pivot.Minutes <= 0 ? pivot.Share : pivot.Share * Math.Min(1, (t - (release.AtMinute * 60)) / (pivot.Minutes * 60));
        return r.Chance(share) ? release.NewModel : release.PreviousModel;
    }

    private string LegitimateModel(SimRandom r, long second) =>
        second >= _scenario.ModelRelease.AtMinute * 60 && r.Chance(_scenario.ModelRelease.LegitimateAdoptionShare)
            ? _scenario.ModelRelease.NewModel
            : _scenario.ModelRelease.PreviousModel;

    /// <summary>The model of a popular-tool request: the tool's own choice once the new model is out, when it makes one.</summary>
    private string ToolModel(SimRandom r, long second) =>
        _scenario.Legitimate.PopularTool?.NewModelShare is not { } share ? LegitimateModel(r, second)
        : second >= _scenario.ModelRelease.AtMinute * 60 && r.Chance(share) ? _scenario.ModelRelease.NewModel
        : _scenario.ModelRelease.PreviousModel;

    private static SimRequest Request(SimAccount account, long second, string ip, string prompt, string model, int outputMin, int outputMax, SimRandom r, int fixedInput = 0)
    {
        // A tool's fixed text is counted in fixedInput; the words are what follows it.
        var words = (fixedInput > 0 ? prompt.AsSpan(ToolPrompts.SystemPrompt(account.ToolVersion).Length) : prompt.AsSpan()).Count(' ') + 1;
        var input = fixedInput + (int)Math.Ceiling(words * 1.35) + r.Next(20, 120);
        return new SimRequest(account, second, ip, prompt, model, input, r.Next(outputMin, outputMax));
    }

    private void Charges(SimAccount account, AccountState state, long start, long end, List<(long, IngestEvent)> payments)
    {
        if (account.PaymentFingerprint is null)
        {
            return;
        }

        var behaviour = PaymentsOf(account);
        var r = state.Random;
        if (state.SignupChargeAt is { } at && at < end)
        {
            payments.Add((at, Payment(account, state, at, behaviour, r)));
            state.SignupChargeAt = null;
        }

        var from = Math.Max(start, account.SignupSecond);
        var count = r.Poisson(behaviour.ChargesPerAccountPerHour * (end - from) / 3600);
        for (var i = 0; i < count; i++)
        {
            var second = (long)r.Uniform(from, end);
            payments.Add((second, Payment(account, state, second, behaviour, r)));
        }
    }

    private IngestEvent Payment(SimAccount account, AccountState state, long second, PaymentBehaviour behaviour, SimRandom r) =>
        PaymentEvents.Create(account, $"{account.Id}-p{state.PaymentSequence++}", TimeOf(Math.Min(second, _windowSeconds - 1)), behaviour, r, allowChargeback: true);

    private PaymentBehaviour PaymentsOf(SimAccount account) =>
        account.Kind == AccountKind.Legitimate ? _scenario.Legitimate.Payments : _scenario.Campaigns[account.CampaignIndex].Payments;

    private IngestEvent SignupEvent(SimAccount account) => new()
    {
        Id = $"{account.Id}-s",
        Type = EventType.Signup,
        AccountId = account.Id,
        OccurredAt = TimeOf(account.SignupSecond),
        Ip = account.SignupIp,
        PaymentFingerprint = account.PaymentFingerprint,
        Country = account.Country,
        Email = account.Email,
        OrganizationId = account.OrganizationId,
        OrganizationVerified = account.OrganizationVerified,
    };

    private sealed class AccountState(SimRandom random)
    {
        public SimRandom Random { get; } = random;
        public bool InSession { get; set; }
        public double SessionEnd { get; set; }
        public double NextSessionStart { get; set; } = double.MaxValue;
        public SimNetwork SessionNetwork { get; set; }
        public bool SessionPerRequestAddress { get; set; }
        public string? SessionIp { get; set; }
        public double NextRequestAt { get; set; } = double.MaxValue;
        public long? SignupChargeAt { get; set; }
        public int PaymentSequence { get; set; }
        public string? LastIp { get; set; }
        public double ScheduleJitter { get; set; }
    }
}
