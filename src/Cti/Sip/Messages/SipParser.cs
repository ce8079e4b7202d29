using System.Text;

namespace Hotline.Cti.Sip.Messages;

/// <summary>The outcome of parsing: the message (possibly partial, enough to route a 400) and the first error.</summary>
public readonly record struct SipParseResult(SipMessage? Message, SipParseError Error)
{
    public bool Success => Error == SipParseError.None && Message is not null;
}

/// <summary>
/// Parses one SIP message from bytes (RFC 3261 §7, §25) in the manner of Kestrel's HttpParser: one copy of the
/// input, header names and values kept as slices of it, no string per header until a caller asks.
/// </summary>
public static class SipParser
{
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;
    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;
    private static ReadOnlySpan<byte> Version => "SIP/2.0"u8;

    /// <summary>
    /// Parses a whole datagram (or a framed stream message). The body is what follows the blank line, cut to
    /// Content-Length (§18.3); a body shorter than Content-Length is an error.
    /// </summary>
    public static SipParseResult Parse(ReadOnlySpan<byte> input, SipParserLimits? limits = null)
    {
        limits ??= SipParserLimits.Default;
        // RFC 3261 §7.5: CRLFs before the start line are ignored (keep-alives).
        while (input.Length >= 2 && input[0] == '\r' && input[1] == '\n') input = input[2..];
        if (input.IsEmpty) return new(null, SipParseError.Empty);
        var tooLarge = input.Length > limits.MaxMessageBytes;
        if (tooLarge) input = input[..limits.MaxMessageBytes];

        var buffer = input.ToArray();
        var headerEnd = buffer.AsSpan().IndexOf(HeaderEnd);
        var headerSectionLength = headerEnd >= 0 ? headerEnd + 2 : buffer.Length;
        Unfold(buffer.AsSpan(0, headerSectionLength));

        var memory = buffer.AsMemory();
        var span = buffer.AsSpan();
        var lineEnd = span[..headerSectionLength].IndexOf(Crlf);
        var startLine = lineEnd >= 0 ? memory[..lineEnd] : memory[..headerSectionLength];
        var position = lineEnd >= 0 ? lineEnd + 2 : headerSectionLength;

        var headers = new List<SipHeader>(12);
        var error = ParseHeaders(memory, position, headerSectionLength, limits, headers);
        var message = ParseStartLine(startLine, headers, out var startError);
        if (startError != SipParseError.None) error = startError;
        if (message is null) return new(null, error);

        if (tooLarge) return new(message, SipParseError.TooLarge);
        if (error == SipParseError.None && headerEnd < 0) error = SipParseError.MissingHeaderTerminator;
        if (error == SipParseError.None) error = Validate(message);
        if (error == SipParseError.None)
        {
            var bodyStart = headerEnd + 4;
            error = SetBody(message, memory[bodyStart..]);
        }
        return new(message, error);
    }

    /// <summary>RFC 3261 §7.3.1: a CRLF followed by SP/HT continues the previous line; turn it into spaces in place.</summary>
    private static void Unfold(Span<byte> headers)
    {
        for (var i = 0; i + 2 < headers.Length; i++)
        {
            if (headers[i] == '\r' && headers[i + 1] == '\n' && (headers[i + 2] == ' ' || headers[i + 2] == '\t'))
            {
                headers[i] = (byte)' ';
                headers[i + 1] = (byte)' ';
            }
        }
    }

    private static SipParseError ParseHeaders(ReadOnlyMemory<byte> buffer, int position, int end, SipParserLimits limits, List<SipHeader> headers)
    {
        var span = buffer.Span;
        while (position < end)
        {
            var rest = span[position..end];
            var len = rest.IndexOf(Crlf);
            if (len < 0) len = rest.Length;
            if (len == 0) break;
            if (headers.Count >= limits.MaxHeaders) return SipParseError.TooManyHeaders;
            var line = rest[..len];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0) return SipParseError.MalformedHeaderLine;
            var name = TrimEnd(line[..colon]);
            if (!SipGrammar.IsToken(name)) return SipParseError.MalformedHeaderLine;
            var valueStart = colon + 1;
            while (valueStart < len && IsWhite(line[valueStart])) valueStart++;
            var valueEnd = len;
            while (valueEnd > valueStart && IsWhite(line[valueEnd - 1])) valueEnd--;
            // RFC 3261 §25.1: TEXT-UTF8 and qdtext exclude CTLs; only a quoted-pair may carry one (§3.1.1.2).
            if (SipGrammar.HasBareControl(line[valueStart..valueEnd])) return SipParseError.MalformedHeaderValue;
            var id = SipHeaderNames.Identify(name);
            headers.Add(new SipHeader(id, buffer.Slice(position, name.Length), buffer.Slice(position + valueStart, valueEnd - valueStart)));
            position += len + 2;
        }
        return SipParseError.None;
    }

    private static SipMessage? ParseStartLine(ReadOnlyMemory<byte> lineMemory, List<SipHeader> headers, out SipParseError error)
    {
        error = SipParseError.None;
        var line = lineMemory.Span;
        if (line.IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0 || line.IndexOf((byte)0x7F) >= 0)
        {
            // §25.1: no CTL anywhere in a Request-Line or Status-Line (escaped as %XX in a URI, never raw).
            error = SipParseError.MalformedStartLine;
            return null;
        }
        if (line.StartsWith("SIP/"u8))
        {
            // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (§7.2).
            if (line.Length < 12 || line[7] != ' ' || !line[..7].SequenceEqual(Version) || line.Length > 12 && line[11] != ' ')
            {
                error = SipParseError.MalformedStartLine;
                return null;
            }
            var code = 0;
            for (var i = 8; i < 11; i++)
            {
                if (line[i] is < (byte)'0' or > (byte)'9')
                {
                    error = SipParseError.MalformedStartLine;
                    return null;
                }
                code = code * 10 + (line[i] - '0');
            }
            if (code is < 100 or > 699)
            {
                error = SipParseError.MalformedStartLine;
                return null;
            }
            var reason = line.Length > 12 ? Encoding.UTF8.GetString(line[12..]) : "";
            return SipMessage.FromParsedResponse(code, reason, headers);
        }

        // Request-Line = Method SP Request-URI SP SIP-Version (§7.1): exactly single spaces.
        var sp1 = line.IndexOf((byte)' ');
        if (sp1 <= 0 || !SipGrammar.IsToken(line[..sp1]))
        {
            error = SipParseError.MalformedStartLine;
            return null;
        }
        var method = SipMethods.FromBytes(line[..sp1]);
        var afterMethod = line[(sp1 + 1)..];
        var sp2 = afterMethod.IndexOf((byte)' ');
        var uriLength = sp2 < 0 ? afterMethod.Length : sp2;
        var message = SipMessage.FromParsedRequest(method, lineMemory.Slice(sp1 + 1, uriLength), headers);
        if (sp2 <= 0)
        {
            error = SipParseError.MalformedStartLine;
            return message;
        }
        var version = afterMethod[(sp2 + 1)..];
        if (version.IndexOf((byte)' ') >= 0 || afterMethod[..sp2].IndexOfAny(" \t"u8) >= 0)
        {
            error = SipParseError.MalformedStartLine;
            return message;
        }
        if (!EqualsAsciiIgnoreCase(version, Version))
        {
            // RFC 3261 §8.2.2 / RFC 4475 §3.1.2.17: a different SIP version is 505, anything else 400.
            error = version.Length > 4 && EqualsAsciiIgnoreCase(version[..4], "SIP/"u8) ? SipParseError.UnsupportedVersion : SipParseError.MalformedStartLine;
            return message;
        }
        // §19.1.1 (table 1): a Request-URI carries no headers (RFC 4475 §3.1.2.11).
        if (message.RequestUri is null or { IsSip: true, Headers: not null }) error = SipParseError.MalformedRequestUri;
        return message;
    }

    private static SipParseError Validate(SipMessage message)
    {
        // RFC 3261 §8.1.1: To, From, CSeq, Call-ID, Via are mandatory; each of the singular ones at most once.
        if (message.CountHeaders(SipHeaderId.Via) == 0 || message.CountHeaders(SipHeaderId.From) == 0 ||
            message.CountHeaders(SipHeaderId.To) == 0 || message.CountHeaders(SipHeaderId.CallId) == 0 ||
            message.CountHeaders(SipHeaderId.CSeq) == 0)
            return SipParseError.MissingRequiredHeader;
        // §7.3.1 / RFC 4475 §3.3.8: From, To, Call-ID, CSeq and Max-Forwards hold one value each.
        if (message.CountHeaders(SipHeaderId.From) > 1 || message.CountHeaders(SipHeaderId.To) > 1 ||
            message.CountHeaders(SipHeaderId.CallId) > 1 || message.CountHeaders(SipHeaderId.CSeq) > 1 ||
            message.CountHeaders(SipHeaderId.MaxForwards) > 1)
            return SipParseError.DuplicateHeader;
        if (message.TopVia is not { ProtocolVersion: "2.0" }) return SipParseError.MalformedVia;
        if (!message.TryGetRaw(SipHeaderId.CSeq, out var cseqRaw) || !SipCSeq.TryParse(cseqRaw.Span, out var cseq))
            return SipParseError.MalformedCSeq;
        if (message.IsRequest && !string.Equals(cseq.Method, message.Method, StringComparison.Ordinal))
            return SipParseError.CSeqMethodMismatch;
        if (message.From is null || message.To is null) return SipParseError.MalformedFromTo;
        if (!message.TryGetRaw(SipHeaderId.CallId, out var callId) || !IsCallId(callId.Span)) return SipParseError.MalformedCallId;
        // §20.22: Max-Forwards is 0–255 (leading zeros allowed, RFC 4475 §3.1.1.1); §20.19: Expires 0–(2^32)-1.
        foreach (var h in message.Headers)
        {
            if (h.Id == SipHeaderId.MaxForwards && !IsNumberAtMost(h.RawValue.Span, 255)) return SipParseError.MalformedMaxForwards;
            if (h.Id == SipHeaderId.Expires && !IsNumberAtMost(h.RawValue.Span, uint.MaxValue)) return SipParseError.MalformedExpires;
            if (h.Id == SipHeaderId.Contact && !IsContact(h.Value)) return SipParseError.MalformedContact;
        }
        return SipParseError.None;
    }

    private static SipParseError SetBody(SipMessage message, ReadOnlyMemory<byte> rest)
    {
        var declared = -1;
        foreach (var h in message.Headers)
        {
            if (h.Id != SipHeaderId.ContentLength) continue;
            var v = h.RawValue.Span;
            if (!IsDigits(v, 9)) return SipParseError.MalformedContentLength;
            var n = 0;
            foreach (var d in v) n = n * 10 + (d - '0');
            if (declared >= 0 && declared != n) return SipParseError.MalformedContentLength;
            declared = n;
        }
        if (declared < 0)
        {
            message.Body = rest;
            return SipParseError.None;
        }
        // RFC 3261 §18.3: bytes past Content-Length are discarded; fewer is an error (400 over UDP).
        if (rest.Length < declared) return SipParseError.BodyShorterThanContentLength;
        message.Body = rest[..declared];
        return SipParseError.None;
    }

    private static bool IsCallId(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty) return false;
        var at = 0;
        foreach (var b in value)
        {
            if (b == '@' && ++at > 1) return false;
            if (b != '@' && !SipGrammar.IsWordChar((char)b)) return false;
        }
        return value[0] != '@' && value[^1] != '@';
    }

    /// <summary>§20.10: each Contact value is "*" or a name-addr/addr-spec (RFC 4475 §3.1.2.13: a '?' needs brackets).</summary>
    private static bool IsContact(string value)
    {
        var values = SipGrammar.SplitList(value);
        if (values.Count == 0) return false;
        foreach (var v in values)
            if (!(v == "*" && values.Count == 1) && !SipNameAddr.TryParse(v, out _)) return false;
        return true;
    }

    private static bool IsNumberAtMost(ReadOnlySpan<byte> v, ulong max)
    {
        if (v.IsEmpty || v.Length > 20) return false;
        ulong n = 0;
        foreach (var b in v)
        {
            if (b is < (byte)'0' or > (byte)'9') return false;
            n = n * 10 + (ulong)(b - '0');
            if (n > max) return false;
        }
        return true;
    }

    private static bool IsDigits(ReadOnlySpan<byte> v, int maxLength)
    {
        if (v.IsEmpty || v.Length > maxLength) return false;
        foreach (var b in v) if (b is < (byte)'0' or > (byte)'9') return false;
        return true;
    }

    private static bool IsWhite(byte b) => b is (byte)' ' or (byte)'\t';

    private static ReadOnlySpan<byte> TrimEnd(ReadOnlySpan<byte> s)
    {
        var end = s.Length;
        while (end > 0 && IsWhite(s[end - 1])) end--;
        return s[..end];
    }

    private static bool EqualsAsciiIgnoreCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length) return false;
        for (var i = 0; i < a.Length; i++)
            if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
        return true;
    }
}
