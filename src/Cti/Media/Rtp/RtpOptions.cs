using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Hotline.Cti.Media.Rtp;

/// <summary>Configuration section <c>Rtp</c>: where media sockets live and when a silent call is dead.</summary>
public sealed class RtpOptions
{
    public const string SectionName = "Rtp";

    /// <summary><c>Rtp:BindAddress</c>: local address RTP sockets bind to.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary><c>Rtp:AdvertisedAddress</c>: address put in SDP <c>c=</c>; defaults to <see cref="BindAddress"/>.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary><c>Rtp:PortMin</c>: first RTP port (even; RTCP uses the next odd one, RFC 3550 §11).</summary>
    [Range(1024, 65534)]
    public int PortMin { get; set; } = 20000;

    /// <summary><c>Rtp:PortMax</c>: last port of the range (inclusive).</summary>
    [Range(1025, 65535)]
    public int PortMax { get; set; } = 29999;

    /// <summary><c>Rtp:InactivityTimeoutSeconds</c>: no RTP for this long ends the call (0 disables).</summary>
    [Range(0, 3600)]
    public int InactivityTimeoutSeconds { get; set; } = 30;

    /// <summary><c>Rtp:JitterBufferMilliseconds</c>: most audio kept from a peer before the oldest is dropped.</summary>
    [Range(40, 1000)]
    public int JitterBufferMilliseconds { get; set; } = 200;

    /// <summary>
    /// <c>Rtp:RealtimeClock</c>: run the media clock in Linux SCHED_FIFO so it wakes on time on a busy machine
    /// (needs root or CAP_SYS_NICE; falls back to normal priority with a log line).
    /// </summary>
    public bool RealtimeClock { get; set; } = true;

    /// <summary>
    /// <c>Rtp:SharedReceive</c>: every media socket is read by a few shared receive threads (epoll, Linux) instead of
    /// a receive loop per socket on the thread pool (issue 22: a thread-pool dispatch per packet). Off: the portable loops.
    /// </summary>
    public bool SharedReceive { get; set; } = true;

    /// <summary>
    /// <c>Rtp:ReservedPercent</c>: share of the port pairs that calls from unauthenticated parties (public numbers)
    /// may not take, kept for agents' phones and the engine's own legs, so a flood of public calls cannot leave an
    /// agent's call without media (rounded down: a tiny range reserves nothing).
    /// </summary>
    [Range(0, 50)]
    public int ReservedPercent { get; set; } = 10;

    /// <summary><c>Rtp:WebRtc</c>: codecs of browser (WebRTC) legs.</summary>
    public WebRtcMediaOptions WebRtc { get; set; } = new();

    /// <summary>Checks the values together; returns the problems, each naming its key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!IPAddress.TryParse(BindAddress, out _))
            errors.Add($"Rtp:BindAddress '{BindAddress}' is not an IP address.");
        if (AdvertisedAddress is not null && !IPAddress.TryParse(AdvertisedAddress, out _))
            errors.Add($"Rtp:AdvertisedAddress '{AdvertisedAddress}' is not an IP address.");
        if (PortMin is < 1024 or > 65534)
            errors.Add($"Rtp:PortMin {PortMin} must be between 1024 and 65534.");
        if (PortMax is < 1025 or > 65535)
            errors.Add($"Rtp:PortMax {PortMax} must be between 1025 and 65535.");
        if (PortMax - PortMin < 3)
            errors.Add($"Rtp:PortMax {PortMax} must be at least PortMin + 3 (one RTP/RTCP pair).");
        if (InactivityTimeoutSeconds is < 0 or > 3600)
            errors.Add($"Rtp:InactivityTimeoutSeconds {InactivityTimeoutSeconds} must be between 0 and 3600.");
        if (ReservedPercent is < 0 or > 50)
            errors.Add($"Rtp:ReservedPercent {ReservedPercent} must be between 0 and 50.");
        if (JitterBufferMilliseconds is < 40 or > 1000)
            errors.Add($"Rtp:JitterBufferMilliseconds {JitterBufferMilliseconds} must be between 40 and 1000.");
        errors.AddRange(WebRtc.Validate());
        return errors;
    }
}
