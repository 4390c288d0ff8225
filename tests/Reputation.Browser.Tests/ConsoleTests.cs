using System.Net;
using OpenQA.Selenium.Chrome;
using Reputation.Client;
using Reputation.Contracts;
using Reputation.Core.Prompts;

namespace Reputation.Browser.Tests;

/// <summary>
/// An investigation in the console (/console), in a real headless Chromium, of a small campaign the
/// test makes through the API: accounts sharing a card, an IP range and a prompt template, each
/// sending bursts of reasoning-eliciting requests.
/// </summary>
public sealed class ConsoleTests(ServiceFixture service) : IClassFixture<ServiceFixture>, IDisposable
{
    private const string Operator = "dev-operator-key";
    private const string Reader = "dev-service-key";
    private readonly ChromeDriver _browser = Chromium.Start();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _browser.Quit();

    private ConsolePage Page(string test) => new(_browser, service.BaseAddress, test);

    /// <summary>The colour the legend gives a score: the graph must draw each node in it.</summary>
    private static string ColourOf(double score) => score switch
    {
        >= 0.8 => "rgb(183,28,28)",
        >= 0.6 => "rgb(216,67,21)",
        >= 0.3 => "rgb(154,103,0)",
        _ => "rgb(46,125,50)",
    };

    private sealed record Campaign(List<string> Accounts, string Card, string Range, List<string> Buckets, string CampaignId);

    /// <summary>Six accounts of ten days on one card, one /24 and one template, each flagged on its own burst; waits for the campaign they form.</summary>
    private async Task<Campaign> MakeCampaignAsync()
    {
        var client = service.CreateClient(Operator);
        var tag = Guid.NewGuid().ToString("N")[..10];
        var card = $"card-console-{tag}";
        var network = $"198.18.{Random.Shared.Next(0, 256)}";
        var fingerprint = (ulong)Random.Shared.NextInt64();
        var template = SimHash.ToHex(fingerprint);
        var now = DateTimeOffset.UtcNow;
        var accounts = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var id = $"console-{tag}-{i}";
            accounts.Add(id);
            var ip = $"{network}.{10 + i}";
            var result = await client.IngestAsync(new EventBatch
            {
                Events =
                [
                    new IngestEvent { Id = $"{id}-signup", Type = EventType.Signup, AccountId = id, OccurredAt = now.AddDays(-10), Ip = ip, PaymentFingerprint = card },
                    new IngestEvent
                    {
                        Id = $"{id}-usage", Type = EventType.Usage, AccountId = id, OccurredAt = now, Ip = ip, Requests = 4000,
                        OutputTokens = 4000 * 400, ReasoningElicitation = 1, PromptFingerprints = [template],
                    },
                ],
            }, Ct);
            Assert.Equal(2, result.Accepted);
        }

        // The campaign forms as the flagged accounts reach their shared entities; the first account's
        // view names it once its decision does. Bounded: a campaign that never forms fails here.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (true)
        {
            var view = await client.GetAccountAsync(accounts[0], Ct);
            var named = view?.Reasons.FirstOrDefault(r => r.Code == "CAMPAIGN")?.Detail;
            if (named is not null && System.Text.RegularExpressions.Regex.Match(named, "cmp-[0-9a-z]+") is { Success: true } match)
            {
                return new Campaign(accounts, card, $"{network}.0/24", [.. PromptBands.BucketKeys(fingerprint)], match.Value);
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"no campaign named in the view of {accounts[0]} within 60 s; its reasons: " +
                string.Join(", ", view?.Reasons.Select(r => $"{r.Code} {r.Detail}") ?? ["(no view)"]));
            await Task.Delay(200, Ct);
        }
    }

    /// <summary>The gateway asks for each account's request decision, which holds it; waits until the review queue lists the campaign.</summary>
    private async Task HoldAsync(Campaign campaign)
    {
        var client = service.CreateClient(Operator);
        foreach (var account in campaign.Accounts)
        {
            var decision = await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = account, Ip = campaign.Range.Replace(".0/24", ".10", StringComparison.Ordinal) }, Ct);
            Assert.False(decision.IsFallback, decision.ToString());
            Assert.NotEqual(RequestDecision.Allow, decision.Response.Decision);
        }

        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (!(await client.ListReviewAsync(100, null, Ct)).Items.Any(i => i.Id == campaign.CampaignId))
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"the review queue did not list {campaign.CampaignId} within 60 s");
            await Task.Delay(200, Ct);
        }
    }

    [Fact]
    public async Task An_operator_opens_a_held_campaign_from_the_queue_reads_its_graph_and_labels_lists_and_releases_with_each_in_the_audit()
    {
        var campaign = await MakeCampaignAsync();
        var root = campaign.Accounts[0];
        var page = Page(nameof(An_operator_opens_a_held_campaign_from_the_queue_reads_its_graph_and_labels_lists_and_releases_with_each_in_the_audit));
        await HoldAsync(campaign);
        page.Open();
        page.EnterKey(Operator, "read and operate");

        // The held campaign is in the review queue; its view names its evidence and members.
        page.WaitForStatus("review", campaign.CampaignId);
        page.Screenshot("0-review");
        page.OpenFromReview(campaign.CampaignId);
        page.WaitForDetails($"campaign {campaign.CampaignId}");
        page.WaitForDetailsText("Evidence");

        page.Search("account", root);
        page.WaitForDetails($"account {root}");
        page.WaitForDetailsText("CAMPAIGN");

        // The whole neighbourhood: six accounts, their card, their range, the template's four buckets, and the campaign around the accounts.
        var nodes = page.GraphNodes(13, n => n.Any(x => x.Type == "campaign"));
        Assert.Equal(campaign.Accounts.Order(StringComparer.Ordinal), nodes.Where(n => n.Type == "account").Select(n => n.EntityId).Order(StringComparer.Ordinal));
        Assert.Equal([campaign.Card], nodes.Where(n => n.Type == "payment-instrument").Select(n => n.EntityId));
        Assert.Equal([campaign.Range], nodes.Where(n => n.Type == "ip-range").Select(n => n.EntityId));
        Assert.Equal(campaign.Buckets.Order(StringComparer.Ordinal), nodes.Where(n => n.Type == "prompt-template").Select(n => n.EntityId).Order(StringComparer.Ordinal));
        var box = Assert.Single(nodes, n => n.Type == "campaign");
        Assert.Equal(campaign.CampaignId, box.EntityId);
        Assert.All(nodes.Where(n => n.Type != "campaign"), n => Assert.Equal(ColourOf(n.Score!.Value), n.Colour.Replace(" ", "", StringComparison.Ordinal)));
        Assert.All(nodes.Where(n => n.Type == "account"), n =>
        {
            Assert.True(n.Score >= 0.6, $"{n.EntityId} scores {n.Score}: a flagged harvester draws high or critical");
            Assert.Equal("ellipse", n.Shape);
        });
        Assert.Contains(nodes, n => n.Type == "account" && n.Parent == box.Id);
        Assert.Equal("round-rectangle", nodes.Single(n => n.Type == "payment-instrument").Shape);
        Assert.Equal("diamond", nodes.Single(n => n.Type == "ip-range").Shape);
        Assert.All(nodes.Where(n => n.Type == "prompt-template"), n => Assert.Equal("hexagon", n.Shape));
        page.Screenshot("1-graph");

        // Its timeline: the requests of each retained window, as its view reports them (the burst of 4000,
        // read in the last hour's window: the last minute's slides on with the clock while a slow
        // machine gets here, and may already hold only part of it).
        var timeline = page.WaitForStatus("timeline-table", $"Account {root}: counters as of");
        Assert.Contains("requests, last hour 4,000", timeline, StringComparison.Ordinal);

        // A click on the card in the drawing opens the card's view, with the accounts that share it.
        page.ClickNodeInGraph(nodes.Single(n => n.Type == "payment-instrument").Id);
        page.WaitForDetails($"card {campaign.Card}");
        var card = page.DetailsText();
        Assert.Contains(campaign.Accounts[1], card, StringComparison.Ordinal);
        page.Screenshot("2-card");

        // Back to the account through the node list (the keyboard's way): its reasons, then the label.
        page.ChooseNodeInList($"account:{root}");
        page.WaitForDetails($"account {root}");
        var details = page.WaitForDetailsText("Reasons");
        Assert.Contains("contribution", details, StringComparison.Ordinal);
        page.Label("fraud", "console investigation");
        page.WaitForActionStatus("Label: done by dev-operator");
        page.WaitForDetailsText("fraud (by dev-operator");
        page.GraphNodes(13, n => n.Any(x => x.EntityId == root && x.Labels.Contains("fraud", StringComparison.Ordinal)));
        page.Screenshot("3-labelled");

        // The label went through the API, so the audit log has it, under the operator's key.
        var audit = await service.CreateClient(Operator).GetAuditAsync(limit: 20, action: "label.set", target: $"account:{root}", cancellationToken: Ct);
        var entry = Assert.Single(audit.Records);
        Assert.Equal(200, entry.Status);
        Assert.StartsWith("dev-operator", entry.KeyName, StringComparison.Ordinal);

        // The card goes on the deny list from its view; the graph marks it, and the audit log has that too.
        var cardNode = $"payment-instrument:{campaign.Card}";
        page.ChooseNodeInList(cardNode);
        page.WaitForDetails($"card {campaign.Card}");
        page.AddToList("deny", "card of a distillation campaign");
        page.WaitForActionStatus("List: done");
        page.WaitForDetailsText("deny list (by dev-operator");
        page.GraphNodes(13, n => n.Any(x => x.Id == cardNode && x.Listed == "deny"));
        page.WaitForStatus("graph-nodes", $"card {campaign.Card} — score");
        Assert.Contains("on the deny list", page.NodeListEntry(cardNode), StringComparison.Ordinal);
        page.Screenshot("4-deny-listed");
        var listed = await service.CreateClient(Operator).GetAuditAsync(limit: 20, action: "list.put", cancellationToken: Ct);
        Assert.Contains(listed.Records, r => r.Status == 200 && r.Target is { } t && t.Contains(campaign.Card, StringComparison.Ordinal));

        // Another member, reviewed and found wrongly held, is released from its view.
        var released = campaign.Accounts[1];
        page.ChooseNodeInList($"account:{released}");
        page.WaitForDetails($"account {released}");
        page.Release("reviewed: a test account of the team");
        page.WaitForActionStatus("Release: done");
        page.WaitForDetailsText("released until");
        var view = await service.CreateClient(Operator).GetAccountAsync(released, Ct);
        Assert.NotNull(view?.ReleasedUntil);
        var release = await service.CreateClient(Operator).GetAuditAsync(limit: 20, action: "account.release", target: $"account:{released}", cancellationToken: Ct);
        Assert.Equal(200, Assert.Single(release.Records).Status);
        Assert.Empty(page.Errors());
    }

    [Fact]
    public async Task A_read_only_key_sees_the_account_and_its_graph_but_no_actions_and_the_API_refuses_it_the_label()
    {
        var campaign = await MakeCampaignAsync();
        var root = campaign.Accounts[0];
        var page = Page(nameof(A_read_only_key_sees_the_account_and_its_graph_but_no_actions_and_the_API_refuses_it_the_label));
        page.Open();
        page.EnterKey(Reader, "read only");
        page.WaitForStatus("review-status", "needs a key with the operate scope");

        page.Search("account", root);
        page.WaitForDetails($"account {root}");
        page.WaitForDetailsText("Reasons");
        page.GraphNodes(12);
        Assert.Empty(page.ActionButtons());
        page.Screenshot("read-only");

        // An address alone finds its /24; the range's view has no actions for this key either.
        page.Search("ip-range", campaign.Range.Replace(".0/24", ".12", StringComparison.Ordinal));
        page.WaitForDetails($"IP range {campaign.Range}");
        page.WaitForDetailsText(campaign.Accounts[0]);
        Assert.Empty(page.ActionButtons());

        // Not just hidden: the API itself refuses a label with this key.
        var refused = await Assert.ThrowsAsync<ReputationApiException>(() => service.CreateClient(Reader).SetLabelAsync(
            new LabelRequest { EntityType = EntityType.Account, EntityId = root, Label = LabelKind.Fraud, Reason = "read key" }, Ct));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Empty(page.Errors());
    }

    [Fact]
    public async Task Without_its_libraries_the_console_says_how_to_install_them_and_still_shows_an_account_and_its_nodes()
    {
        var campaign = await MakeCampaignAsync();
        var page = Page(nameof(Without_its_libraries_the_console_says_how_to_install_them_and_still_shows_an_account_and_its_nodes));
        page.BlockVendoredLibraries();
        page.Open();

        var warning = page.WaitForStatus("vendor-warning", "not installed");
        Assert.Contains("graph library", warning, StringComparison.Ordinal);
        Assert.Contains("chart library", warning, StringComparison.Ordinal);
        Assert.Contains("ensure_console_vendor", warning, StringComparison.Ordinal);

        page.EnterKey(Operator, "read and operate");
        page.Search("account", campaign.Accounts[0]);
        page.WaitForDetails($"account {campaign.Accounts[0]}");
        page.WaitForDetailsText("Reasons");
        page.WaitForStatus("graph-status", "needs the graph library");
        page.WaitForStatus("graph-nodes", $"card {campaign.Card}");
        page.Screenshot("no-libraries");
    }

    [Fact]
    public async Task An_operator_backtests_a_stricter_candidate_and_sees_the_table_the_API_answers_and_the_score_histograms()
    {
        // Decisions for the silo to sample: new accounts, allowed live, throttled by a candidate at 0.1.
        var client = service.CreateClient(Operator);
        var tag = Guid.NewGuid().ToString("N")[..10];
        for (var i = 0; i < 4; i++)
        {
            var decision = await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = $"backtest-{tag}-{i}", Ip = "198.19.7.10" }, Ct);
            Assert.False(decision.IsFallback, decision.ToString());
        }

        var candidate = (await client.GetPolicyAsync("default", Ct))!.Policy;
        candidate["request"]!["throttle"] = 0.1;
        var expected = (await client.BacktestPolicyAsync("default", candidate, Ct))!;
        Assert.True(expected.Request.Changed >= 4, $"the candidate changes the new accounts' decisions: {expected.Request.Changed}");

        var page = Page(nameof(An_operator_backtests_a_stricter_candidate_and_sees_the_table_the_API_answers_and_the_score_histograms));
        page.Open();
        page.EnterKey(Operator, "read and operate");
        page.Backtest(candidate.ToJsonString());

        // Nothing is decided in between: the page shows the sample the API just answered for.
        var shown = page.WaitForStatus("backtest-result", $"request: {expected.Request.Sampled:N0} sampled, {expected.Request.Changed:N0} would change");
        Assert.Contains($"{expected.Sampled:N0} sampled decisions", shown, StringComparison.Ordinal);
        Assert.Contains($"backtest-{tag}-0", shown, StringComparison.Ordinal);
        Assert.Contains("request scores: current against candidate", page.BacktestCharts(atLeast: 1));
        page.ShowBacktestResult();
        page.Screenshot("backtest");
        Assert.Empty(page.Errors());
    }

    [Fact]
    public void The_console_loads_without_a_key_and_asks_for_one_with_its_libraries_in_place()
    {
        var page = Page(nameof(The_console_loads_without_a_key_and_asks_for_one_with_its_libraries_in_place));
        page.Open();
        page.WaitForStatus("key-status", "No key entered");
        Assert.False(_browser.FindElement(OpenQA.Selenium.By.Id("vendor-warning")).Displayed, "the vendored libraries are installed by the test script; the page must find them");
        Assert.Empty(page.Errors());
    }
}
