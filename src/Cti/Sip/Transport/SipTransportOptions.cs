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
}
