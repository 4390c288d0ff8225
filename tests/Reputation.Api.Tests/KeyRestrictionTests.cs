using System.Net;
using Reputation.Api.Security;
using Reputation.Contracts;
using static Reputation.Api.Tests.GatewayKeysFactory;

namespace Reputation.Api.Tests;

/// <summary>A key restricted to account-id prefixes writes and decides for those accounts only.</summary>
[Collection(GatewayKeysCollection.Name)]
public sealed class KeyRestrictionTests(GatewayKeysFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_event_for_another_tenants_account_is_rejected_alone_and_the_rest_of_the_batch_applies()
    {
        var acme = factory.CreateReputationClient(AcmeKey);
        var now = factory.Time.GetUtcNow();
        var own = Unique.Id(AcmePrefix + "own");
        var foreign = Unique.Id("globex-victim");
        var foreignEvent = Unique.Id("evt");

        var result = await acme.IngestAsync(Events.Batch(
            Events.Usage(Unique.Id("evt"), own, now, 3),
            Events.Payment(foreignEvent, foreign, now, Unique.Id("card"), PaymentOutcome.Chargeback),
            Events.Usage(Unique.Id("evt"), own, now, 4)), Ct);

        Assert.Equal(2, result.Accepted);
        var rejected = Assert.Single(result.Rejected);
        Assert.Equal((1, foreignEvent), (rejected.Index, rejected.Id));
        Assert.StartsWith("accountId: outside the accounts of this key", rejected.Error, StringComparison.Ordinal);
        Assert.Contains("'acme-'", rejected.Error, StringComparison.Ordinal);
        var operatorClient = factory.CreateReputationClient(ApiFactory.OperatorKey);
        Assert.Equal(7, (await operatorClient.GetAccountAsync(own, Ct))?.Usage.RequestsTotal);
        Assert.Null(await operatorClient.GetAccountAsync(foreign, Ct));
    }

    [Fact]
    public async Task Decisions_about_another_tenants_account_answer_403_naming_the_restriction()
    {
        var acme = factory.CreateReputationClient(AcmeKey);
        var foreign = Unique.Id("globex");

        var signup = await ApiAssert.FailsWithAsync(HttpStatusCode.Forbidden,
            () => acme.DecideSignupAsync(new SignupDecisionRequest { AccountId = foreign, Ip = "10.0.0.1" }, Ct));
        var request = await ApiAssert.FailsWithAsync(HttpStatusCode.Forbidden,
            () => acme.DecideRequestAsync(new RequestDecisionRequest { AccountId = foreign, Ip = "10.0.0.1" }, Ct));
        var billing = await ApiAssert.FailsWithAsync(HttpStatusCode.Forbidden,
            () => acme.DecideBillingAsync(new BillingDecisionRequest { AccountId = foreign, PaymentFingerprint = Unique.Id("card"), AmountMinor = 100, Currency = "USD" }, Ct));

        foreach (var ex in new[] { signup, request, billing })
        {
            Assert.Contains("key 'acme-gateway' may only use accounts whose id starts with 'acme-'", ex.Problem!.Detail, StringComparison.Ordinal);
        }

        Assert.Null(await factory.CreateReputationClient(ApiFactory.OperatorKey).GetAccountAsync(foreign, Ct));
    }

    [Fact]
    public async Task Decisions_about_its_own_accounts_are_answered()
    {
        var acme = factory.CreateReputationClient(AcmeKey);
        var own = Unique.Id(AcmePrefix + "decided");

        var signup = ApiAssert.Answered(await acme.DecideSignupAsync(new SignupDecisionRequest { AccountId = own, Ip = Unique.Ipv4Range().Host(5) }, Ct));
        var request = ApiAssert.Answered(await acme.DecideRequestAsync(new RequestDecisionRequest { AccountId = own, Ip = "10.0.0.1" }, Ct));

        Assert.Equal(own, signup.AccountId);
        Assert.Equal(own, request.AccountId);
    }

    [Fact]
    public void A_restriction_is_checked_at_start()
    {
        var hash = ReadOnlyKeyFactory.Sha256Hex("some-key");
        var options = new ApiKeyOptions
        {
            Keys =
            [
                new ApiKeyEntry { Name = "gateway", Sha256 = hash, Scopes = ["ingest"], AccountPrefixes = ["acme-", ""] },
                new ApiKeyEntry { Name = "ops", Sha256 = hash, Scopes = ["operate"], AccountPrefixes = ["acme-"] },
                new ApiKeyEntry { Name = "a/b", Sha256 = hash, Scopes = ["read"] },
            ],
        };

        var result = new Microsoft.Extensions.Options.DataAnnotationValidateOptions<ApiKeyOptions>(null).Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Reputation:ApiKeys:Keys:0:AccountPrefixes entry 1 must be 1 to 128 characters", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Reputation:ApiKeys:Keys:1:AccountPrefixes cannot restrict a key with the 'operate' scope", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Reputation:ApiKeys:Keys:2:Name must be at most 64 characters without '/'", result.FailureMessage, StringComparison.Ordinal);
    }
}
