using Reputation.Core.Intel;

namespace Reputation.Api.Tests;

/// <summary>STIX objects are versioned by their creator alone: another producer cannot update or revoke one.</summary>
[Collection(ApiCollection.Name)]
public sealed class IntelProducerTests(ApiFactory factory)
{
    private const string LabC = "identity--0c9e8d7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DateTimeOffset Now => factory.Time.GetUtcNow();

    [Fact]
    public async Task Another_producer_cannot_update_or_revoke_an_indicator_and_the_original_stays()
    {
        var range = Unique.Ipv4Range();
        var elsewhere = Unique.Ipv4Range();
        var id = StixIds.Random("indicator");
        var pattern = $"[ipv4-addr:value = '{range.Range}']";
        Assert.Equal(1, (await Stix.ImportOkAsync(factory, Stix.Bundle(Stix.LabBIdentity(), Stix.Indicator(pattern, Now, id)))).Imported);

        // Lab C re-sends Lab B's id, newer and pointing elsewhere, beside an indicator of its own.
        var own = Stix.Indicator($"[ipv4-addr:value = '{Unique.Ipv4Range().Range}']", Now, edit: o => o["created_by_ref"] = LabC);
        var hijack = await Stix.ImportOkAsync(factory, Stix.Bundle(
            Stix.Indicator($"[ipv4-addr:value = '{elsewhere.Range}']", Now, id, o =>
            {
                o["created_by_ref"] = LabC;
                o["modified"] = Stix.Time(Now);
            }),
            own));

        Assert.Equal((1, 0), (hijack.Imported, hijack.Updated));
        Assert.Contains("another producer", Assert.Single(hijack.SkippedIndicators, s => s.Id == id).Reason, StringComparison.Ordinal);
        Assert.Contains("Lab B", Stix.IntelReason(await Stix.SignupAsync(factory, range.Host(4)))?.Detail, StringComparison.Ordinal);
        Assert.Null(Stix.IntelReason(await Stix.SignupAsync(factory, elsewhere.Host(4))));
        var client = factory.CreateReputationClient();
        Assert.Equal(Stix.LabB, Assert.Single((await client.GetIpRangeAsync(range.Network, 24, Ct))!.ThreatIntel).Producer);

        // Neither a revocation by Lab C nor by an object naming no producer removes it.
        var revocations = await Stix.ImportOkAsync(factory, Revocation(pattern, id, LabC));
        var anonymous = await Stix.ImportOkAsync(factory, Revocation(pattern, id, producer: null));

        Assert.Equal(0, revocations.Revoked + anonymous.Revoked);
        Assert.Contains("another producer", Assert.Single(revocations.SkippedIndicators).Reason, StringComparison.Ordinal);
        Assert.Contains("another producer", Assert.Single(anonymous.SkippedIndicators).Reason, StringComparison.Ordinal);
        Assert.NotNull(Stix.IntelReason(await Stix.SignupAsync(factory, range.Host(5))));

        // Its producer still can.
        Assert.Equal(1, (await Stix.ImportOkAsync(factory, Revocation(pattern, id, Stix.LabB))).Revoked);
        Assert.Null(Stix.IntelReason(await Stix.SignupAsync(factory, range.Host(6))));
    }

    private string Revocation(string pattern, string id, string? producer) => Stix.Bundle(Stix.Indicator(pattern, Now, id, o =>
    {
        if (producer is null)
        {
            o.Remove("created_by_ref");
        }
        else
        {
            o["created_by_ref"] = producer;
        }

        o["modified"] = Stix.Time(Now);
        o["revoked"] = true;
    }));
}
