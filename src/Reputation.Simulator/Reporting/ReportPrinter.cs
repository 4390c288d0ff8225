using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Reputation.Simulator.Reporting;

/// <summary>The final table, and the report as JSON.</summary>
internal static class ReportPrinter
{
    private static readonly CultureInfo _invariant = CultureInfo.InvariantCulture;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string ToJson(SimulationReport report) => JsonSerializer.Serialize(report, Json);

    public static string Format(SimulationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var b = new StringBuilder();
        var e = report.Events;
        var d = report.Decisions;
        var x = report.Detection;
        b.AppendLine(_invariant, $"Scenario {report.Scenario} (seed {report.Seed}, run {report.RunId}) against {report.ServiceUrl}");
        b.AppendLine(_invariant, $"  {report.SimulatedMinutes:0.#} simulated minutes ({report.WindowStart:u} .. {report.WindowEnd:u}) in {report.Steps} steps, {report.WallSeconds:0.0} s wall clock");
        b.AppendLine();
        Row(b, "Accounts", $"legitimate {report.Accounts.Legitimate:N0} ({report.Accounts.LegitimateSignedUpInWindow:N0} signed up in the window), campaign {report.Accounts.Campaign:N0}");
        foreach (var c in report.Accounts.ByCampaign)
        {
            Row(b, $"  {c.Name}", $"{c.Accounts:N0} accounts, {(c.SharedCards > 0 ? $"{c.SharedCards:N0} shared cards" : "no shared cards")}, {c.ProxyRanges:N0} proxy ranges");
        }

        Row(b, "Events", $"sent {e.Sent:N0}: accepted {e.Accepted:N0}, duplicates {e.Duplicates:N0}, rejected {e.Rejected:N0} ({e.Batches:N0} batches)");
        Row(b, "  by type", $"signup {e.Signups:N0}, usage {e.Usage:N0}, payment {e.Payments:N0}");
        Row(b, "  requests", $"legitimate {e.LegitimateRequests:N0}, campaign {e.CampaignRequests:N0}");
        Row(b, "Decisions", $"request {d.Request:N0} (sampled {d.SampledDuringRun:N0}, detection checks {d.DetectionChecks:N0}, final {d.Final:N0}), signup {d.Signup:N0}, fallbacks {d.Fallbacks:N0}");
        Row(b, "Throughput", $"{report.Throughput.EventsPerSecond:N0} events/s ({report.Throughput.IngestSeconds:0.0} s sending), {report.Throughput.DecisionsPerSecond:N0} decisions/s ({report.Throughput.DecisionSeconds:0.0} s asking)");
        b.AppendLine();

        Row(b, "Metric", "Value");
        Row(b, new string('-', 44), new string('-', 40));
        var campaignHeld = x.ByCampaign.Sum(c => c.Held);
        Row(b, "Campaign recall (held at the end)", $"{Percent(x.CampaignRecall)}  ({campaignHeld:N0} / {report.Accounts.Campaign:N0})");
        foreach (var c in x.ByCampaign)
        {
            Row(b, $"  {c.Name}", $"{Percent(c.Recall)}  ({c.Held:N0} / {c.Accounts:N0})");
        }

        Row(b, "Campaign requests answered allow", Percent(x.CampaignRequestsAllowedShare));
        var served = x.CampaignTraffic;
        Row(b, "Campaign traffic served", $"full {Percent(served.Full)}, degraded {Percent(served.Degraded)}, throttled {Percent(served.Throttled)}, blocked {Percent(served.Blocked)}");
        foreach (var c in x.CampaignOverTime.GroupBy(c => c.Campaign))
        {
            // Only the slices with any of the campaign's requests: when it was served.
            Row(b, $"  {c.Key}, allowed by {CampaignSlice.Minutes} minutes", string.Join(", ",
                c.Where(s => s.Requests > 0).Select(s => $"{s.FromMinute}-{s.ToMinute}: {Percent(s.Allowed)} of {s.Requests:N0}")));
        }

        Row(b, "Legitimate requests answered allow", Percent(x.LegitimateRequestsAllowedShare));
        var legitimateHeld = x.FinalDecisionsLegitimate.Where(p => p.Key != "allow").Sum(p => p.Value);
        Row(b, "False-positive rate (legit held at end)", $"{Percent(x.FalsePositiveRate)}  ({legitimateHeld:N0} / {report.Accounts.Legitimate:N0})");
        foreach (var g in x.FalsePositivesByGroup)
        {
            Row(b, $"  {g.Group}", $"{Percent(g.Rate)}  ({g.Held:N0} / {g.Accounts:N0})");
        }

        Row(b, "Legit accounts held in a sample, ever", $"{x.LegitimateHeldDuringRun:N0}");
        var t = x.TimeToDetection;
        Row(b, $"Time to detection ({t.Threshold:P0} held)", t.Status switch
        {
            TimeToDetection.ReachedStatus => $"{t.EventsSent:N0} events (step {t.Step}, simulated minute {t.SimulatedMinute:0.#}, {t.ElapsedSeconds:0.0} s)",
            TimeToDetection.NeverStatus => $"never (peak {t.PeakHeldShare:P1} over {t.Checks:N0} checks)",
            _ => t.Status,
        });
        Row(b, "Final decisions, campaign", Counts(x.FinalDecisionsCampaign));
        Row(b, "Final decisions, legitimate", Counts(x.FinalDecisionsLegitimate));
        Row(b, "Signup decisions, campaign", Counts(d.SignupDecisionsCampaign));
        Row(b, "Signup decisions, legitimate", Counts(d.SignupDecisionsLegitimate));
        Row(b, "Top reason, held campaign accounts", x.TopReasonsCampaignHeld.Count == 0 ? "-" : Counts(x.TopReasonsCampaignHeld));
        Row(b, "Top reason, held legitimate accounts", x.TopReasonsLegitimateHeld.Count == 0 ? "-" : Counts(x.TopReasonsLegitimateHeld));

        if (report.Populations.Count > 1)
        {
            b.AppendLine();
            Row(b, "Population (final decisions)", "held / accounts; top reasons of the held");
            Row(b, new string('-', 44), new string('-', 40));
            foreach (var p in report.Populations)
            {
                Row(b, $"  {p.Name}", $"{Percent(p.HeldShare)} held  ({p.Held:N0} / {p.Accounts:N0}){(p.TopReasons.Count == 0 ? "" : "; " + Counts(p.TopReasons))}");
            }
        }

        foreach (var c in report.Checkpoints)
        {
            b.AppendLine();
            Row(b, $"Checkpoint: {c.Name} (minute {c.SimulatedMinute:0.#})", $"campaign recall {Percent(c.CampaignRecall)}, ordinary held {Percent(c.OrdinaryHeld)}");
            foreach (var p in c.Populations.Where(p => p.Name != "ordinary"))
            {
                Row(b, $"  {p.Name}", $"{Percent(p.HeldShare)} held  ({p.Held:N0} / {p.Accounts:N0})");
            }
        }

        if (report.Operations.Count > 0)
        {
            b.AppendLine();
            foreach (var o in report.Operations)
            {
                Row(b, $"Operator at minute {o.SimulatedMinute:0.#}: {o.Kind}", $"{(o.Succeeded ? "" : "NOT ALL TAKEN: ")}{o.Target}: {o.Detail}");
            }
        }

        if (e.Rejected > 0)
        {
            b.AppendLine();
            b.AppendLine(_invariant, $"REJECTED EVENTS: {e.Rejected:N0} (there should be none). First ones:");
            foreach (var r in e.RejectedSamples)
            {
                b.AppendLine(_invariant, $"  {r.Id ?? "(no id)"}: {r.Error}");
            }
        }

        if (report.Caveats.Count > 0)
        {
            b.AppendLine();
            b.AppendLine("Notes:");
            foreach (var caveat in report.Caveats)
            {
                b.AppendLine(_invariant, $"  - {caveat}");
            }
        }

        return b.ToString();
    }

    public static string Percent(double? share) =>
        share is { } s ? s.ToString("0.0 %", _invariant) : "n/a";

    private static string Counts(IReadOnlyDictionary<string, long> counts) =>
        string.Join(", ", counts.Select(p => string.Create(_invariant, $"{p.Key} {p.Value:N0}")));

    private static void Row(StringBuilder b, string label, string value) =>
        b.Append(label.PadRight(44)).Append(' ').AppendLine(value);
}
