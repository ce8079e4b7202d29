using System.Globalization;
using Hotline.Cti.Media.Srtp;

namespace Hotline.Cti.Media.Sdp;

/// <summary>
/// One SDES <c>a=crypto:&lt;tag&gt; &lt;crypto-suite&gt; &lt;key-params&gt; [&lt;session-params&gt;]</c> line (RFC 4568 §9.1).
/// </summary>
public sealed record SdpCrypto(int Tag, string Suite, string KeyParams, string? SessionParams)
{
    /// <summary>Parses the attribute value (after <c>crypto:</c>); false when malformed.</summary>
    public static bool TryParse(string value, out SdpCrypto? crypto)
    {
        crypto = null;
        var parts = value.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3 || parts[0].Length > 9 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var tag))
            return false;
        crypto = new SdpCrypto(tag, parts[1], parts[2], parts.Length == 4 ? parts[3] : null);
        return true;
    }

    /// <summary>
    /// The suite and master key when we can use this line: a suite we implement, exactly one <c>inline:</c> key of
    /// 30 bytes, an optional lifetime, no MKI (we send none) and no session parameters (RFC 4568 §6.3: an
    /// unsupported one makes the line unusable; we support none of them).
    /// </summary>
    public bool TryGetKey(out SrtpSuite suite, out SrtpMasterKey? key)
    {
        key = null;
        if (!SrtpSuiteExtensions.TryParseSdesName(Suite, out suite) || SessionParams is not null) return false;
        if (KeyParams.Contains(';', StringComparison.Ordinal) || !KeyParams.StartsWith("inline:", StringComparison.Ordinal)) return false;
        var fields = KeyParams["inline:".Length..].Split('|');
        if (fields.Length > 2) return false; // key|lifetime|MKI:len: an MKI we would have to echo in every packet
        if (fields.Length == 2 && fields[1].Contains(':', StringComparison.Ordinal)) return false;
        return SrtpMasterKey.TryFromBase64(fields[0], out key);
    }

    public static string Format(int tag, SrtpSuite suite, SrtpMasterKey key) =>
        string.Create(CultureInfo.InvariantCulture, $"a=crypto:{tag} {suite.SdesName()} inline:{key.ToBase64()}");
}
