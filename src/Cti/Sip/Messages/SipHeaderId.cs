namespace Hotline.Cti.Sip.Messages;

/// <summary>Headers the stack reads itself; everything else is <see cref="Other"/> and kept verbatim.</summary>
public enum SipHeaderId : byte
{
    Other,
    Via,
    From,
    To,
    CallId,
    CSeq,
    Contact,
    ContentLength,
    ContentType,
    MaxForwards,
    Route,
    RecordRoute,
    Expires,
    Authorization,
    WwwAuthenticate,
    Allow,
    Supported,
    Require,
    UserAgent,
    Server,
    Subject,
    ContentEncoding,
    Event,
    MinExpires,
    RetryAfter,
}

/// <summary>Canonical names and compact forms (RFC 3261 §7.3.3, §20), matched without allocating.</summary>
public static class SipHeaderNames
{
    public const string Via = "Via";
    public const string From = "From";
    public const string To = "To";
    public const string CallId = "Call-ID";
    public const string CSeq = "CSeq";
    public const string Contact = "Contact";
    public const string ContentLength = "Content-Length";
    public const string ContentType = "Content-Type";
    public const string MaxForwards = "Max-Forwards";
    public const string Route = "Route";
    public const string RecordRoute = "Record-Route";
    public const string Expires = "Expires";
    public const string Authorization = "Authorization";
    public const string WwwAuthenticate = "WWW-Authenticate";
    public const string Allow = "Allow";
    public const string Supported = "Supported";
    public const string Require = "Require";
    public const string UserAgent = "User-Agent";
    public const string Server = "Server";
    public const string Subject = "Subject";
    public const string ContentEncoding = "Content-Encoding";
    public const string Event = "Event";
    public const string MinExpires = "Min-Expires";
    public const string RetryAfter = "Retry-After";

    private static readonly string[] Canonical =
    [
        "", Via, From, To, CallId, CSeq, Contact, ContentLength, ContentType, MaxForwards, Route, RecordRoute,
        Expires, Authorization, WwwAuthenticate, Allow, Supported, Require, UserAgent, Server, Subject,
        ContentEncoding, Event, MinExpires, RetryAfter,
    ];

    /// <summary>The canonical spelling of a known header.</summary>
    public static string NameOf(SipHeaderId id) => Canonical[(int)id];

    /// <summary>Identifies a header name, long or compact form, case-insensitively (RFC 3261 §7.3.1).</summary>
    public static SipHeaderId Identify(ReadOnlySpan<byte> name)
    {
        if (name.Length == 1)
        {
            // RFC 3261 §7.3.3 and §20: compact forms.
            return (char)(name[0] | 0x20) switch
            {
                'v' => SipHeaderId.Via,
                'f' => SipHeaderId.From,
                't' => SipHeaderId.To,
                'i' => SipHeaderId.CallId,
                'm' => SipHeaderId.Contact,
                'l' => SipHeaderId.ContentLength,
                'c' => SipHeaderId.ContentType,
                'k' => SipHeaderId.Supported,
                's' => SipHeaderId.Subject,
                'e' => SipHeaderId.ContentEncoding,
                'o' => SipHeaderId.Event,
                _ => SipHeaderId.Other,
            };
        }
        for (var i = 1; i < Canonical.Length; i++)
        {
            if (EqualsIgnoreCase(name, Canonical[i])) return (SipHeaderId)i;
        }
        return SipHeaderId.Other;
    }

    /// <summary>Identifies a header name given as a string.</summary>
    public static SipHeaderId Identify(string name)
    {
        Span<byte> buffer = stackalloc byte[Math.Min(name.Length, 64)];
        if (name.Length > 64) return SipHeaderId.Other;
        for (var i = 0; i < name.Length; i++) buffer[i] = (byte)name[i];
        return Identify(buffer);
    }

    internal static bool EqualsIgnoreCase(ReadOnlySpan<byte> bytes, string ascii)
    {
        if (bytes.Length != ascii.Length) return false;
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            var c = ascii[i];
            if (b == c) continue;
            if ((b | 0x20) != (c | 0x20) || !char.IsAsciiLetter(c)) return false;
        }
        return true;
    }
}
