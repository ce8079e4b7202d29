using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Hotline.Cti.Media.Rtp;
using Microsoft.Extensions.Logging;

namespace Hotline.Cti.Media.Clock;

/// <summary>
/// The one media clock: a 20 ms period (G.711 frame, <see cref="AudioFormat"/>) that drives every subscribed
/// outbound stream. No timer per call.
/// <para>
/// Lanes and phases: the clock runs one thread (<see cref="ClockLane"/>) per core, each owning a share of the
/// subscribers; within a lane the subscribers are spread over <see cref="Phases"/> groups whose deadlines are
/// staggered across the period (phase p of period n is due at start + n × 20 ms + p × 20/<see cref="Phases"/> ms).
/// Every stream still sends exactly every 20 ms, but each deadline only has to send 1/(lanes × phases) of the
/// packets, so the last packet of a deadline leaves sooner after it.
/// </para>
/// <para>
/// Prepare, then send: right after flushing one deadline a lane builds the packets of its next one (sources read,
/// G.711 encoded, headers written) into its <see cref="RtpSendBatch"/>, then sleeps; at the deadline only the sends
/// remain. Audio is thereby read at most one phase (5 ms by default) before it is due.
/// </para>
/// Deadlines are absolute on the <see cref="TimeProvider"/> timestamp, so waking late never accumulates drift; a
/// lane that falls more than <see cref="MaxCatchUpTicks"/> periods behind (GC pause, suspended VM) drops the stale
/// packets and skips the missed deadlines, counting them, rather than sending a burst.
/// <para>
/// JIT: the per-packet methods (here, in MediaSession, RtpSendBatch, G711, the sources and SRTP) carry
/// <c>[MethodImpl(AggressiveOptimization)]</c>. Under tiered compilation they would start unoptimised, move to the
/// PGO-instrumented tier and wait there for the background tier-up thread, which runs at normal priority and is
/// starved while the SCHED_FIFO lanes keep the cores busy: in a 2,000-stream run every one of them was still
/// instrumented after 15 s (perf), ~2 µs of CPU per packet (docs/benchmarks.md, "CPU per packet, 2 Dec").
/// </para>
/// It measures its own lateness: <see cref="WakeLateness"/> (deadline → lane awake) and <see cref="SendLateness"/>
/// (deadline → the last packet of that deadline handed to the kernel, i.e. the worst packet of each deadline).
/// </summary>
public sealed class MediaClock : IAsyncDisposable
{
    /// <summary>Periods a lane is willing to run back-to-back to catch up before skipping.</summary>
    public const int MaxCatchUpTicks = 5;

    /// <summary>Default staggered deadlines per 20 ms period (one every 5 ms).</summary>
    public const int DefaultPhases = 4;

    // Most packets one subscriber adds to one deadline: an RFC 4733 end-of-event packet sent three times (RTP and
    // the RTCP report each add one, never together with the event's repeats).
    internal const int PacketsPerSubscriberAtMost = 3;

    /// <summary>SCHED_FIFO priority of the clock threads (1–99; modest, below kernel threads).</summary>
    public const int RealtimePriority = 10;

    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(AudioFormat.FrameMilliseconds);
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _realtime;
    private readonly Lock _gate = new();
    private readonly ClockLane[] _lanes;
    private readonly Dictionary<IMediaClockSubscriber, (ClockLane Lane, int Phase)> _placement = new(ReferenceEqualityComparer.Instance);
    private volatile bool _stopping;
    private volatile bool _started;
    private long _start;
    private long _skippedTicks;
    private long _manualTick;

    /// <summary>
    /// Creates a stopped clock with <paramref name="parallelism"/> lanes (default: one per core, at most 4) and
    /// <paramref name="phases"/> staggered deadlines per period (1 = every stream due at the same instant).
    /// <paramref name="sendPath"/> defaults to the fastest the OS offers (<see cref="RtpSendBatch.BestPath"/>).
    /// With <c>realtime</c> the lane threads run in SCHED_FIFO (see RealtimeScheduling).
    /// </summary>
    public MediaClock(TimeProvider time, ILogger<MediaClock> logger, int parallelism = 0, bool realtime = false,
        int phases = DefaultPhases, RtpSendPath? sendPath = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(phases, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(phases, AudioFormat.FrameMilliseconds);
        _time = time;
        _logger = logger;
        _realtime = realtime;
        Phases = phases;
        SendPath = sendPath ?? RtpSendBatch.BestPath;
        var lanes = parallelism > 0 ? parallelism : Math.Clamp(Environment.ProcessorCount, 1, 4);
        _lanes = new ClockLane[lanes];
        for (var i = 0; i < lanes; i++) _lanes[i] = new ClockLane(i, phases, SendPath);
    }

    /// <summary>Threads (lanes) that share the streams.</summary>
    public int Parallelism => _lanes.Length;

    /// <summary>Staggered deadlines per 20 ms period.</summary>
    public int Phases { get; }

    /// <summary>How packets are handed to the kernel.</summary>
    public RtpSendPath SendPath { get; }

    /// <summary>
    /// Bytes allocated so far by the clock threads while ticking (GC.GetAllocatedBytesForCurrentThread): the proof that
    /// the per-packet path allocates nothing. Updated after each deadline.
    /// </summary>
    public long AllocatedBytes
    {
        get
        {
            long sum = 0;
            foreach (var lane in _lanes) sum += Volatile.Read(ref lane.AllocatedBytes);
            return sum;
        }
    }

    /// <summary>Deadline → lane awake.</summary>
    public LatencyHistogram WakeLateness { get; } = new();

    /// <summary>Deadline → last packet of that deadline sent (recorded for deadlines that had packets).</summary>
    public LatencyHistogram SendLateness { get; } = new();

    /// <summary>The meter of <see cref="SendLatenessSeconds"/>, for the operators' metrics.</summary>
    public const string MeterName = "Hotline.Cti.Media";

    private static readonly Meter ClockMeter = new(MeterName);

    /// <summary>
    /// The same lateness as a Prometheus histogram (<c>hotline_rtp_send_lateness_seconds_bucket</c>), so an operator can
    /// alert on the share of late deadlines over any window. One record per deadline with packets (50/s per lane), no tags;
    /// without a listener (tests, benchmarks) it is a no-op. Allocation with the exporter attached is not yet measured.
    /// </summary>
    private static readonly Histogram<double> SendLatenessSeconds = ClockMeter.CreateHistogram("hotline.rtp.send_lateness", "s",
        "RTP send lateness of the media clock: deadline to the last packet of that deadline handed to the kernel.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.04, 0.1] });

    /// <summary>Periods (20 ms ticks) since the clock started (a stopped clock: those run by <see cref="TickOnce"/>).</summary>
    public long Ticks => _started
        ? (long)(_time.GetElapsedTime(Volatile.Read(ref _start)).Ticks / Period.Ticks)
        : Volatile.Read(ref _manualTick);

    /// <summary>Phase deadlines skipped because a lane fell too far behind.</summary>
    public long SkippedTicks => Volatile.Read(ref _skippedTicks);

    public int SubscriberCount
    {
        get
        {
            lock (_gate) return _placement.Count;
        }
    }

    /// <summary>
    /// Adds a subscriber to the least loaded lane and phase; it is called from that lane's next preparation on.
    /// Copy-on-write so the lanes never lock.
    /// </summary>
    public void Subscribe(IMediaClockSubscriber subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        lock (_gate)
        {
            if (_placement.ContainsKey(subscriber)) return;
            var (lane, phase) = LeastLoaded();
            var old = lane.Groups[phase];
            var updated = new IMediaClockSubscriber[old.Length + 1];
            old.CopyTo(updated, 0);
            updated[^1] = subscriber;
            Volatile.Write(ref lane.Groups[phase], updated);
            _placement[subscriber] = (lane, phase);
            // The lane's send batch must hold a deadline's packets: room made here, so the clock thread never allocates.
            lane.Batch.Reserve(PacketsPerSubscriberAtMost * updated.Length);
            lane.Wake.Set(); // A lane with no streams sleeps (Run): this one has one now.
        }
    }

    public void Unsubscribe(IMediaClockSubscriber subscriber)
    {
        lock (_gate)
        {
            if (!_placement.Remove(subscriber, out var at)) return;
            var old = at.Lane.Groups[at.Phase];
            var index = Array.IndexOf(old, subscriber);
            var updated = new IMediaClockSubscriber[old.Length - 1];
            Array.Copy(old, 0, updated, 0, index);
            Array.Copy(old, index + 1, updated, index, old.Length - index - 1);
            Volatile.Write(ref at.Lane.Groups[at.Phase], updated);
        }
    }

    private (ClockLane Lane, int Phase) LeastLoaded()
    {
        var best = (_lanes[0], 0);
        var min = int.MaxValue;
        // Phase-major order so a small load spreads across lanes first (both cores), then across phases.
        for (var p = 0; p < Phases; p++)
            foreach (var lane in _lanes)
                if (lane.Groups[p].Length < min)
                {
                    min = lane.Groups[p].Length;
                    best = (lane, p);
                }
        return best;
    }

    /// <summary>Starts the lane threads (idempotent).</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_started) return;
            _started = true;
            _start = _time.GetTimestamp();
            _logger.LogInformation("Media clock starting: {PeriodMs} ms period, {Lanes} lane(s) × {Phases} phase(s), send path {SendPath}",
                AudioFormat.FrameMilliseconds, _lanes.Length, Phases, SendPath);
            foreach (var lane in _lanes)
            {
                lane.Thread = new Thread(() => Run(lane)) { IsBackground = true, Name = $"media-clock-{lane.Index}", Priority = ThreadPriority.Highest };
                lane.Thread.Start();
            }
        }
    }

    /// <summary>
    /// Runs one whole period now on the calling thread: every lane's phases in order, each prepared then flushed.
    /// For tests that drive media in virtual time with a stopped clock; never call it while <see cref="Start"/>ed.
    /// </summary>
    public void TickOnce()
    {
        var tick = _manualTick;
        for (var p = 0; p < Phases; p++)
            foreach (var lane in _lanes)
            {
                Prepare(lane, p, tick);
                lane.Batch.Flush();
            }
        Volatile.Write(ref _manualTick, tick + 1);
    }

    public ValueTask DisposeAsync()
    {
        _stopping = true;
        foreach (var lane in _lanes) lane.Wake.Set();
        foreach (var lane in _lanes) lane.Thread?.Join();
        return ValueTask.CompletedTask;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Run(ClockLane lane)
    {
        if (_realtime && RealtimeScheduling.TryEnterForCurrentThread(RealtimePriority) is { } why && lane.Index == 0)
            _logger.LogWarning("Media clock runs at normal priority: {Reason}", why);
        var frequency = (double)_time.TimestampFrequency;
        var slotTicks = (long)(Period.TotalSeconds * _time.TimestampFrequency / Phases);
        long slot = 0; // deadline number: period = slot / Phases, phase = slot % Phases
        Prepare(lane, 0, 0);
        while (!_stopping)
        {
            if (lane.IsEmpty)
            {
                // No stream in any phase: sleep until one is subscribed, rather than wake at every deadline (4 per
                // 20 ms) to send nothing — 2–6 % of a core per idle engine. Then back on the grid at the next deadline.
                // First drop what was prepared for the last stream before it left: each queued packet holds its
                // socket's handle, and the hang-up closing that socket waits in Socket.Dispose until it is released
                // (run 56: a hang-up stood still for 8 minutes behind a sleeping lane).
                lane.Batch.Discard();
                lane.Wake.Reset();
                if (lane.IsEmpty && !_stopping) lane.Wake.Wait();
                if (_stopping) break;
                slot = (_time.GetTimestamp() - _start) / slotTicks + 1;
                Volatile.Write(ref lane.CompletedSlots, slot);
                Prepare(lane, (int)(slot % Phases), slot / Phases);
                continue;
            }
            var deadline = _start + (slot * slotTicks);
            WaitUntil(deadline, frequency);
            var woke = _time.GetTimestamp();
            var behind = (woke - deadline) / slotTicks;
            if (behind > MaxCatchUpTicks * Phases)
            {
                // Skip rather than burst: a burst of stale frames is worse than a gap the receiver conceals.
                lane.Batch.Discard();
                slot += behind;
                Interlocked.Add(ref _skippedTicks, behind);
                Volatile.Write(ref lane.CompletedSlots, slot);
                Prepare(lane, (int)(slot % Phases), slot / Phases);
                continue;
            }
            WakeLateness.Record((woke - deadline) * 1_000_000.0 / frequency);
            if (lane.Batch.Count > 0)
            {
                lane.Batch.Flush();
                var lateMicroseconds = (_time.GetTimestamp() - deadline) * 1_000_000.0 / frequency;
                SendLateness.Record(lateMicroseconds);
                SendLatenessSeconds.Record(lateMicroseconds / 1_000_000.0);
            }
            slot++;
            Volatile.Write(ref lane.CompletedSlots, slot);
            Prepare(lane, (int)(slot % Phases), slot / Phases);
            Volatile.Write(ref lane.AllocatedBytes, GC.GetAllocatedBytesForCurrentThread());
        }
        lane.Batch.Discard();
        if (lane.Index == 0) _logger.LogInformation("Media clock stopped after {Ticks} ticks", slot / Phases);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Prepare(ClockLane lane, int phase, long tick)
    {
        var group = lane.Group(phase);
        for (var i = 0; i < group.Length; i++) Invoke(group[i], tick, lane.Batch);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Invoke(IMediaClockSubscriber subscriber, long tick, RtpSendBatch batch)
    {
        try
        {
            subscriber.OnTick(tick, batch);
        }
        catch (Exception ex)
        {
            // One broken stream must not stop every other call's audio.
            _logger.LogError(ex, "Media clock subscriber {Subscriber} failed; unsubscribing it", subscriber.GetType().Name);
            Unsubscribe(subscriber);
        }
    }

    // Linux: nanosleep to 0.05 ms before the deadline, then spin the rest on-CPU (see PreciseSleep: a woken thread can
    // still wait behind another real-time thread; being awake already at the deadline avoids that). The window was
    // 0.3 ms: at four deadlines per period that spun ~6 % of a core per lane, ~1.3 µs of CPU per packet at 2,000
    // streams, with no better wake-up p99 than 0.05 ms in back-to-back runs (docs/benchmarks.md, 2 Dec).
    // Elsewhere: sleep the bulk in whole milliseconds, yield, then spin.
    private const double AwakeBeforeDeadlineMs = 0.05;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WaitUntil(long deadline, double frequency)
    {
        while (true)
        {
            var remaining = (deadline - _time.GetTimestamp()) * 1000.0 / frequency;
            if (remaining <= 0) return;
            if (remaining > AwakeBeforeDeadlineMs + 0.1 && PreciseSleep.Sleep((long)((remaining - AwakeBeforeDeadlineMs) * 1000)))
                continue;
            if (remaining > 1.5)
                Thread.Sleep(TimeSpan.FromMilliseconds(remaining - 1.0));
            else if (remaining > 0.2)
                Thread.Sleep(0);
            else
                Thread.SpinWait(20);
        }
    }
}
