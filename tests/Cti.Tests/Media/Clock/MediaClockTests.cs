using Hotline.Cti.Media.Clock;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hotline.Cti.Tests.Media.Clock;

public class MediaClockTests
{
    private sealed class Counter(int until) : IMediaClockSubscriber
    {
        public int Ticks;
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnTick(long tick)
        {
            if (Interlocked.Increment(ref Ticks) == until) Reached.TrySetResult();
        }
    }

    private sealed class Broken : IMediaClockSubscriber
    {
        public int Calls;
        public void OnTick(long tick)
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

    [Test]
    public async Task A_parallel_tick_calls_every_subscriber_exactly_once()
    {
        await using var clock = new MediaClock(TimeProvider.System, NullLogger<MediaClock>.Instance, parallelism: 3);
        var counters = Enumerable.Range(0, MediaClock.ParallelThreshold * 2 + 7).Select(_ => new Counter(int.MaxValue)).ToArray();
        foreach (var c in counters) clock.Subscribe(c);
        for (var t = 0; t < 10; t++) clock.TickOnce();
        Assert.That(counters.Select(c => c.Ticks), Is.All.EqualTo(10));
        Assert.That(clock.Parallelism, Is.EqualTo(3));
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
