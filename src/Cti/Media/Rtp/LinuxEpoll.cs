using System.Net;
using System.Runtime.InteropServices;

namespace Hotline.Cti.Media.Rtp;

/// <summary>
/// libc <c>epoll(7)</c> and <c>recvfrom(2)</c> for <see cref="RtpReceiver"/>. <c>struct epoll_event</c> is packed on
/// x86-64 (12 bytes, data at offset 4) and naturally aligned elsewhere (16 bytes, data at offset 8).
/// </summary>
internal static unsafe partial class LinuxEpoll
{
    private const int EpollCloexec = 0x80000;
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const uint EpollIn = 0x001;
    private const int MsgDontWait = 0x40;
    private const int MsgTrunc = 0x20;
    private const int EAgain = 11;

    /// <summary>What <see cref="ReceiveFrom"/> returns when the socket has nothing queued.</summary>
    public const int WouldBlock = -11;

    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    /// <summary>True on Linux when libc's epoll resolves (probed once).</summary>
    public static bool IsAvailable { get; } = Probe();

    public static int Create()
    {
        var fd = NativeCreate(EpollCloexec);
        if (fd < 0) throw new InvalidOperationException($"epoll_create1 failed (errno {Marshal.GetLastPInvokeError()})");
        return fd;
    }

    /// <summary>Level-triggered readability of <paramref name="fd"/>, reported with <paramref name="data"/>.</summary>
    public static bool Add(int epoll, int fd, ulong data)
    {
        var ev = stackalloc byte[16];
        *(uint*)ev = EpollIn;
        *(ulong*)(ev + DataOffset) = data;
        return NativeCtl(epoll, EpollCtlAdd, fd, ev) == 0;
    }

    /// <summary>Stops watching <paramref name="fd"/> (an fd already closed has left the set by itself).</summary>
    public static void Remove(int epoll, int fd)
    {
        var ev = stackalloc byte[16];
        NativeCtl(epoll, EpollCtlDel, fd, ev);
    }

    public static int Wait(int epoll, byte* events, int maxEvents, int timeoutMs) => NativeWait(epoll, events, maxEvents, timeoutMs);

    public static ulong DataOf(byte* events, int index) => *(ulong*)(events + index * EventSize + DataOffset);

    public static void Close(int fd) => NativeClose(fd);

    /// <summary>
    /// One datagram into <paramref name="buffer"/>, its source into <paramref name="from"/> (the native sockaddr, as
    /// .NET keeps it); its full length even when longer than the buffer (MSG_TRUNC), <see cref="WouldBlock"/> when none
    /// is queued, another negative value on an error.
    /// </summary>
    public static int ReceiveFrom(int fd, byte* buffer, int length, SocketAddress from)
    {
        var address = from.Buffer.Span;
        var size = address.Length;
        fixed (byte* addr = address)
        {
            var n = NativeRecvFrom(fd, buffer, (nuint)length, MsgDontWait | MsgTrunc, addr, &size);
            if (n >= 0)
            {
                from.Size = Math.Min(size, address.Length);
                return (int)n;
            }
            var errno = Marshal.GetLastPInvokeError();
            return errno == EAgain ? WouldBlock : -errno - 1000;
        }
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            var fd = NativeCreate(EpollCloexec);
            if (fd < 0) return false;
            NativeClose(fd);
            // fd -1: EBADF, proves recvfrom resolves without reading anything.
            var size = 0;
            return NativeRecvFrom(-1, null, 0, MsgDontWait, null, &size) < 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int NativeCreate(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int NativeCtl(int epoll, int op, int fd, byte* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int NativeWait(int epoll, byte* events, int maxEvents, int timeout);

    [LibraryImport("libc", EntryPoint = "recvfrom", SetLastError = true)]
    private static partial nint NativeRecvFrom(int fd, byte* buffer, nuint length, int flags, byte* address, int* addressLength);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int NativeClose(int fd);
}
