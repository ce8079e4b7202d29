using Hotline.Cti.Media.Rtp;
using Hotline.TestSupport;

namespace Hotline.Cti.Tests.Calls;

/// <summary>RTP options on a block of ports free right now (even first port, RFC 3550 §11), so runs in parallel do not collide.</summary>
internal static class FreeRtp
{
    public static RtpOptions Options(int ports = 16, int inactivityTimeoutSeconds = 30)
    {
        var first = FreePort.Next(ports + 1);
        var even = first % 2 == 0 ? first : first + 1;
        return new RtpOptions { PortMin = even, PortMax = even + ports - 1, RealtimeClock = false, InactivityTimeoutSeconds = inactivityTimeoutSeconds };
    }
}
