using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using Reputation.Api.Hosting;
using Reputation.Testing;

namespace Reputation.Api.Tests;

/// <summary>
/// Silo TLS settings: what start-up refuses, with a message naming the setting and the file, and
/// which peers a silo accepts. The service refusing to start, and the handshake between real
/// silos, are in the integration tests (SiloTlsTests).
/// </summary>
public sealed class SiloTlsOptionsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("reputation-tls-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string Problem(SiloTlsOptions options, TimeProvider? time = null)
    {
        Assert.False(SiloTlsCredentials.TryLoad(options, time ?? TimeProvider.System, out _, out var problem));
        return problem;
    }

    /// <summary>TLS on with <paramref name="certificate"/> and its key as PEM files, and <paramref name="ca"/> as the CA if given.</summary>
    private SiloTlsOptions Pem(X509Certificate2 certificate, X509Certificate2? ca = null)
    {
        var (crt, key) = TestCertificates.WritePem(certificate, _directory, "silo");
        var caPath = ca is null ? null : TestCertificates.WritePem(ca, _directory, "ca").Certificate;
        return new SiloTlsOptions { Enabled = true, CertificatePath = crt, KeyPath = key, CaPath = caPath };
    }

    private static SiloTlsCredentials Load(SiloTlsOptions options)
    {
        Assert.True(SiloTlsCredentials.TryLoad(options, TimeProvider.System, out var credentials, out var problem), problem);
        return credentials;
    }

    [Fact]
    public void Enabled_without_a_certificate_names_the_setting()
    {
        var problem = Problem(new SiloTlsOptions { Enabled = true });

        Assert.Contains("Reputation:Silo:Tls:CertificatePath must be set", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_named_with_its_setting()
    {
        using var certificate = TestCertificates.SelfSigned("silo");
        var (crt, _) = TestCertificates.WritePem(certificate, _directory, "silo");
        var missing = Path.Combine(_directory, "nope.key");

        var problem = Problem(new SiloTlsOptions { Enabled = true, CertificatePath = crt, KeyPath = missing });

        Assert.Equal($"Reputation:Silo:Tls:KeyPath: there is no file at '{missing}'.", problem);
    }

    [Fact]
    public void A_certificate_without_its_key_is_refused()
    {
        using var certificate = TestCertificates.SelfSigned("silo");
        var (crt, _) = TestCertificates.WritePem(certificate, _directory, "silo");
        // The certificate file given as its own key: there is no key in it.
        var problem = Problem(new SiloTlsOptions { Enabled = true, CertificatePath = crt });

        Assert.StartsWith("Reputation:Silo:Tls: cannot read a PEM certificate and its private key from", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pkcs12_file_with_the_wrong_password_is_refused_and_the_password_named()
    {
        using var certificate = TestCertificates.SelfSigned("silo");
        var pfx = Path.Combine(_directory, "silo.pfx");
        File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pkcs12, "right"));

        var problem = Problem(new SiloTlsOptions { Enabled = true, CertificatePath = pfx, Password = "wrong" });
        using var loaded = Load(new SiloTlsOptions { Enabled = true, CertificatePath = pfx, Password = "right" });

        Assert.Contains("a PKCS#12 certificate from", problem, StringComparison.Ordinal);
        Assert.Contains("is Reputation:Silo:Tls:Password right?", problem, StringComparison.Ordinal);
        Assert.True(loaded.Certificate.HasPrivateKey);
    }

    [Fact]
    public void A_pkcs12_file_holding_only_a_certificate_is_refused_for_want_of_a_key()
    {
        using var certificate = TestCertificates.SelfSigned("silo");
        using var publicOnly = X509CertificateLoader.LoadCertificate(certificate.RawData);
        var pfx = Path.Combine(_directory, "public.pfx");
        File.WriteAllBytes(pfx, publicOnly.Export(X509ContentType.Pkcs12, "pw"));

        var problem = Problem(new SiloTlsOptions { Enabled = true, CertificatePath = pfx, Password = "pw" });

        Assert.Contains("comes without its private key", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_outside_its_validity_period_is_refused()
    {
        using var certificate = TestCertificates.SelfSigned("silo");
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(2));

        var problem = Problem(Pem(certificate), later);

        Assert.Contains("is valid from", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_for_server_authentication_only_is_refused_since_a_silo_is_also_a_client()
    {
        using var certificate = TestCertificates.SelfSigned("silo", [TestCertificates.ServerAuthentication]);

        var problem = Problem(Pem(certificate));

        Assert.Contains("must allow both server and client authentication", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_that_does_not_chain_to_the_configured_ca_is_refused()
    {
        using var ca = TestCertificates.Authority("cluster CA");
        using var otherCa = TestCertificates.Authority("other CA");
        using var silo = TestCertificates.Issued(otherCa, "silo");

        var problem = Problem(Pem(silo, ca));

        Assert.Contains("does not chain to the CA in", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void With_a_ca_peers_it_issued_are_trusted_and_no_others()
    {
        using var ca = TestCertificates.Authority("cluster CA");
        using var otherCa = TestCertificates.Authority("other CA");
        using var silo = TestCertificates.Issued(ca, "silo-0");
        using var peer = TestCertificates.Issued(ca, "silo-1");
        using var stranger = TestCertificates.Issued(otherCa, "silo-1");
        using var selfSigned = TestCertificates.SelfSigned("silo-1");
        using var credentials = Load(Pem(silo, ca));

        Assert.True(credentials.ChecksAgainstAuthority);
        // Name errors are the platform's view (peers are reached by IP); the CA decides.
        Assert.True(credentials.IsTrustedPeer(peer, null, SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(credentials.IsTrustedPeer(stranger, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(credentials.IsTrustedPeer(selfSigned, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(credentials.IsTrustedPeer(peer, null, SslPolicyErrors.RemoteCertificateNotAvailable));
    }

    [Fact]
    public void Without_a_ca_only_the_same_certificate_is_trusted()
    {
        using var shared = TestCertificates.SelfSigned("reputation-local");
        using var other = TestCertificates.SelfSigned("reputation-local");
        using var credentials = Load(Pem(shared));
        using var samePublicPart = X509CertificateLoader.LoadCertificate(shared.RawData);

        Assert.False(credentials.ChecksAgainstAuthority);
        Assert.True(credentials.IsTrustedPeer(samePublicPart, null, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(credentials.IsTrustedPeer(other, null, SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Fact]
    public void Tls_is_off_unless_enabled_and_then_nothing_is_checked()
    {
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        var off = new SiloTlsOptions { CertificatePath = Path.Combine(_directory, "absent.crt") };

        Assert.True(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(off, new(off), results, validateAllProperties: true));
        Assert.False(off.Enabled);
    }
}
