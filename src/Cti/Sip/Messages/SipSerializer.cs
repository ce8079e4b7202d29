using System.Globalization;
using System.Text;

namespace Hotline.Cti.Sip.Messages;

/// <summary>
/// Writes a message in wire form (RFC 3261 §7): known headers in canonical long form, unknown ones verbatim,
/// and a Content-Length always computed from the body (§20.14: mandatory over TCP, harmless over UDP).
/// </summary>
public static class SipSerializer
{
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;
    private static ReadOnlySpan<byte> ColonSpace => ": "u8;

    public static int GetLength(SipMessage message)
    {
        var n = StartLineLength(message) + 2;
        foreach (var h in message.Headers)
        {
            if (h.Id == SipHeaderId.ContentLength) continue;
            n += NameLength(h) + 2 + h.RawValue.Length + 2;
        }
        n += "Content-Length: "u8.Length + Digits(message.Body.Length) + 2 + 2;
        return n + message.Body.Length;
    }

    /// <summary>Writes into <paramref name="destination"/>, which must hold <see cref="GetLength"/> bytes.</summary>
    public static int Write(SipMessage message, Span<byte> destination)
    {
        var w = 0;
        if (message.IsRequest)
        {
            w += Ascii(message.Method, destination[w..]);
            destination[w++] = (byte)' ';
            w += Encoding.UTF8.GetBytes(message.RequestUriText, destination[w..]);
            destination[w++] = (byte)' ';
            "SIP/2.0"u8.CopyTo(destination[w..]);
            w += 7;
        }
        else
        {
            "SIP/2.0 "u8.CopyTo(destination[w..]);
            w += 8;
            message.StatusCode.TryFormat(destination[w..], out var written, default, CultureInfo.InvariantCulture);
            w += written;
            destination[w++] = (byte)' ';
            w += Encoding.UTF8.GetBytes(message.ReasonPhrase, destination[w..]);
        }
        Crlf.CopyTo(destination[w..]);
        w += 2;
        foreach (var h in message.Headers)
        {
            if (h.Id == SipHeaderId.ContentLength) continue;
            if (h.Id == SipHeaderId.Other) h.NameBytes.CopyTo(destination[w..]);
            else Ascii(SipHeaderNames.NameOf(h.Id), destination[w..]);
            w += NameLength(h);
            ColonSpace.CopyTo(destination[w..]);
            w += 2;
            h.RawValue.Span.CopyTo(destination[w..]);
            w += h.RawValue.Length;
            Crlf.CopyTo(destination[w..]);
            w += 2;
        }
        "Content-Length: "u8.CopyTo(destination[w..]);
        w += 16;
        message.Body.Length.TryFormat(destination[w..], out var n, default, CultureInfo.InvariantCulture);
        w += n;
        "\r\n\r\n"u8.CopyTo(destination[w..]);
        w += 4;
        message.Body.Span.CopyTo(destination[w..]);
        return w + message.Body.Length;
    }

    public static byte[] ToArray(SipMessage message)
    {
        var bytes = new byte[GetLength(message)];
        var n = Write(message, bytes);
        return n == bytes.Length ? bytes : bytes[..n];
    }

    private static int StartLineLength(SipMessage m) => m.IsRequest
        ? m.Method.Length + 1 + Encoding.UTF8.GetByteCount(m.RequestUriText) + 1 + 7
        : 8 + Digits(m.StatusCode) + 1 + Encoding.UTF8.GetByteCount(m.ReasonPhrase);

    private static int NameLength(SipHeader h) => h.Id == SipHeaderId.Other ? h.NameBytes.Length : SipHeaderNames.NameOf(h.Id).Length;

    private static int Digits(int v) => v < 10 ? 1 : (int)Math.Floor(Math.Log10(v)) + 1;

    private static int Ascii(string s, Span<byte> destination)
    {
        for (var i = 0; i < s.Length; i++) destination[i] = (byte)s[i];
        return s.Length;
    }
}
