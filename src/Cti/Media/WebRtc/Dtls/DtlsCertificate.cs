using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;

namespace Hotline.Cti.Media.WebRtc.Dtls;

/// <summary>
/// The engine's DTLS identity for WebRTC (RFC 5763 §5, RFC 8827 §6.5): a self-signed ECDSA P-256 certificate made at
/// start (no CA: the peer checks it against the <c>a=fingerprint</c> it got over the authenticated signalling), and
/// its SHA-256 fingerprint in SDP form (RFC 8122 §5: upper-case hex pairs joined by colons).
/// </summary>
public sealed class DtlsCertificate
{
    private DtlsCertificate(byte[] der, AsymmetricKeyParameter privateKey)
    {
        Der = der;
        PrivateKey = privateKey;
        Fingerprint = FingerprintOf(der);
    }

    /// <summary>The certificate, DER.</summary>
    public byte[] Der { get; }

    internal AsymmetricKeyParameter PrivateKey { get; }

    /// <summary>The value of our <c>a=fingerprint:sha-256</c>.</summary>
    public string Fingerprint { get; }

    /// <summary>A fresh key and certificate, valid 30 days (engines restart well within that; browsers do not check dates).</summary>
    public static DtlsCertificate Generate(TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=hotline-webrtc", key, HashAlgorithmName.SHA256);
        var now = time.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        var pkcs8 = key.ExportPkcs8PrivateKey();
        try
        {
            return new DtlsCertificate(certificate.RawData, PrivateKeyFactory.CreateKey(pkcs8));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>RFC 8122 §5 fingerprint of a DER certificate with SHA-256.</summary>
    public static string FingerprintOf(ReadOnlySpan<byte> der) => Convert.ToHexString(SHA256.HashData(der)).Chunk(2).Aggregate(
        new System.Text.StringBuilder(95), (b, pair) => (b.Length > 0 ? b.Append(':') : b).Append(pair)).ToString();

    /// <summary>Compares two SDP fingerprints (hex case and surrounding space do not matter), in constant time.</summary>
    public static bool SameFingerprint(string a, string b)
    {
        var x = System.Text.Encoding.ASCII.GetBytes(a.Trim().ToUpperInvariant());
        var y = System.Text.Encoding.ASCII.GetBytes(b.Trim().ToUpperInvariant());
        return x.Length == y.Length && CryptographicOperations.FixedTimeEquals(x, y);
    }
}
