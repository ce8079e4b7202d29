using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text;

namespace Hotline.Cti.Sip.Messages;

/// <summary>
/// A SIP or SIPS URI (RFC 3261 §19.1): <c>sip:user:password@host:port;params?headers</c>. The user part is kept
/// unescaped and re-escaped on output; IPv6 hosts are written in brackets (§19.1.1, RFC 5118). Other schemes
/// (tel:, http:) parse into <see cref="Scheme"/> and <see cref="Opaque"/> so a request can get 416.
/// </summary>
public sealed class SipUri
{
    public string Scheme { get; init; } = "sip";
    public string? User { get; set; }
    public string? Password { get; init; }
    public string Host { get; init; } = "";
    public int? Port { get; init; }
    public SipParameters Parameters { get; } = new();
    public string? Headers { get; init; }

    /// <summary>For schemes other than sip/sips: everything after the colon.</summary>
    public string? Opaque { get; init; }

    public bool IsSip => Scheme is "sip" or "sips";

    public bool IsIPv6Host => Host.Contains(':', StringComparison.Ordinal);

    /// <summary>The transport parameter, lower-cased, if any.</summary>
    public string? Transport => Parameters["transport"]?.ToLowerInvariant();

    public static SipUri Parse(string text) =>
        TryParse(text, out var uri) ? uri : throw new FormatException($"Not a valid SIP URI: '{text}'.");

    public static bool TryParse(string? text, [NotNullWhen(true)] out SipUri? uri)
    {
        uri = null;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.AsSpan().Trim();
        var colon = s.IndexOf(':');
        if (colon <= 0) return false;
        var scheme = s[..colon].ToString().ToLowerInvariant();
        if (!char.IsAsciiLetter(scheme[0])) return false;
        foreach (var c in scheme) if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.')) return false;
        var rest = s[(colon + 1)..];
        if (rest.IsEmpty || rest.ContainsAny(' ', '\t')) return false;
        if (scheme is not ("sip" or "sips"))
        {
            uri = new SipUri { Scheme = scheme, Opaque = rest.ToString() };
            return true;
        }

        // §25.1: '@' can appear neither in uri-parameters nor in headers, so the last one ends the userinfo, which may
        // itself hold '?', ';' and ':' (RFC 4475 §3.1.1.2, §3.1.1.9). Headers start at the first '?' after it.
        string? user = null, password = null;
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            var userinfo = rest[..at];
            rest = rest[(at + 1)..];
            var pc = userinfo.IndexOf(':');
            var userPart = pc >= 0 ? userinfo[..pc] : userinfo;
            if (userPart.IsEmpty || !TryUnescape(userPart, out user)) return false;
            if (pc >= 0 && !TryUnescape(userinfo[(pc + 1)..], out password)) return false;
        }
        string? headers = null;
        var q = rest.IndexOf('?');
        if (q >= 0)
        {
            headers = rest[(q + 1)..].ToString();
            rest = rest[..q];
        }
        var semi = rest.IndexOf(';');
        var hostport = semi >= 0 ? rest[..semi] : rest;
        var paramText = semi >= 0 ? rest[semi..] : [];
        if (!TryParseHostPort(hostport, out var host, out var port)) return false;
        var parsed = new SipUri { Scheme = scheme, User = user, Password = password, Host = host, Port = port, Headers = headers };
        if (!SipParameters.TryParse(paramText, ';', parsed.Parameters)) return false;
        uri = parsed;
        return true;
    }

    /// <summary>host[:port] with IPv6 references in brackets (RFC 3261 §25.1 hostport).</summary>
    internal static bool TryParseHostPort(ReadOnlySpan<char> hostport, out string host, out int? port)
    {
        host = "";
        port = null;
        ReadOnlySpan<char> portText = [];
        if (hostport.StartsWith("["))
        {
            var close = hostport.IndexOf(']');
            if (close < 0) return false;
            var v6 = hostport[1..close];
            if (!IPAddress.TryParse(v6, out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return false;
            host = v6.ToString();
            var after = hostport[(close + 1)..];
            if (!after.IsEmpty)
            {
                if (after[0] != ':') return false;
                portText = after[1..];
            }
        }
        else
        {
            var pc = hostport.IndexOf(':');
            var name = pc >= 0 ? hostport[..pc] : hostport;
            if (pc >= 0) portText = hostport[(pc + 1)..];
            if (name.IsEmpty) return false;
            foreach (var c in name) if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.')) return false;
            host = name.ToString();
        }
        if (portText.Length > 0 || hostport.EndsWith(":"))
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535) return false;
            port = p;
        }
        return true;
    }

    private static bool TryUnescape(ReadOnlySpan<char> text, out string value)
    {
        value = "";
        if (text.IndexOf('%') < 0)
        {
            value = text.ToString();
            return true;
        }
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%')
            {
                if (i + 2 >= text.Length || !byte.TryParse(text.Slice(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b)) return false;
                bytes.Add(b);
                i += 2;
            }
            else bytes.Add((byte)text[i]);
        }
        value = Encoding.UTF8.GetString(bytes.ToArray());
        return true;
    }

    /// <summary>RFC 3261 §25.1 user unreserved set: escape everything else.</summary>
    private static void AppendEscapedUser(StringBuilder sb, string user)
    {
        foreach (var b in Encoding.UTF8.GetBytes(user))
        {
            var c = (char)b;
            if (b < 128 && (char.IsAsciiLetterOrDigit(c) || "-_.!~*'()&=+$,;?/".Contains(c, StringComparison.Ordinal))) sb.Append(c);
            else sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>host:port as it appears in a URI or Via (IPv6 in brackets).</summary>
    public string HostPort => FormatHostPort(Host, Port);

    public static string FormatHostPort(string host, int? port)
    {
        var h = host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host;
        return port is { } p ? h + ":" + p.ToString(CultureInfo.InvariantCulture) : h;
    }

    public override string ToString()
    {
        if (!IsSip) return Scheme + ":" + Opaque;
        var sb = new StringBuilder(64).Append(Scheme).Append(':');
        if (User is not null)
        {
            AppendEscapedUser(sb, User);
            if (Password is not null) sb.Append(':').Append(Password);
            sb.Append('@');
        }
        sb.Append(HostPort);
        Parameters.AppendTo(sb);
        if (Headers is not null) sb.Append('?').Append(Headers);
        return sb.ToString();
    }
}
