using Hotline.Cti.Sip.Messages;
using System.Net;

namespace Hotline.Cti.Sip.Transport;

/// <summary>The transports the stack speaks (RFC 3261 §18).</summary>
public enum SipProtocol
{
    Udp,
    Tcp,

    /// <summary>RFC 3261 §26.2: TCP with TLS (TLS 1.2/1.3), <c>transport=tls</c>, default port 5061.</summary>
    Tls,

    /// <summary>RFC 7118: SIP over a plain WebSocket (<c>SIP/2.0/WS</c>); only when explicitly allowed (demos).</summary>
    Ws,

    /// <summary>RFC 7118: SIP over a WebSocket inside TLS (<c>SIP/2.0/WSS</c>, <c>transport=ws</c> in URIs): browsers.</summary>
    Wss,
}

/// <summary>Where a message came from or goes to: a transport protocol and an address.</summary>
public readonly record struct SipEndPoint(SipProtocol Protocol, IPEndPoint Address)
{
    /// <summary>
    /// RFC 5922 §4: the host of the URI this destination was resolved from (a domain or an IP literal), which a TLS
    /// server's certificate must name. Null for sources and for destinations not resolved from a URI (then the
    /// address is what the certificate must name). A hint for the connection: not part of equality.
    /// </summary>
    public string? TlsServerName { get; init; }

    /// <summary>
    /// RFC 7118 §5 / RFC 5626: a WebSocket client (a browser) cannot be connected to; it names itself in its Contact
    /// with a made-up host (JsSIP: <c>xyz.invalid</c>). This is that Contact's host[:port], which the WebSocket
    /// transport maps to the connection the client announced it on (its flow). Null otherwise; not part of equality.
    /// </summary>
    public string? WebSocketFlow { get; init; }

    public bool IsWebSocket => Protocol is SipProtocol.Ws or SipProtocol.Wss;

    public bool IsReliable => Protocol != SipProtocol.Udp;

    public bool Equals(SipEndPoint other) => Protocol == other.Protocol && Equals(Address, other.Address);

    public override int GetHashCode() => HashCode.Combine(Protocol, Address);

    /// <summary>The Via transport token (§20.42).</summary>
    public string ViaTransport => ViaTransportOf(Protocol);

    public static string ViaTransportOf(SipProtocol protocol) => protocol switch
    {
        SipProtocol.Tcp => "TCP",
        SipProtocol.Tls => "TLS",
        SipProtocol.Ws => "WS",
        SipProtocol.Wss => "WSS",
        _ => "UDP",
    };

    public static SipProtocol ProtocolOf(string? viaTransportOrUriParam) =>
        string.Equals(viaTransportOrUriParam, "tcp", StringComparison.OrdinalIgnoreCase) ? SipProtocol.Tcp
        : string.Equals(viaTransportOrUriParam, "tls", StringComparison.OrdinalIgnoreCase) ? SipProtocol.Tls
        // RFC 7118 §5.2: URIs say transport=ws for both; the Via says WS or WSS.
        : string.Equals(viaTransportOrUriParam, "ws", StringComparison.OrdinalIgnoreCase) ? SipProtocol.Wss
        : string.Equals(viaTransportOrUriParam, "wss", StringComparison.OrdinalIgnoreCase) ? SipProtocol.Wss
        : SipProtocol.Udp;

    public override string ToString() => $"{ViaTransport}:{Address}";
}

/// <summary>Sends a serialized message; implemented by the transport layer, faked in transaction tests.</summary>
public interface ISipSender
{
    /// <summary>Sends <paramref name="message"/> to <paramref name="destination"/>; failures are logged, not thrown.</summary>
    void Send(SipMessage message, SipEndPoint destination);

    /// <summary>The sent-by this stack puts in its Via for the given protocol (§18.1.1).</summary>
    string SentBy(SipProtocol protocol);

    /// <summary>
    /// A transaction re-sent a message (<paramref name="cause"/>: RFC 3261 Timer <c>A</c>, <c>E</c> or <c>G</c>, or
    /// <c>peer</c> when the peer's retransmitted request got the last response again). For the metrics; a sender that
    /// does not count ignores it.
    /// </summary>
    void Retransmitted(string cause) { }
}
