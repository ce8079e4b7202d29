using Hotline.Cti.Sip.Messages;

namespace Hotline.Cti.Sip.Transport;

/// <summary>The name of a WebSocket client's flow: the host[:port] of its <c>transport=ws</c> Contact (RFC 7118 §5).</summary>
public static class SipWebSocketFlows
{
    public static string Key(SipUri uri) => Key(uri.Host, uri.Port);

    public static string Key(string host, int? port) =>
        port is { } p ? host.ToLowerInvariant() + ":" + p.ToString(System.Globalization.CultureInfo.InvariantCulture) : host.ToLowerInvariant();
}
