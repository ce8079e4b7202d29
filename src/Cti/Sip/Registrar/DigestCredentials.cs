using System.Diagnostics.CodeAnalysis;
using Hotline.Cti.Sip.Messages;

namespace Hotline.Cti.Sip.Registrar;

/// <summary>The parameters of an <c>Authorization: Digest …</c> header (RFC 3261 §25.1 credentials).</summary>
public sealed class DigestCredentials
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    public string? this[string name] => _values.GetValueOrDefault(name);

    public string? Username => this["username"];
    public string? Realm => this["realm"];
    public string? Nonce => this["nonce"];
    public string? Uri => this["uri"];
    public string? Response => this["response"];
    public string? Algorithm => this["algorithm"];
    public string? Cnonce => this["cnonce"];
    public string? Qop => this["qop"];
    public string? NonceCount => this["nc"];

    public static bool TryParse(string? header, [NotNullWhen(true)] out DigestCredentials? credentials)
    {
        credentials = null;
        if (header is null) return false;
        var s = header.AsSpan().Trim();
        if (!s.StartsWith("Digest", StringComparison.OrdinalIgnoreCase) || s.Length < 7 || s[6] is not (' ' or '\t')) return false;
        var parsed = new DigestCredentials();
        // auth-params are a comma list of name=value, values token or quoted-string (§25.1).
        foreach (var part in SipGrammarAccess.SplitList(s[7..].ToString()))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) return false;
            var name = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            parsed._values[name] = SipGrammarAccess.Unquote(value);
        }
        if (parsed.Username is null || parsed.Nonce is null || parsed.Response is null || parsed.Uri is null) return false;
        credentials = parsed;
        return true;
    }
}
