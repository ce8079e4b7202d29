using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Hotline.Cti.Sip.Messages;

/// <summary>
/// The dialog a <c>Replaces</c> header names (RFC 3891 §6.1): <c>callid;to-tag=…;from-tag=…[;early-only]</c>.
/// The tags are given from the point of view of the UA that holds the dialog (to-tag = its local tag).
/// </summary>
public sealed record SipReplaces(string CallId, string ToTag, string FromTag, bool EarlyOnly)
{
    /// <summary>RFC 3891 §6.1: Call-ID, then to-tag and from-tag, both required.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out SipReplaces? replaces)
    {
        replaces = null;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var parts = text.Split(';', StringSplitOptions.TrimEntries);
        if (parts[0].Length == 0 || parts[0].Contains(' ', StringComparison.Ordinal)) return false;
        string? to = null, from = null;
        var early = false;
        foreach (var p in parts.AsSpan(1))
        {
            var eq = p.IndexOf('=', StringComparison.Ordinal);
            var name = (eq < 0 ? p : p[..eq]).Trim();
            var value = eq < 0 ? "" : p[(eq + 1)..].Trim();
            if (name.Equals("to-tag", StringComparison.OrdinalIgnoreCase)) to = value;
            else if (name.Equals("from-tag", StringComparison.OrdinalIgnoreCase)) from = value;
            else if (name.Equals("early-only", StringComparison.OrdinalIgnoreCase)) early = true;
        }
        if (string.IsNullOrEmpty(to) || string.IsNullOrEmpty(from)) return false;
        replaces = new SipReplaces(parts[0], to, from, early);
        return true;
    }

    /// <summary>True when <paramref name="callId"/> and the two tags name this dialog, whichever side's view the tags took.</summary>
    public bool Names(string callId, string localTag, string remoteTag) =>
        string.Equals(CallId, callId, StringComparison.Ordinal)
        && ((ToTag == localTag && FromTag == remoteTag) || (ToTag == remoteTag && FromTag == localTag));

    public override string ToString() => CallId + ";to-tag=" + ToTag + ";from-tag=" + FromTag + (EarlyOnly ? ";early-only" : "");
}

/// <summary>
/// A REFER's <c>Refer-To</c> (RFC 3515 §2.1, compact form <c>r</c>): the URI to contact, without its header part,
/// and a <c>Replaces</c> carried in the URI's headers (RFC 3891 §5, attended transfer).
/// </summary>
public sealed record SipReferTo(SipUri Target, SipReplaces? Replaces)
{
    public const string HeaderName = "Refer-To";
    public const string CompactName = "r";

    /// <summary>
    /// Reads the one Refer-To of <paramref name="refer"/>. Fails (with why) when there is none, more than one
    /// (RFC 3515 §2.4.1: exactly one), the value is not a name-addr/addr-spec with a SIP URI, or its Replaces is malformed.
    /// </summary>
    public static bool TryRead(SipMessage refer, [NotNullWhen(true)] out SipReferTo? referTo, out string error)
    {
        referTo = null;
        var values = new List<string>(1);
        foreach (var h in refer.Headers)
        {
            if (h.Id != SipHeaderId.Other) continue;
            var name = h.Name;
            if (name.Equals(HeaderName, StringComparison.OrdinalIgnoreCase) || name.Equals(CompactName, StringComparison.OrdinalIgnoreCase))
                values.Add(h.Value);
        }
        if (values.Count == 0) { error = "no Refer-To header"; return false; }
        if (values.Count > 1) { error = "more than one Refer-To header"; return false; }
        return TryParse(values[0], out referTo, out error);
    }

    /// <summary>Parses a Refer-To value: <c>&lt;sip:dept@host?Replaces=…&gt;</c> or a bare SIP URI.</summary>
    public static bool TryParse(string value, [NotNullWhen(true)] out SipReferTo? referTo, out string error)
    {
        referTo = null;
        error = "";
        var text = value.Trim();
        SipUri? uri;
        if (text.Contains('<', StringComparison.Ordinal))
        {
            if (!SipNameAddr.TryParse(text, out var addr)) { error = "unparsable Refer-To"; return false; }
            uri = addr.Uri;
        }
        else if (text.Contains(',', StringComparison.Ordinal) || !SipUri.TryParse(text, out uri))
        {
            error = "unparsable Refer-To";
            return false;
        }
        if (!uri.IsSip || uri.Host.Length == 0) { error = "Refer-To is not a SIP URI"; return false; }
        SipReplaces? replaces = null;
        if (uri.Headers is { Length: > 0 } headers)
        {
            foreach (var pair in headers.Split('&'))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || !pair[..eq].Equals("Replaces", StringComparison.OrdinalIgnoreCase)) continue;
                if (!TryUnescape(pair[(eq + 1)..], out var raw) || !SipReplaces.TryParse(raw, out replaces))
                {
                    error = "malformed Replaces in Refer-To";
                    return false;
                }
            }
        }
        var target = new SipUri { Scheme = uri.Scheme, User = uri.User, Host = uri.Host, Port = uri.Port };
        foreach (var (k, v) in uri.Parameters.Items)
            if (!k.Equals("method", StringComparison.OrdinalIgnoreCase)) target.Parameters[k] = v;
        referTo = new SipReferTo(target, replaces);
        return true;
    }

    /// <summary>RFC 3261 §19.1.1: header values in a URI are %-escaped.</summary>
    private static bool TryUnescape(string text, out string value)
    {
        value = text;
        if (!text.Contains('%', StringComparison.Ordinal)) return true;
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '%') { bytes.Add((byte)text[i]); continue; }
            if (i + 2 >= text.Length || !byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b)) return false;
            bytes.Add(b);
            i += 2;
        }
        value = Encoding.UTF8.GetString(bytes.ToArray());
        return true;
    }
}
