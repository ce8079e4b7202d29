using Hotline.Cti.Media.Rtp;

namespace Hotline.Cti.Media.Clock;

/// <summary>
/// One thread of the media clock: its share of the subscribers, split into phase groups, and the send batch it
/// prepares ahead of each deadline. Group arrays are copy-on-write (the clock's lock serialises writers; the
/// lane's thread reads them without locking).
/// </summary>
internal sealed class ClockLane
{
    public ClockLane(int index, int phases, RtpSendPath sendPath)
    {
        Index = index;
        Groups = new IMediaClockSubscriber[phases][];
        for (var p = 0; p < phases; p++) Groups[p] = [];
        Batch = new RtpSendBatch(sendPath);
    }

    public int Index { get; }

    /// <summary>Subscribers per phase; phase p is due at period start + p × (20 ms / phases).</summary>
    public IMediaClockSubscriber[][] Groups { get; }

    public RtpSendBatch Batch { get; }

    public Thread? Thread { get; set; }

    /// <summary>Bytes this lane's thread had allocated after its last flush (GC.GetAllocatedBytesForCurrentThread).</summary>
    public long AllocatedBytes;

    /// <summary>Phase deadlines this lane has completed (sent or skipped).</summary>
    public long CompletedSlots;

    public IMediaClockSubscriber[] Group(int phase) => Volatile.Read(ref Groups[phase]);

    /// <summary>No subscriber in any phase: the lane's thread may sleep until <see cref="Wake"/>.</summary>
    public bool IsEmpty
    {
        get
        {
            for (var p = 0; p < Groups.Length; p++)
                if (Group(p).Length > 0) return false;
            return true;
        }
    }

    /// <summary>Set when a subscriber joins the lane (or the clock stops): wakes a lane that sleeps with no streams.</summary>
    public ManualResetEventSlim Wake { get; } = new(false);
}
