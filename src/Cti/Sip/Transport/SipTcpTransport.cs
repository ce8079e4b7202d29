using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Sip.Transport;

/// <summary>
/// TCP (RFC 3261 §18): accepts connections, frames messages by Content-Length, and keeps one connection per
/// remote address so responses go back on the connection the request came in on (§18.2.2). With
/// <see cref="SipTlsSettings"/> it is the TLS transport (RFC 3261 §26.2): the same framing over an
/// <see cref="SslStream"/> wrapped around each accepted or connected socket.
/// </summary>
internal sealed partial class SipTcpTransport : IDisposable
{
    private readonly Socket _listener;
    private readonly ILogger _logger;
    private readonly int _maxMessageBytes;
    private readonly SipTlsSettings? _tls;
    private readonly string _name;
    private readonly ConcurrentDictionary<IPEndPoint, Stream> _connections = new();
    private readonly ConcurrentDictionary<IPEndPoint, IPEndPoint> _aliases = new();
    private SipUdpTransport.DatagramHandler? _handler;
    private CancellationToken _stopping;

    public SipTcpTransport(IPEndPoint bind, int maxMessageBytes, ILogger logger, SipTlsSettings? tls = null)
    {
        _logger = logger;
        _maxMessageBytes = maxMessageBytes;
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

    public async Task RunAsync(SipUdpTransport.DatagramHandler handler, CancellationToken cancellationToken)
    {
        _handler = handler;
        _stopping = cancellationToken;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var socket = await _listener.AcceptAsync(cancellationToken);
                socket.NoDelay = true;
                var remote = (IPEndPoint)socket.RemoteEndPoint!;
                _ = Task.Run(() => AcceptedAsync(socket, remote, cancellationToken), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    // The TLS handshake runs here, off the accept loop, so a slow or silent client holds up no one else.
    private async Task AcceptedAsync(Socket socket, IPEndPoint remote, CancellationToken cancellationToken)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (_tls is not null)
        {
            try
            {
                stream = await _tls.AcceptAsync(stream, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or SocketException)
            {
                LogHandshakeFailed(remote, ex.Message);
                return;
            }
        }
        _connections[remote] = stream;
        await ReadLoopAsync(stream, remote, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReadLoopAsync(Stream socket, IPEndPoint remote, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        var filled = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (filled == buffer.Length)
                {
                    if (buffer.Length >= _maxMessageBytes) break;
                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, _maxMessageBytes + 4));
                }
                var n = await socket.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                if (n == 0) break;
                filled += n;
                var consumed = 0;
                while (true)
                {
                    var outcome = SipStreamFraming.TryFrame(buffer.AsSpan(consumed, filled - consumed), _maxMessageBytes, out var length);
                    if (outcome == SipStreamFraming.Outcome.NeedMore) break;
                    if (outcome == SipStreamFraming.Outcome.Invalid)
                    {
                        // Framing is lost: nothing after this point can be trusted (§18.3), close the connection.
                        LogFramingLost(remote);
                        return;
                    }
                    if (outcome == SipStreamFraming.Outcome.Message) _handler!(buffer.AsSpan(consumed, length), remote);
                    consumed += length;
                }
                if (consumed > 0)
                {
                    buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                    filled -= consumed;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            _connections.TryRemove(new KeyValuePair<IPEndPoint, Stream>(remote, socket));
            socket.Dispose();
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

    public void Send(ReadOnlySpan<byte> message, IPEndPoint remote)
    {
        try
        {
            if (!_connections.TryGetValue(remote, out var socket)
                && _aliases.TryGetValue(remote, out var alias) && _connections.TryGetValue(alias, out var aliased))
                socket = aliased;
            if (socket is null)
            {
                // §18.1.1: no connection to the target yet: open one and read from it as from an accepted one.
                var raw = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                raw.Connect(remote);
                socket = new NetworkStream(raw, ownsSocket: true);
                // RFC 5922 §7.2: the server must be who we meant; we reach peers by address (registered contacts).
                if (_tls is not null) socket = _tls.Connect(socket, remote.Address.ToString());
                _connections[remote] = socket;
                var stream = socket;
                _ = Task.Run(() => ReadLoopAsync(stream, remote, _stopping), _stopping);
            }
            lock (socket) socket.Write(message);
        }
        catch (Exception ex) when (ex is SocketException or IOException or AuthenticationException or ObjectDisposedException)
        {
            LogSendFailed(remote, ex.Message);
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        foreach (var s in _connections.Values) s.Dispose();
    }

    private void LogFramingLost(IPEndPoint remote) => LogFramingLost(_name, remote);

    private void LogSendFailed(IPEndPoint remote, string error) => LogSendFailed(_name, remote, error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP {Transport}: framing lost on the connection from {Remote}; closing it")]
    private partial void LogFramingLost(string transport, IPEndPoint remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP {Transport}: send to {Remote} failed: {Error}")]
    private partial void LogSendFailed(string transport, IPEndPoint remote, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP TLS: handshake with {Remote} failed: {Error}")]
    private partial void LogHandshakeFailed(IPEndPoint remote, string error);
}
