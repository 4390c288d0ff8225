using System.Globalization;

namespace Reputation.Core.Scoring;

/// <summary>One signal: a value in [0,1] with a stable code and a readable detail.</summary>
public readonly record struct Signal(string Code, double Value, string Detail);

/// <summary>A signal's share of the score.</summary>
public readonly record struct Contribution(string Code, double Value, double Share, string Detail);

public sealed record ScoreResult(double Score, IReadOnlyList<Contribution> Contributions)
{
    /// <summary>
    /// The score without <c>LINKED_RISK</c>: what the account's own behaviour and its entities' counts
    /// say, not what other accounts said about them. An account counts as flagged in its entities on
    /// this, so risk never travels back to where it came from (two accounts of one card cannot keep
    /// each other flagged).
    /// </summary>
    public double Evidence { get; init; }

    /// <summary>
    /// <see cref="Evidence"/> without what the account's ranges themselves said (their signup
    /// counts and sizes, their quota and timing, indicators naming them): what it counts as in its
    /// ranges' flagged share, so a range's own burst does not come back to its accounts as the risk
    /// of their flagged neighbours (thirty signups of one class flagging each other).
    /// </summary>
    public double EvidenceForRanges { get; init; }

    public IEnumerable<Contribution> Top(int count) => Contributions.Take(count);
}

/// <summary>
/// Noisy-OR scoring (docs/decisions/0003-scoring-formula.md): each signal i at value v with weight w
/// is an independent chance w·v that the entity is abusive, so score = 1 − Π(1 − w·v). One strong
/// signal is enough; several weak ones add up without passing 1. Each signal's share of the score
/// is its log-odds part −ln(1 − w·v) over the sum of those, times the score, so shares add up to it.
/// </summary>
public static class Scorer
{
    private const double MaxTerm = 0.999;

    public static ScoreResult Combine(ReadOnlySpan<Signal> signals, Func<string, double> weightOf)
    {
        ArgumentNullException.ThrowIfNull(weightOf);
        Span<double> logs = signals.Length <= 16 ? stackalloc double[signals.Length] : new double[signals.Length];
        double logSum = 0;
        var clear = 1.0;
        for (var i = 0; i < signals.Length; i++)
        {
            var term = Math.Clamp(weightOf(signals[i].Code) * Math.Clamp(signals[i].Value, 0, 1), 0, MaxTerm);
            clear *= 1 - term;
            logs[i] = -Math.Log(1 - term);
            logSum += logs[i];
        }

        // The product, not exp(-logSum): a lone signal of weight w then scores exactly w.
        var score = 1 - clear;
        var contributions = new List<Contribution>(signals.Length);
        for (var i = 0; i < signals.Length; i++)
        {
            if (logs[i] > 0)
            {
                contributions.Add(new Contribution(signals[i].Code, signals[i].Value, score * logs[i] / logSum, signals[i].Detail));
            }
        }

        contributions.Sort(static (a, b) => b.Share.CompareTo(a.Share));
        return new ScoreResult(score, contributions);
    }

    public static double WeightOf(this SignalWeights weights, string code) => code switch
    {
        ReasonCodes.NewAccount => weights.NewAccount,
        ReasonCodes.IpRangeSignupVelocity => weights.IpRangeSignupVelocity,
        ReasonCodes.IpRangeAccounts => weights.IpRangeAccounts,
        ReasonCodes.PaymentInstrumentShared => weights.PaymentInstrumentShared,
        ReasonCodes.PaymentChargebacks => weights.PaymentChargebacks,
        ReasonCodes.PaymentDeclines => weights.PaymentDeclines,
        ReasonCodes.AccountRequestVelocity => weights.AccountRequestVelocity,
        ReasonCodes.BurstAfterCreation => weights.BurstAfterCreation,
        ReasonCodes.ReasoningElicitation => weights.ReasoningElicitation,
        ReasonCodes.PromptTemplateShared => weights.PromptTemplateShared,
        ReasonCodes.ClusterUsage => weights.ClusterUsage,
        ReasonCodes.LinkedRisk => weights.LinkedRisk,
        ReasonCodes.SynchronisedActivity => weights.SynchronisedActivity,
        ReasonCodes.LabelFraud => weights.LabelFraud,
        ReasonCodes.IpRotation => weights.IpRotation,
        ReasonCodes.ThreatIntelMatch => weights.ThreatIntelMatch,
        ReasonCodes.DormantActivation => weights.DormantActivation,
        ReasonCodes.ReleasePivot => weights.ReleasePivot,
        ReasonCodes.FirstChargeAmount => weights.FirstChargeAmount,
        ReasonCodes.TemplateSetShared => weights.TemplateSetShared,
        _ => 0,
    };

    /// <summary>Scores an account from its own facts and those of its linked range and instruments.</summary>
    public static ScoreResult Score(
        ScoringPolicy policy,
        DateTimeOffset now,
        AccountFacts account,
        RangeFacts? range,
        ReadOnlySpan<InstrumentFacts> instruments) =>
        Score(policy, now, new ScoreInputs { Account = account, Range = range, Instruments = instruments });

    /// <summary>Scores an account from its own facts and every linked entity's.</summary>
    public static ScoreResult Score(ScoringPolicy policy, DateTimeOffset now, in ScoreInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var ramps = policy.Ramps;
        var account = inputs.Account;
        var buffer = default(SignalBuffer);
        Span<Signal> signals = buffer;
        var n = 0;

        var age = account.CreatedAt is { } created ? now - created : TimeSpan.Zero;
        var newness = age >= ramps.NewAccountMaturity ? 0 : 1 - (Math.Max(age.Ticks, 0) / (double)ramps.NewAccountMaturity.Ticks);
        signals[n++] = new Signal(ReasonCodes.NewAccount, newness,
            account.CreatedAt is null ? "account not seen before" : $"account is {FormatAge(age)} old");

        if (account.Label == Label.Fraud)
        {
            signals[n++] = new Signal(ReasonCodes.LabelFraud, 1, "an operator labelled the account fraud");
        }

        if (account.RequestsLastMinute > 0)
        {
            signals[n++] = new Signal(ReasonCodes.AccountRequestVelocity, ramps.AccountRequestsPerMinute.Apply(account.RequestsLastMinute),
                $"{account.RequestsLastMinute} requests in the last minute");
        }

        if (account.RequestsFirstHour > 0)
        {
            signals[n++] = new Signal(ReasonCodes.BurstAfterCreation, ramps.RequestsFirstHour.Apply(account.RequestsFirstHour),
                $"{account.RequestsFirstHour} requests in the account's first hour");
        }

        if (account.RequestsLastHour >= ramps.ReasoningMinRequests && account.ReasoningShare > 0)
        {
            signals[n++] = new Signal(ReasonCodes.ReasoningElicitation, ramps.ReasoningShare.Apply(account.ReasoningShare),
                string.Create(CultureInfo.InvariantCulture, $"{account.ReasoningShare:P0} of the last hour's requests elicit reasoning"));
        }

        if (account.RangesLastDay > 0)
        {
            signals[n++] = new Signal(ReasonCodes.IpRotation, ramps.RangesPerDay.Apply(account.RangesLastDay),
                $"{account.RangesLastDay} IP ranges used in the last 24 hours");
        }

        if (inputs.Charge is { } charge && charge.PriorSucceededPayments == 0 && newness > 0)
        {
            var value = ramps.FirstChargeAmountMinor.Apply(charge.AmountMinor) * newness;
            if (value > 0)
            {
                signals[n++] = new Signal(ReasonCodes.FirstChargeAmount, value,
                    $"a first charge of {AccountDecider.Money(charge.AmountMinor, charge.Currency)} on an account {(account.CreatedAt is null ? "not seen before" : FormatAge(age) + " old")}");
            }
        }

        if (account.Standing.HasFlag(Standing.Dormant) && account.RequestsLastHour > 0)
        {
            signals[n++] = new Signal(ReasonCodes.DormantActivation, ramps.DormantRequestsPerHour.Apply(account.RequestsLastHour),
                $"an aged account without history sent {account.RequestsLastHour} requests in the last hour");
        }

        double clusterMultiple = 0;
        string? clusterDetail = null;
        double linkedRisk = 0;
        string? linkedDetail = null;
        double synchronised = 0;
        string? synchronisedDetail = null;

        // What a range's propagated risk says of a customer the service knows is little (its neighbours
        // are not it); an operator's fraud label on the range still counts fully.
        var knownCustomerRange = account.Standing.IsKnownCustomer() ? Math.Clamp(policy.Trust.KnownCustomerRangeFactor, 0, 1) : 1;
        // An aged account without history — dormant, or one of which nothing is known yet — reads its
        // range as far as its own behaviour corroborates it: an honest account first used months
        // after signup, in a block where a campaign's bought accounts wake up, is not the campaign's;
        // nor is a customer a deployment meets on its first day without its past, behind the same
        // residential block as a campaign's sticky exits; a bought account that harvests is (decided
        // below, once its own signals are known). New accounts read the range's newcomers instead.
        var corroborated = !account.Standing.IsKnownCustomer() && !account.Standing.HasFlag(Standing.New);
        double rangeLinked = 0;
        string? rangeLinkedDetail = null;
        double rangeCluster = 0;
        double rangeSynchronised = 0;
        // A new account is judged by the range's newcomers: aged accounts flagged behind the same
        // residential block say little of someone who just signed up there (decision 0017).
        var isNew = account.Standing.HasFlag(Standing.New);
        if (inputs.Range is { } r)
        {
            // In proportion to the range's accounts: eight newcomers among two hundred behind a carrier
            // NAT are its churn, eight in a range of ten are most of it.
            var newcomerShare = r.SignupsLastHour / (double)Math.Max(1, Math.Max(r.DistinctAccounts, r.SignupsLastHour));
            var ofRange = ramps.IpRangeNewcomerShare.Apply(newcomerShare);
            signals[n++] = new Signal(ReasonCodes.IpRangeSignupVelocity, ramps.IpRangeSignupsPerHour.Apply(r.SignupsLastHour) * ofRange,
                ofRange < 1
                    ? string.Create(CultureInfo.InvariantCulture, $"{r.SignupsLastHour} signups from {r.Range} in the last hour ({newcomerShare:P0} of its about {r.DistinctAccounts} accounts)")
                    : $"{r.SignupsLastHour} signups from {r.Range} in the last hour");
            signals[n++] = new Signal(ReasonCodes.IpRangeAccounts, ramps.IpRangeDistinctAccounts.Apply(r.DistinctAccounts),
                $"about {r.DistinctAccounts} accounts seen in {r.Range}");
            Cluster(ref clusterMultiple, ref clusterDetail, r.RequestsLastHour, policy.Quotas.RangeRequestsPerHour, $"IP range {r.Range}");
            rangeCluster = clusterMultiple;
            LinkRange(r);
            Synchronised(ref synchronised, ref synchronisedDetail, ramps, r.PeakActivations, r.DistinctAccounts, $"IP range {r.Range}");
            rangeSynchronised = synchronised;
        }

        foreach (var other in inputs.OtherRanges)
        {
            LinkRange(other);
        }

        // A dormant account's range risk waits for its own evidence (below); a fraud label does not.
        void LinkRange(in RangeFacts range)
        {
            if (corroborated && range.Label != Label.Fraud)
            {
                Linked(ref rangeLinked, ref rangeLinkedDetail, RangeRisk(range, isNew), range.Label, $"IP range {range.Range}", policy.Propagation.Decay);
            }
            else
            {
                var factor = range.Label == Label.Fraud ? 1 : knownCustomerRange;
                Linked(ref linkedRisk, ref linkedDetail, RangeRisk(range, isNew) * factor, range.Label, $"IP range {range.Range}", policy.Propagation.Decay);
            }
        }

        // The worst instrument speaks for the account: one shared card is enough, whatever else it has.
        if (inputs.Instruments.Length > 0)
        {
            long accounts = 0;
            double chargebacks = 0, declines = 0;
            InstrumentFacts chargebackCard = default, declineCard = default;
            foreach (var i in inputs.Instruments)
            {
                accounts = Math.Max(accounts, i.DistinctOwners ?? i.DistinctAccounts);
                if (i.ChargebacksRead > chargebacks)
                {
                    chargebacks = i.ChargebacksRead;
                    chargebackCard = i;
                }

                if (i.DeclinesRead > declines)
                {
                    declines = i.DeclinesRead;
                    declineCard = i;
                }

                Cluster(ref clusterMultiple, ref clusterDetail, i.RequestsLastHour, policy.Quotas.InstrumentRequestsPerHour, "a linked payment instrument");
                Linked(ref linkedRisk, ref linkedDetail, i.Risk, i.Label, "a linked payment instrument", policy.Propagation.Decay);
                Synchronised(ref synchronised, ref synchronisedDetail, ramps, i.PeakActivations, i.DistinctAccounts, "a linked payment instrument");
            }

            // Who shares the card matters as for templates: a ring is new or bought accounts.
            var cardFactor = account.Standing.IsEstablished() ? Math.Clamp(policy.Trust.EstablishedSharedCardFactor, 0, 1) : 1;
            signals[n++] = new Signal(ReasonCodes.PaymentInstrumentShared, ramps.PaymentInstrumentAccounts.Apply(accounts) * cardFactor,
                cardFactor < 1
                    ? $"payment instrument shared by about {accounts} accounts (a customer with a history: counted at {cardFactor.ToString("P0", CultureInfo.InvariantCulture)})"
                    : $"payment instrument shared by about {accounts} accounts");
            signals[n++] = new Signal(ReasonCodes.PaymentChargebacks, ramps.PaymentChargebacks.Apply(chargebacks),
                PaymentDetail(chargebackCard, chargebackCard.Chargebacks, "chargebacks"));
            signals[n++] = new Signal(ReasonCodes.PaymentDeclines, ramps.PaymentDeclines.Apply(declines),
                PaymentDetail(declineCard, declineCard.Declines, "declined charges"));
        }

        var clusterIsTemplate = false;
        var synchronisedIsTemplate = false;
        // PROMPT_TEMPLATE_SHARED when it speaks of one template's sharers rather than the account's
        // requests spread over suspect templates; then the spread's own value.
        var templateIsSharers = false;
        double spreadOwn = 0;
        if (inputs.Templates.Length > 0 || account.SuspectTemplatedShare > 0)
        {
            // Who shares a template decides what sharing it means: an established customer base or
            // one cohort (suspicion near 0) is a popular tool or a class, young or dormant accounts
            // spread over many ranges are a campaign (docs/detection.md, "Who shares a template").
            double templated = 0;
            long sharing = 0;
            var suspectTraffic = Math.Clamp(account.SuspectTemplatedShare / ramps.TemplateFullTrafficShare, 0, 1);
            var (clusterBefore, synchronisedBefore) = (clusterMultiple, synchronised);
            foreach (var t in inputs.Templates)
            {
                // Weighed beyond what the service's own customer base reads as (decision 0049).
                var suspicion = CustomerBase.Beyond(t.Suspicion, t.BaseSuspicion);
                var weight = Math.Clamp(t.TrafficShare / ramps.TemplateFullTrafficShare, 0, 1);
                var value = ramps.TemplateSharingAccounts.Apply(t.SharingAccounts) * weight * suspicion;
                if (value > templated || (value == templated && t.SharingAccounts > sharing))
                {
                    templated = value;
                    sharing = t.SharingAccounts;
                }

                if (t.SharingAccounts >= policy.Quotas.TemplateMinSharingAccounts)
                {
                    Cluster(ref clusterMultiple, ref clusterDetail, (long)(t.RequestsLastHour * suspicion), policy.Quotas.TemplateRequestsPerHour, "a shared prompt template");
                }

                // Its flagged sharers speak for the others as far as the sharers are suspect: those of
                // one cohort's assignment or an established tool's prompt share a task, not an operator.
                Linked(ref linkedRisk, ref linkedDetail, t.Risk * (t.Label == Label.Fraud ? 1 : weight * suspicion), t.Label, "a shared prompt template", policy.Propagation.Decay);
                // A template's timing is the account's evidence as far as suspect templates are its
                // traffic (this one, or all of them together): one homework prompt that fell into a
                // campaign's bucket does not put a student in step with the campaign.
                var inStep = Math.Max(weight, suspectTraffic);
                Synchronised(ref synchronised, ref synchronisedDetail, ramps, (long)(t.PeakActivations * suspicion), t.SharingAccounts, "a shared prompt template", inStep);
                var lockstep = ramps.LockstepShare.Apply(t.Lockstep) * suspicion * inStep;
                if (lockstep > synchronised)
                {
                    synchronised = lockstep;
                    synchronisedDetail = string.Create(CultureInfo.InvariantCulture,
                        $"{t.Lockstep:P0} of a shared template's accounts use it in the same five-minute bins as others, more often than chance makes (lockstep)");
                }
            }

            // Found moving in step with most of a group it shares a template with, beyond chance:
            // the account's own timing, as far as suspect templates are its traffic (a tool's
            // customer found "in step" by chance sends nothing suspect and gains nothing from it).
            var ownLockstep = ramps.LockstepShare.Apply(account.InStepShare) * suspectTraffic;
            if (ownLockstep > synchronised)
            {
                synchronised = ownLockstep;
                synchronisedDetail = string.Create(CultureInfo.InvariantCulture,
                    $"moves in step with {account.InStepShare:P0} of a group of accounts that share templates with it: active in the same five-minute bins more often than chance makes, or begun together (lockstep)");
            }

            // What its templates' sharers did (their requests, their timing), not what the account did.
            clusterIsTemplate = clusterMultiple > clusterBefore;
            synchronisedIsTemplate = synchronised > synchronisedBefore && synchronised != ownLockstep;
            ReleasePivotSignal(signals, ref n, ramps, inputs.Templates);

            string? detail = sharing > 0 && templated > 0 ? $"prompts near-identical to those of about {sharing} other accounts" : null;
            // Spread over many templates (a dozen harvest templates, each a small share of the traffic),
            // the account's requests in suspect templates still add up.
            var spread = ramps.SuspectTemplatedShare.Apply(account.SuspectTemplatedShare);
            if (spread > templated)
            {
                templated = spread;
                detail = string.Create(CultureInfo.InvariantCulture,
                    $"{account.SuspectTemplatedShare:P0} of the last hour's requests use templates shared mostly by young or dormant accounts");
            }

            if (detail is not null && templated > 0)
            {
                signals[n++] = new Signal(ReasonCodes.PromptTemplateShared, templated, detail);
                templateIsSharers = templated > spread;
                spreadOwn = spread;
            }
        }

        if (account.TemplateSet is { Sharers: > 0 } set)
        {
            // Who is in the cluster decides what it means, as for one template: a team or a class
            // sharing their prompts is one cohort or established customers (suspicion near 0).
            var value = ramps.TemplateSetSharers.Apply(set.Sharers) * Math.Clamp(set.Suspicion, 0, 1);
            if (value > 0)
            {
                signals[n++] = new Signal(ReasonCodes.TemplateSetShared, value,
                    $"uses nearly the same set of {set.Elements} shared prompt buckets as about {set.Sharers} other accounts");
            }
        }

        if (clusterMultiple > 0)
        {
            signals[n++] = new Signal(ReasonCodes.ClusterUsage, ramps.ClusterQuotaMultiple.Apply(clusterMultiple), clusterDetail!);
        }

        if (synchronised > 0)
        {
            signals[n++] = new Signal(ReasonCodes.SynchronisedActivity, synchronised, synchronisedDetail!);
        }

        var rangeWeight = 1.0;
        var clusterIsRange = clusterMultiple > 0 && clusterMultiple == rangeCluster;
        var synchronisedIsRange = synchronised > 0 && synchronised == rangeSynchronised;
        if (corroborated)
        {
            // Its own evidence: what its behaviour and its own cards and templates say, without its
            // range (risk, counts, quota, timing), its standing or its age. Full weight from
            // trust.dormantRangeCorroboration; trust.knownCustomerRangeFactor with none.
            // An account that vouches for its templates (aged, not found in step with their sharers:
            // SharerProfile.Vouches) is one of the sharers that make them benign. What suspicion they
            // carry is its co-sharers' — a campaign's cover traffic in a popular tool's bucket, its
            // timing, its requests — and bears out the account's range no more than the range does itself.
            // Its own requests spread over suspect templates stay its doing.
            var vouches = SharerProfile.Vouches(account.Standing, account.InStepShare > 0);
            var own = NoisyOr(signals[..n], policy.Weights, code => IsOwnDoing(code, clusterIsRange, synchronisedIsRange)
                && !(vouches && IsItsTemplates(code, templateIsSharers, clusterIsTemplate, synchronisedIsTemplate)));
            if (vouches && templateIsSharers)
            {
                own = 1 - ((1 - own) * (1 - Math.Clamp(policy.Weights.PromptTemplateShared * spreadOwn, 0, MaxTerm)));
            }

            var floor = Math.Clamp(policy.Trust.KnownCustomerRangeFactor, 0, 1);
            rangeWeight = floor + ((1 - floor) * Math.Clamp(own / Math.Max(policy.Trust.DormantRangeCorroboration, 1e-9), 0, 1));
            if (rangeLinked * rangeWeight > linkedRisk)
            {
                linkedRisk = rangeLinked * rangeWeight;
                linkedDetail = rangeWeight < 1
                    ? string.Create(CultureInfo.InvariantCulture, $"{rangeLinkedDetail} ({(account.Standing.HasFlag(Standing.Dormant) ? "a dormant account" : "an aged account without history")}: counted at {rangeWeight:P0}, as far as its own signals bear it out)")
                    : rangeLinkedDetail;
            }
        }

        if (linkedRisk > 0)
        {
            signals[n++] = new Signal(ReasonCodes.LinkedRisk, linkedRisk, linkedDetail!);
        }

        // The strongest indicator speaks: several producers naming one range are one fact, not independent evidence.
        double intel = 0;
        string? intelDetail = null;
        var intelIsRange = false;
        foreach (var match in inputs.ThreatIntel)
        {
            var trust = Math.Clamp(policy.Intel.TrustOf(match.Producer), 0, 1);
            var value = Math.Clamp(match.Confidence / 100.0, 0, 1) * trust;
            if (match.NamesRange)
            {
                // A range is shared by nature (homes behind one ISP block, carrier NAT, offices): an
                // indicator naming it counts as the range's own flagged accounts do (propagation's
                // range strength), so it adds to an account's own evidence rather than holding it
                // alone; and it says little about a customer the service has known for weeks.
                value *= Math.Clamp(policy.Propagation.RangeLinkStrength, 0, 1);
                value *= account.Standing.IsKnownCustomer() ? Math.Clamp(policy.Trust.KnownCustomerRangeFactor, 0, 1) : rangeWeight;
            }

            if (value > intel)
            {
                intel = value;
                intelIsRange = match.NamesRange;
                intelDetail = string.Create(CultureInfo.InvariantCulture, $"{match.What}: confidence {match.Confidence}, producer trust {trust:0.##}");
            }
        }

        if (intel > 0)
        {
            signals[n++] = new Signal(ReasonCodes.ThreatIntelMatch, intel, intelDetail!);
        }

        var result = Combine(signals[..n], policy.Weights.WeightOf);
        result = result with
        {
            Evidence = NoisyOr(signals[..n], policy.Weights, static code => code != ReasonCodes.LinkedRisk),
            EvidenceForRanges = NoisyOr(signals[..n], policy.Weights, code => !IsRangesOwn(code, clusterIsRange, synchronisedIsRange, intelIsRange)),
        };
        if (account.Label == Label.Trusted)
        {
            var factor = policy.Propagation.TrustedScoreFactor;
            var scaled = result.Contributions.Select(c => c with { Share = c.Share * factor }).ToList();
            // First, though its share is 0: it is why the score is low, and decisions show only the top reasons.
            scaled.Insert(0, new Contribution(ReasonCodes.LabelTrusted, 1, 0,
                string.Create(CultureInfo.InvariantCulture, $"an operator labelled the account trusted: score cut to {factor:P0}")));
            return new ScoreResult(result.Score * factor, scaled) { Evidence = result.Evidence * factor, EvidenceForRanges = result.EvidenceForRanges * factor };
        }

        return result;
    }

    /// <summary>The noisy-OR score of the signals <paramref name="counts"/> keeps.</summary>
    private static double NoisyOr(ReadOnlySpan<Signal> signals, SignalWeights weights, Func<string, bool> counts)
    {
        var clear = 1.0;
        foreach (var signal in signals)
        {
            if (counts(signal.Code))
            {
                clear *= 1 - Math.Clamp(weights.WeightOf(signal.Code) * Math.Clamp(signal.Value, 0, 1), 0, MaxTerm);
            }
        }

        return 1 - clear;
    }

    /// <summary>
    /// The account's share of traffic in a template whose requests pivoted to a newly released model,
    /// × its suspicion: one developer switching on release day is no cluster, and a popular tool
    /// moving its established users at once is a tool (docs/detection.md, "Release pivot").
    /// </summary>
    private static void ReleasePivotSignal(Span<Signal> signals, ref int n, SignalRamps ramps, ReadOnlySpan<TemplateFacts> templates)
    {
        double best = 0;
        double pivot = 0;
        foreach (var t in templates)
        {
            var weight = Math.Clamp(t.TrafficShare / ramps.TemplateFullTrafficShare, 0, 1);
            var value = ramps.ReleasePivotShare.Apply(t.Pivot) * weight * Math.Clamp(t.Suspicion, 0, 1);
            if (value > best)
            {
                best = value;
                pivot = t.Pivot;
            }
        }

        if (best > 0)
        {
            signals[n++] = new Signal(ReasonCodes.ReleasePivot, best, string.Create(CultureInfo.InvariantCulture,
                $"a shared template's last-hour requests went to a newly released model {pivot:P0} beyond the service's share (a release pivot)"));
        }
    }

    /// <summary>
    /// A signal that is the account's own doing (see the dormant account's range above): not its
    /// range's counts, quota or timing, its standing, age, intel or linked risk.
    /// </summary>
    private static bool IsOwnDoing(string code, bool clusterIsRange, bool synchronisedIsRange) => code switch
    {
        ReasonCodes.NewAccount or ReasonCodes.DormantActivation or ReasonCodes.IpRangeSignupVelocity or ReasonCodes.IpRangeAccounts
            or ReasonCodes.LinkedRisk or ReasonCodes.ThreatIntelMatch => false,
        ReasonCodes.ClusterUsage => !clusterIsRange,
        ReasonCodes.SynchronisedActivity => !synchronisedIsRange,
        _ => true,
    };

    /// <summary>A signal its shared templates' sharers gave it: their suspicion, timing, requests or release pivot.</summary>
    private static bool IsItsTemplates(string code, bool templateIsSharers, bool clusterIsTemplate, bool synchronisedIsTemplate) => code switch
    {
        ReasonCodes.PromptTemplateShared => templateIsSharers,
        ReasonCodes.TemplateSetShared or ReasonCodes.ReleasePivot => true,
        ReasonCodes.ClusterUsage => clusterIsTemplate,
        ReasonCodes.SynchronisedActivity => synchronisedIsTemplate,
        _ => false,
    };

    /// <summary>A signal its ranges gave it (see <see cref="ScoreResult.EvidenceForRanges"/>), or linked risk.</summary>
    private static bool IsRangesOwn(string code, bool clusterIsRange, bool synchronisedIsRange, bool intelIsRange) => code switch
    {
        ReasonCodes.IpRangeSignupVelocity or ReasonCodes.IpRangeAccounts or ReasonCodes.LinkedRisk => true,
        ReasonCodes.ClusterUsage => clusterIsRange,
        ReasonCodes.SynchronisedActivity => synchronisedIsRange,
        ReasonCodes.ThreatIntelMatch => intelIsRange,
        _ => false,
    };

    private static double RangeRisk(in RangeFacts range, bool isNew) => isNew && range.RiskForNew is { } forNew ? forNew : range.Risk;

    private static void Cluster(ref double worst, ref string? detail, long requestsLastHour, long quota, string what)
    {
        if (quota <= 0 || requestsLastHour <= quota)
        {
            return;
        }

        var multiple = requestsLastHour / (double)quota;
        if (multiple > worst)
        {
            worst = multiple;
            detail = $"{what} carried {requestsLastHour} requests in the last hour, over its quota of {quota}";
        }
    }

    private static void Synchronised(ref double worst, ref string? detail, SignalRamps ramps, long activations, long accounts, string what, double share = 1)
    {
        if (activations <= 0 || accounts <= 0)
        {
            return;
        }

        var value = ramps.SynchronisedActivations.Apply(activations) * ramps.SynchronisedShare.Apply(activations / (double)accounts) * share;
        if (value > worst)
        {
            worst = value;
            detail = $"{activations} accounts of {what} became active within the same five minutes";
        }
    }

    /// <summary>
    /// What a card's chargebacks or declines say of the account: the card's count, or, for a card that is the
    /// account's organisation's alone, the count spread over the members it pays for (0005, "One owner").
    /// </summary>
    private static string PaymentDetail(InstrumentFacts card, long count, string what) =>
        card.OwnOrganisation && card.DistinctAccounts > 1
            ? string.Create(CultureInfo.InvariantCulture, $"{count} {what} on its organisation's payment instrument, which pays for {card.DistinctAccounts} members (read as {(double)count / card.DistinctAccounts:0.##})")
            : string.Create(CultureInfo.InvariantCulture, $"{count} {what} on a linked payment instrument");

    private static void Linked(ref double worst, ref string? detail, double risk, Label label, string what, double decay)
    {
        // An entity reports its own risk; it loses one hop's decay on its way to the account.
        // A trusted entity passes on nothing.
        risk = Math.Clamp(risk, 0, 1) * decay;
        if (label == Label.Trusted || risk <= worst)
        {
            return;
        }

        worst = risk;
        detail = label == Label.Fraud
            ? $"{what} is labelled fraud"
            : string.Create(CultureInfo.InvariantCulture, $"{what} carries risk {risk:0.00} from its other accounts");
    }

    private static string FormatAge(TimeSpan age) =>
        age.TotalDays >= 1 ? Quantity(age.TotalDays, "0.#", "day")
        : age.TotalHours >= 1 ? Quantity(age.TotalHours, "0.#", "hour")
        : Quantity(Math.Max(age.TotalMinutes, 0), "0", "minute");

    /// <summary>"1 minute", "0 minutes", "3.5 days".</summary>
    private static string Quantity(double value, string format, string unit)
    {
        var text = value.ToString(format, CultureInfo.InvariantCulture);
        return text == "1" ? $"1 {unit}" : $"{text} {unit}s";
    }
}

[System.Runtime.CompilerServices.InlineArray(24)]
internal struct SignalBuffer
{
    private Signal _element;
}
