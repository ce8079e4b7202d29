namespace Hotline.Cti.Sip.Transport;

/// <summary>
/// Finds message boundaries in a byte stream (RFC 3261 §18.3): headers end at the blank line and the body is
/// exactly Content-Length bytes (mandatory on streams; absent means 0).
/// </summary>
internal static class SipStreamFraming
{
    /// <summary>Result of looking for one message at the start of a buffer.</summary>
    public enum Outcome
    {
        NeedMore,
        Message,
        KeepAlive,
        Invalid,
    }

    /// <summary>
    /// Frames one message. On <see cref="Outcome.Invalid"/>, <paramref name="messageLength"/> is the length of a
    /// complete header section with an unusable Content-Length (so it can still be answered), else 0.
    /// </summary>
    public static Outcome TryFrame(ReadOnlySpan<byte> buffer, int maxMessageBytes, out int messageLength)
    {
        messageLength = 0;
        // RFC 5626 §3.5.1 keep-alive: CRLFCRLF ping, and bare CRLFs between messages.
        var skip = 0;
        while (skip + 1 < buffer.Length && buffer[skip] == '\r' && buffer[skip + 1] == '\n') skip += 2;
        if (skip > 0)
        {
            messageLength = skip;
            return Outcome.KeepAlive;
        }
        var end = buffer.IndexOf("\r\n\r\n"u8);
        if (end < 0) return buffer.Length > maxMessageBytes ? Outcome.Invalid : Outcome.NeedMore;
        var headers = buffer[..(end + 2)];
        var contentLength = 0;
        var pos = 0;
        while (pos < headers.Length)
        {
            var len = headers[pos..].IndexOf("\r\n"u8);
            if (len < 0) break;
            var line = headers.Slice(pos, len);
            pos += len + 2;
            var colon = line.IndexOf((byte)':');
            if (colon <= 0) continue;
            var name = line[..colon].TrimEnd(" \t"u8);
            if (!(name.Length == 1 && (name[0] | 0x20) == 'l') && !Messages.SipHeaderNames.EqualsIgnoreCase(name, "Content-Length")) continue;
            var value = line[(colon + 1)..].Trim(" \t"u8);
            // RFC 4475 §3.1.2.3: the header section is whole, so hand it up to be answered 400 before closing.
            messageLength = end + 4;
            if (value.IsEmpty || value.Length > 9) return Outcome.Invalid;
            contentLength = 0;
            foreach (var d in value)
            {
                if (d is < (byte)'0' or > (byte)'9') return Outcome.Invalid;
                contentLength = contentLength * 10 + (d - '0');
            }
            messageLength = 0;
        }
        var total = end + 4 + contentLength;
        if (total > maxMessageBytes) return Outcome.Invalid;
        if (buffer.Length < total) return Outcome.NeedMore;
        messageLength = total;
        return Outcome.Message;
    }
}
