using Hotline.Cti.Media.Srtp;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Hotline.Cti.Media.WebRtc.Dtls;

/// <summary>
/// Our side of DTLS-SRTP as the DTLS client (RFC 5763 §5: the peer said <c>a=setup:passive</c>, we are
/// <c>active</c> and connect), built on BouncyCastle's DTLS 1.2 like <see cref="DtlsSrtpServer"/>, with the same
/// checks: the server's certificate must be the one its SDP's SHA-256 fingerprint names (RFC 5763 §5, RFC 8122), it
/// must select <c>use_srtp</c> SRTP_AES128_CM_HMAC_SHA1_80 (RFC 5764 §4.1.1), the extended master secret is required
/// (RFC 7627), and the keys are exported with <c>EXTRACTOR-dtls_srtp</c> (RFC 5764 §4.2; ours = the client's write
/// keys). Also the warm-up's client (<see cref="DtlsWarmUp"/>) and MediaBench's browsers.
/// </summary>
internal sealed class DtlsSrtpClient(DtlsCertificate certificate, string peerFingerprint) : DefaultTlsClient(new BcTlsCrypto())
{
    private DtlsCertificate Identity => certificate;

    private string PeerFingerprint => peerFingerprint;

    /// <summary>Why the handshake failed, for the log (the check that refused, or the alert raised or received).</summary>
    public string? Failure { get; private set; }

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    // Our certificate is ECDSA: only ECDHE_ECDSA suites (AEAD first), the server's choice among them (as DtlsSrtpServer).
    protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto,
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    ]);

    public override bool RequiresExtendedMasterSecret() => true;

    // A peer that vanished mid-handshake must not hold the handshake thread for long (as the server role).
    public override int GetHandshakeTimeoutMillis() => 10_000;

    public override IDictionary<int, byte[]> GetClientExtensions()
    {
        var extensions = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetClientExtensions());
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData([SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80], TlsUtilities.EmptyBytes));
        return extensions;
    }

    public override void ProcessServerExtensions(IDictionary<int, byte[]> serverExtensions)
    {
        base.ProcessServerExtensions(serverExtensions);
        // RFC 5764 §4.1.1: the server answers with exactly one of the offered profiles; without it there are no SRTP keys.
        var useSrtp = serverExtensions is null ? null : TlsSrtpUtilities.GetUseSrtpExtension(serverExtensions);
        if (useSrtp is null || useSrtp.ProtectionProfiles.Length != 1 || useSrtp.ProtectionProfiles[0] != SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80)
        {
            Failure = "the peer did not select use_srtp SRTP_AES128_CM_HMAC_SHA1_80";
            throw new TlsFatalAlert(AlertDescription.illegal_parameter);
        }
    }

    public override TlsAuthentication GetAuthentication() => new Authentication(this);

    /// <summary>The SRTP keys once the handshake completed (ours = the DTLS client's write keys), else null.</summary>
    public SrtpKeying? Keying { get; private set; }

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        Keying = DtlsSrtpKeys.Export(m_context, weAreClient: true);
    }

    public override void NotifyAlertRaised(short alertLevel, short alertDescription, string message, Exception cause)
    {
        if (alertLevel == AlertLevel.fatal) Failure ??= "raised " + AlertDescription.GetText(alertDescription) + (message is null ? "" : ": " + message);
    }

    public override void NotifyAlertReceived(short alertLevel, short alertDescription)
    {
        if (alertLevel == AlertLevel.fatal) Failure ??= "the peer sent " + AlertDescription.GetText(alertDescription);
    }

    private sealed class Authentication(DtlsSrtpClient client) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate)
        {
            var chain = serverCertificate.Certificate;
            if (chain is null || chain.IsEmpty)
            {
                client.Failure = "the peer sent no certificate";
                throw new TlsFatalAlert(AlertDescription.handshake_failure);
            }
            if (!DtlsCertificate.SameFingerprint(DtlsCertificate.FingerprintOf(chain.GetCertificateAt(0).GetEncoded()), client.PeerFingerprint))
            {
                client.Failure = "the peer's certificate does not match its a=fingerprint";
                throw new TlsFatalAlert(AlertDescription.bad_certificate);
            }
        }

        // RFC 5763 §5: the server requests our certificate; the browser checks it against our a=fingerprint.
        public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest)
        {
            var crypto = (BcTlsCrypto)client.Crypto;
            var chain = new Certificate([new BcTlsCertificate(crypto, client.Identity.Der)]);
            return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(client.m_context), crypto, client.Identity.PrivateKey, chain,
                new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
        }
    }
}
