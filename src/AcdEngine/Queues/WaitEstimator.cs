namespace Hotline.AcdEngine.Queues;

/// <summary>
/// The expected wait a queued caller is told (issue 6: "periodic announcements of position and expected wait"):
/// position × the queue's recent average handle time (talk + wrap-up of its last <see cref="Samples"/> calls within
/// <see cref="Horizon"/>) ÷ the agents staffed for the queue. Unknown — and then not announced — until a call was
/// handled recently or while nobody is staffed. Owned by <see cref="CallQueues"/>; times from its TimeProvider.
/// </summary>
public sealed class WaitEstimator(TimeProvider time)
{
    public const int Samples = 20;
    public static readonly TimeSpan Horizon = TimeSpan.FromHours(1);

    private readonly Dictionary<string, Queue<(DateTimeOffset At, TimeSpan Handle)>> _handled = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>A call of <paramref name="queue"/> was handled: answered, talked, wrapped up, in <paramref name="handle"/>.</summary>
    public void RecordHandled(string queue, TimeSpan handle)
    {
        if (handle <= TimeSpan.Zero) return;
        lock (_gate)
        {
            if (!_handled.TryGetValue(queue, out var recent)) _handled[queue] = recent = new Queue<(DateTimeOffset, TimeSpan)>();
            recent.Enqueue((time.GetUtcNow(), handle));
            while (recent.Count > Samples) recent.Dequeue();
        }
    }

    /// <summary>The average handle time of the queue's recent calls; null when none within the horizon.</summary>
    public TimeSpan? AverageHandle(string queue)
    {
        var since = time.GetUtcNow() - Horizon;
        lock (_gate)
        {
            if (!_handled.TryGetValue(queue, out var recent)) return null;
            while (recent.TryPeek(out var oldest) && oldest.At < since) recent.Dequeue();
            return recent.Count == 0 ? null : TimeSpan.FromTicks((long)recent.Average(r => r.Handle.Ticks));
        }
    }

    /// <summary>Position × average handle ÷ staffed agents; null when either is unknown or nobody is staffed.</summary>
    public TimeSpan? Estimate(string queue, int position, int staffed)
    {
        if (position <= 0 || staffed <= 0 || AverageHandle(queue) is not { } average) return null;
        return average * position / staffed;
    }

    /// <summary>Whole minutes to say: rounded, 0 = "less than one minute".</summary>
    public static int MinutesToSay(TimeSpan estimate) =>
        estimate < TimeSpan.FromMinutes(1) ? 0 : (int)Math.Min(99, Math.Round(estimate.TotalMinutes, MidpointRounding.AwayFromZero));
}
