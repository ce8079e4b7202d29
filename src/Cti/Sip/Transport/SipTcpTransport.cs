using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Sip.Transport;

/// <summary>
/// TCP (RFC 3261 §18): accepts connections, frames messages by Content-Length, and keeps one connection per
/// remote address so responses go back on the connection the request came in on (§18.2.2).
/// </summary>
internal sealed partial class SipTcpTransport : IDisposable
{
    private readonly Socket _listener;
    private readonly ILogger _logger;
    private readonly int _maxMessageBytes;
    private readonly ConcurrentDictionary<IPEndPoint, Socket> _connections = new();
    private SipUdpTransport.DatagramHandler? _handler;
    private CancellationToken _stopping;

    public SipTcpTransport(IPEndPoint bind, int maxMessageBytes, ILogger logger)
    {
        _logger = logger;
        _maxMessageBytes = maxMessageBytes;
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
                _connections[remote] = socket;
                _ = Task.Run(() => ReadLoopAsync(socket, remote, cancellationToken), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task ReadLoopAsync(Socket socket, IPEndPoint remote, CancellationToken cancellationToken)
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
                var n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
                if (n == 0) break;
                filled += n;
                var consumed = 0;
                while (true)
                {
                    var outcome = SipStreamFraming.TryFrame(buffer.AsSpan(consumed, filled - consumed), _maxMessageBytes, out var length);
                    if (outcome == SipStreamFraming.Outcome.NeedMore) break;
                    if (outcome == SipStreamFraming.Outcome.Invalid)
                    {
                        // Framing is lost: nothing after this point can be trusted (§18.3), close the connection,
                        // after letting the parser answer a whole header section (400, RFC 4475 §3.1.2.3).
                        if (length > 0) _handler!(buffer.AsSpan(consumed, length), remote);
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
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            _connections.TryRemove(new KeyValuePair<IPEndPoint, Socket>(remote, socket));
            socket.Dispose();
        }
    }

    public void Send(ReadOnlySpan<byte> message, IPEndPoint remote)
    {
        try
        {
            if (!_connections.TryGetValue(remote, out var socket))
            {
                // §18.1.1: no connection to the target yet: open one and read from it as from an accepted one.
                socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                socket.Connect(remote);
                _connections[remote] = socket;
                _ = Task.Run(() => ReadLoopAsync(socket, remote, _stopping), _stopping);
            }
            lock (socket)
            {
                while (!message.IsEmpty)
                {
                    var n = socket.Send(message, SocketFlags.None);
                    message = message[n..];
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            LogSendFailed(remote, ex.Message);
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        foreach (var s in _connections.Values) s.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP TCP: framing lost on the connection from {Remote}; closing it")]
    private partial void LogFramingLost(IPEndPoint remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP TCP: send to {Remote} failed: {Error}")]
    private partial void LogSendFailed(IPEndPoint remote, string error);
}
