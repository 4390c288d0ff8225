using System.Diagnostics;
using System.Globalization;
using Reputation.Client;
using Reputation.Contracts;

namespace Reputation.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class LabelAndGraphTests(ApiFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A campaign linked only by one prompt template (each account its own range, no card).</summary>
    private async Task<List<string>> TemplateCampaignAsync(ReputationClient client, int accounts)
    {
        var ids = Enumerable.Range(0, accounts).Select(_ => Unique.Id("tpl-campaign")).ToList();
        var now = factory.Time.GetUtcNow();
        // A template of this campaign's own, all its words random: the tests share one host, and
        // their campaigns must not meet in a bucket. One request each: little evidence yet, so the
        // accounts are allowed until something else (a label) speaks against them.
        var random = new Random(ids[0].GetHashCode(StringComparison.Ordinal));
        var words = Enumerable.Range(0, 24).Select(_ => new string([.. Enumerable.Range(0, 6).Select(_ => (char)('a' + random.Next(26)))]));
        var fingerprint = PromptFingerprint.Compute(string.Join(' ', words));
        foreach (var id in ids)
        {
            var range = Unique.Ipv4Range();
            var result = await client.IngestAsync(new EventBatch
            {
                Events =
                [
                    new IngestEvent { Id = Unique.Id("s"), Type = EventType.Signup, AccountId = id, OccurredAt = now.AddDays(-3), Ip = range.Host(7) },
                    new IngestEvent { Id = Unique.Id("u"), Type = EventType.Usage, AccountId = id, OccurredAt = now, Ip = range.Host(7), Requests = 1, PromptFingerprints = [fingerprint] },
                ],
            }, Ct);
            Assert.Equal(2, result.Accepted);
        }

        return ids;
    }

    [Fact]
    public async Task A_bucket_holding_two_unrelated_prompts_shows_each_groups_own_suspicion()
    {
        var client = factory.CreateReputationClient();
        var now = factory.Time.GetUtcNow();
        // Two prompts that agree on their lowest 16 bits (band 3) and differ in every other bit: seven
        // young accounts send near-duplicates of one, seven customers of a year the other.
        var random = new Random(Unique.Id("two-prompts").GetHashCode(StringComparison.Ordinal));
        var words = Enumerable.Range(0, 24).Select(_ => new string([.. Enumerable.Range(0, 6).Select(_ => (char)('a' + random.Next(26)))]));
        var harvest = PromptFingerprint.ComputeValue(string.Join(' ', words));
        var customers = harvest ^ 0xffff_ffff_ffff_0000UL;
        for (var i = 0; i < 14; i++)
        {
            var young = i < 7;
            var range = Unique.Ipv4Range();
            var id = Unique.Id(young ? "band-young" : "band-customer");
            var prompt = (young ? harvest : customers) ^ (1UL << (16 + i));
            List<IngestEvent> events = [new IngestEvent { Id = Unique.Id("s"), Type = EventType.Signup, AccountId = id, OccurredAt = young ? now.AddHours(-2) : now.AddDays(-365), Ip = range.Host(7) }];
            if (!young)
            {
                // A customer for months: used on several past days.
                events.AddRange(Enumerable.Range(3, 5).Select(d => new IngestEvent { Id = Unique.Id("u"), Type = EventType.Usage, AccountId = id, OccurredAt = now.AddDays(-4 * d), Ip = range.Host(7), Requests = 10 }));
            }

            events.Add(new IngestEvent { Id = Unique.Id("u"), Type = EventType.Usage, AccountId = id, OccurredAt = now.AddMinutes(-10), Ip = range.Host(7), Requests = 2, PromptFingerprints = [prompt.ToString("x16", CultureInfo.InvariantCulture)] });
            events.Add(new IngestEvent { Id = Unique.Id("u"), Type = EventType.Usage, AccountId = id, OccurredAt = now.AddMinutes(-5), Ip = range.Host(7), Requests = 2, PromptFingerprints = [prompt.ToString("x16", CultureInfo.InvariantCulture)] });
            var result = await client.IngestAsync(new EventBatch { Events = events }, Ct);
            Assert.Equal(events.Count, result.Accepted);
        }

        var view = await client.GetPromptTemplateAsync($"b3:{harvest & 0xffff:x4}", Ct);
        Assert.NotNull(view);
        Assert.Equal(2, view.NearDuplicateGroups.Count);
        Assert.All(view.NearDuplicateGroups, g => Assert.InRange(g.SampledSharers, 5, 7));
        // The young accounts' prompt is theirs alone, the customers' prompt is vouched for by them.
        Assert.Equal([0.0, 1.0], view.NearDuplicateGroups.Select(g => g.Suspicion).Order());
        Assert.InRange(view.Suspicion, 0.3, 0.7);

        // A bucket of one prompt lists no groups.
        var own = await client.GetPromptTemplateAsync($"b0:{harvest >> 48:x4}", Ct);
        Assert.Empty(own!.NearDuplicateGroups);
    }

    [Fact]
    public async Task Labelling_one_campaign_account_fraud_moves_the_rest_of_its_cluster_off_allow()
    {
        var client = factory.CreateReputationClient();
        var operatorClient = factory.CreateReputationClient(ApiFactory.OperatorKey);
        var ids = await TemplateCampaignAsync(client, 10);
        foreach (var id in ids)
        {
            var before = await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = id, Ip = "192.0.2.1" }, Ct);
            Assert.Equal(RequestDecision.Allow, before.Response.Decision);
        }

        var label = await operatorClient.SetLabelAsync(new LabelRequest
        {
            EntityType = EntityType.Account, EntityId = ids[0], Label = LabelKind.Fraud, Reason = "confirmed harvesting",
        }, Ct);
        var clock = Stopwatch.StartNew();
        var pending = ids.Skip(1).ToHashSet();
        while (pending.Count > 0 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            foreach (var id in pending.ToList())
            {
                var decision = await client.DecideRequestAsync(new RequestDecisionRequest { AccountId = id, Ip = "192.0.2.1" }, Ct);
                if (decision.Response.Decision != RequestDecision.Allow)
                {
                    pending.Remove(id);
                }
            }
        }

        TestContext.Current.SendDiagnosticMessage($"cluster off allow after {clock.ElapsedMilliseconds} ms");
        Assert.Empty(pending);
        Assert.Equal("dev-operator", label.LabelledBy);
        var labelled = await client.GetAccountAsync(ids[0], Ct);
        Assert.Equal([LabelKind.Fraud], labelled!.Labels);
        Assert.Equal("confirmed harvesting", labelled.LabelDetail!.Reason);
        Assert.Equal(RequestDecision.Block, labelled.RequestDecision);
        Assert.NotEmpty(labelled.PromptBuckets);
    }

    [Fact]
    public async Task The_graph_shows_an_accounts_template_and_the_accounts_it_shares_it_with()
    {
        var client = factory.CreateReputationClient();
        var ids = await TemplateCampaignAsync(client, 5);

        var graph = await client.GetAccountGraphAsync(ids[0], depth: 2, limit: 200, Ct);

        Assert.NotNull(graph);
        Assert.Equal(ids[0], graph.Nodes[0].Id);
        var templates = graph.Nodes.Where(n => n.Type == EntityType.PromptTemplate).ToList();
        Assert.NotEmpty(templates);
        var accounts = graph.Nodes.Where(n => n.Type == EntityType.Account).Select(n => n.Id).ToHashSet();
        Assert.Superset(ids.ToHashSet(), accounts);
        Assert.Contains(graph.Edges, e => e.From == ids[3] && e.Kind == "shares-prompt-template");
        Assert.All(graph.Edges, e => Assert.Contains(graph.Nodes, n => n.Id == e.To));
        var view = await client.GetPromptTemplateAsync(templates[0].Id, Ct);
        Assert.InRange(view!.SharingAccounts, 4, 6);
        // Five young accounts from five ranges: nobody established, no cohort, used once each. The
        // first is sampled only when it sends again (its standing came with its own prompt, before
        // anyone shared it), so four are.
        Assert.Equal(4, view.SampledSharers);
        Assert.Equal(1, view.Suspicion);
        Assert.Equal(0, view.Lockstep);
        // Four that began at once are too few to count as a start kept together (ten at least).
        Assert.Equal(0, view.BeganTogether);
    }

    [Fact]
    public async Task The_graph_stops_at_its_limit_and_says_so()
    {
        var client = factory.CreateReputationClient();
        var ids = await TemplateCampaignAsync(client, 8);

        var graph = await client.GetAccountGraphAsync(ids[0], depth: 2, limit: 3, Ct);

        Assert.Equal(3, graph!.Nodes.Count);
        Assert.True(graph.Truncated);
    }

    [Fact]
    public async Task Labels_need_the_operate_scope_and_name_a_bad_entity_id()
    {
        var service = factory.CreateReputationClient();
        var operatorClient = factory.CreateReputationClient(ApiFactory.OperatorKey);

        var forbidden = await Assert.ThrowsAsync<ReputationApiException>(() => service.SetLabelAsync(new LabelRequest
        {
            EntityType = EntityType.Account, EntityId = "x", Label = LabelKind.Fraud, Reason = "r",
        }, Ct));
        var badRange = await Assert.ThrowsAsync<ReputationApiException>(() => operatorClient.SetLabelAsync(new LabelRequest
        {
            EntityType = EntityType.IpRange, EntityId = "198.51.100.0/16", Label = LabelKind.Fraud, Reason = "r",
        }, Ct));
        var noReason = await Assert.ThrowsAsync<ReputationApiException>(() => operatorClient.SetLabelAsync(new LabelRequest
        {
            EntityType = EntityType.PaymentInstrument, EntityId = "pf-1", Label = LabelKind.Fraud, Reason = " ",
        }, Ct));

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Contains("entityId", badRange.Problem!.Errors.Keys);
        Assert.Contains("reason", noReason.Problem!.Errors.Keys);
    }

    [Fact]
    public async Task A_labelled_range_and_card_show_their_label_and_a_fingerprint_labels_its_four_buckets()
    {
        var operatorClient = factory.CreateReputationClient(ApiFactory.OperatorKey);
        var range = Unique.Ipv4Range();
        var card = Unique.Id("pf-label");
        await operatorClient.DecideSignupAsync(new SignupDecisionRequest { AccountId = Unique.Id("acct"), Ip = range.Host(3), PaymentFingerprint = card }, Ct);

        var byHost = await operatorClient.SetLabelAsync(new LabelRequest { EntityType = EntityType.IpRange, EntityId = $"{range.Host(99)}/24", Label = LabelKind.Fraud, Reason = "proxy exit" }, Ct);
        await operatorClient.SetLabelAsync(new LabelRequest { EntityType = EntityType.PaymentInstrument, EntityId = card, Label = LabelKind.Trusted, Reason = "corporate card" }, Ct);
        var template = await operatorClient.SetLabelAsync(new LabelRequest { EntityType = EntityType.PromptTemplate, EntityId = "00112233445566ff", Label = LabelKind.Fraud, Reason = "known harvesting template" }, Ct);

        Assert.Equal(range.Range, byHost.EntityId);
        Assert.Equal([LabelKind.Fraud], (await operatorClient.GetIpRangeAsync(range.Network, 24, Ct))!.Labels);
        Assert.Equal([LabelKind.Trusted], (await operatorClient.GetPaymentInstrumentAsync(card, Ct))!.Labels);
        Assert.Equal(["b0:0011", "b1:2233", "b2:4455", "b3:66ff"], template.EntityId.Split(','));
        Assert.Equal([LabelKind.Fraud], (await operatorClient.GetPromptTemplateAsync("b3:66ff", Ct))!.Labels);
    }
}
