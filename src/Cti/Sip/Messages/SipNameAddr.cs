using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Hotline.Cti.Sip.Messages;

/// <summary>
/// name-addr or addr-spec with header parameters: the value of From, To, Contact, Route, Record-Route
/// (RFC 3261 §20.10, §25.1). Without angle brackets, parameters after the URI belong to the header (§20.10).
/// </summary>
public sealed class SipNameAddr
{
    public string? DisplayName { get; init; }
    public required SipUri Uri { get; init; }
    public SipParameters Parameters { get; } = new();

    /// <summary>The <c>tag</c> parameter of From/To (§19.3).</summary>
    public string? Tag
    {
        get => Parameters["tag"];
        set
        {
            if (value is null) Parameters.Remove("tag");
            else Parameters["tag"] = value;
        }
    }

    public static SipNameAddr Parse(string text) =>
        TryParse(text, out var v) ? v : throw new FormatException($"Not a valid name-addr: '{text}'.");

    public static bool TryParse(string? text, [NotNullWhen(true)] out SipNameAddr? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.AsSpan().Trim();
        string? display = null;
        ReadOnlySpan<char> uriText;
        ReadOnlySpan<char> paramText;
        if (s[0] == '"')
        {
            // quoted-string with \-escapes (§25.1).
            var i = 1;
            for (; i < s.Length; i++)
            {
                if (s[i] == '\\') i++;
                else if (s[i] == '"') break;
            }
            if (i >= s.Length) return false;
            display = SipGrammar.Unquote(s[..(i + 1)].ToString());
            s = s[(i + 1)..].TrimStart();
            if (s.IsEmpty || s[0] != '<') return false;
        }
        var lt = s.IndexOf('<');
        if (lt >= 0)
        {
            if (display is null && lt > 0)
            {
                var name = s[..lt].Trim();
                foreach (var c in name) if (!(SipGrammar.IsTokenChar(c) || c is ' ' or '\t')) return false;
                display = name.ToString();
            }
            var gt = s.IndexOf('>');
            if (gt < lt) return false;
            uriText = s[(lt + 1)..gt];
            paramText = s[(gt + 1)..];
        }
        else
        {
            // addr-spec: params after the URI are header params, and the URI cannot carry any (§20.10).
            var semi = s.IndexOf(';');
            uriText = semi >= 0 ? s[..semi] : s;
            paramText = semi >= 0 ? s[semi..] : [];
            if (uriText.IndexOf('?') >= 0) return false;
        }
        // RFC 4475 §3.1.2.14: name-addr is LAQUOT addr-spec RAQUOT; whitespace inside the brackets is malformed.
        if (lt >= 0 && (uriText.IsEmpty || IsWhite(uriText[0]) || IsWhite(uriText[^1]))) return false;
        if (!SipUri.TryParse(uriText.Trim().ToString(), out var uri)) return false;
        var parsed = new SipNameAddr { DisplayName = display, Uri = uri };
        if (!SipParameters.TryParse(paramText, ';', parsed.Parameters)) return false;
        value = parsed;
        return true;
    }

    private static bool IsWhite(char c) => c is ' ' or '\t';

    public override string ToString()
    {
        var sb = new StringBuilder(96);
        if (!string.IsNullOrEmpty(DisplayName)) sb.Append(SipGrammar.Quote(DisplayName)).Append(' ');
        sb.Append('<').Append(Uri).Append('>');
        Parameters.AppendTo(sb);
        return sb.ToString();
    }
}
