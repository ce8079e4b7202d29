using System.Security.Cryptography;
using System.Text;

namespace Hotline.Cti.Sip.Registrar;

/// <summary>Digest hash algorithms (RFC 8760 §2: MD5 and SHA-256; SHA-512-256 is not offered).</summary>
public enum DigestAlgorithm
{
    Md5,
    Sha256,
}

/// <summary>The digest computations of RFC 2617 §3.2.2 as used by SIP (RFC 3261 §22.4, RFC 8760).</summary>
public static class DigestComputation
{
    public static string Name(this DigestAlgorithm algorithm) => algorithm == DigestAlgorithm.Sha256 ? "SHA-256" : "MD5";

    public static bool TryParse(string? name, out DigestAlgorithm algorithm)
    {
        algorithm = DigestAlgorithm.Md5;
        if (name is null || name.Equals("MD5", StringComparison.OrdinalIgnoreCase)) return true;
        if (name.Equals("SHA-256", StringComparison.OrdinalIgnoreCase))
        {
            algorithm = DigestAlgorithm.Sha256;
            return true;
        }
        return false;
    }

    public static string Hash(DigestAlgorithm algorithm, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return Convert.ToHexStringLower(algorithm == DigestAlgorithm.Sha256 ? SHA256.HashData(bytes) : MD5.HashData(bytes));
    }

    /// <summary>
    /// request-digest: with qop=auth, H(HA1:nonce:nc:cnonce:qop:HA2); without qop, H(HA1:nonce:HA2), where
    /// HA1 = H(user:realm:password) and HA2 = H(method:digest-uri).
    /// </summary>
    public static string Response(DigestAlgorithm algorithm, string user, string realm, string password, string method, string uri,
        string nonce, string? qop, string? nc, string? cnonce)
    {
        var ha1 = Hash(algorithm, user + ":" + realm + ":" + password);
        var ha2 = Hash(algorithm, method + ":" + uri);
        return qop is null
            ? Hash(algorithm, ha1 + ":" + nonce + ":" + ha2)
            : Hash(algorithm, ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2);
    }
}
