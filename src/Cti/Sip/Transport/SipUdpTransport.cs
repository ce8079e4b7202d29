using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Sip.Transport;

/// <summary>
/// UDP (RFC 3261 §18): one socket, a few receive loops each reusing one pooled buffer and one SocketAddress,
/// so receiving allocates only the message it hands up. On Linux each loop takes every queued datagram in one
/// <c>recvmmsg</c> and sends the responses their handling produced in one <c>sendmmsg</c> (<see cref="LinuxDatagramBatch"/>,
/// issue 22: two system calls per batch instead of two per request); elsewhere, or with a batch of 1, one
/// <c>recvfrom</c> and one <c>sendto</c> per datagram.
/// </summary>
internal sealed partial class SipUdpTransport : IDisposable
{
    private const int MaxDatagram = 65_535;

    /// <summary>
    /// A send batch slot: a response larger than this (rare: SIP over UDP should stay under the path MTU, RFC 3261
    /// §18.1.1) goes out alone at once.
    /// </summary>
    private const int SendSlot = 4096;

    /// <summary>How long a batched receive blocks before it looks at the stop token (the socket's SO_RCVTIMEO).</summary>
    private const int ReceivePollMilliseconds = 250;

    private const int Eagain = 11;
    private const int Ebadf = 9;

    /// <summary>sizeof(struct sockaddr_in): anything shorter is not an address IPEndPoint.Create accepts.</summary>
    private const int MinSocketAddress = 16;
    private const int Econnrefused = 111;

    /// <summary>
    /// The batched receive loops running now, so a response sent from one of their threads while it handles a batch
    /// joins that loop's send batch (copy on write: a loop starts or ends rarely, Send reads it per datagram).
    /// </summary>
    private BatchedLoop[] _loops = [];
    private readonly Lock _loopsGate = new();

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly int _batchSize;
    private volatile bool _disposed;

    /// <param name="bind">Address and port to bind (port 0: any free one).</param>
    /// <param name="logger">For failed sends and handlers.</param>
    /// <param name="batchSize">Datagrams per recvmmsg/sendmmsg on Linux; 1 (or a platform without them): one system call per datagram.</param>
    public SipUdpTransport(IPEndPoint bind, ILogger logger, int batchSize = 1)
    {
        _logger = logger;
        _batchSize = LinuxDatagramBatch.IsAvailable ? Math.Max(1, batchSize) : 1;
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (bind.AddressFamily == AddressFamily.InterNetworkV6 && bind.Address.Equals(IPAddress.IPv6Any)) _socket.DualMode = true;
        // Bursts at thousands of requests per second: give the kernel room.
        _socket.ReceiveBufferSize = 4 * 1024 * 1024;
        _socket.SendBufferSize = 4 * 1024 * 1024;
        _socket.Bind(bind);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>True when the loops use recvmmsg/sendmmsg (Linux and a batch size above 1).</summary>
    public bool IsBatched => _batchSize > 1;

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
                    if (IsBatched) BatchedReceiveLoop(handler, cancellationToken);
                    else ReceiveLoop(handler, cancellationToken);
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

    private void BatchedReceiveLoop(DatagramHandler handler, CancellationToken cancellationToken)
    {
        using var batch = new LinuxDatagramBatch(_batchSize, MaxDatagram, SendSlot);
        var lastAddress = new SocketAddress(_socket.AddressFamily);
        var lastLength = 0;
        IPEndPoint? lastRemote = null;
        var loop = new BatchedLoop(Environment.CurrentManagedThreadId, batch);
        lock (_loopsGate) _loops = [.. _loops, loop];
        try
        {
            // A blocked recvmmsg is woken by the socket's shutdown at dispose; the timeout is the backstop that lets the
            // loop see the stop token whatever the kernel does.
            _socket.ReceiveTimeout = ReceivePollMilliseconds;
            while (!cancellationToken.IsCancellationRequested && !_disposed)
            {
                var handle = _socket.SafeHandle;
                var added = false;
                int received, errno;
                try
                {
                    handle.DangerousAddRef(ref added);
                    received = batch.Receive((int)handle.DangerousGetHandle(), out errno);
                }
                finally
                {
                    if (added) handle.DangerousRelease();
                }
                if (received < 0)
                {
                    if (cancellationToken.IsCancellationRequested || _disposed) return;
                    if (errno == Ebadf) return; // closed under us
                    // EAGAIN: the receive timeout passed (or the descriptor is non-blocking): wait for data without spinning.
                    if (errno == Eagain) _socket.Poll(ReceivePollMilliseconds * 1000, SelectMode.SelectRead);
                    else if (errno != Econnrefused) LogBatchReceiveFailed(errno); // ECONNREFUSED: ICMP from an earlier send
                    continue;
                }
                for (var i = 0; i < received; i++)
                {
                    if (batch.IsTruncated(i)) continue; // larger than 64 KiB: dropped, as ReceiveFrom's MessageSize is
                    // The same peer sends many datagrams in a row: reuse its IPEndPoint.
                    var source = batch.SourceAddress(i);
                    // No sockaddr (the wake-up of a shutdown at dispose), or not one of an IP family: nothing to answer.
                    if (source.Length < MinSocketAddress) continue;
                    if (lastRemote is null || source.Length != lastLength || !source.SequenceEqual(lastAddress.Buffer.Span[..lastLength]))
                    {
                        var address = new SocketAddress(_socket.AddressFamily, Math.Max(source.Length, lastAddress.Buffer.Length));
                        source.CopyTo(address.Buffer.Span);
                        address.Size = source.Length;
                        try
                        {
                            lastRemote = (IPEndPoint)LocalEndPoint.Create(address);
                        }
                        catch (ArgumentException)
                        {
                            lastRemote = null; // not an address of the socket's family: nothing to answer
                            continue;
                        }
                        lastAddress = address;
                        lastLength = source.Length;
                    }
                    try
                    {
                        handler(batch.Datagram(i), lastRemote);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        LogHandlerFailed(ex, lastRemote);
                    }
                }
                FlushBatch(loop);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted or SocketError.Shutdown || _disposed)
        {
            // Disposed by its owner (stop).
        }
        finally
        {
            // Closed under its gate before the batch's memory is freed (the using above, after this): another thread
            // that read the loop from _loops finds it closed and never touches the freed batch.
            lock (loop.Gate) loop.Closed = true;
            lock (_loopsGate) _loops = [.. _loops.Where(l => l != loop)];
        }
    }

    /// <summary>Sends what <paramref name="loop"/> has queued (from its own thread or, to keep order, another one).</summary>
    private void FlushBatch(BatchedLoop loop)
    {
        lock (loop.Gate)
        {
            if (!loop.Closed) FlushBatchLocked(loop.Batch);
        }
    }

    private void FlushBatchLocked(LinuxDatagramBatch batch)
    {
        if (batch.Queued == 0) return;
        var handle = _socket.SafeHandle;
        var added = false;
        int failed, errno;
        try
        {
            handle.DangerousAddRef(ref added);
            failed = batch.Flush((int)handle.DangerousGetHandle(), out errno);
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
        if (failed > 0) LogBatchSendFailed(failed, errno);
    }

    /// <summary>
    /// Sends <paramref name="datagram"/> to <paramref name="remote"/>. On a batched receive loop's thread (a response
    /// to what it is handling) it joins the loop's send batch, which leaves in one sendmmsg when the received batch is
    /// handled, microseconds later. From any other thread it is sent at once — after whatever the loops have queued:
    /// a loop queues the INVITE's 100 Trying and hands the request up; the call's 200 OK, sent from another thread
    /// before the loop's batch is done, must not overtake it (a peer takes a 100 after the 200 as a protocol error).
    /// Sends of two loop threads are not ordered between them, as without batches.
    /// </summary>
    public void Send(ReadOnlySpan<byte> datagram, IPEndPoint remote)
    {
        var loops = Volatile.Read(ref _loops);
        if (loops.Length > 0)
        {
            var thread = Environment.CurrentManagedThreadId;
            BatchedLoop? own = null;
            foreach (var loop in loops)
                if (loop.ThreadId == thread) own = loop;
            if (own is not null)
            {
                lock (own.Gate)
                {
                    var batch = own.Batch;
                    var address = own.Serialize(remote, _socket.AddressFamily);
                    if (batch.TryQueue(datagram, address)) return;
                    FlushBatchLocked(batch);
                    if (batch.TryQueue(datagram, address)) return;
                }
                // Larger than a slot: sent alone, after the batch it follows.
            }
            else
            {
                foreach (var loop in loops)
                    if (loop.Batch.Queued > 0) FlushBatch(loop);
            }
        }
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

    /// <summary>One batched receive loop: its thread, its batch, and the native address of the last destination it sent to.</summary>
    private sealed class BatchedLoop(int threadId, LinuxDatagramBatch batch)
    {
        private IPEndPoint? _lastRemote;
        private SocketAddress? _lastAddress;

        public int ThreadId { get; } = threadId;

        public LinuxDatagramBatch Batch { get; } = batch;

        /// <summary>
        /// Held to queue into or flush <see cref="Batch"/>: the loop's own thread queues and flushes; another thread
        /// flushes what is queued before it sends, to keep the order.
        /// </summary>
        public Lock Gate { get; } = new();

        /// <summary>The loop ended (set under <see cref="Gate"/>): its batch is about to be freed.</summary>
        public bool Closed { get; set; }

        /// <summary>The sockaddr of <paramref name="remote"/> (a reply goes where the request came from, again and again: kept).</summary>
        public SocketAddress Serialize(IPEndPoint remote, AddressFamily socketFamily)
        {
            if (_lastAddress is not null && remote.Equals(_lastRemote)) return _lastAddress;
            // A dual-mode IPv6 socket sends to an IPv4 peer at its IPv4-mapped address, as Socket.SendTo does.
            var target = socketFamily == AddressFamily.InterNetworkV6 && remote.AddressFamily == AddressFamily.InterNetwork
                ? new IPEndPoint(remote.Address.MapToIPv6(), remote.Port) : remote;
            _lastAddress = target.Serialize();
            _lastRemote = remote;
            return _lastAddress;
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _socket.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "SIP UDP: handling a datagram from {Remote} failed")]
    private partial void LogHandlerFailed(Exception ex, IPEndPoint remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP UDP: {Failed} datagrams of a send batch failed (last errno {Errno})")]
    private partial void LogBatchSendFailed(int failed, int errno);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP UDP: a batched receive failed (errno {Errno})")]
    private partial void LogBatchReceiveFailed(int errno);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIP UDP: send to {Remote} failed: {Error}")]
    private partial void LogSendFailed(IPEndPoint remote, SocketError error);
}
