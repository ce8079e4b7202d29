using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Sip.Transport;

/// <summary>
/// TCP (RFC 3261 §18): accepts connections and keeps one per remote address so responses go back on the connection
/// the request came in on (§18.2.2). Each connection is a <see cref="SipStreamConnection"/> (deadlines, bounded
/// asynchronous sends); connections beyond <see cref="SipStreamOptions.MaxConnections"/> in total or
/// <see cref="SipStreamOptions.MaxConnectionsPerSource"/> from one address are closed as soon as accepted.
/// </summary>
internal sealed partial class SipTcpTransport : IDisposable
{
    private readonly Socket _listener;
    private readonly ILogger _logger;
    private readonly int _maxMessageBytes;
    private readonly SipStreamOptions _options;
    private readonly ConcurrentDictionary<IPEndPoint, SipStreamConnection> _connections = new();
    private readonly ConcurrentDictionary<IPAddress, int> _perSource = new();
    private SipStreamConnection.MessageHandler? _handler;
    private CancellationToken _stopping;
    private long _refused;
    private long _timedOut;
    private long _dropped;
    private long _nextCapLog;

    public SipTcpTransport(IPEndPoint bind, int maxMessageBytes, SipStreamOptions options, ILogger logger)
    {
        _logger = logger;
        _maxMessageBytes = maxMessageBytes;
        _options = options;
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
                Track(new SipStreamConnection(Task.FromResult<Stream>(new NetworkStream(socket, ownsSocket: true)), remote, _options,
                    _maxMessageBytes, _handler, _logger, cancellationToken));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
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

    /// <summary>Queues a message for <paramref name="remote"/>; never blocks (a connection is opened in the background if needed).</summary>
    public void Send(ReadOnlySpan<byte> message, IPEndPoint remote)
    {
        if (!_connections.TryGetValue(remote, out var connection))
        {
            // §18.1.1: no connection to the target yet: open one and read from it as from an accepted one.
            if (!TryCount(remote.Address))
            {
                LogSendFailed(remote, "connection caps reached");
                return;
            }
            connection = new SipStreamConnection(ConnectAsync(remote, _stopping), remote, _options, _maxMessageBytes, _handler!, _logger, _stopping);
            Track(connection);
        }
        if (!connection.TrySend(message)) LogSendFailed(remote, "the peer is not reading (send queue full); connection dropped");
    }

    private static async Task<Stream> ConnectAsync(IPEndPoint remote, CancellationToken cancellationToken)
    {
        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await socket.ConnectAsync(remote, timeout.Token).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP TCP: send to {Remote} failed: {Error}")]
    private partial void LogSendFailed(IPEndPoint remote, string error);
}
