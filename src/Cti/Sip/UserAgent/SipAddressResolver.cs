using System.Net;
using System.Net.Sockets;
using Hotline.Cti.Sip.Messages;
using Hotline.Cti.Sip.Transport;

namespace Hotline.Cti.Sip.UserAgent;

/// <summary>
/// Turns a URI into a transport address (RFC 3263 reduced to what a hotline needs): maddr or host, IP literal or
/// an A/AAAA lookup, the URI port or 5060 (5061 for TLS), transport from <c>;transport=</c> or sips:. No NAPTR/SRV.
/// </summary>
public static class SipAddressResolver
{
    /// <summary>RFC 3261 §19.1.2 / §26.2: a sips: URI is reached over TLS; else the <c>transport</c> parameter.</summary>
    public static SipProtocol ProtocolOf(SipUri uri) =>
        uri.Scheme.Equals("sips", StringComparison.OrdinalIgnoreCase) ? SipProtocol.Tls : SipEndPoint.ProtocolOf(uri.Transport);

    public static SipEndPoint Resolve(SipUri uri)
    {
        if (!uri.IsSip) throw new ArgumentException($"Cannot route to a '{uri.Scheme}:' URI.", nameof(uri));
        var protocol = ProtocolOf(uri);
        if (protocol is SipProtocol.Ws or SipProtocol.Wss)
        {
            // RFC 7118 §5: a WebSocket client is reached only over the connection it opened; its Contact host is
            // usually made up (RFC 7118 §5.1 suggests .invalid), so it is a flow name, never looked up in DNS.
            var flowAddress = IPAddress.TryParse(uri.Host.Trim('[', ']'), out var literal) ? literal : IPAddress.None;
            return new SipEndPoint(protocol, new IPEndPoint(flowAddress, uri.Port ?? 0)) { WebSocketFlow = SipWebSocketFlows.Key(uri) };
        }
        var host = uri.Parameters["maddr"] ?? uri.Host;
        if (!IPAddress.TryParse(host, out var address))
        {
            var addresses = Dns.GetHostAddresses(host);
            address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
                ?? throw new ArgumentException($"'{host}' does not resolve.", nameof(uri));
        }
        return new SipEndPoint(protocol, new IPEndPoint(address, uri.Port ?? (protocol == SipProtocol.Tls ? 5061 : 5060)))
        {
            // RFC 5922 §4 / §7.2: over TLS the server must prove the domain of the URI we meant, not the address
            // it resolved to (maddr only changes where we connect).
            TlsServerName = protocol == SipProtocol.Tls ? uri.Host : null,
        };
    }
}
