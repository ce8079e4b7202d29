namespace Hotline.Cti.Sip.Transport;

/// <summary>Where the stack listens and what it advertises in Via/Contact.</summary>
public sealed record SipTransportOptions
{
    /// <summary>Local address to bind: an IPv4 or IPv6 literal (0.0.0.0 / :: for all).</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>UDP and TCP port (RFC 3261 §19.1.2 default 5060).</summary>
    public int Port { get; init; } = 5060;

    /// <summary>Address written in Via and Contact; defaults to <see cref="Host"/> (or loopback when Host is a wildcard).</summary>
    public string? AdvertisedHost { get; init; }

    public bool EnableTcp { get; init; } = true;

    /// <summary>Deadlines, caps and send queues of stream connections (TCP).</summary>
    public SipStreamOptions Stream { get; init; } = new();

    /// <summary>Concurrent UDP receive loops (0 = one per core, at least two).</summary>
    public int UdpReceivers { get; init; }

    /// <summary>
    /// Datagrams one UDP receive loop takes per system call, and responses it sends per call (Linux recvmmsg/sendmmsg;
    /// issue 22). 1: one recvfrom and one sendto per datagram, the path every other platform takes.
    /// </summary>
    public int UdpBatch { get; init; } = 16;

    /// <summary>TLS port (RFC 3261 §26.2: 5061); TLS listens only when <see cref="TlsCertificatePath"/> is set.</summary>
    public int TlsPort { get; init; } = 5061;

    /// <summary>PEM certificate (chain) for SIP over TLS; re-read when it changes.</summary>
    public string? TlsCertificatePath { get; init; }

    /// <summary>PEM private key of <see cref="TlsCertificatePath"/>.</summary>
    public string? TlsKeyPath { get; init; }

    /// <summary>PEM CA bundle that servers we connect to (and client certificates) must chain to; empty: system store.</summary>
    public string? TlsCaBundlePath { get; init; }

    /// <summary>Refuse TLS clients without a certificate from the CA bundle (trunks authenticated by certificate).</summary>
    public bool TlsRequireClientCertificate { get; init; }

    public bool EnableTls => !string.IsNullOrEmpty(TlsCertificatePath);

    /// <summary>SIP over WebSocket for browsers (RFC 7118); null: no WebSocket listener.</summary>
    public SipWebSocketOptions? WebSocket { get; init; }
}
