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
    [Fact]
    public void During_a_rotation_addresses_hash_under_the_new_key_with_the_old_keys_hash_beside_and_domains_under_the_old_key()
    {
        var clock = new Clock { Now = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero) };
        var rotating = new EmailHasher(s_otherKey, s_key, clock.Now.AddDays(7), clock);
        var before = _hasher;

        Assert.True(rotating.InRotation);
        Assert.Equal(new EmailHasher(s_otherKey).Hash("Alice+x@Example.com"), rotating.Hash("Alice+x@Example.com"));
        Assert.NotEqual(before.Hash("alice@example.com"), rotating.Hash("alice@example.com"));
        Assert.Equal(before.Hash("alice@example.com"), rotating.HashPrevious("Alice+x@Example.com"));
        Assert.Null(rotating.HashPrevious("not an address"));
        Assert.Equal(before.HashDomain("bob@acme.example"), rotating.HashDomain("carol@ACME.example"));

        clock.Now = clock.Now.AddDays(7);

        Assert.False(rotating.InRotation);
        Assert.Null(rotating.HashPrevious("alice@example.com"));
        Assert.Equal(new EmailHasher(s_otherKey).HashDomain("bob@acme.example"), rotating.HashDomain("bob@acme.example"));
        Assert.NotEqual(before.HashDomain("bob@acme.example"), rotating.HashDomain("bob@acme.example"));
    }

    [Fact]
    public void A_previous_key_without_an_end_is_in_rotation_until_removed_and_must_be_a_different_key_of_128_bits()
    {
        var open = new EmailHasher(s_otherKey, s_key, null, TimeProvider.System);

        Assert.True(open.InRotation);
        Assert.False(new EmailHasher(s_key).InRotation);
        Assert.Null(new EmailHasher(s_key).HashPrevious("alice@example.com"));
        Assert.Throws<ArgumentException>(() => new EmailHasher(s_key, [.. s_key], null, TimeProvider.System));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmailHasher(s_key, new byte[15], null, TimeProvider.System));
    }

    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
