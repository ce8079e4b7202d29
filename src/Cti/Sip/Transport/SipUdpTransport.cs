using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Sip.Transport;

/// <summary>
/// UDP (RFC 3261 §18): one socket, a few receive loops each reusing one pooled buffer and one SocketAddress,
/// so receiving allocates only the message it hands up.
/// </summary>
internal sealed partial class SipUdpTransport : IDisposable
{
    private const int MaxDatagram = 65_535;
    private readonly Socket _socket;
    private readonly ILogger _logger;

    public SipUdpTransport(IPEndPoint bind, ILogger logger)
    {
        _logger = logger;
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (bind.AddressFamily == AddressFamily.InterNetworkV6 && bind.Address.Equals(IPAddress.IPv6Any)) _socket.DualMode = true;
        // Bursts at thousands of requests per second: give the kernel room.
        _socket.ReceiveBufferSize = 4 * 1024 * 1024;
        _socket.SendBufferSize = 4 * 1024 * 1024;
        _socket.Bind(bind);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public delegate void DatagramHandler(ReadOnlySpan<byte> datagram, IPEndPoint remote);

    /// <summary>
    /// Runs <paramref name="loops"/> receive loops, each on its own dedicated thread, not the thread pool: the SIP receive
    /// path (and the 100 Trying it sends at once, RFC 3261 §17.2.1) must not wait behind the pool's queue. Seen in the
    /// whole-site test (docs/scaling.md): with the pool busy, an INVITE relayed by Kamailio waited more than its 2 s
    /// no-answer timer before an async receive's continuation ran, Kamailio sent it to another engine, and the caller got
    /// two calls. The loops end when the socket is disposed (a blocked receive is then aborted).
    /// </summary>
    public Task RunAsync(int loops, DatagramHandler handler, CancellationToken cancellationToken)
    {
        var tasks = new Task[loops];
        for (var i = 0; i < loops; i++)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() =>
            {
                try
                {
                    ReceiveLoop(handler, cancellationToken);
                }
                finally
                {
                    done.TrySetResult();
                }
            })
            {
                IsBackground = true,
                Name = "SIP UDP receive " + i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            thread.Start();
            tasks[i] = done.Task;
        }
        return Task.WhenAll(tasks);
    }

    private void ReceiveLoop(DatagramHandler handler, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxDatagram);
        var address = new SocketAddress(_socket.AddressFamily);
        IPEndPoint? lastRemote = null;
        SocketAddress? lastAddress = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                int received;
                try
                {
                    received = _socket.ReceiveFrom(buffer.AsSpan(0, MaxDatagram), SocketFlags.None, address);
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
                {
                    continue; // ICMP port unreachable from an earlier send, or an oversized datagram: not fatal.
                }
                catch (SocketException) when (cancellationToken.IsCancellationRequested)
                {
                    return; // Disposed while stopping: the blocked receive was aborted.
                }
                // The same peer sends many datagrams in a row: reuse its IPEndPoint.
                if (lastRemote is null || !address.Equals(lastAddress))
                {
                    lastRemote = (IPEndPoint)LocalEndPoint.Create(address);
                    lastAddress = new SocketAddress(address.Family, address.Size);
                    address.Buffer.CopyTo(lastAddress.Buffer);
                }
                try
                {
                    handler(buffer.AsSpan(0, received), lastRemote);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogHandlerFailed(ex, lastRemote);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted or SocketError.Shutdown)
        {
            // Disposed by its owner (stop): the blocked receive was aborted.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Send(ReadOnlySpan<byte> datagram, IPEndPoint remote)
    {
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, remote);
        }
        catch (SocketException ex)
        {
            LogSendFailed(remote, ex.SocketErrorCode);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose() => _socket.Dispose();

    [LoggerMessage(Level = LogLevel.Error, Message = "SIP UDP: handling a datagram from {Remote} failed")]
    private partial void LogHandlerFailed(Exception ex, IPEndPoint remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP UDP: send to {Remote} failed: {Error}")]
    private partial void LogSendFailed(IPEndPoint remote, SocketError error);
}
