using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Hotline.Cti.Sip.Messages;

/// <summary>One Via value (RFC 3261 §20.42): <c>SIP/2.0/UDP host:port;branch=…;rport;received=…</c>.</summary>
public sealed class SipVia
{
    /// <summary>RFC 3261 §8.1.1.7: branches of RFC 3261 clients start with this cookie.</summary>
    public const string MagicCookie = "z9hG4bK";

    /// <summary>The protocol-version of sent-protocol ("2.0" in every message the parser accepts).</summary>
    public string ProtocolVersion { get; init; } = "2.0";

    public string Transport { get; init; } = "UDP";
    public string Host { get; init; } = "";
    public int? Port { get; init; }
    public SipParameters Parameters { get; } = new();

    public string? Branch => Parameters["branch"];
    public string? Received => Parameters["received"];

    /// <summary>RFC 3581: rport present (with or without a value).</summary>
    public bool HasRport => Parameters.Contains("rport");

    public int? RportValue =>
        int.TryParse(Parameters["rport"], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null;

    public bool IsRfc3261Branch => Branch?.StartsWith(MagicCookie, StringComparison.Ordinal) == true;

    public bool IsReliable => Transport is "TCP" or "TLS" or "SCTP" or "WS" or "WSS";

    /// <summary>sent-by, port defaulted to 5060 (§18.2.1 matching compares this).</summary>
    public string SentBy => SipUri.FormatHostPort(Host, Port ?? 5060);

    public static bool TryParse(string? text, [NotNullWhen(true)] out SipVia? via)
    {
        via = null;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.AsSpan().Trim();
        // sent-protocol: name / version / transport, LWS allowed around the slashes (RFC 4475 §3.1.1.1).
        if (!TakeToken(ref s, out var name) || !Slash(ref s) || !TakeToken(ref s, out var version) || !Slash(ref s) ||
            !TakeToken(ref s, out var transport)) return false;
        // Any version parses, so a request in SIP/7.0 can still be answered 505 (RFC 4475 §3.1.2.16); the parser
        // refuses a version other than 2.0 in a message it accepts.
        if (!name.Equals("SIP", StringComparison.OrdinalIgnoreCase)) return false;
        s = s.TrimStart();
        var semi = s.IndexOf(';');
        var hostport = (semi >= 0 ? s[..semi] : s).Trim();
        // Tolerate "host : port" spacing.
        Span<char> compact = stackalloc char[Math.Min(hostport.Length, 300)];
        if (hostport.Length > 300) return false;
        var n = 0;
        foreach (var c in hostport) if (c is not (' ' or '\t')) compact[n++] = c;
        if (!SipUri.TryParseHostPort(compact[..n], out var host, out var port)) return false;
        var parsed = new SipVia { ProtocolVersion = version.ToString(), Transport = transport.ToString().ToUpperInvariant(), Host = host, Port = port };
        if (semi >= 0 && !SipParameters.TryParse(s[semi..], ';', parsed.Parameters)) return false;
        via = parsed;
        return true;
    }

    private static bool TakeToken(ref ReadOnlySpan<char> s, out ReadOnlySpan<char> token)
    {
        s = s.TrimStart();
        var i = 0;
        while (i < s.Length && SipGrammar.IsTokenChar(s[i])) i++;
        token = s[..i];
        s = s[i..];
        return i > 0;
    }

    private static bool Slash(ref ReadOnlySpan<char> s)
    {
        s = s.TrimStart();
        if (s.IsEmpty || s[0] != '/') return false;
        s = s[1..];
        return true;
    }

    public override string ToString()
    {
        var sb = new StringBuilder(96).Append("SIP/2.0/").Append(Transport).Append(' ').Append(SipUri.FormatHostPort(Host, Port));
        Parameters.AppendTo(sb);
        return sb.ToString();
    }
}
