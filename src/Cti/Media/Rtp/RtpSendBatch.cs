using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Hotline.Cti.Media.Rtp;

/// <summary>How a clock thread hands a tick's packets to the kernel; chosen once, when the clock is built.</summary>
public enum RtpSendPath
{
    /// <summary><see cref="Socket.SendTo(ReadOnlySpan{byte}, SocketFlags, SocketAddress)"/> per packet (any OS).</summary>
    Portable,

    /// <summary>
    /// libc <c>sendto(2)</c> straight on the socket's descriptor (Linux): no per-packet work in the .NET socket
    /// layer. <c>sendmmsg(2)</c> cannot batch here: it sends on one descriptor, and each call leg has its own
    /// socket (RFC 4961 symmetric RTP: we must send from the port we advertised).
    /// </summary>
    LinuxSendTo,
}

/// <summary>
/// The packets one clock thread prepared for one deadline, held until it is due and then flushed in one go.
/// Building a packet (reading the source, G.711, header) happens ahead of the deadline; at the deadline only the
/// sends remain. Preallocated slots in one pinned array: nothing is allocated per packet. Room for more packets is
/// made ahead of need by <see cref="Reserve"/> on the subscribing thread and swapped in by the owner between
/// deadlines, so the clock thread does not allocate when calls are added either; it grows the array itself only
/// past a high-water mark nobody reserved. One owner: the clock thread that prepares and flushes it.
/// </summary>
public sealed class RtpSendBatch
{
    /// <summary>Largest datagram a slot holds (G.711 20 ms = 172 bytes; RFC 4733 events are 16).</summary>
    public const int MaxPacketLength = 512;

    private readonly RtpSendPath _path;
    private byte[] _bytes;
    private Entry[] _entries;
    private int _count;
    private Storage? _spare;
    private int _reserved;

    // Room for more slots, allocated by Reserve's thread and taken by the owner (a reference swap, no copy).
    private sealed class Storage(int capacity)
    {
        public readonly Entry[] Entries = new Entry[capacity];
        public readonly byte[] Bytes = GC.AllocateUninitializedArray<byte>(capacity * MaxPacketLength, pinned: true);
    }

    private struct Entry
    {
        public Socket Socket;
        public SocketAddress To;
        public RtpStatistics? Statistics;
        public int Length;
        public int PayloadLength;
        public uint Timestamp;
        public bool HandleReferenced;
    }

    public RtpSendBatch(RtpSendPath path, int capacity = 256)
    {
        if (path == RtpSendPath.LinuxSendTo && !LinuxSockets.IsAvailable)
            throw new PlatformNotSupportedException("RtpSendPath.LinuxSendTo needs Linux with libc sendto; use Portable.");
        _path = path;
        _entries = new Entry[Math.Max(1, capacity)];
        _bytes = GC.AllocateUninitializedArray<byte>(_entries.Length * MaxPacketLength, pinned: true);
        _reserved = _entries.Length;
    }

    /// <summary>Slots in use now (the owner's view; grows by <see cref="Reserve"/> or past a high-water mark).</summary>
    public int Capacity => _entries.Length;

    /// <summary>
    /// Makes room for <paramref name="packets"/> per deadline before the owner needs it: the slots are allocated on
    /// the calling thread and handed over; the owner swaps them in when its batch is next empty. Any thread; calls
    /// must be serialised by the caller (the media clock's lock).
    /// </summary>
    public void Reserve(int packets)
    {
        if (packets <= Volatile.Read(ref _reserved)) return;
        var capacity = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)packets);
        Volatile.Write(ref _spare, new Storage(capacity));
        Volatile.Write(ref _reserved, capacity);
    }

    /// <summary>The fastest path this machine supports: <see cref="RtpSendPath.LinuxSendTo"/> on Linux, else portable.</summary>
    public static RtpSendPath BestPath => LinuxSockets.IsAvailable ? RtpSendPath.LinuxSendTo : RtpSendPath.Portable;

    public RtpSendPath Path => _path;

    /// <summary>Packets waiting for the flush.</summary>
    public int Count => _count;

    /// <summary>
    /// Queues a copy of <paramref name="packet"/> to go from <paramref name="socket"/> to <paramref name="to"/>
    /// at the next <see cref="Flush"/>; <paramref name="statistics"/> (if any) counts it once really sent.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(Socket socket, SocketAddress to, ReadOnlySpan<byte> packet, RtpStatistics? statistics = null, int payloadLength = 0, uint timestamp = 0)
    {
        if (packet.Length > MaxPacketLength)
            throw new ArgumentException($"An RTP packet in a send batch is at most {MaxPacketLength} bytes.", nameof(packet));
        if (_count == 0 && Volatile.Read(ref _spare) is { } spare) TakeSpare(spare);
        if (_count == _entries.Length) Grow();
        var referenced = false;
        if (_path == RtpSendPath.LinuxSendTo)
        {
            // Hold the descriptor open until the flush: a call hung up in between must not let the number be
            // reused by another socket (the packet would leave from someone else's port). Socket.Dispose on the
            // hanging-up thread waits for the release, i.e. at most until this deadline's flush.
            try
            {
                socket.SafeHandle.DangerousAddRef(ref referenced);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
        packet.CopyTo(_bytes.AsSpan(_count * MaxPacketLength, packet.Length));
        _entries[_count++] = new Entry
        {
            Socket = socket, To = to, Statistics = statistics, Length = packet.Length,
            PayloadLength = payloadLength, Timestamp = timestamp, HandleReferenced = referenced,
        };
    }

    /// <summary>Sends every queued packet in the order added, then empties the batch. Returns the packets sent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Flush()
    {
        var sent = 0;
        for (var i = 0; i < _count; i++)
        {
            ref var e = ref _entries[i];
            var ok = _path == RtpSendPath.LinuxSendTo ? SendNative(ref e, i) : SendPortable(ref e, i);
            if (ok)
            {
                sent++;
                e.Statistics?.OnSent(e.PayloadLength, e.Timestamp);
            }
            Release(ref e);
        }
        _count = 0;
        return sent;
    }

    /// <summary>Drops the queued packets unsent (the clock fell too far behind; stale audio is not sent late).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Discard()
    {
        for (var i = 0; i < _count; i++) Release(ref _entries[i]);
        _count = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool SendPortable(ref Entry e, int slot)
    {
        try
        {
            e.Socket.SendTo(_bytes.AsSpan(slot * MaxPacketLength, e.Length), SocketFlags.None, e.To);
            return true;
        }
        catch (SocketException)
        {
            // ICMP port unreachable and friends: the peer may come back; the inactivity watch ends a dead call.
            e.Statistics?.OnSendError();
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false; // hung up between preparing and sending
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool SendNative(ref Entry e, int slot)
    {
        if (!e.HandleReferenced) return false;
        var fd = (int)e.Socket.SafeHandle.DangerousGetHandle();
        if (LinuxSockets.SendTo(fd, _bytes.AsSpan(slot * MaxPacketLength, e.Length), e.To)) return true;
        e.Statistics?.OnSendError();
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Release(ref Entry e)
    {
        if (e.HandleReferenced) e.Socket.SafeHandle.DangerousRelease();
        e = default;
    }

    // Between deadlines (nothing queued, so nothing to copy): adopt the room Reserve made.
    private void TakeSpare(Storage spare)
    {
        Interlocked.CompareExchange(ref _spare, null, spare);
        if (spare.Entries.Length <= _entries.Length) return;
        _entries = spare.Entries;
        _bytes = spare.Bytes;
    }

    // A high-water mark of packets per deadline nobody reserved: double once (rare, never in steady state).
    private void Grow()
    {
        var entries = new Entry[_entries.Length * 2];
        Array.Copy(_entries, entries, _count);
        var bytes = GC.AllocateUninitializedArray<byte>(entries.Length * MaxPacketLength, pinned: true);
        _bytes.AsSpan(0, _count * MaxPacketLength).CopyTo(bytes);
        _entries = entries;
        _bytes = bytes;
    }
}
