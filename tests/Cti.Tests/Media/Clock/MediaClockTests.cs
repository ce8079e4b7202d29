using Hotline.Cti.Media.Clock;
using Hotline.Cti.Media.Rtp;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.Cti.Tests.Media.Clock;

public class MediaClockTests
{
    private sealed class Counter(int until) : IMediaClockSubscriber
    {
        public int Ticks;
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnTick(long tick, RtpSendBatch batch)
        {
            if (Interlocked.Increment(ref Ticks) == until) Reached.TrySetResult();
        }
    }

    private sealed class Broken : IMediaClockSubscriber
    {
        public int Calls;
        public void OnTick(long tick, RtpSendBatch batch)
        {
            Calls++;
            throw new InvalidOperationException("boom");
        }
    }

    [Test]
    public async Task One_thread_ticks_every_subscriber_measures_lateness_and_drops_a_broken_one()
    {
        await using var clock = new MediaClock(TimeProvider.System, NullLogger<MediaClock>.Instance);
        var counter = new Counter(25);
        var broken = new Broken();
        clock.Subscribe(counter);
        clock.Subscribe(broken);
        var started = TimeProvider.System.GetTimestamp();
        clock.Start();
        await counter.Reached.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var elapsed = TimeProvider.System.GetElapsedTime(started);
        Assert.Multiple(() =>
        {
            Assert.That(broken.Calls, Is.EqualTo(1), "a throwing subscriber is removed, the others go on");
            Assert.That(clock.SubscriberCount, Is.EqualTo(1));
            Assert.That(elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(24 * 20 - 5)), "20 ms per tick, not faster");
            Assert.That(clock.WakeLateness.Count, Is.GreaterThanOrEqualTo(25));
            Assert.That(clock.SendLateness.PercentileMilliseconds(99), Is.GreaterThanOrEqualTo(clock.SendLateness.PercentileMilliseconds(50)));
        });
    }

    /// <summary>
    /// An idle engine's lanes slept through nothing: every lane woke at every deadline (4 per 20 ms) with no stream to
    /// send, 2–6 % of a core. A lane with no subscriber now sleeps until one joins, then ticks on the 20 ms grid again
    /// (tick numbers from the clock's start), and sleeps again once its last one leaves.
    /// </summary>
    [Test]
    public async Task A_lane_without_streams_sleeps_until_one_joins_and_ticks_on_the_grid_again()
    {
        await using var clock = new MediaClock(TimeProvider.System, NullLogger<MediaClock>.Instance, parallelism: 1, phases: 4);
        clock.Start();
        // Nothing to await for "nothing happened": a window of 40 deadlines in which an awake lane would have woken.
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        Assert.That(clock.WakeLateness.Count, Is.Zero, "no deadline woken without a stream");

        var first = new Counter(10);
        var ticks = new List<long>();
        var seen = new TickRecorder(ticks);
        clock.Subscribe(seen);
        clock.Subscribe(first);
        var subscribedAt = TimeProvider.System.GetTimestamp();
        await first.Reached.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var elapsed = TimeProvider.System.GetElapsedTime(subscribedAt);
        clock.Unsubscribe(first);
        clock.Unsubscribe(seen);
        long[] got;
        lock (ticks) got = [.. ticks];
        Assert.Multiple(() =>
        {
            Assert.That(elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(9 * 20 - 5)), "20 ms per tick once awake");
            Assert.That(got[0], Is.GreaterThanOrEqualTo(9), "tick numbers count from the clock's start, not from the wake-up");
            Assert.That(got.Zip(got.Skip(1), (a, b) => b - a), Is.All.EqualTo(1), "one tick after another");
        });

        var woken = clock.WakeLateness.Count;
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        Assert.That(clock.WakeLateness.Count, Is.LessThanOrEqualTo(woken + 1), "asleep again once the last stream left");
    }

    [Test]
    public async Task A_lane_that_falls_asleep_releases_the_sockets_of_the_packets_it_had_prepared()
    {
        // The last stream leaves right after the lane prepared its next packet (here: from inside its own tick). The
        // lane must not sleep holding that packet's socket: the hang-up that closes it waits in Socket.Dispose for the
        // release (run 56: a Cti test hung 8 minutes there, with the clock asleep).
        await using var clock = new MediaClock(TimeProvider.System, NullLogger<MediaClock>.Instance, parallelism: 1, phases: 4, sendPath: RtpSendPath.LinuxSendTo);
        clock.Start();
        using var sink = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        sink.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var leaving = new LeavesAfterPreparing(clock, socket, sink.LocalEndPoint!.Serialize());
        clock.Subscribe(leaving);
        await leaving.Left.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var closed = Task.Run(socket.Dispose);
        Assert.That(await Task.WhenAny(closed, Task.Delay(TimeSpan.FromSeconds(5))), Is.SameAs(closed), "the socket closes while the lane sleeps");
    }

    private sealed class LeavesAfterPreparing(MediaClock clock, System.Net.Sockets.Socket socket, System.Net.SocketAddress to) : IMediaClockSubscriber
    {
        public TaskCompletionSource Left { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnTick(long tick, RtpSendBatch batch)
        {
            if (Left.Task.IsCompleted) return;
            batch.Add(socket, to, new byte[172]);
            if (tick < 3) return;
            clock.Unsubscribe(this);
            Left.TrySetResult();
        }
    }

    private sealed class TickRecorder(List<long> ticks) : IMediaClockSubscriber
    {
        public void OnTick(long tick, RtpSendBatch batch)
        {
            lock (ticks) ticks.Add(tick);
        }
    }

    [Test]
    public async Task A_tick_calls_every_subscriber_of_every_lane_and_phase_exactly_once_spread_evenly()
    {
        await using var clock = new MediaClock(TimeProvider.System, NullLogger<MediaClock>.Instance, parallelism: 3, phases: 4);
        var counters = Enumerable.Range(0, 12 * 10 + 7).Select(_ => new Counter(int.MaxValue)).ToArray();
        foreach (var c in counters) clock.Subscribe(c);
        clock.Unsubscribe(counters[0]);
        for (var t = 0; t < 10; t++) clock.TickOnce();
        Assert.Multiple(() =>
        {
            Assert.That(counters.Skip(1).Select(c => c.Ticks), Is.All.EqualTo(10));
            Assert.That(counters[0].Ticks, Is.Zero, "unsubscribed before the first tick");
            Assert.That(clock.Parallelism, Is.EqualTo(3));
            Assert.That(clock.SubscriberCount, Is.EqualTo(counters.Length - 1));
            Assert.That(clock.Ticks, Is.EqualTo(10));
        });
    }

    // Three packets a tick, the most a call leg adds to one deadline (an RFC 4733 end-of-event sent three times).
    private sealed class Burst(System.Net.Sockets.Socket socket, System.Net.SocketAddress to) : IMediaClockSubscriber
    {
        private readonly byte[] _packet = new byte[172];
        public readonly RtpStatistics Statistics = new();

        public void OnTick(long tick, RtpSendBatch batch)
        {
            for (var i = 0; i < 3; i++) batch.Add(socket, to, _packet, Statistics, 160, (uint)tick * 160);
        }
    }

    [Test]
    public void Calls_added_past_the_send_batch_size_are_made_room_for_off_the_clock_thread()
    {
        // Issue 15's finding: 2,000 legs' first RTCP reports, due in the same deadline as their RTP, grew the batch
        // on the clock thread (282,672 B). Subscribing now reserves the room; the clock thread only swaps it in.
        using var sink = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        sink.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        using var sender = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        sender.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var to = sink.LocalEndPoint!.Serialize();
        var clock = new MediaClock(TimeProvider.System, NullLogger<MediaClock>.Instance, parallelism: 1, phases: 1);
        var first = Enumerable.Range(0, 10).Select(_ => new Burst(sender, to)).ToArray();
        foreach (var b in first) clock.Subscribe(b);
        clock.TickOnce();
        clock.TickOnce(); // JIT and first use done

        var more = Enumerable.Range(0, 300).Select(_ => new Burst(sender, to)).ToArray(); // 930 packets a deadline > 256
        foreach (var b in more) clock.Subscribe(b);
        var before = GC.GetAllocatedBytesForCurrentThread();
        clock.TickOnce();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Multiple(() =>
        {
            Assert.That(allocated, Is.Zero, "the tick that first carries 930 packets allocates nothing");
            Assert.That(more.Select(b => b.Statistics.PacketsSent + b.Statistics.SendErrors), Is.All.EqualTo(3), "every packet of that tick handed to the kernel");
            Assert.That(first.Select(b => b.Statistics.PacketsSent + b.Statistics.SendErrors), Is.All.EqualTo(9));
        });
    }

    private sealed class PhaseProbe(TimeProvider time, int until) : IMediaClockSubscriber
    {
        public readonly List<long> At = [];
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnTick(long tick, RtpSendBatch batch)
        {
            lock (At)
            {
                At.Add(time.GetTimestamp());
                if (At.Count == until) Reached.TrySetResult();
            }
        }
    }

    [Test]
    [Category("Timing")] // Wall-clock spacing of real ticks: meaningful on a quiet machine only.
    public async Task Running_lanes_stagger_the_phases_across_the_period_and_keep_each_stream_at_20_ms()
    {
        // One lane, four phases: four subscribers land in four phases, prepared 5 ms apart, each every 20 ms.
        await using var clock = new MediaClock(TimeProvider.System, NullLogger<MediaClock>.Instance, parallelism: 1, realtime: true, phases: 4);
        var probes = Enumerable.Range(0, 4).Select(_ => new PhaseProbe(TimeProvider.System, 30)).ToArray();
        foreach (var p in probes) clock.Subscribe(p);
        clock.Start();
        await Task.WhenAll(probes.Select(p => p.Reached.Task)).WaitAsync(TimeSpan.FromSeconds(10));
        await clock.DisposeAsync();
        double Ms(long ticks) => ticks * 1000.0 / TimeProvider.System.TimestampFrequency;
        Assert.Multiple(() =>
        {
            foreach (var p in probes)
            {
                // The median spacing: a lane that was late (a starved machine) sends its missed ticks back-to-back,
                // which pulls a plain average below 20 ms without the stream's pace being wrong.
                var spans = Enumerable.Range(1, 29).Select(i => Ms(p.At[i] - p.At[i - 1])).Order().ToArray();
                Assert.That(spans[14], Is.EqualTo(20).Within(1.0), "each stream every 20 ms (median spacing)");
            }
            // Phase p of a period is prepared after phase p-1's (never before), and when the lane is on time ~5 ms
            // after it. On a loaded machine a late lane catches up back-to-back, so the spacing is judged on the
            // best-spaced period, not on every one.
            for (var k = 0; k < 30; k++)
                for (var p = 1; p < 4; p++)
                    Assert.That(probes[p].At[k], Is.GreaterThanOrEqualTo(probes[p - 1].At[k]), $"period {k}: phase {p} after phase {p - 1}");
            var spacing = probes.Skip(1).Select((p, i) => Enumerable.Range(0, 30).Max(k => Ms(p.At[k] - probes[i].At[k]))).ToArray();
            Assert.That(spacing, Has.All.InRange(3.0, 20.0), string.Join(", ", spacing));
        });
    }

    [Test]
    public void Histogram_percentiles()
    {
        var h = new LatencyHistogram();
        for (var i = 1; i <= 100; i++) h.Record(i * 100); // 0.1 … 10 ms
        Assert.Multiple(() =>
        {
            Assert.That(h.PercentileMilliseconds(50), Is.EqualTo(5.0).Within(0.02));
            Assert.That(h.PercentileMilliseconds(99), Is.EqualTo(9.9).Within(0.02));
            Assert.That(h.MaxMilliseconds, Is.EqualTo(10.0));
        });
        h.Reset();
        Assert.That(h.Count, Is.Zero);
    }
}
