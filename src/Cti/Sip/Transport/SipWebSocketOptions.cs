namespace Hotline.Cti.Sip.Transport;

/// <summary>
/// SIP over WebSocket (RFC 7118): where browsers connect. Secure (<c>wss</c>, TLS with the SIP TLS certificate) unless
/// <see cref="AllowPlain"/> says otherwise; the connection hygiene is the TCP/TLS transports' <see cref="SipStreamOptions"/>.
/// </summary>
public sealed record SipWebSocketOptions
{
    /// <summary>Port of the WebSocket listener (0: any free port).</summary>
    public int Port { get; init; } = 8089;

    /// <summary>HTTP path of the upgrade request (RFC 6455 §4.1 request-target), e.g. <c>/sip</c>.</summary>
    public string Path { get; init; } = "/sip";

    /// <summary>
    /// Plain <c>ws://</c> without TLS: only for demos on loopback (browsers refuse microphones and wss-only origins
    /// anyway); the transport logs a warning at start.
    /// </summary>
    public bool AllowPlain { get; init; }

    /// <summary>
    /// Origins (RFC 6454 serialisation, <c>https://desk.example.org:8443</c>) whose pages may open the WebSocket; <c>*</c>:
    /// any page. An upgrade request carrying an <c>Origin</c> header (a browser's, RFC 6455 §4.2.1 item 7 and §10.2) from
    /// any other origin gets 403. A request without <c>Origin</c> (a softphone, not a page) is judged by SIP digest alone.
    /// Empty: no page at all.
    /// </summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>The most bytes of the HTTP upgrade request we read before giving up on the connection.</summary>
    public int MaxUpgradeRequestBytes { get; init; } = 8192;
}
