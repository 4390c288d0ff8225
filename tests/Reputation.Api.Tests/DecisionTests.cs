using Reputation.Contracts;

namespace Reputation.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class DecisionTests(ApiFactory factory)
{
    private const int PolicyVersion = 1;

    [Fact]
    public async Task Fifty_signups_sharing_one_card_from_one_range_are_flagged_while_an_unrelated_signup_is_allowed()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        // Away from an hour boundary: this test is about the farm, not the window edges (WindowEdgeTests).
        factory.Time.MoveToNext(minute: 5);
        var farm = Unique.Ipv4Range();
        var card = Unique.Id("farm-card");

        var decisions = new List<SignupDecisionResponse>();
        for (var i = 0; i < 50; i++)
        {
            decisions.Add(ApiAssert.Answered(await client.DecideSignupAsync(new SignupDecisionRequest
            {
                AccountId = Unique.Id($"farm{i}"),
                Ip = farm.Host(10 + i),
                Email = $"farm.{i}@example.com",
                PaymentFingerprint = card,
                Country = "US",
            }, ct)));
            factory.Time.Advance(TimeSpan.FromSeconds(3));
        }

        var unrelated = ApiAssert.Answered(await client.DecideSignupAsync(new SignupDecisionRequest
        {
            AccountId = Unique.Id("unrelated"),
            Ip = Unique.Ipv4Range().Host(7),
            Email = "someone.else@example.com",
            PaymentFingerprint = Unique.Id("own-card"),
        }, ct));

        Assert.Equal(SignupDecision.Allow, decisions[0].Decision);
        for (var i = 9; i < decisions.Count; i++)
        {
            var d = decisions[i];
            Assert.True(d.Decision >= SignupDecision.Review, $"signup {i + 1} of the farm was {d.Decision} ({d.Score})");
            Assert.Contains(d.Reasons, r => r.Code == "PAYMENT_INSTRUMENT_SHARED" && r.Contribution > 0);
            Assert.Contains(d.Reasons, r => r.Code == "IP_RANGE_SIGNUP_VELOCITY" && r.Contribution > 0);
        }

        Assert.Equal(SignupDecision.Allow, unrelated.Decision);
        Assert.DoesNotContain(unrelated.Reasons, r => r.Code is "PAYMENT_INSTRUMENT_SHARED" or "IP_RANGE_SIGNUP_VELOCITY");
        Assert.All(decisions.Append(unrelated), d =>
        {
            Assert.Equal(PolicyVersion, d.PolicyVersion);
            Assert.InRange(d.Score, 0, 1);
        });

        // The views agree with what the decisions saw.
        var range = await client.GetIpRangeAsync(farm.Network, 24, ct);
        Assert.Equal(50, range?.SignupsLastHour);
        var instrument = await client.GetPaymentInstrumentAsync(card, ct);
        Assert.InRange(instrument!.DistinctAccounts, 45, 55);
    }

    [Fact]
    public async Task A_team_onboarding_on_its_card_from_its_office_is_one_owner_when_it_names_its_organisation_and_a_card_sharing_ring_when_it_does_not()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        factory.Time.MoveToNext(minute: 5);

        async Task<(List<SignupDecisionResponse> Team, string Office, string Card)> TeamAsync(string? organization, bool verified)
        {
            var office = Unique.Ipv4Range();
            var card = Unique.Id("corporate-card");
            var team = new List<SignupDecisionResponse>();
            for (var i = 0; i < 20; i++)
            {
                team.Add(ApiAssert.Answered(await client.DecideSignupAsync(new SignupDecisionRequest
                {
                    AccountId = Unique.Id($"member{i}"),
                    Ip = office.Host(20 + i),
                    Email = $"member.{i}@example-corp.test",
                    PaymentFingerprint = card,
                    OrganizationId = organization,
                    OrganizationVerified = verified,
                }, ct)));
                factory.Time.Advance(TimeSpan.FromSeconds(60));
            }

            return (team, office.Network, card);
        }

        var verifiedTeam = await TeamAsync(Unique.Id("org"), verified: true);
        var claimedTeam = await TeamAsync(Unique.Id("org"), verified: false);
        var noOrganization = await TeamAsync(null, verified: false);

        static bool Counts(SignupDecisionResponse d, string code) => d.Reasons.Any(r => r.Code == code && r.Contribution > 0);

        Assert.All(verifiedTeam.Team, d =>
        {
            Assert.Equal(SignupDecision.Allow, d.Decision);
            Assert.False(Counts(d, "PAYMENT_INSTRUMENT_SHARED") || Counts(d, "IP_RANGE_SIGNUP_VELOCITY"), string.Join("; ", d.Reasons));
        });

        // An organisation the platform has not verified is no trust seed, but its members paying with
        // one card from one office are one customer onboarding: one owner of the card, one signup in
        // the office's velocity (every member still counts in the range's accounts).
        Assert.All(claimedTeam.Team, d =>
        {
            Assert.Equal(SignupDecision.Allow, d.Decision);
            Assert.False(Counts(d, "PAYMENT_INSTRUMENT_SHARED") || Counts(d, "IP_RANGE_SIGNUP_VELOCITY"), string.Join("; ", d.Reasons));
        });
        Assert.Equal(1, (await client.GetIpRangeAsync(claimedTeam.Office, 24, ct))?.SignupsLastHour);
        Assert.InRange((await client.GetIpRangeAsync(claimedTeam.Office, 24, ct))!.DistinctAccounts, 18, 22);
        Assert.InRange((await client.GetPaymentInstrumentAsync(claimedTeam.Card, ct))!.DistinctAccounts, 18, 22);

        // Twenty accounts naming no organisation on one card from one range are a card-sharing ring.
        Assert.True(noOrganization.Team[^1].Decision >= SignupDecision.Review, $"{noOrganization.Team[^1].Decision} ({noOrganization.Team[^1].Score})");
        Assert.True(Counts(noOrganization.Team[^1], "PAYMENT_INSTRUMENT_SHARED"));
        Assert.Equal(20, (await client.GetIpRangeAsync(noOrganization.Office, 24, ct))?.SignupsLastHour);
    }

    [Fact]
    public async Task An_organisation_id_that_is_too_long_is_a_validation_problem_naming_it()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        await ApiAssert.FailsValidationAsync("organizationId", () => client.DecideSignupAsync(new SignupDecisionRequest
        {
            AccountId = Unique.Id("org-too-long"),
            Ip = "192.0.2.31",
            OrganizationId = new string('o', 1000),
            OrganizationVerified = true,
        }, ct));
    }

    [Fact]
    public async Task The_same_signup_sent_twice_is_recorded_once()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        var net = Unique.Ipv4Range();
        var signup = new SignupDecisionRequest { AccountId = Unique.Id("retry"), Ip = net.Host(33), Email = "retry@example.com", PaymentFingerprint = Unique.Id("card") };

        var first = ApiAssert.Answered(await client.DecideSignupAsync(signup, ct));
        var second = ApiAssert.Answered(await client.DecideSignupAsync(signup, ct));

        Assert.Equal(first.Decision, second.Decision);
        Assert.Equal(1, (await client.GetIpRangeAsync(net.Network, 24, ct))?.SignupsLastHour);

        // A signup of the same account with other attributes is a different signup.
        ApiAssert.Answered(await client.DecideSignupAsync(signup with { DeviceId = "another-device" }, ct));
        Assert.Equal(2, (await client.GetIpRangeAsync(net.Network, 24, ct))?.SignupsLastHour);
    }

    [Fact]
    public async Task A_request_decision_for_an_unknown_account_answers_new_account_defaults_and_records_nothing()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        var account = Unique.Id("unknown");

        var decision = ApiAssert.Answered(await client.DecideRequestAsync(
            new RequestDecisionRequest { AccountId = account, Ip = Unique.Ipv4Range().Host(1), Model = "frontier-large" }, ct));

        Assert.Equal(account, decision.AccountId);
        Assert.Equal(RequestDecision.Allow, decision.Decision);
        Assert.Contains(decision.Reasons, r => r.Code == "NEW_ACCOUNT");
        Assert.True(decision.RequestsPerMinute > 0, $"requestsPerMinute {decision.RequestsPerMinute}");
        Assert.True(decision.CacheTtlSeconds > 0, $"cacheTtlSeconds {decision.CacheTtlSeconds}");
        Assert.Equal(PolicyVersion, decision.PolicyVersion);
        Assert.Null(await client.GetAccountAsync(account, ct));
    }

    [Fact]
    public async Task A_charge_on_an_instrument_with_chargebacks_is_held_or_denied_for_every_account_using_it()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        var now = factory.Time.GetUtcNow();
        var owner = Unique.Id("charged-back");
        var card = Unique.Id("card-cb");
        var ingested = await client.IngestAsync(Events.Batch(
            Events.Payment(Unique.Id("pay"), owner, now.AddMinutes(-30), card, PaymentOutcome.Succeeded),
            Events.Payment(Unique.Id("pay"), owner, now.AddMinutes(-20), card, PaymentOutcome.Chargeback),
            Events.Payment(Unique.Id("pay"), owner, now.AddMinutes(-10), card, PaymentOutcome.Chargeback)), ct);
        Assert.Equal(3, ingested.Accepted);

        var forOwner = ApiAssert.Answered(await client.DecideBillingAsync(
            new BillingDecisionRequest { AccountId = owner, PaymentFingerprint = card, AmountMinor = 5000, Currency = "usd" }, ct));
        var forNewcomer = ApiAssert.Answered(await client.DecideBillingAsync(
            new BillingDecisionRequest { AccountId = Unique.Id("newcomer"), PaymentFingerprint = card, AmountMinor = 5000, Currency = "USD" }, ct));
        var clean = ApiAssert.Answered(await client.DecideBillingAsync(
            new BillingDecisionRequest { AccountId = Unique.Id("clean"), PaymentFingerprint = Unique.Id("card-clean"), AmountMinor = 5000, Currency = "USD" }, ct));

        foreach (var decision in new[] { forOwner, forNewcomer })
        {
            Assert.True(decision.Decision is BillingDecision.Hold or BillingDecision.Deny, $"{decision.AccountId}: {decision.Decision} ({decision.Score})");
            Assert.Equal("PAYMENT_CHARGEBACKS", decision.Reasons[0].Code);
        }

        Assert.Equal(BillingDecision.Allow, clean.Decision);
        Assert.DoesNotContain(clean.Reasons, r => r.Code == "PAYMENT_CHARGEBACKS");
        Assert.All(new[] { forOwner, forNewcomer, clean }, d => Assert.Equal(PolicyVersion, d.PolicyVersion));
    }

    [Fact]
    public async Task A_large_first_charge_on_a_day_old_account_is_held_and_the_same_charge_after_renewals_is_not()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        var now = factory.Time.GetUtcNow();
        var fresh = Unique.Id("fresh");
        var customer = Unique.Id("customer");
        var card = Unique.Id("card-first");
        var customerCard = Unique.Id("card-renewing");
        await client.IngestAsync(Events.Batch(
            Events.Signup(Unique.Id("su"), fresh, now.AddDays(-1), Unique.Ipv4Range().Host(5), card),
            Events.Signup(Unique.Id("su"), customer, now.AddDays(-1), Unique.Ipv4Range().Host(6), customerCard),
            Events.Payment(Unique.Id("pay"), customer, now.AddHours(-20), customerCard, PaymentOutcome.Succeeded),
            Events.Payment(Unique.Id("pay"), customer, now.AddHours(-2), customerCard, PaymentOutcome.Succeeded)), ct);

        var first = ApiAssert.Answered(await client.DecideBillingAsync(
            new BillingDecisionRequest { AccountId = fresh, PaymentFingerprint = card, AmountMinor = 60_000, Currency = "USD" }, ct));
        var renewal = ApiAssert.Answered(await client.DecideBillingAsync(
            new BillingDecisionRequest { AccountId = customer, PaymentFingerprint = customerCard, AmountMinor = 60_000, Currency = "USD" }, ct));

        Assert.Equal("FIRST_CHARGE_AMOUNT", first.Reasons[0].Code);
        Assert.Contains("60000 USD", first.Reasons[0].Detail, StringComparison.Ordinal);
        Assert.True(first.Score > renewal.Score, $"{first.Score} vs {renewal.Score}");
        Assert.DoesNotContain(renewal.Reasons, r => r.Code == "FIRST_CHARGE_AMOUNT");
        Assert.Equal(BillingDecision.Allow, renewal.Decision);
    }

    [Fact]
    public async Task Decisions_list_reasons_largest_first_with_positive_contributions_that_add_up_to_the_score()
    {
        var client = factory.CreateReputationClient();
        var ct = TestContext.Current.CancellationToken;
        var net = Unique.Ipv4Range();
        var card = Unique.Id("card-sum");
        SignupDecisionResponse last = null!;
        for (var i = 0; i < 6; i++)
        {
            last = ApiAssert.Answered(await client.DecideSignupAsync(
                new SignupDecisionRequest { AccountId = Unique.Id("sum"), Ip = net.Host(i + 1), PaymentFingerprint = card }, ct));
        }

        // Six new accounts on one card are a campaign once the card hears they are flagged: a CAMPAIGN
        // reason may then follow the scored ones, contributing nothing (docs/reason-codes.md).
        var scored = last.Reasons.Where(r => r.Code != "CAMPAIGN").ToList();
        Assert.NotEmpty(scored);
        Assert.All(scored, r =>
        {
            Assert.True(r.Contribution > 0, $"{r.Code} contributes {r.Contribution}");
            Assert.False(string.IsNullOrWhiteSpace(r.Detail));
        });
        Assert.Equal(scored.OrderByDescending(r => r.Contribution).Select(r => r.Code), scored.Select(r => r.Code));
        Assert.Equal(scored, last.Reasons.Take(scored.Count));
        Assert.All(last.Reasons.Skip(scored.Count), r => Assert.Equal(0, r.Contribution));
        // Three signals here (shared card, range velocity, new account): all are listed, so they add up to the score.
        Assert.Equal(3, scored.Count);
        Assert.Equal(last.Score, last.Reasons.Sum(r => r.Contribution), 3);
    }
}
