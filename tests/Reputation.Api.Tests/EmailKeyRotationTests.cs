using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Reputation.Api.Features.Decisions;
using Reputation.Api.Hosting;
using Reputation.Contracts;
using Reputation.Core.Privacy;
using Reputation.Grains;
using Reputation.Grains.Provenance;

namespace Reputation.Api.Tests;

/// <summary>The Development host halfway through an email hash key rotation: a new current key, the old one as previous.</summary>
public sealed class EmailKeyRotationFactory : ApiFactory
{
    public static readonly byte[] OldKey = Encoding.UTF8.GetBytes("rotation-test-old-email-hash-key");
    public static readonly byte[] NewKey = Encoding.UTF8.GetBytes("rotation-test-new-email-hash-key");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Reputation:Privacy:EmailHashKey", Convert.ToBase64String(NewKey));
        builder.UseSetting("Reputation:Privacy:PreviousEmailHashKey", Convert.ToBase64String(OldKey));
    }
}

[CollectionDefinition(Name)]
public sealed class EmailKeyRotationCollection : ICollectionFixture<EmailKeyRotationFactory>
{
    public const string Name = "api-email-key-rotation";
}

/// <summary>A signup decision retried across an email hash key rotation, through the client.</summary>
[Collection(EmailKeyRotationCollection.Name)]
public sealed class EmailKeyRotationTests(EmailKeyRotationFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IGrainFactory Grains => factory.Services.GetRequiredService<IGrainFactory>();

    /// <summary>What a pod still on the old key records for the same decision.</summary>
    private Task<SignupRecorded> SignupOnOldKeyAsync(SignupDecisionRequest body) =>
        Grains.GetGrain<IAccountGrain>(body.AccountId).SignupSentAsync(
            DecideSignupHandler.SignupOf(body, new EmailHasher(EmailKeyRotationFactory.OldKey), "dev-service", factory.Time.GetUtcNow())).AsTask();

    private static SignupDecisionRequest Body(string ip) => new()
    {
        AccountId = Unique.Id("rotated"), Ip = ip, Email = "Dana+trial@Rotation.example", PaymentFingerprint = Unique.Id("pf-rotated"), Country = "de",
    };

    [Fact]
    public async Task A_signup_decided_under_the_old_key_and_retried_under_the_new_one_counts_once()
    {
        var client = factory.CreateReputationClient();
        var body = Body("192.168.212.10");
        var first = await SignupOnOldKeyAsync(body);

        await client.DecideSignupAsync(body, Ct);
        await client.DecideSignupAsync(body, Ct);

        Assert.Equal([EventStatus.Accepted], first.Recorded.Statuses);
        var range = (await client.GetIpRangeAsync("192.168.212.0", 24, Ct))!;
        Assert.Equal(1, range.SignupsLastHour);
    }

    [Fact]
    public async Task A_signup_decided_under_the_new_key_and_retried_on_a_pod_still_on_the_old_key_counts_once()
    {
        var client = factory.CreateReputationClient();
        var body = Body("192.168.213.10");

        await client.DecideSignupAsync(body, Ct);
        var retried = await SignupOnOldKeyAsync(body);

        Assert.Equal([EventStatus.Duplicate], retried.Recorded.Statuses);
        Assert.Equal(1, (await client.GetIpRangeAsync("192.168.213.0", 24, Ct))!.SignupsLastHour);
    }
    [Theory]
    [InlineData("not base64!", null, "PreviousEmailHashKey must be base64")]
    [InlineData("c2hvcnQ=", null, "PreviousEmailHashKey must be base64")]
    [InlineData("cm90YXRpb24tdGVzdC1uZXctZW1haWwtaGFzaC1rZXk=", null, "must differ from EmailHashKey")]
    [InlineData(null, "2027-01-01T00:00:00Z", "PreviousEmailHashKeyUntil needs")]
    public void Start_up_refuses_a_previous_key_that_is_not_a_key_or_is_the_current_one(string? previous, string? until, string message)
    {
        var options = new PrivacyOptions
        {
            EmailHashKey = Convert.ToBase64String(EmailKeyRotationFactory.NewKey),
            PreviousEmailHashKey = previous,
            PreviousEmailHashKeyUntil = until is null ? null : DateTimeOffset.Parse(until, System.Globalization.CultureInfo.InvariantCulture),
        };

        var result = new PrivacyOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains(message, StringComparison.Ordinal));
        Assert.True(new PrivacyOptionsValidator().Validate(null, new PrivacyOptions
        {
            EmailHashKey = options.EmailHashKey, PreviousEmailHashKey = Convert.ToBase64String(EmailKeyRotationFactory.OldKey), PreviousEmailHashKeyUntil = options.PreviousEmailHashKeyUntil,
        }).Succeeded);
    }
}
