using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Hotline.Cti.Media.Rtp;

/// <summary>
/// libc <c>sendto(2)</c> for the media clock's flush (see <see cref="RtpSendPath.LinuxSendTo"/>). .NET's
/// <see cref="SocketAddress"/> buffer already holds the native <c>sockaddr</c>, so nothing is converted per packet.
/// </summary>
internal static unsafe partial class LinuxSockets
{
    /// <summary>True on Linux when libc's sendto resolves (probed once).</summary>
    public static bool IsAvailable { get; } = Probe();

    /// <summary>One datagram; false on any error (the caller counts it, as the portable path counts a SocketException).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool SendTo(int fd, ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        var address = to.Buffer.Span;
        fixed (byte* data = datagram)
        fixed (byte* addr = address)
        {
            return NativeSendTo(fd, data, (nuint)datagram.Length, 0, addr, to.Size) >= 0;
        }
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            // fd -1: EBADF, proves the entry point resolves without sending anything.
            return NativeSendTo(-1, null, 0, 0, null, 0) < 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "sendto", SetLastError = true)]
    private static partial nint NativeSendTo(int fd, byte* buffer, nuint length, int flags, byte* address, int addressLength);
}
