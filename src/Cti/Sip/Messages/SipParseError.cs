namespace Hotline.Cti.Sip.Messages;

/// <summary>Why a message was rejected; each maps to one status code (Kestrel's RequestRejectionReason shape).</summary>
public enum SipParseError
{
    None,
    Empty,
    TooLarge,
    TooManyHeaders,
    MissingHeaderTerminator,
    MalformedStartLine,
    UnsupportedVersion,
    MalformedHeaderLine,
    MissingRequiredHeader,
    MalformedVia,
    MalformedCSeq,
    CSeqMethodMismatch,
    MalformedFromTo,
    MalformedCallId,
    MalformedContentLength,
    BodyShorterThanContentLength,
    MalformedRequestUri,
    MalformedMaxForwards,
    MalformedHeaderValue,
    MalformedExpires,
    MalformedContact,
    DuplicateHeader,
}

/// <summary>Status code and reason phrase for a rejection (RFC 3261 §21.4.1, §21.5.6).</summary>
public static class SipParseErrorExtensions
{
    public static int StatusCode(this SipParseError error) => error switch
    {
        SipParseError.UnsupportedVersion => 505,
        SipParseError.TooLarge => 513,
        _ => 400,
    };

    public static string ReasonPhrase(this SipParseError error) => error switch
    {
        SipParseError.UnsupportedVersion => "Version Not Supported",
        SipParseError.TooLarge => "Message Too Large",
        SipParseError.TooManyHeaders => "Bad Request (too many headers)",
        SipParseError.MissingHeaderTerminator => "Bad Request (no blank line after headers)",
        SipParseError.MalformedStartLine => "Bad Request (malformed request line)",
        SipParseError.MalformedHeaderLine => "Bad Request (malformed header line)",
        SipParseError.MissingRequiredHeader => "Bad Request (missing Via, From, To, Call-ID or CSeq)",
        SipParseError.MalformedVia => "Bad Request (malformed Via)",
        SipParseError.MalformedCSeq => "Bad Request (malformed CSeq)",
        SipParseError.CSeqMethodMismatch => "Bad Request (CSeq method does not match)",
        SipParseError.MalformedFromTo => "Bad Request (malformed From or To)",
        SipParseError.MalformedCallId => "Bad Request (malformed Call-ID)",
        SipParseError.MalformedContentLength => "Bad Request (malformed Content-Length)",
        SipParseError.BodyShorterThanContentLength => "Bad Request (body shorter than Content-Length)",
        SipParseError.MalformedRequestUri => "Bad Request (malformed Request-URI)",
        SipParseError.MalformedMaxForwards => "Bad Request (malformed Max-Forwards)",
        SipParseError.MalformedHeaderValue => "Bad Request (control character in a header value)",
        SipParseError.MalformedExpires => "Bad Request (malformed Expires)",
        SipParseError.MalformedContact => "Bad Request (malformed Contact)",
        SipParseError.DuplicateHeader => "Bad Request (From, To, Call-ID, CSeq or Max-Forwards more than once)",
        _ => "Bad Request",
    };
}
