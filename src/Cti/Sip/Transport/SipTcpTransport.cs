using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Sip.Transport;

/// <summary>
/// TCP (RFC 3261 §18): accepts connections and keeps one per remote address so responses go back on the connection
/// the request came in on (§18.2.2). Each connection is a <see cref="SipStreamConnection"/> (deadlines, bounded
/// asynchronous sends); connections beyond <see cref="SipStreamOptions.MaxConnections"/> in total or
/// <see cref="SipStreamOptions.MaxConnectionsPerSource"/> from one address are closed as soon as accepted. With
/// <see cref="SipTlsSettings"/> it is the TLS transport (RFC 3261 §26.2): the same connections over an
/// <see cref="SslStream"/> wrapped around each accepted or connected socket (the handshake counts against the
/// connection's first-message deadline, so a silent client is closed like a silent TCP one).
/// </summary>
internal sealed partial class SipTcpTransport : IDisposable
{
    private readonly Socket _listener;
    private readonly ILogger _logger;
    private readonly int _maxMessageBytes;
    private readonly SipStreamOptions _options;
    private readonly ConcurrentDictionary<IPEndPoint, SipStreamConnection> _connections = new();
    private readonly Lock _openGate = new();
    private readonly ConcurrentDictionary<IPAddress, int> _perSource = new();
    private readonly ConcurrentDictionary<IPEndPoint, IPEndPoint> _aliases = new();
    private readonly SipTlsSettings? _tls;
    private readonly string _name;
    private SipStreamConnection.MessageHandler? _handler;
    private CancellationToken _stopping;
    private long _refused;
    private long _timedOut;
    private long _dropped;
    private long _nextCapLog;

    public SipTcpTransport(IPEndPoint bind, int maxMessageBytes, SipStreamOptions options, ILogger logger, SipTlsSettings? tls = null)
    {
        _logger = logger;
        _maxMessageBytes = maxMessageBytes;
        _options = options;
        _tls = tls;
        _name = tls is null ? "TCP" : "TLS";
        _listener = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (bind.AddressFamily == AddressFamily.InterNetworkV6 && bind.Address.Equals(IPAddress.IPv6Any)) _listener.DualMode = true;
        _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Bind(bind);
        _listener.Listen(512);
        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public int ConnectionCount => _connections.Count;

    /// <summary>Connections refused at accept (over a cap), closed for a deadline, dropped for not reading.</summary>
    public (long Refused, long TimedOut, long Dropped) Counters => (Interlocked.Read(ref _refused), Interlocked.Read(ref _timedOut), Interlocked.Read(ref _dropped));

    public async Task RunAsync(SipUdpTransport.DatagramHandler handler, CancellationToken cancellationToken)
    {
        _handler = (m, r) => handler(m, r);
        _stopping = cancellationToken;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var socket = await _listener.AcceptAsync(cancellationToken);
                var remote = (IPEndPoint)socket.RemoteEndPoint!;
                if (!TryCount(remote.Address))
                {
                    Interlocked.Increment(ref _refused);
                    LogOverCap(remote.Address);
                    socket.LingerState = new LingerOption(true, 0); // RST: no TIME_WAIT kept for a flood.
                    socket.Dispose();
                    continue;
                }
                socket.NoDelay = true;
                Stream stream = new NetworkStream(socket, ownsSocket: true);
                Track(new SipStreamConnection(_tls is null ? Task.FromResult(stream) : AcceptTlsAsync(stream, remote, cancellationToken), remote,
                    _options, _maxMessageBytes, _handler, _logger, cancellationToken));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    // The TLS handshake runs inside the connection's stream task, off the accept loop: a slow client holds up no one.
    private async Task<Stream> AcceptTlsAsync(Stream stream, IPEndPoint remote, CancellationToken cancellationToken)
    {
        try
        {
            return await _tls!.AcceptAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or SocketException)
        {
            LogHandshakeFailed(remote, ex.Message);
            throw;
        }
    }

    /// <summary>
    /// RFC 5923 connection reuse: the address a peer advertises in its Contact (e.g. its TLS listening port) is
    /// reached over the connection it opened from <paramref name="connection"/>, as long as that connection lives.
    /// Phones usually cannot accept inbound TLS (no certificate, NAT). Only the same IP may be aliased.
    /// </summary>
    public void Alias(IPEndPoint advertised, IPEndPoint connection)
    {
        if (advertised.Equals(connection) || !advertised.Address.Equals(connection.Address) || !_connections.ContainsKey(connection)) return;
        _aliases[advertised] = connection;
    }

    /// <summary>Counts a connection against the caps; false when over one (nothing counted).</summary>
    private bool TryCount(IPAddress source)
    {
        if (_connections.Count >= _options.MaxConnections) return false;
        while (true)
        {
            var n = _perSource.GetOrAdd(source, 0);
            if (n >= _options.MaxConnectionsPerSource) return false;
            if (_perSource.TryUpdate(source, n + 1, n)) return true;
        }
    }

    private void Uncount(IPAddress source)
    {
        while (_perSource.TryGetValue(source, out var n))
        {
            if (n <= 1 ? _perSource.TryRemove(new KeyValuePair<IPAddress, int>(source, n)) : _perSource.TryUpdate(source, n - 1, n)) return;
        }
    }

    private void Track(SipStreamConnection connection)
    {
        var remote = connection.Remote;
        if (_connections.TryGetValue(remote, out var old)) old.Close(SipStreamCloseReason.Shutdown);
        _connections[remote] = connection;
        connection.Closed.ContinueWith(t =>
        {
            _connections.TryRemove(new KeyValuePair<IPEndPoint, SipStreamConnection>(remote, connection));
            Uncount(remote.Address);
            var reason = t.Result;
            if (reason is SipStreamCloseReason.MessageTimeout or SipStreamCloseReason.IdleTimeout) Interlocked.Increment(ref _timedOut);
            if (reason is SipStreamCloseReason.SendQueueFull or SipStreamCloseReason.WriteTimeout) Interlocked.Increment(ref _dropped);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        connection.Start();
    }

    /// <summary>
    /// Queues a message for <paramref name="remote"/>; never blocks (a connection is opened in the background if needed).
    /// <paramref name="serverName"/> is the name a new TLS connection's server certificate must carry (RFC 5922: the
    /// target URI's host); null for the address itself.
    /// </summary>
    public void Send(ReadOnlySpan<byte> message, IPEndPoint remote, string? serverName = null)
    {
        if (!TryFind(remote, out var connection))
        {
            // One opener at a time: two sends to a new target from two threads each opened a connection, and the
            // second one's Track closed the first, still connecting, with the other message in its queue (lost: TCP
            // has no retransmission of ours).
            lock (_openGate)
            {
                if (!TryFind(remote, out connection))
                {
                    // §18.1.1: no connection to the target yet: open one and read from it as from an accepted one.
                    if (!TryCount(remote.Address))
                    {
                        LogSendFailed(_name, remote, "connection caps reached");
                        return;
                    }
                    connection = new SipStreamConnection(ConnectAsync(remote, serverName, _stopping), remote, _options, _maxMessageBytes, _handler!, _logger, _stopping);
                    Track(connection);
                }
            }
        }
        if (!connection.TrySend(message)) LogSendFailed(_name, remote, "the peer is not reading (send queue full); connection dropped");
    }

    private bool TryFind(IPEndPoint remote, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SipStreamConnection? connection) =>
        _connections.TryGetValue(remote, out connection)
        || (_aliases.TryGetValue(remote, out var alias) && _connections.TryGetValue(alias, out connection));

    private async Task<Stream> ConnectAsync(IPEndPoint remote, string? serverName, CancellationToken cancellationToken)
    {
        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await socket.ConnectAsync(remote, timeout.Token).ConfigureAwait(false);
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            // RFC 5922 §7.2: the server must be who we meant: the domain of the target URI (a trunk's sip:carrier.example),
            // or its IP literal (a registered contact); an address with no URI behind it must be named itself.
            var targetHost = string.IsNullOrEmpty(serverName) ? remote.Address.ToString() : serverName.Trim('[', ']');
            return _tls is null ? stream : await _tls.ConnectAsync(stream, targetHost, timeout.Token).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        foreach (var c in _connections.Values) c.Close(SipStreamCloseReason.Shutdown);
    }

    /// <summary>At most one line per 10 s: a connection flood must not flood the log.</summary>
    private void LogOverCap(IPAddress source)
    {
        var now = Environment.TickCount64;
        var next = Interlocked.Read(ref _nextCapLog);
        if (now < next || Interlocked.CompareExchange(ref _nextCapLog, now + 10_000, next) != next) return;
        LogRefused(source, _options.MaxConnectionsPerSource, _options.MaxConnections, Interlocked.Read(ref _refused));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP TCP: refused a connection from {Source}: over the cap ({PerSource} per source, {Total} in total); {Refused} refused since start")]
    private partial void LogRefused(IPAddress source, int perSource, int total, long refused);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP {Transport}: send to {Remote} failed: {Error}")]
    private partial void LogSendFailed(string transport, IPEndPoint remote, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP TLS: handshake with {Remote} failed: {Error}")]
    private partial void LogHandshakeFailed(IPEndPoint remote, string error);
}
