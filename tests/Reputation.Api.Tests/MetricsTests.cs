using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Reputation.Contracts;
using Reputation.Testing;

namespace Reputation.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed partial class MetricsTests(ApiFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metrics_count_the_decisions_and_events_of_a_few_calls_without_an_id_or_address_in_them()
    {
        var client = factory.CreateReputationClient();
        var account = Unique.Id("metrics");
        var card = Unique.Id("card-metrics");
        var net = Unique.Ipv4Range();
        var ip = net.Host(23);
        var now = factory.Time.GetUtcNow();
        var before = await ScrapeAsync(factory);

        // Several tests share this host (and meters are read process-wide): every count below is
        // checked to have moved by at least what this test did.
        var decided = new Dictionary<(string Kind, string Decision), int>();
        void Count(string kind, Enum decision) =>
            decided[(kind, decision.ToString().ToLowerInvariant())] = decided.GetValueOrDefault((kind, decision.ToString().ToLowerInvariant())) + 1;

        Count("signup", ApiAssert.Answered(await client.DecideSignupAsync(new SignupDecisionRequest { AccountId = account, Ip = ip, PaymentFingerprint = card }, Ct)).Decision);
        for (var i = 0; i < 3; i++)
        {
            Count("request", ApiAssert.Answered(await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = account, Ip = ip }, Ct)).Decision);
        }

        Count("billing", ApiAssert.Answered(await client.DecideBillingAsync(
            new BillingDecisionRequest { AccountId = account, PaymentFingerprint = card, AmountMinor = 1500, Currency = "usd" }, Ct)).Decision);

        var usageId = Unique.Id("evt");
        var signup = Events.Signup(Unique.Id("evt"), account, now.AddMinutes(-2), ip, card);
        var batch = await client.IngestAsync(Events.Batch(
            signup,
            Events.Usage(usageId, account, now.AddMinutes(-1), 4, ip),
            Events.Usage(usageId, account, now.AddMinutes(-1), 4, ip),
            Events.Usage(Unique.Id("evt"), account, now.AddMinutes(-1), 0, ip),
            Events.Payment(Unique.Id("evt"), account, now.AddMinutes(-1), card, PaymentOutcome.Succeeded)), Ct);
        var again = await client.IngestAsync(Events.Batch(signup), Ct);
        Assert.Equal((3, 1, 1), (batch.Accepted, batch.Duplicates, batch.Rejected.Count));
        Assert.Equal((0, 1), (again.Accepted, again.Duplicates));

        var after = await Eventually.ValueAsync(
            () => ScrapeAsync(factory),
            s => decided.All(d => s.Sum("reputation_decisions_total", ("kind", d.Key.Kind), ("decision", d.Key.Decision)) >= before.Sum("reputation_decisions_total", ("kind", d.Key.Kind), ("decision", d.Key.Decision)) + d.Value)
                && s.Sum("reputation_events_total", ("type", "payment"), ("result", "accepted")) >= before.Sum("reputation_events_total", ("type", "payment"), ("result", "accepted")) + 1,
            "the calls' counts in the scrape");

        foreach (var ((kind, decision), count) in decided)
        {
            Assert.True(
                after.Sum("reputation_decisions_total", ("kind", kind), ("decision", decision)) - before.Sum("reputation_decisions_total", ("kind", kind), ("decision", decision)) >= count,
                $"reputation_decisions_total{{kind={kind},decision={decision}}} moved by less than {count}");
        }

        foreach (var (type, result, count) in new[] { ("signup", "accepted", 1), ("signup", "duplicate", 1), ("usage", "accepted", 1), ("usage", "duplicate", 1), ("usage", "rejected", 1), ("payment", "accepted", 1) })
        {
            Assert.True(
                after.Sum("reputation_events_total", ("type", type), ("result", result)) - before.Sum("reputation_events_total", ("type", type), ("result", result)) >= count,
                $"reputation_events_total{{type={type},result={result}}} moved by less than {count}");
        }

        foreach (var kind in new[] { "signup", "request", "billing" })
        {
            var recorded = after.Sum("reputation_decision_duration_seconds_count", ("kind", kind)) - before.Sum("reputation_decision_duration_seconds_count", ("kind", kind));
            Assert.True(recorded >= decided.Where(d => d.Key.Kind == kind).Sum(d => d.Value), $"{kind} decision durations recorded: {recorded}");
        }

        // Buckets fine enough for sub-millisecond decisions.
        var bounds = after.Series("reputation_decision_duration_seconds_bucket").Where(s => s.Labels.GetValueOrDefault("kind") == "request")
            .Select(s => s.Labels["le"]).Where(le => le != "+Inf").Select(le => double.Parse(le, CultureInfo.InvariantCulture)).ToHashSet();
        Assert.Contains(0.00005, bounds);
        Assert.Contains(0.001, bounds);

        // Orleans' meter: activations and the storage writes the signup and the events made.
        Assert.True(after.Sum("orleans_catalog_activations") > 0, "orleans_catalog_activations is missing or 0");
        Assert.True(after.Sum("orleans_storage_write_latency_milliseconds_count", ("state_name", "account")) > 0, "no account state write in orleans_storage_write_latency");

        foreach (var personal in new[] { account, card, ip, net.Prefix, usageId })
        {
            Assert.DoesNotContain(personal, after.Text, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Series that appear only with their first event, which these calls do not make: a 429, a failed
    /// storage call, a batched Azure Table transaction (the tests' host keeps grains in memory), a
    /// campaign report, a background refresh of an account's signals (after 30 s). docs/operations.md says so of each; <c>up</c> is Prometheus's own.
    /// </summary>
    private static readonly string[] OnlyWithTheirFirstEvent =
    [
        "up", "reputation_rate_limit_rejections_total", "orleans_storage_write_errors_total", "orleans_storage_read_errors_total",
        "reputation_storage_transaction_rows", "reputation_campaign_reports_total",
        "reputation_signals_refreshes_total",
    ];

    [Fact]
    public async Task Every_metric_the_dashboard_and_the_alert_rules_read_is_in_the_scrape()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Reputation.sln")))
        {
            root = root.Parent;
        }

        Assert.True(root is not null, $"No Reputation.sln above {AppContext.BaseDirectory}");
        using var dashboard = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(root.FullName, "deploy", "grafana", "reputation.json"), Ct));
        var rules = await File.ReadAllTextAsync(Path.Combine(root.FullName, "deploy", "prometheus", "rules.yaml"), Ct);
        var read = PromQl.DashboardExpressions(dashboard.RootElement).SelectMany(e => PromQl.MetricNames(e.Expression))
            .Concat(rules.Split('\n').Where(l => l.TrimStart().StartsWith("expr:", StringComparison.Ordinal) || l.Contains("job=", StringComparison.Ordinal))
                .SelectMany(PromQl.MetricNames))
            .Select(PromQl.Instrument).Distinct(StringComparer.Ordinal).Except(OnlyWithTheirFirstEvent).ToList();
        Assert.Contains("reputation_propagation_messages_total", read);

        // A decision of each kind, events, and a fraud label on a card an account shares (risk propagates).
        var client = factory.CreateReputationClient();
        var account = Unique.Id("dashboard");
        var card = Unique.Id("card-dashboard");
        var ip = Unique.Ipv4Range().Host(9);
        ApiAssert.Answered(await client.DecideSignupAsync(new SignupDecisionRequest { AccountId = account, Ip = ip, PaymentFingerprint = card }, Ct));
        ApiAssert.Answered(await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = account, Ip = ip }, Ct));
        ApiAssert.Answered(await client.DecideBillingAsync(new BillingDecisionRequest { AccountId = account, PaymentFingerprint = card, AmountMinor = 900, Currency = "usd" }, Ct));
        await client.IngestAsync(Events.Batch(Events.Usage(Unique.Id("evt"), account, factory.Time.GetUtcNow().AddMinutes(-1), 3, ip)), Ct);
        await factory.CreateReputationClient(ApiFactory.OperatorKey).SetLabelAsync(
            new LabelRequest { EntityType = EntityType.PaymentInstrument, EntityId = card, Label = LabelKind.Fraud, Reason = "dashboard metrics test" }, Ct);

        var scrape = await Eventually.ValueAsync(
            () => ScrapeAsync(factory),
            s => read.All(m => Present(s, m)),
            "every metric the dashboard and the alert rules read");

        Assert.DoesNotContain(read, m => !Present(scrape, m));
    }

    private static bool Present(Scrape scrape, string instrument) =>
        scrape.Series(instrument).Any() || scrape.Series(instrument + "_bucket").Any() || scrape.Series(instrument + "_count").Any();

    [Fact]
    public async Task Metrics_need_no_key_in_Development_and_are_not_in_the_OpenAPI_document()
    {
        using var response = await factory.CreateDefaultClient().SendAsync(Raw.Get("/metrics", apiKey: null), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);

        var swagger = await factory.CreateDefaultClient().GetStringAsync("/swagger/v1/swagger.json", Ct);
        Assert.DoesNotContain("/metrics", swagger, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_an_OTLP_endpoint_nothing_traces()
    {
        Assert.Null(factory.Services.GetService<TracerProvider>());
    }

    internal static async Task<Scrape> ScrapeAsync(ApiFactory host, string? apiKey = null)
    {
        using var response = await host.CreateDefaultClient().SendAsync(Raw.Get("/metrics", apiKey), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /metrics answered {(int)response.StatusCode}: {text}");
        return new Scrape(text);
    }

    /// <summary>A Prometheus text-format scrape: <c>name{label="value",...} number [timestamp]</c> per line.</summary>
    internal sealed partial class Scrape(string text)
    {
        public string Text { get; } = text;

        public IEnumerable<(IReadOnlyDictionary<string, string> Labels, double Value)> Series(string name)
        {
            foreach (var line in Text.Split('\n'))
            {
                if (line.Length == 0 || line[0] == '#' || !line.StartsWith(name, StringComparison.Ordinal)
                    || (line.Length > name.Length && line[name.Length] is not ('{' or ' ')))
                {
                    continue;
                }

                var labels = new Dictionary<string, string>(StringComparer.Ordinal);
                var rest = line[name.Length..];
                if (rest.StartsWith('{'))
                {
                    var close = rest.LastIndexOf('}');
                    foreach (Match m in LabelPattern().Matches(rest[1..close]))
                    {
                        labels[m.Groups[1].Value] = m.Groups[2].Value;
                    }

                    rest = rest[(close + 1)..];
                }

                var value = rest.Trim().Split(' ')[0];
                yield return (labels, double.Parse(value, CultureInfo.InvariantCulture));
            }
        }

        /// <summary>The sum over every series of the metric that has these labels (others may differ).</summary>
        public double Sum(string name, params (string Key, string Value)[] labels) =>
            Series(name).Where(s => labels.All(l => s.Labels.GetValueOrDefault(l.Key) == l.Value)).Sum(s => s.Value);

        public override string ToString() => Text;

        [GeneratedRegex("""([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?""")]
        private static partial Regex LabelPattern();
    }
}
