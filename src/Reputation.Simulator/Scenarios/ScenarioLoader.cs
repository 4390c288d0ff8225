using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Reputation.Simulator.Generation;

namespace Reputation.Simulator.Scenarios;

/// <summary>A scenario file that cannot be used; the message names the file and every wrong field.</summary>
internal sealed class ScenarioException : Exception
{
    public ScenarioException()
    {
    }

    public ScenarioException(string message)
        : base(message)
    {
    }

    public ScenarioException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ScenarioException(string source, IReadOnlyList<string> errors)
        : base($"{source}: invalid scenario:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors))
    {
        Errors = errors;
    }

    /// <summary>Each error as <c>field.path: what is wrong</c>.</summary>
    public IReadOnlyList<string> Errors { get; } = [];
}

/// <summary>Reads a scenario (System.Text.Json, camelCase) and validates it, naming the field that is wrong.</summary>
internal static partial class ScenarioLoader
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>IPv4 /24s in 198.18.0.0/15, the benchmark range every IPv4 address comes from.</summary>
    public const int AvailableIpv4Ranges = 512;

    public static Scenario LoadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ScenarioException($"{path}: cannot read the scenario file: {ex.Message}", ex);
        }

        return Parse(text, path);
    }

    public static Scenario Parse(string json, string source = "scenario")
    {
        Scenario? scenario;
        try
        {
            scenario = JsonSerializer.Deserialize<Scenario>(json, Json);
        }
        catch (JsonException ex)
        {
            throw new ScenarioException(source, [$"{FieldOf(ex.Path)}: {Describe(ex)}"]);
        }

        if (scenario is null)
        {
            throw new ScenarioException(source, ["(root): the scenario must be a JSON object"]);
        }

        var errors = Validate(scenario);
        if (errors.Count > 0)
        {
            throw new ScenarioException(source, errors);
        }

        return scenario;
    }

    public static IReadOnlyList<string> Validate(Scenario s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var v = new Validator();
        v.NotBlank("name", s.Name);
        v.Range("durationMinutes", s.DurationMinutes, 1, 24 * 60);
        v.Range("stepSeconds", s.StepSeconds, 1, 3600);
        if (s.StepSeconds > 0 && s.DurationMinutes > 0 && s.DurationMinutes * 60 % s.StepSeconds != 0)
        {
            v.Add("stepSeconds", $"must divide durationMinutes × 60 ({s.DurationMinutes * 60:0.###} s) evenly");
        }

        v.Range("modelRelease.atMinute", s.ModelRelease.AtMinute, 0, s.DurationMinutes);
        v.Model("modelRelease.previousModel", s.ModelRelease.PreviousModel);
        v.Model("modelRelease.newModel", s.ModelRelease.NewModel);
        v.Share("modelRelease.legitimateAdoptionShare", s.ModelRelease.LegitimateAdoptionShare);

        ValidateLegitimate(v, s.Legitimate, s.DurationMinutes);

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < s.Campaigns.Count; i++)
        {
            var c = s.Campaigns[i];
            var p = $"campaigns[{i}]";
            if (c is null)
            {
                v.Add(p, "must be an object");
                continue;
            }

            ValidateCampaign(v, c, p, s.DurationMinutes);
            if (c.Proxy.ResidentialRanges > s.Legitimate.Network.ResidentialRanges)
            {
                v.Add($"{p}.proxy.residentialRanges", $"must not exceed legitimate.network.residentialRanges ({s.Legitimate.Network.ResidentialRanges}): the exits are in the ordinary users' ranges");
            }

            if (!string.IsNullOrWhiteSpace(c.Name) && !names.Add(c.Name))
            {
                v.Add($"{p}.name", $"'{c.Name}' is used by an earlier campaign");
            }
        }

        var m = s.Measurement;
        v.Share("measurement.decisionSampleShare", m.DecisionSampleShare);
        v.Range("measurement.maxDecisionSamplePerStep", m.MaxDecisionSamplePerStep, 1, 100_000);
        v.Range("measurement.detectionSample", m.DetectionSample, 1, 1_000_000);
        if (m.DetectionThreshold is <= 0 or > 1 || double.IsNaN(m.DetectionThreshold))
        {
            v.Add("measurement.detectionThreshold", "must be in (0, 1]");
        }

        v.Share("measurement.signupDecisionShare", m.SignupDecisionShare);
        ValidateSeeds(v, s);
        if (s.Intel is { } intel)
        {
            ValidateIntel(v, intel, s);
        }

        var demand = s.Legitimate.Network.ResidentialRanges + s.Legitimate.Network.CarrierNat.Ranges + s.Legitimate.Network.Offices.Ranges
            + s.Campaigns.Where(c => c is not null).Sum(c => c.Proxy.Ipv4Ranges)
            + AddressPlan.DedicatedRanges(s.Legitimate);
        if (demand > AvailableIpv4Ranges)
        {
            v.Add("legitimate.network / campaigns[].proxy.ipv4Ranges",
                $"ask for {demand} IPv4 /24s in total, but 198.18.0.0/15 holds only {AvailableIpv4Ranges}");
        }

        if (s.Legitimate.Accounts + s.Campaigns.Where(c => c is not null).Sum(c => (long)c.Accounts) == 0)
        {
            v.Add("legitimate.accounts", "there must be at least one account (legitimate or in a campaign)");
        }

        return v.Errors;
    }

    private static void ValidateLegitimate(Validator v, LegitimatePopulation l, double duration)
    {
        v.Range("legitimate.accounts", l.Accounts, 0, 1_000_000);
        v.Share("legitimate.newSignupShare", l.NewSignupShare);
        v.Range("legitimate.existingAccountAgeDays.min", l.ExistingAccountAgeDays.Min, 0, 36500);
        v.Range("legitimate.existingAccountAgeDays.max", l.ExistingAccountAgeDays.Max, l.ExistingAccountAgeDays.Min, 36500);
        if (l.ExistingAccountAgeDays.Min * 24 * 60 < duration && l.NewSignupShare < 1 && l.Accounts > 0)
        {
            v.Add("legitimate.existingAccountAgeDays.min", "must be older than the simulated window (accounts that signed up earlier)");
        }

        v.Share("legitimate.withCardShare", l.WithCardShare);
        v.Countries("legitimate.countries", l.Countries);

        var n = l.Network;
        v.Range("legitimate.network.residentialRanges", n.ResidentialRanges, 0, AvailableIpv4Ranges);
        v.Share("legitimate.network.ipv6Share", n.Ipv6Share);
        v.Range("legitimate.network.carrierNat.ranges", n.CarrierNat.Ranges, 0, AvailableIpv4Ranges);
        v.Share("legitimate.network.carrierNat.share", n.CarrierNat.Share);
        v.Range("legitimate.network.offices.ranges", n.Offices.Ranges, 0, AvailableIpv4Ranges);
        v.Share("legitimate.network.offices.share", n.Offices.Share);
        v.Share("legitimate.network.mobileSessionShare", n.MobileSessionShare);
        var residentialShare = 1 - n.Ipv6Share - n.CarrierNat.Share - n.Offices.Share;
        if (residentialShare < -1e-9)
        {
            v.Add("legitimate.network", "ipv6Share + carrierNat.share + offices.share must not exceed 1 (the rest is residential IPv4)");
        }

        if (residentialShare > 1e-9 && n.ResidentialRanges == 0 && l.Accounts > 0)
        {
            v.Add("legitimate.network.residentialRanges", "must be at least 1 while residential IPv4 users remain (1 − ipv6Share − carrierNat.share − offices.share > 0)");
        }

        if (n.CarrierNat.Share > 0 && n.CarrierNat.Ranges == 0)
        {
            v.Add("legitimate.network.carrierNat.ranges", "must be at least 1 when carrierNat.share > 0");
        }

        if (n.MobileSessionShare > 0 && n.CarrierNat.Ranges == 0)
        {
            v.Add("legitimate.network.carrierNat.ranges", "must be at least 1 when mobileSessionShare > 0");
        }

        if (n.Offices.Share > 0 && n.Offices.Ranges == 0)
        {
            v.Add("legitimate.network.offices.ranges", "must be at least 1 when offices.share > 0");
        }

        var a = l.Activity;
        v.Range("legitimate.activity.meanSessionMinutes", a.MeanSessionMinutes, 0.5, 24 * 60);
        v.Range("legitimate.activity.meanIdleMinutes", a.MeanIdleMinutes, 0.5, 30 * 24 * 60);
        v.Range("legitimate.activity.requestsPerActiveHour.min", a.RequestsPerActiveHour.Min, 0.1, 3600);
        v.Range("legitimate.activity.requestsPerActiveHour.max", a.RequestsPerActiveHour.Max, a.RequestsPerActiveHour.Min, 3600);
        v.Share("legitimate.activity.reasoningShare", a.ReasoningShare);
        ValidatePayments(v, l.Payments, "legitimate.payments");
        ValidateHonestPopulations(v, l, duration);
    }

    private static void ValidateSeeds(Validator v, Scenario s)
    {
        if (s.TuningSeeds.Count == 0 && s.ReportSeeds.Count == 0)
        {
            return;
        }

        if (s.ReportSeeds.Count == 0)
        {
            v.Add("reportSeeds", "must hold at least one seed when tuningSeeds are given");
        }

        if (s.TuningSeeds.Count == 0)
        {
            v.Add("tuningSeeds", "must hold at least one seed when reportSeeds are given");
        }

        if (s.ReportSeeds.Distinct().Count() != s.ReportSeeds.Count)
        {
            v.Add("reportSeeds", "must not repeat a seed");
        }

        if (s.TuningSeeds.Distinct().Count() != s.TuningSeeds.Count)
        {
            v.Add("tuningSeeds", "must not repeat a seed");
        }

        var shared = s.ReportSeeds.Intersect(s.TuningSeeds).ToList();
        if (shared.Count > 0)
        {
            v.Add("reportSeeds", $"must be disjoint from tuningSeeds (both hold {string.Join(", ", shared)}): figures are reported on seeds the policy was never tuned on");
        }

        if (s.ReportSeeds.Contains(s.Seed))
        {
            v.Add("seed", $"the default seed {s.Seed} is a report seed; make it a tuning seed (runs without --seed are for looking, not reporting)");
        }
    }

    private static void ValidateHonestPopulations(Validator v, LegitimatePopulation l, double duration)
    {
        if (l.Emails is { } emails)
        {
            ValidateEmails(v, emails, "legitimate.emails");
        }

        if (l.History is { } h)
        {
            v.Range("legitimate.history.days", h.Days, 1, 365);
            v.Share("legitimate.history.activeDayShare.min", h.ActiveDayShare.Min);
            v.Range("legitimate.history.activeDayShare.max", h.ActiveDayShare.Max, h.ActiveDayShare.Min, 1);
            v.Range("legitimate.history.usualPrompts", h.UsualPrompts, 1, 64);
            v.Range("legitimate.history.renewalMonths", h.RenewalMonths, 0, 36);
        }

        if (l.Returning is { } r)
        {
            v.Share("legitimate.returning.share", r.Share);
            v.Range("legitimate.returning.dormantDays.min", r.DormantDays.Min, 1, 36500);
            v.Range("legitimate.returning.dormantDays.max", r.DormantDays.Max, r.DormantDays.Min, 36500);
            v.Range("legitimate.returning.returnWithinMinutes", r.ReturnWithinMinutes, 0.5, duration);
            v.Share("legitimate.returning.neverUsedShare", r.NeverUsedShare);
            if (r.DormantDays.Min < l.ExistingAccountAgeDays.Min)
            {
                // A returning account must have existed before it went quiet; its age is redrawn above the dormancy if needed.
                v.Add("legitimate.returning.dormantDays.min", "must be at least legitimate.existingAccountAgeDays.min");
            }
        }

        if (l.PopularTool is { } tool)
        {
            v.Share("legitimate.popularTool.share", tool.Share);
            v.Share("legitimate.popularTool.requestShare", tool.RequestShare);
            v.Range("legitimate.popularTool.versionShares (count)", tool.VersionShares.Count, 1, ToolPrompts.Versions);
            if (tool.NewModelShare is { } newModel)
            {
                v.Share("legitimate.popularTool.newModelShare", newModel);
            }

            if (tool.VersionShares.Any(x => x < 0 || double.IsNaN(x)) || Math.Abs(tool.VersionShares.Sum() - 1) > 1e-6)
            {
                v.Add("legitimate.popularTool.versionShares", "must be shares (0..1) that add up to 1");
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        void Named(string field, string name)
        {
            v.NotBlank(field, name);
            if (!string.IsNullOrEmpty(name) && !IdPart().IsMatch(name))
            {
                v.Add(field, "may hold only letters, digits, '-' and '_' (at most 32)");
            }
            else if (!string.IsNullOrEmpty(name) && !names.Add(name))
            {
                v.Add(field, $"'{name}' is used by another team, class or carrier range");
            }
        }

        for (var i = 0; i < l.Teams.Count; i++)
        {
            var t = l.Teams[i];
            var p = $"legitimate.teams[{i}]";
            Named($"{p}.name", t.Name);
            Joining(v, p, t.Accounts, t.SignupMinute, t.SignupSpreadMinutes, duration);
            Domain(v, $"{p}.emailDomain", t.EmailDomain);
            v.Share($"{p}.popularToolShare", t.PopularToolShare);
            if (t.PopularToolShare > 0 && l.PopularTool is null)
            {
                v.Add($"{p}.popularToolShare", "needs legitimate.popularTool");
            }
        }

        for (var i = 0; i < l.Classes.Count; i++)
        {
            var c = l.Classes[i];
            var p = $"legitimate.classes[{i}]";
            Named($"{p}.name", c.Name);
            Joining(v, p, c.Accounts, c.SignupMinute, c.SignupSpreadMinutes, duration);
            v.Range($"{p}.classStartMinute", c.ClassStartMinute, c.SignupMinute + c.SignupSpreadMinutes, duration);
            v.Range($"{p}.classMinutes", c.ClassMinutes, 1, duration - c.ClassStartMinute);
            Domain(v, $"{p}.schoolDomain", c.SchoolDomain);
            v.Share($"{p}.freeMailShare", c.FreeMailShare);
            v.Range($"{p}.requestsPerClassHour.min", c.RequestsPerClassHour.Min, 0.1, 3600);
            v.Range($"{p}.requestsPerClassHour.max", c.RequestsPerClassHour.Max, c.RequestsPerClassHour.Min, 3600);
            v.Share($"{p}.assignmentShare", c.AssignmentShare);
            if (c.Assignment.Count == 0)
            {
                v.Add($"{p}.assignment", "must hold at least one template");
            }

            ValidateTemplates(v, [.. c.Assignment.Select(TemplateVariants.FromString)], c.AssignmentSlots, $"{p}.assignment", $"{p}.assignmentSlots");
        }

        if (l.Resellers is { } resellers)
        {
            v.Range("legitimate.resellers.cards", resellers.Cards, 0, 10_000);
            v.Range("legitimate.resellers.accountsPerCard.min", resellers.AccountsPerCard.Min, 1, 1000);
            v.Range("legitimate.resellers.accountsPerCard.max", resellers.AccountsPerCard.Max, resellers.AccountsPerCard.Min, 1000);
        }

        for (var i = 0; i < l.LabelledCarrierNats.Count; i++)
        {
            var n = l.LabelledCarrierNats[i];
            var p = $"legitimate.labelledCarrierNats[{i}]";
            Named($"{p}.name", n.Name);
            v.Range($"{p}.accounts", n.Accounts, 2, 10_000);
            v.Range($"{p}.labelAtMinute", n.LabelAtMinute, 0, duration);
        }
    }

    /// <summary>A group that signs up together during the window: its size and signup span.</summary>
    private static void Joining(Validator v, string p, int accounts, double signupMinute, double spreadMinutes, double duration)
    {
        v.Range($"{p}.accounts", accounts, 1, 10_000);
        v.Range($"{p}.signupMinute", signupMinute, 0, duration);
        v.Range($"{p}.signupSpreadMinutes", spreadMinutes, 0, duration - signupMinute);
    }

    private static void ValidateEmails(Validator v, EmailAddresses e, string p)
    {
        v.Share($"{p}.freeMailShare", e.FreeMailShare);
        v.Share($"{p}.disposableShare", e.DisposableShare);
        if (e.FreeMailShare + e.DisposableShare > 1 + 1e-9)
        {
            v.Add(p, "freeMailShare + disposableShare must not exceed 1 (the rest use work domains)");
        }

        v.Range($"{p}.accountsPerWorkDomain", e.AccountsPerWorkDomain, 1, 1_000_000);
    }

    private static void Domain(Validator v, string field, string domain)
    {
        if (!DomainPattern().IsMatch(domain))
        {
            v.Add(field, "must be a mail domain such as \"northwind.example\"");
        }
    }

    private static void ValidateIntel(Validator v, PartnerIntel intel, Scenario s)
    {
        v.Range("intel.atMinute", intel.AtMinute, 0, s.DurationMinutes);
        var campaign = s.Campaigns.FirstOrDefault(c => c is not null && c.Name == intel.Campaign);
        if (campaign is null)
        {
            v.Add("intel.campaign", $"'{intel.Campaign}' is not the name of a campaign of this scenario");
        }

        v.NotBlank("intel.producerName", intel.ProducerName);
        v.Share("intel.templateShare", intel.TemplateShare);
        v.Range("intel.fingerprintsPerTemplate", intel.FingerprintsPerTemplate, 1, 16);
        v.Range("intel.confidence", intel.Confidence, 0, 100);
        if (intel.ProducerTrust is { } trust)
        {
            v.Share("intel.producerTrust", trust);
        }

        if (campaign is not null && intel.TemplateShare == 0 && (!intel.ProxyRanges || campaign.Proxy.Ipv4Ranges + campaign.Proxy.Ipv6Ranges + campaign.Proxy.ResidentialRanges == 0))
        {
            v.Add("intel", "names nothing: give templateShare > 0 or proxyRanges");
        }
    }

    private static void ValidateCampaign(Validator v, Campaign c, string p, double duration)
    {
        v.NotBlank($"{p}.name", c.Name);
        if (!string.IsNullOrEmpty(c.Name) && !IdPart().IsMatch(c.Name))
        {
            v.Add($"{p}.name", "may hold only letters, digits, '-' and '_' (at most 32)");
        }

        v.Range($"{p}.accounts", c.Accounts, 1, 1_000_000);
        v.Range($"{p}.signup.startMinute", c.Signup.StartMinute, 0, duration);
        v.Range($"{p}.signup.spreadMinutes", c.Signup.SpreadMinutes, 0, duration);
        if (c.Signup.StartMinute + c.Signup.SpreadMinutes > duration)
        {
            v.Add($"{p}.signup", $"startMinute + spreadMinutes ({c.Signup.StartMinute + c.Signup.SpreadMinutes:0.###}) must not pass durationMinutes ({duration:0.###})");
        }

        if (c.Signup.AgedDays is { } aged)
        {
            v.Range($"{p}.signup.agedDays.min", aged.Min, 1, 3650);
            v.Range($"{p}.signup.agedDays.max", aged.Max, aged.Min, 3650);
        }

        v.Range($"{p}.proxy.ipv4Ranges", c.Proxy.Ipv4Ranges, 0, AvailableIpv4Ranges);
        v.Range($"{p}.proxy.ipv6Ranges", c.Proxy.Ipv6Ranges, 0, 100_000);
        v.Range($"{p}.proxy.residentialRanges", c.Proxy.ResidentialRanges, 0, AvailableIpv4Ranges);
        if (c.Proxy.Ipv4Ranges + c.Proxy.Ipv6Ranges + c.Proxy.ResidentialRanges == 0)
        {
            v.Add($"{p}.proxy", "needs at least one range (ipv4Ranges, ipv6Ranges or residentialRanges)");
        }

        if (c.Emails is { } emails)
        {
            ValidateEmails(v, emails, $"{p}.emails");
        }

        if (c.Schedule is { } schedule)
        {
            v.Range($"{p}.schedule.startMinute", schedule.StartMinute, 0, duration);
            v.Range($"{p}.schedule.stopMinute", schedule.StopMinute, schedule.StartMinute, duration);
            v.Range($"{p}.schedule.onMinutes", schedule.OnMinutes, 1, 24 * 60);
            v.Range($"{p}.schedule.offMinutes", schedule.OffMinutes, 0, 24 * 60);
            v.Range($"{p}.schedule.jitterSeconds", schedule.JitterSeconds, 0, schedule.OnMinutes * 60 / 2);
        }

        if (c.Pivot is { } pivot)
        {
            v.Share($"{p}.pivot.share", pivot.Share);
            v.Range($"{p}.pivot.minutes", pivot.Minutes, 0, 24 * 60);
        }

        v.Range($"{p}.cards.accountsPerCard", c.Cards.AccountsPerCard, 0, 1_000_000);
        v.Share($"{p}.cards.ownCardShare", c.Cards.OwnCardShare);
        if (c.Cards.OrganizationPerCard && c.Cards.AccountsPerCard == 0)
        {
            v.Add($"{p}.cards.organizationPerCard", "needs shared cards (accountsPerCard above 0): the organisation is the accounts of one card");
        }

        v.Countries($"{p}.countries", c.Countries);

        var prompts = c.Prompts;
        v.Share($"{p}.prompts.reasoningShare", prompts.ReasoningShare);
        v.Share($"{p}.prompts.ordinaryShare", prompts.OrdinaryShare);
        if (prompts.ReasoningShare < 1 && prompts.OrdinaryShare < 1 && prompts.Templates.Count == 0)
        {
            v.Add($"{p}.prompts.templates", "must hold at least one template unless reasoningShare or ordinaryShare is 1");
        }

        if (prompts.ReasoningShare > 0 && prompts.OrdinaryShare < 1 && prompts.ReasoningTemplates.Count == 0)
        {
            v.Add($"{p}.prompts.reasoningTemplates", "must hold at least one template when reasoningShare > 0");
        }

        ValidateTemplates(v, prompts.Templates, prompts.Slots, $"{p}.prompts.templates", $"{p}.prompts.slots");
        ValidateTemplates(v, prompts.ReasoningTemplates, prompts.Slots, $"{p}.prompts.reasoningTemplates", null);
        if (prompts.Blend is { } blend)
        {
            v.Share($"{p}.prompts.blend.accountShare", blend.AccountShare);
            v.Share($"{p}.prompts.blend.reasoningShare", blend.ReasoningShare);
        }

        v.Range($"{p}.requestsPerHour", c.RequestsPerHour, 0.01, 36_000);
        v.Range($"{p}.perAccountLimitPerMinute", c.PerAccountLimitPerMinute, 0.01, 1_000_000);
        v.Share($"{p}.ramp.activeShareBeforeRelease", c.Ramp.ActiveShareBeforeRelease);
        v.Range($"{p}.ramp.rampMinutes", c.Ramp.RampMinutes, 0, 24 * 60);
        v.Range($"{p}.ramp.rateMultiplier", c.Ramp.RateMultiplier, 0.01, 1000);
        var peakPerMinute = c.RequestsPerHour * Math.Max(1, c.Ramp.RateMultiplier) / 60;
        if (peakPerMinute > c.PerAccountLimitPerMinute)
        {
            v.Add($"{p}.requestsPerHour",
                string.Create(CultureInfo.InvariantCulture,
                    $"{c.RequestsPerHour:0.##} an hour at the peak ramp.rateMultiplier ({Math.Max(1, c.Ramp.RateMultiplier):0.##}) is {peakPerMinute:0.##} requests per minute per account, over perAccountLimitPerMinute ({c.PerAccountLimitPerMinute:0.##}); a campaign keeps every account under the limit"));
        }

        ValidatePayments(v, c.Payments, $"{p}.payments");
    }

    private static void ValidateTemplates(
        Validator v, IReadOnlyList<TemplateVariants> list, IReadOnlyDictionary<string, IReadOnlyList<string>> slots, string field, string? slotsField)
    {
        for (var i = 0; i < list.Count; i++)
        {
            var variants = list[i]?.Variants ?? [];
            if (variants.Count == 0)
            {
                v.Add($"{field}[{i}]", "must hold a template or at least one paraphrase");
            }

            for (var j = 0; j < variants.Count; j++)
            {
                var at = variants.Count == 1 ? $"{field}[{i}]" : $"{field}[{i}][{j}]";
                if (string.IsNullOrWhiteSpace(variants[j]))
                {
                    v.Add(at, "must not be empty");
                    continue;
                }

                foreach (var slot in PromptTemplate.SlotsOf(variants[j]))
                {
                    if (!slots.TryGetValue(slot, out var values) || values.Count == 0)
                    {
                        v.Add(at, $"uses slot '{{{slot}}}', which {slotsField ?? field.Replace("reasoningTemplates", "slots", StringComparison.Ordinal)} does not fill");
                    }
                }

                if (!PromptTemplate.IsWellFormed(variants[j]))
                {
                    v.Add(at, "has an unbalanced '{' or '}'");
                }
            }
        }

        if (slotsField is null)
        {
            return;
        }

        foreach (var (slot, values) in slots)
        {
            if (values.Count == 0 || values.Any(string.IsNullOrWhiteSpace))
            {
                v.Add($"{slotsField}.{slot}", "must hold at least one value, none of them empty");
            }
        }
    }

    private static void ValidatePayments(Validator v, PaymentBehaviour pay, string p)
    {
        v.Range($"{p}.chargesPerAccountPerHour", pay.ChargesPerAccountPerHour, 0, 3600);
        v.Share($"{p}.declineShare", pay.DeclineShare);
        v.Share($"{p}.chargebackShare", pay.ChargebackShare);
        if (pay.DeclineShare + pay.ChargebackShare > 1 + 1e-9)
        {
            v.Add(p, "declineShare + chargebackShare must not exceed 1");
        }

        v.Range($"{p}.amountMinor", pay.AmountMinor, 0, long.MaxValue);
        if (pay.Currency is not { Length: 3 } || !pay.Currency.All(char.IsAsciiLetterUpper))
        {
            v.Add($"{p}.currency", "must be an ISO 4217 code such as \"USD\"");
        }
    }

    private static string FieldOf(string? jsonPath) =>
        string.IsNullOrEmpty(jsonPath) || jsonPath == "$" ? "(root)" : jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');

    private static string Describe(JsonException ex)
    {
        // System.Text.Json appends "Path: ... | LineNumber: ..." to its messages; the field is already named.
        var message = ex.Message;
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut > 0)
        {
            message = message[..cut];
        }

        return ex.LineNumber is { } line ? $"{message} (line {line + 1})" : message;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,32}$")]
    private static partial Regex IdPart();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$")]
    private static partial Regex DomainPattern();

    private sealed class Validator
    {
        public List<string> Errors { get; } = [];

        public void Add(string field, string message) => Errors.Add($"{field}: {message}");

        public void NotBlank(string field, string? value)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                Add(field, "is required");
            }
        }

        public void Range(string field, double value, double min, double max)
        {
            if (double.IsNaN(value) || value < min || value > max)
            {
                Add(field, string.Create(CultureInfo.InvariantCulture, $"must be between {min:0.###} and {max:0.###} (got {value:0.###})"));
            }
        }

        public void Share(string field, double value) => Range(field, value, 0, 1);

        public void Model(string field, string? value)
        {
            if (string.IsNullOrWhiteSpace(value) || value.Length > 64)
            {
                Add(field, "is required (at most 64 characters)");
            }
        }

        public void Countries(string field, IReadOnlyList<string> values)
        {
            if (values.Count == 0)
            {
                Add(field, "must hold at least one ISO 3166-1 alpha-2 code");
                return;
            }

            for (var i = 0; i < values.Count; i++)
            {
                if (values[i] is not { Length: 2 } code || !code.All(char.IsAsciiLetterUpper))
                {
                    Add($"{field}[{i}]", "must be an ISO 3166-1 alpha-2 code such as \"DE\"");
                }
            }
        }
    }
}
