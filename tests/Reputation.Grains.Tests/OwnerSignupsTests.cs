using Reputation.Grains.Ranges;

namespace Reputation.Grains.Tests;

/// <summary>A range's signup velocity counts an organisation's members once an hour, and voiding takes back exactly what was counted.</summary>
public sealed class OwnerSignupsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_organisations_members_within_the_hour_count_once_and_again_after_it()
    {
        var recent = new List<OwnerSignup>();
        var org = OwnerSignups.Hash("organization:contoso");

        Assert.True(OwnerSignups.Admit(recent, org, T0));
        Assert.False(OwnerSignups.Admit(recent, org, T0.AddMinutes(20)));
        Assert.False(OwnerSignups.Admit(recent, org, T0.AddMinutes(-10)));
        Assert.True(OwnerSignups.Admit(recent, OwnerSignups.Hash("organization:fabrikam"), T0.AddMinutes(21)));
        Assert.True(OwnerSignups.Admit(recent, org, T0.AddMinutes(61)));
    }

    [Fact]
    public void Voiding_takes_back_a_signup_only_when_no_other_member_of_that_hour_went_uncounted()
    {
        var recent = new List<OwnerSignup>();
        var org = OwnerSignups.Hash("organization:contoso");
        Assert.True(OwnerSignups.Admit(recent, org, T0));
        Assert.False(OwnerSignups.Admit(recent, org, T0.AddMinutes(5)));
        Assert.False(OwnerSignups.Admit(recent, org, T0.AddMinutes(9)));

        // Three members, one counted: voiding any two leaves the owner counted once; the third goes.
        Assert.False(OwnerSignups.TakeBack(recent, org, T0));
        Assert.False(OwnerSignups.TakeBack(recent, org, T0.AddMinutes(9)));
        Assert.True(OwnerSignups.TakeBack(recent, org, T0.AddMinutes(5)));
        Assert.Empty(recent);

        // An owner the range no longer remembers was counted when alone: taken back.
        Assert.True(OwnerSignups.TakeBack(recent, org, T0));
        Assert.True(OwnerSignups.TakeBack(null, org, T0));
    }

    [Fact]
    public void The_range_remembers_a_bounded_number_of_owners_and_drops_the_oldest()
    {
        var recent = new List<OwnerSignup>();
        for (var i = 0; i < OwnerSignups.Capacity + 5; i++)
        {
            Assert.True(OwnerSignups.Admit(recent, OwnerSignups.Hash($"organization:{i}"), T0.AddMinutes(i)));
        }

        Assert.Equal(OwnerSignups.Capacity, recent.Count);
        Assert.DoesNotContain(recent, e => e.Owner == OwnerSignups.Hash("organization:0"));

        // Entries older than two days leave when a new owner arrives.
        Assert.True(OwnerSignups.Admit(recent, OwnerSignups.Hash("organization:late"), T0.AddDays(3)));
        Assert.Single(recent);
    }
}
