using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Hotline.Tls;

/// <summary>
/// Verifies a TLS server (or client) certificate against a configured CA bundle (PEM, one or more CA certificates)
/// instead of, or when no bundle is set, the system store. The host name is checked by the TLS layer
/// (RFC 6125; RFC 5922 §7.2 for SIP). A refusal is logged with its reason in plain words: expired, not trusted,
/// wrong host.
/// </summary>
internal sealed partial class TlsPeerVerifier
{
    private readonly X509Certificate2Collection? _anchors;
    private readonly ILogger _logger;
    private readonly string _what;

    /// <param name="caBundlePath">PEM file of trusted CAs; null or empty for the system store.</param>
    /// <param name="what">What is being connected to, for the log line (e.g. "TicketApi ingest https://…").</param>
    /// <param name="logger">Where refusals are logged.</param>
    public TlsPeerVerifier(string? caBundlePath, string what, ILogger logger)
    {
        _what = what;
        _logger = logger;
        if (!string.IsNullOrEmpty(caBundlePath))
        {
            _anchors = [];
            try
            {
                _anchors.ImportFromPemFile(caBundlePath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                throw new InvalidOperationException($"Cannot read the CA bundle '{caBundlePath}': {ex.Message}", ex);
            }
            if (_anchors.Count == 0) throw new InvalidOperationException($"The CA bundle '{caBundlePath}' holds no certificate.");
        }
    }

    /// <summary>A <see cref="RemoteCertificateValidationCallback"/>.</summary>
    public bool Verify(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var reason = Check(certificate, errors);
        if (reason is null) return true;
        LogRefused(_logger, _what, certificate?.Subject ?? "(none)", reason);
        return false;
    }

    /// <summary>Null when acceptable, else why not.</summary>
    public string? Check(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0) return "no certificate presented";
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return "wrong host: the certificate does not name the host we connected to";
        using var leaf = new X509Certificate2(certificate);
        if (_anchors is null)
            return errors == SslPolicyErrors.None ? null : Describe(leaf, null) ?? $"not trusted by the system store ({errors})";
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_anchors);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // private CA: no CRL/OCSP endpoint to ask
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        return chain.Build(leaf) ? null : Describe(leaf, chain) ?? "not trusted";
    }

    private static string? Describe(X509Certificate2 leaf, X509Chain? chain)
    {
        var now = DateTime.UtcNow;
        if (leaf.NotAfter.ToUniversalTime() < now) return $"expired on {leaf.NotAfter.ToUniversalTime():u}";
        if (leaf.NotBefore.ToUniversalTime() > now) return $"not valid before {leaf.NotBefore.ToUniversalTime():u}";
        if (chain is null) return null;
        foreach (var status in chain.ChainStatus)
        {
            if (status.Status.HasFlag(X509ChainStatusFlags.NotTimeValid)) return "a certificate in its chain has expired";
            if (status.Status.HasFlag(X509ChainStatusFlags.UntrustedRoot) || status.Status.HasFlag(X509ChainStatusFlags.PartialChain))
                return leaf.Subject == leaf.Issuer
                    ? "self-signed and not in the configured CA bundle"
                    : "issued by a CA that is not in the configured CA bundle";
        }
        return chain.ChainStatus.Length == 0 ? null : string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "TLS: refusing to connect to {Peer}: certificate {Subject} rejected: {Reason}")]
    private static partial void LogRefused(ILogger logger, string peer, string subject, string reason);
}
