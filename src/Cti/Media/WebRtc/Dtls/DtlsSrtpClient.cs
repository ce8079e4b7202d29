using Hotline.Cti.Media.Srtp;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Hotline.Cti.Media.WebRtc.Dtls;

/// <summary>
/// The DTLS-SRTP client side on BouncyCastle (RFC 5763 §5, RFC 5764 §4.1.1): offers <c>use_srtp</c> with
/// SRTP_AES128_CM_HMAC_SHA1_80, presents our certificate, and accepts only a server certificate whose SHA-256
/// fingerprint is the one its SDP gave. It warms the DTLS code up at start (<see cref="DtlsWarmUp"/>) and plays the
/// browser in MediaBench's <c>--webrtc</c> mode; it is the base for the client role (answering a browser's
/// <c>a=setup:passive</c>), which is not wired to legs yet.
/// </summary>
internal sealed class DtlsSrtpClient(DtlsCertificate certificate, string peerFingerprint) : DefaultTlsClient(new BcTlsCrypto())
{
    private DtlsCertificate Identity => certificate;

    private string PeerFingerprint => peerFingerprint;

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto,
        [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]);

    public override bool RequiresExtendedMasterSecret() => true;

    public override IDictionary<int, byte[]> GetClientExtensions()
    {
        var extensions = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetClientExtensions());
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData([SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80], TlsUtilities.EmptyBytes));
        return extensions;
    }

    public override TlsAuthentication GetAuthentication() => new Authentication(this);

    /// <summary>The SRTP keys once the handshake completed (ours = the DTLS client's write keys), else null.</summary>
    public SrtpKeying? Keying { get; private set; }

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        Keying = DtlsSrtpKeys.Export(m_context, weAreClient: true);
    }

    private sealed class Authentication(DtlsSrtpClient client) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate)
        {
            var chain = serverCertificate.Certificate;
            if (chain is null || chain.IsEmpty
                || !DtlsCertificate.SameFingerprint(DtlsCertificate.FingerprintOf(chain.GetCertificateAt(0).GetEncoded()), client.PeerFingerprint))
                throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }

        public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest)
        {
            var crypto = (BcTlsCrypto)client.Crypto;
            var chain = new Certificate([new BcTlsCertificate(crypto, client.Identity.Der)]);
            return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(client.m_context), crypto, client.Identity.PrivateKey, chain,
                new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
        }
    }
}
