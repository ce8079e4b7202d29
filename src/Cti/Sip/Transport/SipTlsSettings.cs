using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Hotline.Tls;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Sip.Transport;

/// <summary>
/// SIP over TLS (RFC 3261 §26.2, RFC 5922): our certificate from PEM files (re-read when they change), TLS 1.2/1.3
/// only, peers verified against a CA bundle. Client certificates are requested from every peer and required only
/// when <see cref="SipTransportOptions.TlsRequireClientCertificate"/> is set (trunks that authenticate by
/// certificate); a presented one must chain to the CA bundle.
/// </summary>
internal sealed class SipTlsSettings
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
    private readonly PemCertificateSource _certificate;
    private readonly TlsPeerVerifier _serverVerifier;
    private readonly TlsPeerVerifier _clientVerifier;
    private readonly bool _requireClientCertificate;

    public SipTlsSettings(SipTransportOptions options, ILogger logger)
    {
        _certificate = new PemCertificateSource(options.TlsCertificatePath!, options.TlsKeyPath!, TimeProvider.System, logger);
        _serverVerifier = new TlsPeerVerifier(options.TlsCaBundlePath, "SIP TLS server", logger);
        _clientVerifier = new TlsPeerVerifier(options.TlsCaBundlePath, "SIP TLS client", logger);
        _requireClientCertificate = options.TlsRequireClientCertificate;
    }

    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>
    /// Accepts a TLS connection (server side); throws when the handshake fails or times out. Browsers (SIP over
    /// WebSocket) are not asked for a certificate (<paramref name="requestClientCertificate"/> false): Chromium would
    /// show its certificate picker to an agent who has any.
    /// </summary>
    public async Task<SslStream> AcceptAsync(Stream transport, CancellationToken cancellationToken, bool requestClientCertificate = true)
    {
        var tls = new SslStream(transport, leaveInnerStreamOpen: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HandshakeTimeout);
        try
        {
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateSelectionCallback = (_, _) => _certificate.Current,
                EnabledSslProtocols = Protocols,
                ClientCertificateRequired = requestClientCertificate, // requested; VerifyClient decides whether it must be there
                RemoteCertificateValidationCallback = VerifyClient,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            }, timeout.Token).ConfigureAwait(false);
            return tls;
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens TLS to a peer (client side), presenting our certificate for trunks that ask for one.</summary>
    public async Task<Stream> ConnectAsync(Stream transport, string targetHost, CancellationToken cancellationToken)
    {
        var tls = new SslStream(transport, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = targetHost,
                EnabledSslProtocols = Protocols,
                ClientCertificates = [_certificate.Current],
                RemoteCertificateValidationCallback = _serverVerifier.Verify,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            }, cancellationToken).ConfigureAwait(false);
            return tls;
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private bool VerifyClient(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null) return !_requireClientCertificate; // softphones usually have none
        // A client certificate names the client, not us: only its chain matters here.
        return _clientVerifier.Verify(sender, certificate, chain, errors & ~SslPolicyErrors.RemoteCertificateNameMismatch);
    }
}
