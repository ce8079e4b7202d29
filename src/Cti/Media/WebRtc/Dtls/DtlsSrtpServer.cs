using Hotline.Cti.Media.Srtp;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Hotline.Cti.Media.WebRtc.Dtls;

/// <summary>
/// Our side of DTLS-SRTP as the DTLS server (RFC 5763 §5: we answer <c>a=setup:passive</c>, the browser connects),
/// built on BouncyCastle's DTLS 1.2 (never our own crypto). The client must present a certificate whose SHA-256
/// fingerprint is the one in its SDP (RFC 5763 §5, RFC 8122), must offer the <c>use_srtp</c> extension with
/// SRTP_AES128_CM_HMAC_SHA1_80 (RFC 5764 §4.1.2), and the SRTP keys are exported with the
/// <c>EXTRACTOR-dtls_srtp</c> label (RFC 5764 §4.2).
/// </summary>
internal sealed class DtlsSrtpServer : DefaultTlsServer
{
    private readonly DtlsCertificate _certificate;
    private readonly string _peerFingerprint;
    private SrtpKeying? _keying;

    public DtlsSrtpServer(DtlsCertificate certificate, string peerFingerprint) : base(new BcTlsCrypto())
    {
        _certificate = certificate;
        _peerFingerprint = peerFingerprint;
    }

    /// <summary>The SRTP keys, once the handshake completed.</summary>
    public SrtpKeying? Keying => _keying;

    /// <summary>Why the handshake failed, for the log (the alert we raised or received).</summary>
    public string? Failure { get; private set; }

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    // Our certificate is ECDSA: only ECDHE_ECDSA suites (AEAD first; CBC for older peers), as browsers offer them.
    protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto,
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    ]);

    // RFC 7627: the extended master secret binds the keys to the handshake (browsers always offer it).
    public override bool RequiresExtendedMasterSecret() => true;

    // A browser that vanished mid-handshake must not hold the handshake thread for long.
    public override int GetHandshakeTimeoutMillis() => 10_000;

    protected override TlsCredentialedSigner GetECDsaSignerCredentials()
    {
        var crypto = (BcTlsCrypto)Crypto;
        var chain = new Certificate([new BcTlsCertificate(crypto, _certificate.Der)]);
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(m_context), crypto, _certificate.PrivateKey, chain,
            new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
    }

    // RFC 5763 §5: the server MUST request a certificate; the fingerprint check below decides.
    public override CertificateRequest GetCertificateRequest() =>
        new([ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign],
            TlsUtilities.GetDefaultSupportedSignatureAlgorithms(m_context), null);

    public override void NotifyClientCertificate(Certificate clientCertificate)
    {
        if (clientCertificate is null || clientCertificate.IsEmpty)
        {
            Failure = "the peer sent no certificate";
            throw new TlsFatalAlert(AlertDescription.handshake_failure);
        }
        var seen = DtlsCertificate.FingerprintOf(clientCertificate.GetCertificateAt(0).GetEncoded());
        if (!DtlsCertificate.SameFingerprint(seen, _peerFingerprint))
        {
            Failure = "the peer's certificate does not match its a=fingerprint";
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }
    }

    public override void ProcessClientExtensions(IDictionary<int, byte[]> clientExtensions)
    {
        base.ProcessClientExtensions(clientExtensions);
        var useSrtp = TlsSrtpUtilities.GetUseSrtpExtension(clientExtensions);
        if (useSrtp is null || Array.IndexOf(useSrtp.ProtectionProfiles, SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80) < 0)
        {
            Failure = "the peer did not offer use_srtp with SRTP_AES128_CM_HMAC_SHA1_80";
            throw new TlsFatalAlert(AlertDescription.handshake_failure);
        }
    }

    public override IDictionary<int, byte[]> GetServerExtensions()
    {
        var extensions = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetServerExtensions());
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData([SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80], TlsUtilities.EmptyBytes));
        return extensions;
    }

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        _keying = DtlsSrtpKeys.Export(m_context, weAreClient: false);
    }

    public override void NotifyAlertRaised(short alertLevel, short alertDescription, string message, Exception cause)
    {
        if (alertLevel == AlertLevel.fatal) Failure ??= "raised " + AlertDescription.GetText(alertDescription) + (message is null ? "" : ": " + message);
    }

    public override void NotifyAlertReceived(short alertLevel, short alertDescription)
    {
        if (alertLevel == AlertLevel.fatal) Failure ??= "the peer sent " + AlertDescription.GetText(alertDescription);
    }
}
