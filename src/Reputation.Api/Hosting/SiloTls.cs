using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace Reputation.Api.Hosting;

/// <summary>
/// Mutual TLS on the silo and gateway ports (<c>Reputation:Silo:Tls</c>, docs/decisions/0020-silo-tls.md).
/// Without it anyone who reaches those ports can call any grain with no key and no audit.
/// </summary>
internal static class SiloTls
{
    /// <summary>
    /// Registers the options (validated at start: the host refuses to start, naming the file and the
    /// problem) and, when enabled, TLS on inbound silo and gateway connections and outbound silo
    /// connections, a certificate required in both directions.
    /// </summary>
    public static ISiloBuilder UseReputationTls(this ISiloBuilder silo)
    {
        silo.Services.AddOptions<SiloTlsOptions>().BindConfiguration(SiloTlsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var options = silo.Configuration.GetSection(SiloTlsOptions.SectionName).Get<SiloTlsOptions>() ?? new SiloTlsOptions();
        if (!options.Enabled)
        {
            return silo;
        }

        if (!SiloTlsCredentials.TryLoad(options, TimeProvider.System, out var credentials, out var problem))
        {
            // The start-up validation reports this and stops the host before the silo opens a port.
            // Should it ever not, the ports still speak TLS only and every handshake fails: closed, not open.
            return silo.UseTls(tls =>
            {
                tls.LocalServerCertificateSelector = (_, _) => throw new InvalidOperationException(problem);
                tls.RemoteCertificateValidation = (_, _, _) => false;
            });
        }

        return silo.UseTls(credentials.Certificate, tls =>
        {
            tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.HandshakeTimeout = options.HandshakeTimeout;
            // Replaces the platform's check (system roots, host name): peers are addressed by pod IP
            // and trusted by the cluster's own CA, not by a public one.
            tls.RemoteCertificateValidation = credentials.IsTrustedPeer;
        });
    }
}

/// <summary>A silo's certificate and what it trusts in a peer, loaded from <see cref="SiloTlsOptions"/>.</summary>
internal sealed class SiloTlsCredentials : IDisposable
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    private readonly X509Certificate2Collection _authorities;
    private readonly X509Certificate2Collection _intermediates;

    private SiloTlsCredentials(X509Certificate2 certificate, X509Certificate2Collection authorities, X509Certificate2Collection intermediates)
    {
        Certificate = certificate;
        _authorities = authorities;
        _intermediates = intermediates;
    }

    /// <summary>This silo's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Whether peers are checked against a CA (otherwise they must present <see cref="Certificate"/> itself).</summary>
    public bool ChecksAgainstAuthority => _authorities.Count > 0;

    /// <summary>
    /// Loads the certificate, its key and the CA, and checks what would otherwise fail only at the
    /// first handshake: a private key, the validity period, the key usages a silo needs (it is both
    /// TLS server and client), and that the certificate chains to the CA its peers will check it against.
    /// </summary>
    public static bool TryLoad(
        SiloTlsOptions options,
        TimeProvider time,
        [NotNullWhen(true)] out SiloTlsCredentials? credentials,
        [NotNullWhen(false)] out string? problem)
    {
        credentials = null;
        problem = Load(options, time, out var certificate, out var authorities, out var intermediates);
        if (problem is not null)
        {
            certificate?.Dispose();
            foreach (var other in authorities.Concat(intermediates))
            {
                other.Dispose();
            }

            return false;
        }

        credentials = new SiloTlsCredentials(certificate!, authorities, intermediates);
        return true;
    }

    /// <summary>
    /// The peer check: the presented certificate chains to the configured CA (intermediates the peer
    /// sent are used, revocation is not checked: rotate short-lived certificates instead), or, without
    /// a CA, it is this silo's own certificate. Host names are not checked: silos reach each other by IP.
    /// </summary>
    public bool IsTrustedPeer(X509Certificate2 peer, X509Chain? presented, SslPolicyErrors errors)
    {
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        if (!ChecksAgainstAuthority)
        {
            return peer.RawData.AsSpan().SequenceEqual(Certificate.RawData);
        }

        using var chain = NewChain(_authorities, _intermediates);
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(peer);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        foreach (var certificate in _authorities.Concat(_intermediates))
        {
            certificate.Dispose();
        }
    }

    private static X509Chain NewChain(X509Certificate2Collection authorities, X509Certificate2Collection intermediates)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain;
    }

    private static string? Load(
        SiloTlsOptions options,
        TimeProvider time,
        out X509Certificate2? certificate,
        out X509Certificate2Collection authorities,
        out X509Certificate2Collection intermediates)
    {
        const string Section = SiloTlsOptions.SectionName;
        certificate = null;
        authorities = [];
        intermediates = [];
        if (string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            return $"{Section}:CertificatePath must be set when {Section}:Enabled is true (a PEM certificate with {Section}:KeyPath, or a PKCS#12 file).";
        }

        foreach (var (name, path) in new[] { ("CertificatePath", options.CertificatePath), ("KeyPath", options.KeyPath), ("CaPath", options.CaPath) })
        {
            if (!string.IsNullOrEmpty(path) && !File.Exists(path))
            {
                return $"{Section}:{name}: there is no file at '{path}'.";
            }
        }

        var pem = IsPem(options.CertificatePath);
        try
        {
            certificate = pem ? LoadPem(options) : X509CertificateLoader.LoadPkcs12FromFile(options.CertificatePath, string.IsNullOrEmpty(options.Password) ? null : options.Password);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            var what = pem
                ? $"a PEM certificate and its private key from '{options.CertificatePath}'" + (string.IsNullOrEmpty(options.KeyPath) ? "" : $" and '{options.KeyPath}'")
                : $"a PKCS#12 certificate from '{options.CertificatePath}'";
            var hint = string.IsNullOrEmpty(options.Password) ? "" : $" (is {Section}:Password right?)";
            return $"{Section}: cannot read {what}{hint}: {ex.Message}";
        }

        if (!certificate.HasPrivateKey)
        {
            return $"{Section}:CertificatePath: the certificate in '{options.CertificatePath}' ({certificate.Subject}) comes without its private key; set {Section}:KeyPath or use a PKCS#12 file that holds the key.";
        }

        var now = time.GetUtcNow();
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"{Section}:CertificatePath: the certificate ({certificate.Subject}) is valid from {certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u}, not now ({now:u}).");
        }

        if (certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } usages
            && !(HasUsage(usages, ServerAuthentication) && HasUsage(usages, ClientAuthentication)))
        {
            return $"{Section}:CertificatePath: the certificate ({certificate.Subject}) must allow both server and client authentication (extended key usages 1.3.6.1.5.5.7.3.1 and .2): each silo is the TLS server of its peers and their client.";
        }

        if (pem)
        {
            // A chain after the certificate (as cert-manager writes tls.crt): intermediates for the CA check.
            var all = new X509Certificate2Collection();
            all.ImportFromPemFile(options.CertificatePath);
            foreach (var extra in all.Skip(1))
            {
                intermediates.Add(extra);
            }

            all[0].Dispose();
        }

        if (!string.IsNullOrEmpty(options.CaPath))
        {
            try
            {
                authorities.ImportFromPemFile(options.CaPath);
            }
            catch (CryptographicException ex)
            {
                return $"{Section}:CaPath: cannot read PEM certificates from '{options.CaPath}': {ex.Message}";
            }

            if (authorities.Count == 0)
            {
                return $"{Section}:CaPath: there is no PEM certificate in '{options.CaPath}'.";
            }

            using var chain = NewChain(authorities, intermediates);
            if (!chain.Build(certificate))
            {
                var status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
                return $"{Section}: the certificate in '{options.CertificatePath}' ({certificate.Subject}) does not chain to the CA in '{options.CaPath}', so its peers would refuse it: {status}";
            }
        }

        if (OperatingSystem.IsWindows())
        {
            // SChannel cannot serve a key that only lives in memory (as PEM keys load); a PKCS#12 copy can.
            var exported = certificate.Export(X509ContentType.Pkcs12);
            certificate.Dispose();
            certificate = X509CertificateLoader.LoadPkcs12(exported, null);
        }

        return null;
    }

    private static X509Certificate2 LoadPem(SiloTlsOptions options)
    {
        var keyPath = string.IsNullOrEmpty(options.KeyPath) ? null : options.KeyPath;
        return string.IsNullOrEmpty(options.Password)
            ? X509Certificate2.CreateFromPemFile(options.CertificatePath!, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(options.CertificatePath!, options.Password, keyPath);
    }

    // PKCS#12 is binary DER; PEM is text with a BEGIN line (possibly after comments).
    private static bool IsPem(string path) => File.ReadAllBytes(path).AsSpan().IndexOf("-----BEGIN "u8) >= 0;

    private static bool HasUsage(X509EnhancedKeyUsageExtension usages, string oid) =>
        usages.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == oid);
}
