using System.Security.Cryptography;
using System.Text;

namespace Hotline.Cti.Media.WebRtc;

/// <summary>
/// One side's ICE username fragment and password (RFC 8445 §5.3, RFC 8839 §5.4): ufrag at least 4 and pwd at least
/// 22 ice-chars, pwd with at least 128 bits of randomness. Ours are drawn from the system CSPRNG per media session.
/// </summary>
public sealed record IceCredentials(string Ufrag, string Pwd)
{
    private const string IceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// <summary>8-char ufrag, 24-char pwd (24 × 6 = 144 random bits).</summary>
    public static IceCredentials Generate() => new(Random(8), Random(24));

    /// <summary>The MESSAGE-INTEGRITY key of the short-term credential mechanism: the password's bytes (RFC 8489 §9.1.1, no SASLprep for ICE).</summary>
    public byte[] Key() => Encoding.UTF8.GetBytes(Pwd);

    /// <summary>RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/".</summary>
    public static bool IsValid(string? ufrag, string? pwd) =>
        ufrag is { Length: >= 4 and <= 256 } && pwd is { Length: >= 22 and <= 256 } && ufrag.All(IceChars.Contains) && pwd.All(IceChars.Contains);

    private static string Random(int length) => RandomNumberGenerator.GetString(IceChars, length);
}
