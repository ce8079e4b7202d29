using System.Diagnostics.Metrics;
using System.Globalization;
using Hotline.Cti.Sip.Messages;

namespace Hotline.Cti.Sip.Transport;

/// <summary>
/// SIP messages through the transport layer, for the operators' metrics (<c>hotline_sip_requests_total{method,direction}</c>,
/// <c>hotline_sip_responses_total{status,direction}</c>). Labels come from fixed sets only (known methods, else
/// <c>OTHER</c>; status codes 100-699, else <c>other</c>): a peer cannot grow the series without bound.
/// Counting allocates nothing (shared label strings, at most three tags).
/// </summary>
public sealed class SipMessageCounters : IDisposable
{
    public const string MeterName = "Hotline.Cti.Sip";

    private static readonly string[] StatusText = BuildStatusText();
    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _responses;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _retransmissions;

    public SipMessageCounters()
    {
        _meter = new Meter(MeterName);
        _requests = _meter.CreateCounter<long>("hotline.sip.requests", "{request}", "SIP requests received (direction=in) and sent (direction=out), by method.");
        _responses = _meter.CreateCounter<long>("hotline.sip.responses", "{response}", "SIP responses received and sent, by status code.");
        _retransmissions = _meter.CreateCounter<long>("hotline.sip.retransmissions", "{message}",
            "Messages re-sent by a transaction: cause=A/E (our request, no answer yet), G (our final response, no ACK), peer (the peer re-sent its request).");
        _rejected = _meter.CreateCounter<long>("hotline.sip.rejected", "{message}", "SIP messages the parser refused (RFC 3261 §18: answered 400/505 or dropped).");
    }

    /// <summary>This instance's meter (tests listen to it alone: every transport has its own).</summary>
    internal Meter Meter => _meter;

    internal void Received(SipMessage message) => Count(message, "in");

    internal void Sent(SipMessage message) => Count(message, "out");

    internal void Rejected() => _rejected.Add(1);

    /// <summary><paramref name="cause"/> is one of the transactions' constants (A, E, G, peer): a fixed label set.</summary>
    internal void Retransmitted(string cause) => _retransmissions.Add(1, new KeyValuePair<string, object?>("cause", cause));

    private void Count(SipMessage message, string direction)
    {
        if (message.IsRequest)
            _requests.Add(1, new("method", SipMethods.IsKnown(message.Method) ? message.Method : "OTHER"), new("direction", direction));
        else
            _responses.Add(1, new("status", message.StatusCode is >= 100 and <= 699 ? StatusText[message.StatusCode - 100] : "other"),
                new("direction", direction));
    }

    private static string[] BuildStatusText()
    {
        var text = new string[600];
        for (var i = 0; i < text.Length; i++) text[i] = (i + 100).ToString(CultureInfo.InvariantCulture);
        return text;
    }

    public void Dispose() => _meter.Dispose();
}
