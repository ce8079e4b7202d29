using System.Collections.Concurrent;

namespace Hotline.Cti.Media.Rtp;

/// <summary>
/// RTP counters summed over every session of one <see cref="MediaEngine"/>, ended ones included (the engine's metrics:
/// packets sent/received/lost since start). Sessions are read only when a figure is asked for (a scrape), never per packet.
/// </summary>
public sealed class RtpTotals
{
    private readonly ConcurrentDictionary<RtpStatistics, byte> _live = new();
    private long _endedSent;
    private long _endedReceived;
    private long _endedLost;

    internal void Add(RtpStatistics session) => _live.TryAdd(session, 0);

    /// <summary>A session ended: its final counts move into the totals.</summary>
    internal void End(RtpStatistics session)
    {
        if (!_live.TryRemove(session, out _)) return;
        Interlocked.Add(ref _endedSent, session.PacketsSent);
        Interlocked.Add(ref _endedReceived, session.PacketsReceived);
        Interlocked.Add(ref _endedLost, session.PacketsLost);
    }

    /// <summary>Sessions running now.</summary>
    public int Sessions => _live.Count;

    public long PacketsSent => Sum(Interlocked.Read(ref _endedSent), static s => s.PacketsSent);

    public long PacketsReceived => Sum(Interlocked.Read(ref _endedReceived), static s => s.PacketsReceived);

    /// <summary>RFC 3550 §A.3 loss (expected minus received, by sequence numbers) over every session.</summary>
    public long PacketsLost => Sum(Interlocked.Read(ref _endedLost), static s => s.PacketsLost);

    private long Sum(long ended, Func<RtpStatistics, long> of)
    {
        var total = ended;
        foreach (var (session, _) in _live) total += of(session);
        return total;
    }
}
