using System.Globalization;

namespace Hotline.Cti.Media.Sdp;

/// <summary>One <c>a=rtpmap</c> (or a static payload type's implied mapping).</summary>
public sealed record RtpMap(int PayloadType, string Encoding, int ClockRate);

/// <summary>One <c>m=</c> section of an SDP (RFC 4566 §5.14) with what we need from its attributes.</summary>
public sealed class MediaDescription
{
    public required string Media { get; init; }
    public required int Port { get; init; }
    public required string Protocol { get; init; }
    public required IReadOnlyList<int> Formats { get; init; }
    public Dictionary<int, RtpMap> RtpMaps { get; } = [];
    public Dictionary<int, string> Fmtp { get; } = [];
    public string? ConnectionAddress { get; set; }
    public MediaDirection? Direction { get; set; }
    public int? Ptime { get; set; }

    /// <summary>SDES <c>a=crypto</c> lines in offer order (RFC 4568 §9.1; malformed ones are left out).</summary>
    public List<SdpCrypto> Crypto { get; } = [];

    /// <summary>The WebRTC attributes of this m-section (ICE, DTLS, rtcp-mux, mid); absent ones fall back to session level.</summary>
    public WebRtcAttributes WebRtc { get; } = new();

    /// <summary>The mapping of a payload type: explicit rtpmap, else RFC 3551 static (0 PCMU, 8 PCMA).</summary>
    public RtpMap? MapOf(int payloadType) =>
        RtpMaps.TryGetValue(payloadType, out var map) ? map : payloadType switch
        {
            0 => new RtpMap(0, "PCMU", 8000),
            8 => new RtpMap(8, "PCMA", 8000),
            _ => null,
        };
}

/// <summary>
/// A parsed SDP session description (RFC 4566): origin, session-level connection and direction, media sections.
/// Parsing is lenient about what we ignore and strict about what we use; it never throws on bad input.
/// </summary>
public sealed class SessionDescription
{
    public string OriginUser { get; private set; } = "-";
    public string OriginSessionId { get; private set; } = "0";
    public ulong OriginVersion { get; private set; }
    public string? ConnectionAddress { get; private set; }
    public MediaDirection? Direction { get; private set; }
    public List<MediaDescription> Media { get; } = [];

    /// <summary>Session-level ICE/DTLS attributes (RFC 8839 §5.4 and RFC 8122 §5 allow them there).</summary>
    public WebRtcAttributes WebRtc { get; } = new();

    /// <summary>Parses SDP text; returns false with a reason (for a 488/400 reason phrase) when it is unusable.</summary>
    public static bool TryParse(string text, out SessionDescription sdp, out string error)
    {
        sdp = new SessionDescription();
        error = "";
        if (string.IsNullOrWhiteSpace(text)) { error = "empty SDP"; return false; }
        MediaDescription? current = null;
        var sawVersion = false;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.Length == 0) continue;
            if (line.Length < 2 || line[1] != '=') { error = $"malformed SDP line '{Truncate(line)}'"; return false; }
            var value = line[2..];
            switch (line[0])
            {
                case 'v':
                    if (value != "0") { error = $"unsupported SDP version '{Truncate(value)}'"; return false; }
                    sawVersion = true;
                    break;
                case 'o':
                    var o = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (o.Length != 6 || !ulong.TryParse(o[2], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
                    { error = "malformed o= line"; return false; }
                    sdp.OriginUser = o[0];
                    sdp.OriginSessionId = o[1];
                    sdp.OriginVersion = version;
                    break;
                case 'c':
                    var c = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (c.Length != 3 || c[0] != "IN" || c[1] is not ("IP4" or "IP6")) { error = "malformed c= line"; return false; }
                    var address = c[2].Split('/')[0]; // strip multicast TTL
                    if (current is null) sdp.ConnectionAddress = address;
                    else current.ConnectionAddress = address;
                    break;
                case 'm':
                    var m = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (m.Length < 4 || !int.TryParse(m[1].Split('/')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
                    { error = "malformed m= line"; return false; }
                    var formats = new List<int>();
                    foreach (var f in m.AsSpan(3))
                        if (int.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out var pt) && pt <= 127) formats.Add(pt);
                    current = new MediaDescription { Media = m[0], Port = port, Protocol = m[2], Formats = formats };
                    sdp.Media.Add(current);
                    break;
                case 'a':
                    ParseAttribute(sdp, current, value);
                    break;
            }
        }
        if (!sawVersion) { error = "SDP has no v= line"; return false; }
        return true;
    }

    private static void ParseAttribute(SessionDescription sdp, MediaDescription? media, string value)
    {
        var colon = value.IndexOf(':');
        var name = colon < 0 ? value : value[..colon];
        var arg = colon < 0 ? "" : value[(colon + 1)..];
        MediaDirection? direction = name switch
        {
            "sendrecv" => MediaDirection.SendRecv,
            "sendonly" => MediaDirection.SendOnly,
            "recvonly" => MediaDirection.RecvOnly,
            "inactive" => MediaDirection.Inactive,
            _ => null,
        };
        if (direction is not null)
        {
            if (media is null) sdp.Direction = direction;
            else media.Direction = direction;
            return;
        }
        if ((media?.WebRtc ?? sdp.WebRtc).TryRead(name, arg)) return;
        if (media is null) return;
        switch (name)
        {
            case "rtpmap":
                // a=rtpmap:<pt> <encoding>/<clock>[/<channels>]
                var space = arg.IndexOf(' ');
                if (space < 0 || !int.TryParse(arg.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out var pt)) return;
                var enc = arg[(space + 1)..].Split('/');
                if (enc.Length < 2 || !int.TryParse(enc[1], NumberStyles.None, CultureInfo.InvariantCulture, out var clock)) return;
                media.RtpMaps[pt] = new RtpMap(pt, enc[0], clock);
                break;
            case "fmtp":
                var sp = arg.IndexOf(' ');
                if (sp > 0 && int.TryParse(arg.AsSpan(0, sp), NumberStyles.None, CultureInfo.InvariantCulture, out var fpt))
                    media.Fmtp[fpt] = arg[(sp + 1)..];
                break;
            case "crypto":
                if (SdpCrypto.TryParse(arg, out var crypto)) media.Crypto.Add(crypto!);
                break;
            case "ptime":
                if (int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out var ptime)) media.Ptime = ptime;
                break;
        }
    }

    private static string Truncate(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
