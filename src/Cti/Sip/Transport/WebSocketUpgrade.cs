using System.Security.Cryptography;
using System.Text;

namespace Hotline.Cti.Sip.Transport;

/// <summary>
/// The server side of the WebSocket opening handshake (RFC 6455 §4.2) for SIP (RFC 7118 §4.1): a GET on our path
/// with <c>Upgrade: websocket</c>, version 13, a 16-byte key, and <c>sip</c> among the offered subprotocols. Anything
/// else is answered with an HTTP error and closed; nothing here allocates more than the request it was given.
/// A browser's request names the page's origin (RFC 6455 §10.2): only the configured origins may open the phone's
/// connection, so a page elsewhere on the web cannot use an agent's browser to reach the engine.
/// </summary>
public static class WebSocketUpgrade
{
    private const string Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"; // RFC 6455 §1.3

    /// <summary>The outcome: <see cref="Response"/> is what to write back; <see cref="Accepted"/> when it is the 101.</summary>
    public readonly record struct Result(bool Accepted, string Response, string? Reason);

    /// <summary>Judges one request header section (up to and including the blank line); a request with an <c>Origin</c> not in <paramref name="allowedOrigins"/> gets 403.</summary>
    public static Result Evaluate(ReadOnlySpan<byte> request, string path, IReadOnlyList<string> allowedOrigins)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(request);
        }
        catch (DecoderFallbackException)
        {
            return Refuse(400, "Bad Request", "not UTF-8");
        }
        var lines = text.Split("\r\n");
        var start = lines[0].Split(' ');
        if (start.Length != 3 || !start[2].StartsWith("HTTP/1.1", StringComparison.Ordinal)) return Refuse(400, "Bad Request", "malformed request line");
        if (start[0] != "GET") return Refuse(405, "Method Not Allowed", "not GET");
        var target = start[1];
        var query = target.IndexOf('?', StringComparison.Ordinal);
        if (!string.Equals(query < 0 ? target : target[..query], path, StringComparison.Ordinal)) return Refuse(404, "Not Found", "wrong path");
        string? upgrade = null, connection = null, key = null, version = null, protocols = null, origin = null;
        var origins = 0;
        for (var i = 1; i < lines.Length; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) continue;
            var name = lines[i][..colon].Trim();
            var value = lines[i][(colon + 1)..].Trim();
            if (name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase)) upgrade = value;
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase)) connection = value;
            else if (name.Equals("Sec-WebSocket-Key", StringComparison.OrdinalIgnoreCase)) key = value;
            else if (name.Equals("Sec-WebSocket-Version", StringComparison.OrdinalIgnoreCase)) version = value;
            else if (name.Equals("Sec-WebSocket-Protocol", StringComparison.OrdinalIgnoreCase)) protocols = protocols is null ? value : protocols + "," + value;
            else if (name.Equals("Origin", StringComparison.OrdinalIgnoreCase))
            {
                origin = value;
                origins++;
            }
        }
        if (upgrade is null || !upgrade.Equals("websocket", StringComparison.OrdinalIgnoreCase)
            || connection is null || !connection.Split(',').Any(t => t.Trim().Equals("Upgrade", StringComparison.OrdinalIgnoreCase)))
            return Refuse(426, "Upgrade Required", "not a WebSocket upgrade");
        if (version != "13") return new Result(false, "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", "WebSocket version " + version);
        if (key is null || !IsNonce(key)) return Refuse(400, "Bad Request", "bad Sec-WebSocket-Key");
        // RFC 7118 §4.1: the client MUST offer "sip"; a server that does not see it must not complete the handshake
        // as a SIP server (RFC 6455 §4.2.2: otherwise the client fails the connection).
        if (protocols is null || !protocols.Split(',').Any(p => p.Trim().Equals("sip", StringComparison.Ordinal)))
            return Refuse(400, "Bad Request", "subprotocol sip not offered");
        // RFC 6454 §7.3: one origin per request; two Origin headers are no origin we could check.
        if (origins > 1) return Refuse(403, "Forbidden", "more than one Origin");
        if (origin is not null && !IsAllowed(origin, allowedOrigins)) return Refuse(403, "Forbidden", "origin " + Printable(origin) + " not allowed");
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + Guid)));
        return new Result(true,
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept
            + "\r\nSec-WebSocket-Protocol: sip\r\n\r\n", null);
    }

    /// <summary>
    /// Browsers send the origin serialised (RFC 6454 §6.2: lower-case scheme and host, the port only when not the
    /// scheme's default); the configured list is normalised the same way at start. "null" (an opaque origin: a sandboxed
    /// frame, a file) is never allowed unless any origin is.
    /// </summary>
    private static bool IsAllowed(string origin, IReadOnlyList<string> allowed)
    {
        foreach (var a in allowed)
            if (a == "*" || string.Equals(a, origin, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private static string Printable(string value)
    {
        var clipped = value.Length > 100 ? value[..100] : value;
        return string.Create(clipped.Length, clipped, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++) span[i] = s[i] is >= ' ' and <= '~' ? s[i] : '?';
        });
    }

    // §4.1: the key is a base64-encoded 16-byte nonce.
    private static bool IsNonce(string key)
    {
        Span<byte> decoded = stackalloc byte[24];
        return Convert.TryFromBase64String(key, decoded, out var n) && n == 16;
    }

    private static Result Refuse(int status, string phrase, string reason) =>
        new(false, $"HTTP/1.1 {status} {phrase}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", reason);
}
