using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Media.Clock;

/// <summary>
/// The one media clock: a dedicated thread that wakes every 20 ms (G.711 frame, <see cref="AudioFormat"/>) and
/// drives every subscribed outbound stream. No timer per call.
/// Deadlines are absolute (start + n × 20 ms on the <see cref="TimeProvider"/> timestamp), so waking late never
/// accumulates drift; if the thread falls more than <see cref="MaxCatchUpTicks"/> behind (e.g. a GC pause or a
/// suspended VM) the missed ticks are skipped and counted rather than sent in a burst.
/// It measures its own lateness: <see cref="WakeLateness"/> (deadline → tick start) and
/// <see cref="SendLateness"/> (deadline → last subscriber done, i.e. the lateness of the last packet sent).
/// </summary>
public sealed class MediaClock : IAsyncDisposable
{
    /// <summary>Ticks we are willing to run back-to-back to catch up before skipping.</summary>
    public const int MaxCatchUpTicks = 5;

    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(AudioFormat.FrameMilliseconds);
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private IMediaClockSubscriber[] _subscribers = [];
    private Thread? _thread;
    private volatile bool _stopping;
    private long _tick;
    private long _skippedTicks;

    public MediaClock(TimeProvider time, ILogger<MediaClock> logger)
    {
        _time = time;
        _logger = logger;
    }

    /// <summary>Deadline → start of the tick.</summary>
    public LatencyHistogram WakeLateness { get; } = new();

    /// <summary>Deadline → end of the tick (every subscriber has sent its packet).</summary>
    public LatencyHistogram SendLateness { get; } = new();

    /// <summary>Ticks run so far.</summary>
    public long Ticks => Volatile.Read(ref _tick);

    /// <summary>Ticks skipped because the thread fell too far behind.</summary>
    public long SkippedTicks => Volatile.Read(ref _skippedTicks);

    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    /// <summary>Adds a subscriber; it is called from the next tick on. Copy-on-write so the tick loop never locks.</summary>
    public void Subscribe(IMediaClockSubscriber subscriber)
    {
        lock (_gate)
        {
            var old = _subscribers;
            if (Array.IndexOf(old, subscriber) >= 0) return;
            var updated = new IMediaClockSubscriber[old.Length + 1];
            old.CopyTo(updated, 0);
            updated[^1] = subscriber;
            Volatile.Write(ref _subscribers, updated);
        }
    }

    public void Unsubscribe(IMediaClockSubscriber subscriber)
    {
        lock (_gate)
        {
            var old = _subscribers;
            var index = Array.IndexOf(old, subscriber);
            if (index < 0) return;
            var updated = new IMediaClockSubscriber[old.Length - 1];
            Array.Copy(old, 0, updated, 0, index);
            Array.Copy(old, index + 1, updated, index, old.Length - index - 1);
            Volatile.Write(ref _subscribers, updated);
        }
    }

    /// <summary>Starts the clock thread (idempotent).</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_thread is not null) return;
            _thread = new Thread(Run) { IsBackground = true, Name = "media-clock", Priority = ThreadPriority.Highest };
            _thread.Start();
        }
    }

    /// <summary>
    /// Runs one tick now on the calling thread. For tests that drive media in virtual time with a stopped clock;
    /// never call it while <see cref="Start"/>ed.
    /// </summary>
    public void TickOnce()
    {
        var tick = _tick;
        Dispatch(tick);
        Volatile.Write(ref _tick, tick + 1);
    }

    public ValueTask DisposeAsync()
    {
        _stopping = true;
        _thread?.Join();
        return ValueTask.CompletedTask;
    }

    private void Run()
    {
        var frequency = (double)_time.TimestampFrequency;
        var periodTicks = (long)(Period.TotalSeconds * _time.TimestampFrequency);
        var start = _time.GetTimestamp();
        long n = 0;
        _logger.LogInformation("Media clock started: {PeriodMs} ms period", AudioFormat.FrameMilliseconds);
        while (!_stopping)
        {
            var deadline = start + (n * periodTicks);
            WaitUntil(deadline, frequency);
            var woke = _time.GetTimestamp();
            var behind = (woke - deadline) / periodTicks;
            if (behind > MaxCatchUpTicks)
            {
                // Skip rather than burst: a burst of stale frames is worse than a gap the receiver conceals.
                n += behind;
                Interlocked.Add(ref _skippedTicks, behind);
                continue;
            }
            WakeLateness.Record((woke - deadline) * 1_000_000.0 / frequency);
            Dispatch(_tick);
            Volatile.Write(ref _tick, _tick + 1);
            SendLateness.Record((_time.GetTimestamp() - deadline) * 1_000_000.0 / frequency);
            n++;
        }
        _logger.LogInformation("Media clock stopped after {Ticks} ticks", _tick);
    }

    private void Dispatch(long tick)
    {
        var subscribers = Volatile.Read(ref _subscribers);
        for (var i = 0; i < subscribers.Length; i++)
        {
            try
            {
                subscribers[i].OnTick(tick);
            }
            catch (Exception ex)
            {
                // One broken stream must not stop every other call's audio.
                _logger.LogError(ex, "Media clock subscriber {Subscriber} failed; unsubscribing it", subscribers[i].GetType().Name);
                Unsubscribe(subscribers[i]);
            }
        }
    }

    // Sleep for the bulk (Linux sleeps are ~50–100 µs accurate), then yield-spin the last stretch.
    private void WaitUntil(long deadline, double frequency)
    {
        while (true)
        {
            var remaining = (deadline - _time.GetTimestamp()) * 1000.0 / frequency;
            if (remaining <= 0) return;
            if (remaining > 1.5)
                Thread.Sleep(TimeSpan.FromMilliseconds(remaining - 1.0));
            else if (remaining > 0.2)
                Thread.Sleep(0);
            else
                Thread.SpinWait(20);
        }
    }
}
