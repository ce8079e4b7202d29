namespace Hotline.Cti.Media.Srtp;

/// <summary>The SRTP crypto suites we speak (RFC 4568 §6.2): AES-CM with 128-bit keys and HMAC-SHA1.</summary>
public enum SrtpSuite
{
    /// <summary><c>AES_CM_128_HMAC_SHA1_80</c>: 80-bit SRTP and SRTCP tags (RFC 4568 §6.2.1; the default).</summary>
    AesCm128HmacSha1_80,

    /// <summary><c>AES_CM_128_HMAC_SHA1_32</c>: 32-bit SRTP tag, 80-bit SRTCP tag (RFC 4568 §6.2.2).</summary>
    AesCm128HmacSha1_32,
}

public static class SrtpSuiteExtensions
{
    /// <summary>RFC 4568 §6.2: the SRTP authentication tag length in bytes.</summary>
    public static int RtpTagLength(this SrtpSuite suite) => suite == SrtpSuite.AesCm128HmacSha1_32 ? 4 : 10;

    /// <summary>RFC 4568 §6.2.2: SRTCP keeps the 80-bit tag in both suites.</summary>
    public static int RtcpTagLength(this SrtpSuite _) => 10;

    /// <summary>The crypto-suite name of an SDP <c>a=crypto</c> line.</summary>
    public static string SdesName(this SrtpSuite suite) =>
        suite == SrtpSuite.AesCm128HmacSha1_32 ? "AES_CM_128_HMAC_SHA1_32" : "AES_CM_128_HMAC_SHA1_80";

    /// <summary>Parses an <c>a=crypto</c> suite name; false for the suites we do not implement.</summary>
    public static bool TryParseSdesName(string name, out SrtpSuite suite)
    {
        suite = SrtpSuite.AesCm128HmacSha1_80;
        if (name == "AES_CM_128_HMAC_SHA1_80") return true;
        suite = SrtpSuite.AesCm128HmacSha1_32;
        return name == "AES_CM_128_HMAC_SHA1_32";
    }
}
