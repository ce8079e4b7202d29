namespace Hotline.Cti.Media.Clock;

/// <summary>Something the media clock drives every 20 ms (a session's outbound stream, a mixer, a recorder).</summary>
public interface IMediaClockSubscriber
{
    /// <summary>
    /// Called once per tick on the clock thread. <paramref name="tick"/> counts ticks since the clock started and
    /// identifies the 20 ms period (so several readers of one frame in a tick see the same audio).
    /// Must not block or allocate.
    /// </summary>
    void OnTick(long tick);
}
