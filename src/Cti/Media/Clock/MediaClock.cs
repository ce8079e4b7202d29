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

    /// <summary>
    /// Creates a stopped clock. <paramref name="parallelism"/> threads share each tick's work once there are
    /// <see cref="ParallelThreshold"/> subscribers or more (the clock thread plus helpers; default: one per core,
    /// at most 4). The tick still has one deadline and one lateness figure. With <c>realtime</c> the clock threads
    /// run in SCHED_FIFO (see RealtimeScheduling).
    /// </summary>
    public MediaClock(TimeProvider time, ILogger<MediaClock> logger, int parallelism = 0, bool realtime = false)
    {
        _time = time;
        _logger = logger;
        _realtime = realtime;
        var parts = parallelism > 0 ? parallelism : Math.Clamp(Environment.ProcessorCount, 1, 4);
        _helpers = new Thread[parts - 1];
        _go = new ManualResetEventSlim[parts - 1];
        for (var i = 0; i < _helpers.Length; i++)
        {
            var index = i;
            _go[i] = new ManualResetEventSlim(false, spinCount: 50);
            _helpers[i] = new Thread(() => HelperLoop(index)) { IsBackground = true, Name = $"media-clock-{i + 1}", Priority = ThreadPriority.Highest };
            _helpers[i].Start();
        }
    }

    /// <summary>SCHED_FIFO priority of the clock threads (1–99; modest, below kernel threads).</summary>
    public const int RealtimePriority = 10;

    /// <summary>Below this many subscribers one thread does the whole tick (waking helpers costs more).</summary>
    public const int ParallelThreshold = 128;

    private readonly bool _realtime;
    private readonly Thread[] _helpers;
    private readonly ManualResetEventSlim[] _go;
    private readonly CountdownEvent _done = new(1);
    private IMediaClockSubscriber[] _dispatching = [];
    private long _dispatchTick;

    private readonly long[] _allocated = new long[8 * 5]; // one cache line apart per thread

    /// <summary>
    /// Bytes allocated so far by the clock threads while ticking (GC.GetAllocatedBytesForCurrentThread): the proof that
    /// the per-packet path allocates nothing. Updated after each tick.
    /// </summary>
    public long AllocatedBytes
    {
        get
        {
            long sum = 0;
            for (var i = 0; i <= _helpers.Length; i++) sum += Volatile.Read(ref _allocated[i * 8]);
            return sum;
        }
    }

    /// <summary>Threads that share a tick's work (the clock thread included).</summary>
    public int Parallelism => _helpers.Length + 1;

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
        foreach (var go in _go) go.Set();
        foreach (var helper in _helpers) helper.Join();
        return ValueTask.CompletedTask;
    }

    private void HelperLoop(int index)
    {
        var elevated = false;
        while (true)
        {
            if (_realtime && !elevated && _thread is not null)
            {
                elevated = true;
                RealtimeScheduling.TryEnterForCurrentThread(RealtimePriority);
            }
            _go[index].Wait();
            _go[index].Reset();
            if (_stopping) return;
            RunSlice(Volatile.Read(ref _dispatching), _dispatchTick, index + 1);
            Volatile.Write(ref _allocated[(index + 1) * 8], GC.GetAllocatedBytesForCurrentThread());
            _done.Signal();
        }
    }

    private void RunSlice(IMediaClockSubscriber[] subscribers, long tick, int part)
    {
        var parts = _helpers.Length + 1;
        var from = (int)((long)subscribers.Length * part / parts);
        var to = (int)((long)subscribers.Length * (part + 1) / parts);
        for (var i = from; i < to; i++) Invoke(subscribers[i], tick);
    }

    private void Run()
    {
        var frequency = (double)_time.TimestampFrequency;
        var periodTicks = (long)(Period.TotalSeconds * _time.TimestampFrequency);
        var start = _time.GetTimestamp();
        long n = 0;
        var realtime = _realtime ? RealtimeScheduling.TryEnterForCurrentThread(RealtimePriority) ?? "SCHED_FIFO" : "normal priority";
        _logger.LogInformation("Media clock started: {PeriodMs} ms period, {Threads} thread(s), scheduling: {Scheduling}",
            AudioFormat.FrameMilliseconds, Parallelism, realtime);
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
            Volatile.Write(ref _allocated[0], GC.GetAllocatedBytesForCurrentThread());
            SendLateness.Record((_time.GetTimestamp() - deadline) * 1_000_000.0 / frequency);
            n++;
        }
        _logger.LogInformation("Media clock stopped after {Ticks} ticks", _tick);
    }

    private void Dispatch(long tick)
    {
        var subscribers = Volatile.Read(ref _subscribers);
        if (_helpers.Length == 0 || subscribers.Length < ParallelThreshold)
        {
            for (var i = 0; i < subscribers.Length; i++) Invoke(subscribers[i], tick);
            return;
        }
        _dispatchTick = tick;
        Volatile.Write(ref _dispatching, subscribers);
        _done.Reset(_helpers.Length);
        foreach (var go in _go) go.Set();
        RunSlice(subscribers, tick, 0);
        _done.Wait();
    }

    private void Invoke(IMediaClockSubscriber subscriber, long tick)
    {
        try
        {
            subscriber.OnTick(tick);
        }
        catch (Exception ex)
        {
            // One broken stream must not stop every other call's audio.
            _logger.LogError(ex, "Media clock subscriber {Subscriber} failed; unsubscribing it", subscriber.GetType().Name);
            Unsubscribe(subscriber);
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
