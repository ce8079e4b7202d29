using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Sip.Transport;

/// <summary>
/// SIP over WebSocket (RFC 7118), the browsers' transport: a listener whose connections are TLS (the SIP TLS
/// certificate, <c>wss</c>) unless plain <c>ws</c> was explicitly allowed, upgraded by an HTTP/1.1 GET on
/// <see cref="SipWebSocketOptions.Path"/> with the <c>sip</c> subprotocol (RFC 6455 §4.2, <see cref="WebSocketUpgrade"/>),
/// then one SIP message per WebSocket message (<see cref="SipWebSocketConnection"/>).
/// <para>
/// Browsers cannot be connected to (RFC 7118 §5): requests for a browser go over the connection it registered on.
/// The first connection that sends a message with a <c>transport=ws</c> Contact owns that Contact's host[:port] (its
/// flow, RFC 5626 §5.2) while it lives; another connection cannot take a live flow over. The caps and deadlines are
/// those of the TCP/TLS transports (<see cref="SipStreamOptions"/>).
/// </para>
/// </summary>
internal sealed partial class SipWebSocketTransport : IDisposable
{
    private readonly Socket _listener;
    private readonly ILogger _logger;
    private readonly int _maxMessageBytes;
    private readonly SipStreamOptions _options;
    private readonly SipWebSocketOptions _webSocket;
    private readonly SipTlsSettings? _tls;
    private readonly ConcurrentDictionary<IPEndPoint, SipWebSocketConnection> _connections = new();
    private readonly ConcurrentDictionary<IPAddress, int> _perSource = new();
    private readonly ConcurrentDictionary<string, SipWebSocketConnection> _flows = new(StringComparer.Ordinal);
    private long _refused;
    private long _nextCapLog;

    public SipWebSocketTransport(IPEndPoint bind, int maxMessageBytes, SipStreamOptions options, SipWebSocketOptions webSocket, ILogger logger, SipTlsSettings? tls)
    {
        if (tls is null && !webSocket.AllowPlain)
            throw new InvalidOperationException("SIP over WebSocket needs TLS (Sip:Tls:CertificatePath) unless plain ws is allowed (Sip:WebSocket:AllowPlain).");
        _logger = logger;
        _maxMessageBytes = maxMessageBytes;
        _options = options;
        _webSocket = webSocket;
        _tls = tls;
        _listener = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (bind.AddressFamily == AddressFamily.InterNetworkV6 && bind.Address.Equals(IPAddress.IPv6Any)) _listener.DualMode = true;
        _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Bind(bind);
        _listener.Listen(512);
        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public bool IsSecure => _tls is not null;

    public SipProtocol Protocol => _tls is null ? SipProtocol.Ws : SipProtocol.Wss;

    public int ConnectionCount => _connections.Count;

    public long Refused => Interlocked.Read(ref _refused);

    public async Task RunAsync(SipStreamConnection.MessageHandler handler, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var socket = await _listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
                var remote = (IPEndPoint)socket.RemoteEndPoint!;
                if (remote.Address.IsIPv4MappedToIPv6) remote = new IPEndPoint(remote.Address.MapToIPv4(), remote.Port);
                if (!TryCount(remote.Address))
                {
                    Interlocked.Increment(ref _refused);
                    LogOverCap(remote.Address);
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Dispose();
                    continue;
                }
                socket.NoDelay = true;
                var connection = new SipWebSocketConnection(ct => OpenAsync(socket, remote, ct), remote, _options, _maxMessageBytes, handler, _logger, cancellationToken);
                Track(connection);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    // TLS, then the HTTP upgrade, within the connection's first-message deadline: a silent client is closed.
    private async Task<System.Net.WebSockets.WebSocket> OpenAsync(Socket socket, IPEndPoint remote, CancellationToken cancellationToken)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (_tls is not null) stream = await _tls.AcceptAsync(stream, cancellationToken, requestClientCertificate: false).ConfigureAwait(false);
            await UpgradeAsync(stream, cancellationToken).ConfigureAwait(false);
            return System.Net.WebSockets.WebSocket.CreateFromStream(stream, new System.Net.WebSockets.WebSocketCreationOptions
            {
                IsServer = true,
                SubProtocol = "sip",
                // Pings keep NAT bindings of idle browsers open, and a browser that stops answering them (laptop
                // closed, network gone) is dropped within a minute: its flow is freed for its reconnection, instead of
                // calls going to a dead connection until the idle timeout.
                KeepAliveInterval = TimeSpan.FromSeconds(30),
                KeepAliveTimeout = TimeSpan.FromSeconds(30),
            });
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or SocketException or InvalidDataException)
        {
            LogHandshakeFailed(remote, ex.Message);
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task UpgradeAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_webSocket.MaxUpgradeRequestBytes);
        try
        {
            var filled = 0;
            var end = -1;
            // Read byte runs until the blank line; a client must not send frames before our 101 (RFC 6455 §4.1),
            // so anything after the header section is a protocol error.
            while (end < 0)
            {
                if (filled == _webSocket.MaxUpgradeRequestBytes) throw new InvalidDataException("upgrade request too large");
                var n = await stream.ReadAsync(buffer.AsMemory(filled, _webSocket.MaxUpgradeRequestBytes - filled), cancellationToken).ConfigureAwait(false);
                if (n == 0) throw new IOException("closed during the upgrade");
                filled += n;
                end = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
            }
            if (end + 4 != filled) throw new InvalidDataException("data after the upgrade request");
            var result = WebSocketUpgrade.Evaluate(buffer.AsSpan(0, end + 4), _webSocket.Path, _webSocket.AllowedOrigins);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(result.Response), cancellationToken).ConfigureAwait(false);
            if (!result.Accepted) throw new InvalidDataException("upgrade refused: " + result.Reason);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// RFC 7118 §5 / RFC 5626: the Contact host[:port] <paramref name="flow"/> was announced on the connection from
    /// <paramref name="remote"/>. The first live connection keeps it (a second one cannot hijack a browser's calls).
    /// </summary>
    public void Announce(string flow, IPEndPoint remote)
    {
        if (!_connections.TryGetValue(remote, out var connection)) return;
        while (true)
        {
            if (_flows.TryAdd(flow, connection)) return;
            if (!_flows.TryGetValue(flow, out var owner)) continue;
            if (ReferenceEquals(owner, connection)) return;
            if (!owner.Closed.IsCompleted)
            {
                LogFlowTaken(flow, remote);
                return;
            }
            if (_flows.TryUpdate(flow, connection, owner)) return;
        }
    }

    /// <summary>Queues a message for a WebSocket client: by its flow, else by the connection's address.</summary>
    public bool Send(ReadOnlySpan<byte> message, SipEndPoint destination)
    {
        SipWebSocketConnection? connection = null;
        if (destination.WebSocketFlow is { } flow && _flows.TryGetValue(flow, out var owner) && !owner.Closed.IsCompleted) connection = owner;
        else if (!_connections.TryGetValue(destination.Address, out connection)) connection = null;
        if (connection is null)
        {
            // We never connect to a WebSocket client (RFC 7118 §5); it will re-register and bring a new flow.
            LogNoFlow(destination.WebSocketFlow ?? destination.Address.ToString());
            return false;
        }
        if (!connection.TrySend(message)) LogSendFailed(connection.Remote, "the browser is not reading (send queue full); connection dropped");
        return true;
    }

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

    private void Track(SipWebSocketConnection connection)
    {
        var remote = connection.Remote;
        if (_connections.TryGetValue(remote, out var old)) old.Close(SipStreamCloseReason.Shutdown);
        _connections[remote] = connection;
        connection.Closed.ContinueWith(_ =>
        {
            _connections.TryRemove(new KeyValuePair<IPEndPoint, SipWebSocketConnection>(remote, connection));
            foreach (var (flow, owner) in _flows)
                if (ReferenceEquals(owner, connection)) _flows.TryRemove(new KeyValuePair<string, SipWebSocketConnection>(flow, owner));
            Uncount(remote.Address);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        connection.Start();
    }

    public void Dispose()
    {
        _listener.Dispose();
        foreach (var c in _connections.Values) c.Close(SipStreamCloseReason.Shutdown);
    }

    private void LogOverCap(IPAddress source)
    {
        var now = Environment.TickCount64;
        var next = Interlocked.Read(ref _nextCapLog);
        if (now < next || Interlocked.CompareExchange(ref _nextCapLog, now + 10_000, next) != next) return;
        LogRefused(source, _options.MaxConnectionsPerSource, _options.MaxConnections, Interlocked.Read(ref _refused));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP WebSocket: refused a connection from {Source}: over the cap ({PerSource} per source, {Total} in total); {Refused} refused since start")]
    private partial void LogRefused(IPAddress source, int perSource, int total, long refused);

    [LoggerMessage(Level = LogLevel.Information, Message = "SIP WebSocket: opening handshake with {Remote} failed: {Error}")]
    private partial void LogHandshakeFailed(IPEndPoint remote, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP WebSocket: {Remote} announced flow {Flow}, which another live connection owns; ignored")]
    private partial void LogFlowTaken(string flow, IPEndPoint remote);

    [LoggerMessage(Level = LogLevel.Information, Message = "SIP WebSocket: no live connection for {Flow}; not sent (browsers are never connected to)")]
    private partial void LogNoFlow(string flow);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP WebSocket: send to {Remote} failed: {Error}")]
    private partial void LogSendFailed(IPEndPoint remote, string error);
}
