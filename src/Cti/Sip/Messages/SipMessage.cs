using System.Globalization;
using System.Text;

namespace Hotline.Cti.Sip.Messages;

/// <summary>
/// A SIP request or response (RFC 3261 §7): start line, ordered headers (unknown ones kept verbatim) and body.
/// Parsed messages keep their bytes; typed views (Via, CSeq, From, To) are parsed once and cached.
/// </summary>
public sealed class SipMessage
{
    private readonly List<SipHeader> _headers;
    private SipVia? _topVia;
    private SipNameAddr? _from;
    private SipNameAddr? _to;
    private string? _callId;
    private SipCSeq? _cseq;
    private SipUri? _requestUri;
    private string? _requestUriText;

    private SipMessage(bool isRequest, List<SipHeader> headers)
    {
        IsRequest = isRequest;
        _headers = headers;
    }

    public bool IsRequest { get; }
    public bool IsResponse => !IsRequest;

    /// <summary>Request method (case-sensitive, §7.1); empty for responses.</summary>
    public string Method { get; private init; } = "";

    public int StatusCode { get; private init; }
    public string ReasonPhrase { get; private init; } = "";

    /// <summary>The Request-URI as written.</summary>
    public string RequestUriText
    {
        get => _requestUriText ??= Encoding.UTF8.GetString(RawRequestUri.Span);
        set
        {
            _requestUriText = value;
            _requestUri = null;
        }
    }

    internal ReadOnlyMemory<byte> RawRequestUri { get; private init; }

    /// <summary>The Request-URI, parsed on first use (any scheme: check <see cref="SipUri.IsSip"/>).</summary>
    public SipUri? RequestUri
    {
        get
        {
            if (_requestUri is null && IsRequest) SipUri.TryParse(RequestUriText, out _requestUri);
            return _requestUri;
        }
    }

    public ReadOnlyMemory<byte> Body { get; set; } = ReadOnlyMemory<byte>.Empty;

    public IReadOnlyList<SipHeader> Headers => _headers;

    public string CallId => _callId ??= GetHeader(SipHeaderId.CallId) ?? "";

    public SipCSeq CSeq
    {
        get
        {
            if (_cseq is null && TryGetRaw(SipHeaderId.CSeq, out var raw) && SipCSeq.TryParse(raw.Span, out var c)) _cseq = c;
            return _cseq ?? default;
        }
    }

    /// <summary>The topmost Via value (the one this hop reads, §8.2.6.1, §18.2.1).</summary>
    public SipVia? TopVia
    {
        get
        {
            if (_topVia is null)
            {
                var first = GetHeader(SipHeaderId.Via);
                if (first is not null) SipVia.TryParse(SipGrammar.SplitList(first).FirstOrDefault(), out _topVia);
            }
            return _topVia;
        }
    }

    public SipNameAddr? From => _from ??= SipNameAddr.TryParse(GetHeader(SipHeaderId.From), out var v) ? v : null;
    public SipNameAddr? To => _to ??= SipNameAddr.TryParse(GetHeader(SipHeaderId.To), out var v) ? v : null;

    public string? FromTag => From?.Tag;
    public string? ToTag => To?.Tag;

    public string? ContentType => GetHeader(SipHeaderId.ContentType);

    public string BodyText => Encoding.UTF8.GetString(Body.Span);

    /// <summary>A new request with no headers yet.</summary>
    public static SipMessage CreateRequest(string method, SipUri requestUri)
    {
        var m = new SipMessage(true, new List<SipHeader>(12)) { Method = method };
        m._requestUri = requestUri;
        m._requestUriText = requestUri.ToString();
        return m;
    }

    /// <summary>A new response with no headers yet.</summary>
    public static SipMessage CreateResponse(int statusCode, string? reasonPhrase = null) =>
        new(false, new List<SipHeader>(10)) { StatusCode = statusCode, ReasonPhrase = reasonPhrase ?? SipReasonPhrases.For(statusCode) };

    internal static SipMessage FromParsedRequest(string method, ReadOnlyMemory<byte> uri, List<SipHeader> headers) =>
        new(true, headers) { Method = method, RawRequestUri = uri };

    internal static SipMessage FromParsedResponse(int status, string reason, List<SipHeader> headers) =>
        new(false, headers) { StatusCode = status, ReasonPhrase = reason };

    internal bool TryGetRaw(SipHeaderId id, out ReadOnlyMemory<byte> value)
    {
        foreach (var h in _headers)
        {
            if (h.Id == id)
            {
                value = h.RawValue;
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>The first value of a header, or null.</summary>
    public string? GetHeader(SipHeaderId id) => TryGetRaw(id, out var v) ? Encoding.UTF8.GetString(v.Span) : null;

    /// <summary>The first value of a header by name (compact or long, any case), or null.</summary>
    public string? GetHeader(string name)
    {
        var id = SipHeaderNames.Identify(name);
        if (id != SipHeaderId.Other) return GetHeader(id);
        foreach (var h in _headers)
            if (h.Id == SipHeaderId.Other && SipHeaderNames.EqualsIgnoreCase(h.NameBytes, name)) return h.Value;
        return null;
    }

    /// <summary>
    /// All values of a list header, whether sent as several lines or comma-separated on one (§7.3.1).
    /// Do not use for headers whose values contain commas (WWW-Authenticate, Authorization, Date).
    /// </summary>
    public List<string> GetValues(SipHeaderId id)
    {
        var values = new List<string>();
        foreach (var h in _headers)
            if (h.Id == id) values.AddRange(SipGrammar.SplitList(h.Value));
        return values;
    }

    public int CountHeaders(SipHeaderId id)
    {
        var n = 0;
        foreach (var h in _headers) if (h.Id == id) n++;
        return n;
    }

    public SipMessage AddHeader(string name, string value)
    {
        var h = new SipHeader(name, value);
        Invalidate(h.Id);
        _headers.Add(h);
        return this;
    }

    public SipMessage AddHeader(SipHeader header)
    {
        Invalidate(header.Id);
        _headers.Add(header);
        return this;
    }

    /// <summary>Puts a header line first (a new top Via, §8.1.1.7).</summary>
    public SipMessage PrependHeader(string name, string value)
    {
        var h = new SipHeader(name, value);
        Invalidate(h.Id);
        _headers.Insert(0, h);
        return this;
    }

    /// <summary>Replaces every line of this header with one value, keeping the first line's position.</summary>
    public SipMessage SetHeader(string name, string value)
    {
        var h = new SipHeader(name, value);
        Invalidate(h.Id);
        var at = -1;
        for (var i = _headers.Count - 1; i >= 0; i--)
        {
            if (Same(_headers[i], h))
            {
                at = i;
                _headers.RemoveAt(i);
            }
        }
        if (at < 0) _headers.Add(h);
        else _headers.Insert(at, h);
        return this;
    }

    public SipMessage RemoveHeaders(SipHeaderId id)
    {
        Invalidate(id);
        _headers.RemoveAll(h => h.Id == id);
        return this;
    }

    /// <summary>Replaces the top Via value (adding received/rport, §18.2.1), keeping the rest of that line.</summary>
    internal void ReplaceTopVia(SipVia via)
    {
        for (var i = 0; i < _headers.Count; i++)
        {
            if (_headers[i].Id != SipHeaderId.Via) continue;
            if (_headers[i].RawValue.Span.IndexOf((byte)',') < 0)
            {
                // One via-parm on the line (every request that came straight from its UAC): nothing to split and join.
                _headers[i] = new SipHeader(SipHeaderNames.Via, via.ToString());
                _topVia = via;
                return;
            }
            var values = SipGrammar.SplitList(_headers[i].Value);
            values[0] = via.ToString();
            _headers[i] = new SipHeader(SipHeaderNames.Via, string.Join(", ", values));
            _topVia = via;
            return;
        }
    }

    private static bool Same(SipHeader a, SipHeader b) =>
        a.Id == b.Id && (a.Id != SipHeaderId.Other || a.NameBytes.SequenceEqual(b.NameBytes));

    private void Invalidate(SipHeaderId id)
    {
        switch (id)
        {
            case SipHeaderId.Via: _topVia = null; break;
            case SipHeaderId.From: _from = null; break;
            case SipHeaderId.To: _to = null; break;
            case SipHeaderId.CallId: _callId = null; break;
            case SipHeaderId.CSeq: _cseq = null; break;
        }
    }

    /// <summary>The start line as text (for logs).</summary>
    public string StartLine => IsRequest
        ? $"{Method} {RequestUriText} SIP/2.0"
        : $"SIP/2.0 {StatusCode.ToString(CultureInfo.InvariantCulture)} {ReasonPhrase}";

    public override string ToString() => Encoding.UTF8.GetString(SipSerializer.ToArray(this));
}
