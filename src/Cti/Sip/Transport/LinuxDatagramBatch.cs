using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Hotline.Cti.Sip.Transport;

/// <summary>
/// libc <c>recvmmsg(2)</c> and <c>sendmmsg(2)</c> for the SIP UDP receive loops (Linux, 64-bit): one system call takes
/// every datagram already queued on the socket (up to <see cref="Capacity"/>), and the responses their handling sent
/// leave in one more. Same style as the media's <c>LinuxSockets</c>: .NET's <see cref="SocketAddress"/> buffer is the
/// native <c>sockaddr</c>, so addresses are copied as bytes, never converted. One instance per receive loop (its
/// thread alone touches it); the memory is native and freed by <see cref="Dispose"/>.
/// </summary>
internal sealed unsafe partial class LinuxDatagramBatch : IDisposable
{
    /// <summary>Room for a sockaddr_in6 (28 bytes) with margin: sockaddr_storage is 128.</summary>
    private const int AddressRoom = 128;

    /// <summary>recvmmsg: block for the first datagram only, then take what is queued.</summary>
    private const int MsgWaitForOne = 0x10000;

    private const int Eintr = 4;

    private readonly int _receiveSlot;
    private readonly int _sendSlot;
    private readonly byte* _memory;
    private readonly MMsgHdr* _receiveHeaders;
    private readonly IoVec* _receiveVectors;
    private readonly byte* _receiveAddresses;
    private readonly byte* _receiveBuffers;
    private readonly MMsgHdr* _sendHeaders;
    private readonly IoVec* _sendVectors;
    private readonly byte* _sendAddresses;
    private readonly byte* _sendBuffers;
    private int _received;
    private int _queued;
    private int _disposed;

    /// <summary>True on 64-bit Linux when libc's recvmmsg and sendmmsg resolve (probed once).</summary>
    public static bool IsAvailable { get; } = Probe();

    public LinuxDatagramBatch(int capacity, int receiveSlot, int sendSlot)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _receiveSlot = receiveSlot;
        _sendSlot = sendSlot;
        var headers = (nuint)(capacity * sizeof(MMsgHdr));
        var vectors = (nuint)(capacity * sizeof(IoVec));
        var addresses = (nuint)(capacity * AddressRoom);
        var total = 2 * (headers + vectors + addresses) + (nuint)capacity * (nuint)(receiveSlot + sendSlot);
        _memory = (byte*)NativeMemory.AllocZeroed(total);
        var p = _memory;
        _receiveHeaders = (MMsgHdr*)p; p += headers;
        _receiveVectors = (IoVec*)p; p += vectors;
        _receiveAddresses = p; p += addresses;
        _sendHeaders = (MMsgHdr*)p; p += headers;
        _sendVectors = (IoVec*)p; p += vectors;
        _sendAddresses = p; p += addresses;
        _receiveBuffers = p; p += (nuint)capacity * (nuint)receiveSlot;
        _sendBuffers = p;
        for (var i = 0; i < capacity; i++)
        {
            _receiveVectors[i] = new IoVec { Base = _receiveBuffers + (nint)i * receiveSlot, Length = (nuint)receiveSlot };
            _sendVectors[i] = new IoVec { Base = _sendBuffers + (nint)i * sendSlot };
        }
    }

    /// <summary>Datagrams taken by one receive, and responses queued before a flush.</summary>
    public int Capacity { get; }

    /// <summary>Datagrams queued by <see cref="TryQueue"/> and not yet sent (read from any thread).</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>
    /// Blocks until at least one datagram is queued on <paramref name="fd"/> (or its receive timeout passes), then takes
    /// every queued one up to <see cref="Capacity"/>. The count (0 on a timeout or EINTR), or -1 with the errno.
    /// </summary>
    public int Receive(int fd, out int errno)
    {
        errno = 0;
        for (var i = 0; i < Capacity; i++)
        {
            ref var h = ref _receiveHeaders[i];
            h.Header.Name = _receiveAddresses + (nint)i * AddressRoom;
            h.Header.NameLength = AddressRoom;
            h.Header.Iov = _receiveVectors + i;
            h.Header.IovLength = 1;
            h.Header.Control = null;
            h.Header.ControlLength = 0;
            h.Header.Flags = 0;
            h.Length = 0;
        }
        var n = NativeRecvMmsg(fd, _receiveHeaders, (uint)Capacity, MsgWaitForOne, null);
        if (n >= 0)
        {
            _received = n;
            return n;
        }
        _received = 0;
        errno = Marshal.GetLastPInvokeError();
        return errno == Eintr ? 0 : -1;
    }

    /// <summary>Datagram <paramref name="index"/> of the last receive (truncated ones are reported by <see cref="IsTruncated"/>).</summary>
    public ReadOnlySpan<byte> Datagram(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_received, nameof(index));
        return new ReadOnlySpan<byte>(_receiveVectors[index].Base, (int)Math.Min(_receiveHeaders[index].Length, (uint)_receiveSlot));
    }

    /// <summary>MSG_TRUNC: the datagram was larger than a slot (an oversized datagram, dropped like the portable path does).</summary>
    public bool IsTruncated(int index) => (_receiveHeaders[index].Header.Flags & 0x20) != 0;

    /// <summary>The native sockaddr datagram <paramref name="index"/> came from.</summary>
    public ReadOnlySpan<byte> SourceAddress(int index) =>
        new(_receiveHeaders[index].Header.Name, (int)Math.Min(_receiveHeaders[index].Header.NameLength, (uint)AddressRoom));

    /// <summary>
    /// Copies <paramref name="datagram"/> and its destination into the send batch; false when it does not fit a slot
    /// (the caller sends it alone) or the batch is full (the caller flushes first).
    /// </summary>
    public bool TryQueue(ReadOnlySpan<byte> datagram, SocketAddress destination)
    {
        if (_queued >= Capacity || datagram.Length > _sendSlot || destination.Size > AddressRoom) return false;
        var i = _queued++;
        datagram.CopyTo(new Span<byte>(_sendVectors[i].Base, _sendSlot));
        _sendVectors[i].Length = (nuint)datagram.Length;
        var address = _sendAddresses + (nint)i * AddressRoom;
        destination.Buffer.Span[..destination.Size].CopyTo(new Span<byte>(address, AddressRoom));
        ref var h = ref _sendHeaders[i];
        h.Header.Name = address;
        h.Header.NameLength = (uint)destination.Size;
        h.Header.Iov = _sendVectors + i;
        h.Header.IovLength = 1;
        h.Header.Control = null;
        h.Header.ControlLength = 0;
        h.Header.Flags = 0;
        h.Length = 0;
        return true;
    }

    /// <summary>
    /// Sends every queued datagram (sendmmsg, repeated while the kernel takes part of the batch; a datagram it refuses
    /// is skipped and counted, as a failed sendto would be). Returns how many failed.
    /// </summary>
    public int Flush(int fd, out int lastErrno)
    {
        lastErrno = 0;
        var failed = 0;
        var next = 0;
        while (next < _queued)
        {
            var n = NativeSendMmsg(fd, _sendHeaders + next, (uint)(_queued - next), 0);
            if (n > 0)
            {
                next += n;
                continue;
            }
            lastErrno = Marshal.GetLastPInvokeError();
            if (lastErrno == Eintr) continue;
            // The first message of the rest failed (unreachable, buffer full): drop it, send the others.
            failed++;
            next++;
        }
        _queued = 0;
        return failed;
    }

    /// <summary>One datagram now (libc sendto); false with the errno on failure.</summary>
    public static bool SendTo(int fd, ReadOnlySpan<byte> datagram, SocketAddress destination, out int errno)
    {
        errno = 0;
        var address = destination.Buffer.Span;
        fixed (byte* data = datagram)
        fixed (byte* addr = address)
        {
            if (NativeSendTo(fd, data, (nuint)datagram.Length, 0, addr, destination.Size) >= 0) return true;
        }
        errno = Marshal.GetLastPInvokeError();
        return false;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        NativeMemory.Free(_memory);
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux() || IntPtr.Size != 8 || sizeof(MMsgHdr) != 64) return false;
        try
        {
            // fd -1: EBADF, proves the entry points resolve without receiving or sending anything.
            return NativeRecvMmsg(-1, null, 0, 0, null) < 0 && NativeSendMmsg(-1, null, 0, 0) < 0 && NativeSendTo(-1, null, 0, 0, null, 0) < 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    // struct iovec and struct mmsghdr of <sys/socket.h> on LP64 Linux (x86-64, arm64): 16 and 64 bytes.
    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public byte* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public byte* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MMsgHdr
    {
        public MsgHdr Header;
        public uint Length;
    }

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    private static partial int NativeRecvMmsg(int fd, MMsgHdr* messages, uint count, int flags, void* timeout);

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    private static partial int NativeSendMmsg(int fd, MMsgHdr* messages, uint count, int flags);

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    private static partial nint NativeSendTo(int fd, byte* buffer, nuint length, int flags, byte* address, int addressLength);
}
