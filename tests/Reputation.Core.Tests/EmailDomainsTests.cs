using Reputation.Core.Privacy;

namespace Reputation.Core.Tests;

public sealed class EmailDomainsTests
{
    private static readonly EmailHasher s_hasher = new(new byte[32]);

    [Theory]
    [InlineData("Alice@Gmail.com", EmailDomainKind.FreeMail)]
    [InlineData("bob+x@outlook.com", EmailDomainKind.FreeMail)]
    [InlineData("someone@mailinator.com", EmailDomainKind.Disposable)]
    [InlineData("dev@example-corp.test", EmailDomainKind.Other)]
    [InlineData("not-an-address", EmailDomainKind.Unknown)]
    [InlineData(null, EmailDomainKind.Unknown)]
    public void Domains_are_classified_by_kind(string? email, EmailDomainKind kind) =>
        Assert.Equal(kind, s_hasher.HashDomain(email).Kind);

    [Fact]
    public void Colleagues_share_a_domain_hash_that_is_neither_the_domain_nor_an_address_hash()
    {
        var (a, _) = s_hasher.HashDomain("ana@example-corp.test");
        var (b, _) = s_hasher.HashDomain("Ben.Lee+ci@EXAMPLE-CORP.test");
        var (other, _) = s_hasher.HashDomain("ana@other-corp.test");

        Assert.Equal(a, b);
        Assert.NotEqual(a, other);
        Assert.DoesNotContain("example", a, StringComparison.Ordinal);
        Assert.NotEqual(a, s_hasher.Hash("ana@example-corp.test"));
    }

    [Fact]
    public void A_different_key_gives_a_different_domain_hash() =>
        Assert.NotEqual(s_hasher.HashDomain("ana@example-corp.test").Hash,
            new EmailHasher(Enumerable.Repeat((byte)7, 32).ToArray()).HashDomain("ana@example-corp.test").Hash);
}
