using System.Text;
using Reputation.Core.Privacy;

namespace Reputation.Core.Tests;

public sealed class EmailHasherTests
{
    private static readonly byte[] s_key = Encoding.UTF8.GetBytes("test-key-0123456789abcdef-test!!");
    private static readonly byte[] s_otherKey = Encoding.UTF8.GetBytes("another-key-9876543210fedcba-xyz");

    private readonly EmailHasher _hasher = new(s_key);

    [Theory]
    [InlineData("Alice@Example.COM", "alice@example.com")]
    [InlineData("  alice@example.com\t\n", "alice@example.com")]
    [InlineData("alice+newsletter@example.com", "alice@example.com")]
    [InlineData("alice+a+b@example.com", "alice@example.com")]
    [InlineData("a.lice@example.com", "a.lice@example.com")]
    [InlineData("A.Li.Ce+spam@Gmail.com", "alice@gmail.com")]
    [InlineData("a.l.i.c.e@googlemail.com", "alice@gmail.com")]
    [InlineData("alice@GoogleMail.com", "alice@gmail.com")]
    [InlineData("al.ice@sub.gmail.com", "al.ice@sub.gmail.com")]
    public void Normalise_folds_the_forms_a_mailbox_ignores(string raw, string expected)
    {
        Assert.Equal(expected, EmailHasher.Normalise(raw));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("alice")]
    [InlineData("alice.example.com")]
    [InlineData("@example.com")]
    [InlineData("alice@")]
    [InlineData("alice@   ")]
    [InlineData("...@gmail.com")]
    [InlineData("..+tag@googlemail.com")]
    public void Invalid_addresses_give_null(string? raw)
    {
        Assert.Null(EmailHasher.Normalise(raw));
        Assert.Null(_hasher.Hash(raw));
    }

    [Fact]
    public void Same_person_written_differently_gets_the_same_hash()
    {
        var forms = new[]
        {
            "john.smith@gmail.com",
            "JohnSmith@gmail.com",
            " john.smith+signup2@GMAIL.COM ",
            "j.o.h.n.s.m.i.t.h@googlemail.com",
            "johnsmith+x+y@googlemail.com",
        };

        var hashes = forms.Select(_hasher.Hash).Distinct().ToList();
        Assert.Single(hashes);
        Assert.NotNull(hashes[0]);
    }

    [Fact]
    public void Different_people_get_different_hashes()
    {
        var addresses = new[]
        {
            "alice@example.com",
            "alice@example.org",
            "bob@example.com",
            "alice1@example.com",
            "a.lice@example.com",
            "alice@gmail.com",
        };

        var hashes = addresses.Select(_hasher.Hash).ToList();
        Assert.Equal(addresses.Length, hashes.Distinct().Count());
    }

    [Fact]
    public void A_different_key_gives_a_different_hash()
    {
        var other = new EmailHasher(s_otherKey);
        Assert.NotEqual(_hasher.Hash("alice@example.com"), other.Hash("alice@example.com"));
        Assert.Equal(_hasher.Hash("alice@example.com"), new EmailHasher((byte[])s_key.Clone()).Hash("Alice@Example.com"));
    }

    [Fact]
    public void Hash_is_128_bits_of_lower_case_hex()
    {
        var hash = _hasher.Hash("alice@example.com");
        Assert.NotNull(hash);
        Assert.Equal(32, hash.Length);
        Assert.Matches("^[0-9a-f]{32}$", hash);
    }

    [Theory]
    [InlineData("deadbeef@example.com", "deadbeef")]
    [InlineData("cafe@example.com", "cafe")]
    [InlineData("face.b00c@gmail.com", "faceb00c")]
    public void Hash_does_not_contain_the_address(string email, string local)
    {
        // Local parts made of hex digits, so the check could fail if the address leaked into the hex.
        var hash = _hasher.Hash(email);
        Assert.NotNull(hash);
        Assert.DoesNotContain(local, hash, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(email, hash, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(Convert.ToHexStringLower(Encoding.UTF8.GetBytes(EmailHasher.Normalise(email)!))[..32], hash);
    }

    [Fact]
    public void A_key_shorter_than_128_bits_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmailHasher(new byte[15]));
        Assert.Throws<ArgumentNullException>(() => new EmailHasher(null!));
    }
}
