using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ChatBoost.Mail;

/// <summary>
/// Whether an SMTP server's certificate is trusted when <c>SMTP_CA_FILE</c> is set: it must chain to one of that file's
/// roots (only those: the system's roots do not count), be valid now, allow server authentication, and name the host
/// the client connected to (the TLS layer's name check, passed in as <see cref="SslPolicyErrors"/>). Revocation is
/// checked online where the certificates name a CRL or OCSP responder; a private CA that publishes none is accepted.
/// </summary>
public sealed class SmtpServerTrust(X509Certificate2Collection roots)
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    /// <summary>
    /// True when <paramref name="certificate"/> is trusted; otherwise false with the <paramref name="reason"/> (which names
    /// the certificate's subject, never anything secret). <paramref name="presented"/> is the chain the TLS layer built
    /// (its intermediates, which the server sent, help build ours); <paramref name="errors"/> are the TLS layer's findings.
    /// </summary>
    public bool Accepts(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors, out string? reason)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            reason = "the server presented no certificate";
            return false;
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            reason = $"the server's certificate ({certificate.Subject}) is not issued for the host it was connected to";
            return false;
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.Online;
        chain.ChainPolicy.VerificationFlags =
            X509VerificationFlags.IgnoreEndRevocationUnknown | X509VerificationFlags.IgnoreCertificateAuthorityRevocationUnknown;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (chain.Build(leaf))
        {
            reason = null;
            return true;
        }

        var status = string.Join("; ", chain.ChainStatus.Select(s => $"{s.Status}: {s.StatusInformation.Trim()}").Distinct());
        reason = $"the server's certificate ({leaf.Subject}) does not chain to a root in SMTP_CA_FILE ({status})";
        return false;
    }
}
