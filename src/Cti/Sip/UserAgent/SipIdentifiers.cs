using System.Security.Cryptography;

namespace Hotline.Cti.Sip.UserAgent;

/// <summary>Random tags, branches and Call-IDs (RFC 3261 §19.3: at least 32 bits of randomness).</summary>
public static class SipIdentifiers
{
    public static string NewTag() => Random(8);

    /// <summary>§8.1.1.7: branch with the magic cookie.</summary>
    public static string NewBranch() => Messages.SipVia.MagicCookie + Random(16);

    public static string NewCallId(string host) => Random(20) + "@" + host;

    private static string Random(int chars)
    {
        Span<byte> bytes = stackalloc byte[chars / 2];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
