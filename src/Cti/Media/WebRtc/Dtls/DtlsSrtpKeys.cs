using Hotline.Cti.Media.Srtp;
using Org.BouncyCastle.Tls;

namespace Hotline.Cti.Media.WebRtc.Dtls;

/// <summary>The SRTP keys of a completed DTLS-SRTP handshake, for either role (one place for both ends).</summary>
internal static class DtlsSrtpKeys
{
    /// <summary>
    /// RFC 5764 §4.2: the exporter's <c>EXTRACTOR-dtls_srtp</c> output is client key | server key | client salt |
    /// server salt; our keys are the client's when we are the DTLS client, the server's otherwise.
    /// </summary>
    public static SrtpKeying Export(TlsContext context, bool weAreClient)
    {
        var material = context.ExportKeyingMaterial(ExporterLabel.dtls_srtp, null, 2 * (SrtpMasterKey.KeyLength + SrtpMasterKey.SaltLength));
        try
        {
            var s = material.AsSpan();
            const int k = SrtpMasterKey.KeyLength, n = SrtpMasterKey.SaltLength;
            var client = new SrtpMasterKey(s[..k], s.Slice(2 * k, n));
            var server = new SrtpMasterKey(s.Slice(k, k), s.Slice(2 * k + n, n));
            return weAreClient
                ? new SrtpKeying(SrtpSuite.AesCm128HmacSha1_80, client, server)
                : new SrtpKeying(SrtpSuite.AesCm128HmacSha1_80, server, client);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(material);
        }
    }
}
