using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Media.Rtp;

/// <summary>What a receiver hands a session: one datagram and its source, valid only during the call.</summary>
public delegate void RtpDatagramHandler(Span<byte> datagram, SocketAddress from);

/// <summary>
/// Receives the datagrams of every media socket on a few dedicated threads (Linux): each waits in its own
/// <c>epoll_wait(2)</c> over the sockets given to it, then drains each ready socket with <c>recvfrom(2)</c>
/// (<c>MSG_DONTWAIT</c>) until it would block, calling the socket's handler inline. Issue 22: a receive loop per socket
/// (<c>ReceiveFromAsync</c>) cost a thread-pool dispatch and a continuation per packet; here a packet costs one system
/// call, and one wake-up serves every socket that became ready together (20 ms media ticks make them arrive in bursts).
/// Handlers run on the receiver's thread: they must not block (the session's own work — SRTP, jitter buffer — is
/// short; DTMF and DTLS are handed to other threads).
/// </summary>
public sealed partial class RtpReceiver : IDisposable
{
    private const int MaxEvents = 256;
    private const int MaxPerSocketPerWake = 32; // fairness: a sprayed socket cannot keep the others waiting
    private const int BufferBytes = 2048;       // a larger datagram is no G.711/Opus RTP of ours: dropped (MSG_TRUNC)

    private readonly Lane[] _lanes;
    private readonly ILogger _logger;
    private int _next;
    private int _disposed;

    private RtpReceiver(int threads, ILogger logger)
    {
        _logger = logger;
        _lanes = new Lane[threads];
        for (var i = 0; i < threads; i++) _lanes[i] = new Lane(this, i);
    }

    /// <summary>
    /// A receiver with one thread per two cores (1–4), or null where epoll is not available (then sessions keep their
    /// own receive loops). One per media engine, like the clock.
    /// </summary>
    public static RtpReceiver? TryCreate(ILogger logger)
    {
        if (!LinuxEpoll.IsAvailable) return null;
        try
        {
            return new RtpReceiver(Math.Clamp(Environment.ProcessorCount / 2, 1, 4), logger);
        }
        catch (Exception ex) when (ex is InvalidOperationException or DllNotFoundException or EntryPointNotFoundException)
        {
            LogUnavailable(logger, ex.Message);
            return null;
        }
    }

    /// <summary>Starts handing <paramref name="socket"/>'s datagrams to <paramref name="handler"/>; dispose the result before closing the socket.</summary>
    public IDisposable Register(Socket socket, RtpDatagramHandler handler)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var lane = _lanes[(int)((uint)Interlocked.Increment(ref _next) % (uint)_lanes.Length)];
        return lane.Add(socket, handler);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var lane in _lanes) lane.Stop();
    }

    /// <summary>
    /// One thread, one epoll set. Registrations are found by slot number (the event's data), never by fd, and a socket's
    /// handle is referenced while it is drained: a socket closed meanwhile keeps its fd until the drain ends, so its
    /// number cannot be reused by another call's socket under our feet. As with a per-socket loop, a handler may still
    /// be running for a datagram when its registration is removed.
    /// </summary>
    private sealed class Lane
    {
        private readonly RtpReceiver _owner;
        private readonly int _epoll;
        private readonly Thread _thread;
        private readonly object _gate = new(); // Add/Remove only; the thread reads the slots without it
        private Registration?[] _slots = new Registration?[64];
        private readonly Stack<int> _free = new();
        private int _used;
        private volatile bool _stopping;
        private bool _closed;

        public Lane(RtpReceiver owner, int index)
        {
            _owner = owner;
            _epoll = LinuxEpoll.Create();
            _thread = new Thread(Run) { IsBackground = true, Name = $"media-receive-{index}", Priority = ThreadPriority.AboveNormal };
            _thread.Start();
        }

        public Registration Add(Socket socket, RtpDatagramHandler handler)
        {
            var fd = (int)socket.SafeHandle.DangerousGetHandle();
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_closed, this);
                var slot = _free.Count > 0 ? _free.Pop() : _used++;
                if (slot == _slots.Length)
                {
                    var grown = new Registration?[_slots.Length * 2];
                    Array.Copy(_slots, grown, _slots.Length);
                    Volatile.Write(ref _slots, grown);
                }
                var registration = new Registration(this, slot, socket, fd, handler);
                Volatile.Write(ref _slots[slot], registration);
                if (!LinuxEpoll.Add(_epoll, fd, (ulong)slot))
                {
                    _slots[slot] = null;
                    _free.Push(slot);
                    throw new InvalidOperationException($"epoll_ctl ADD failed for a media socket (errno {Marshal.GetLastPInvokeError()})");
                }
                return registration;
            }
        }

        public void Remove(Registration registration)
        {
            lock (_gate)
            {
                // After Stop the epoll fd is closed and its number may be another's: never touch it again.
                if (_closed || !ReferenceEquals(_slots[registration.Slot], registration)) return;
                LinuxEpoll.Remove(_epoll, registration.Fd);
                Volatile.Write(ref _slots[registration.Slot], null);
                _free.Push(registration.Slot);
            }
        }

        public void Stop()
        {
            _stopping = true;
            _thread.Join(TimeSpan.FromSeconds(2));
            lock (_gate)
            {
                _closed = true;
                LinuxEpoll.Close(_epoll);
            }
        }

        private unsafe void Run()
        {
            var events = GC.AllocateUninitializedArray<byte>(MaxEvents * LinuxEpoll.EventSize, pinned: true);
            var buffer = GC.AllocateUninitializedArray<byte>(BufferBytes, pinned: true);
            fixed (byte* ev = events)
            fixed (byte* data = buffer)
            {
                while (!_stopping)
                {
                    // A bounded wait: Stop needs no wake-up descriptor, and a stopping lane notices within 200 ms.
                    var n = LinuxEpoll.Wait(_epoll, ev, MaxEvents, 200);
                    if (n <= 0) continue; // timeout, or EINTR
                    var slots = Volatile.Read(ref _slots);
                    for (var i = 0; i < n; i++)
                    {
                        var slot = (int)LinuxEpoll.DataOf(ev, i);
                        if ((uint)slot >= (uint)slots.Length || Volatile.Read(ref slots[slot]) is not { } registration) continue;
                        var referenced = false;
                        try
                        {
                            registration.Handle.DangerousAddRef(ref referenced);
                            Drain(registration, data, buffer);
                        }
                        catch (ObjectDisposedException)
                        {
                            // Closed between the event and now: nothing more to read from it.
                        }
                        finally
                        {
                            if (referenced) registration.Handle.DangerousRelease();
                        }
                    }
                }
            }
        }

        private unsafe void Drain(Registration registration, byte* data, byte[] buffer)
        {
            var from = registration.From;
            for (var i = 0; i < MaxPerSocketPerWake; i++)
            {
                var length = LinuxEpoll.ReceiveFrom(registration.Fd, data, BufferBytes, from);
                if (length == LinuxEpoll.WouldBlock) return;
                if (length < 0) continue;             // an ICMP error queued on the socket, and the like: next datagram
                if (length > BufferBytes) continue;   // truncated: not one of our media packets
                try
                {
                    registration.Handler(buffer.AsSpan(0, length), from);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // A handler's bug must not stop every other call's audio.
                    LogHandlerFailed(_owner._logger, ex);
                }
            }
        }
    }

    private sealed class Registration(Lane lane, int slot, Socket socket, int fd, RtpDatagramHandler handler) : IDisposable
    {
        public int Slot { get; } = slot;
        public int Fd { get; } = fd;
        public SafeHandle Handle { get; } = socket.SafeHandle;
        public RtpDatagramHandler Handler { get; } = handler;

        /// <summary>The source of the datagram being handled: one per socket, as the per-socket loops had.</summary>
        public SocketAddress From { get; } = new(socket.AddressFamily);

        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) lane.Remove(this);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "RTP receive: epoll not usable ({Error}); each media socket keeps its own receive loop")]
    private static partial void LogUnavailable(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "RTP receive: a session's handler failed; the datagram was dropped")]
    private static partial void LogHandlerFailed(ILogger logger, Exception ex);
}
