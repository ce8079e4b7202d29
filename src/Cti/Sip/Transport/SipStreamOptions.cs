namespace Hotline.Cti.Sip.Transport;

/// <summary>
/// Limits for stream transports (TCP, and TLS over the same connection class): how long a peer may take to send a
/// message, how long a connection may sit idle, how many connections are allowed, and how much may wait to be sent.
/// </summary>
public sealed record SipStreamOptions
{
    /// <summary>
    /// A connection must deliver each complete message within this time of its first byte — and its first message
    /// within this time of being opened — or it is closed (slowloris: idle or trickling connections are not held).
    /// </summary>
    public TimeSpan MessageTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A connection with no traffic at all for this long is closed (phones re-register and reconnect).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Open connections in total (accepted and opened by us).</summary>
    public int MaxConnections { get; init; } = 1024;

    /// <summary>Open connections from one source address.</summary>
    public int MaxConnectionsPerSource { get; init; } = 32;

    /// <summary>Messages queued for a peer; a peer that lets more pile up is not reading and is dropped.</summary>
    public int SendQueueMessages { get; init; } = 256;

    /// <summary>One write that does not complete within this time (the peer stopped reading) drops the connection.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>();
        if (MessageTimeout < TimeSpan.FromSeconds(1) || MessageTimeout > TimeSpan.FromMinutes(5)) e.Add("Sip:Tcp:MessageTimeoutSeconds must be between 1 and 300.");
        if (IdleTimeout < MessageTimeout || IdleTimeout > TimeSpan.FromDays(1)) e.Add("Sip:Tcp:IdleTimeoutSeconds must be at least the message timeout and at most 86400.");
        if (MaxConnections is < 1 or > 100_000) e.Add("Sip:Tcp:MaxConnections must be between 1 and 100000.");
        if (MaxConnectionsPerSource < 1 || MaxConnectionsPerSource > MaxConnections) e.Add("Sip:Tcp:MaxConnectionsPerSource must be between 1 and Sip:Tcp:MaxConnections.");
        if (SendQueueMessages is < 1 or > 100_000) e.Add("Sip:Tcp:SendQueueMessages must be between 1 and 100000.");
        if (WriteTimeout < TimeSpan.FromSeconds(1) || WriteTimeout > TimeSpan.FromMinutes(5)) e.Add("Sip:Tcp:WriteTimeoutSeconds must be between 1 and 300.");
        return e;
    }
}
