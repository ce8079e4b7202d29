using Hotline.Cti.Media.Rtp;

namespace Hotline.Cti.Media.Clock;

/// <summary>Something the media clock drives every 20 ms (a session's outbound stream, a mixer, a recorder).</summary>
public interface IMediaClockSubscriber
{
    /// <summary>
    /// Called once per 20 ms period on a clock thread, shortly before the subscriber's deadline: prepare this
    /// period's packet(s) and <see cref="RtpSendBatch.Add"/> them to <paramref name="batch"/>, which the clock
    /// flushes at the deadline. <paramref name="tick"/> counts periods since the clock started and identifies the
    /// 20 ms period (so several readers of one frame in a period see the same audio).
    /// Must not block or allocate.
    /// </summary>
    void OnTick(long tick, RtpSendBatch batch);
}
