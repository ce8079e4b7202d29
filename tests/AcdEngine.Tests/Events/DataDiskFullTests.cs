using Google.Protobuf.WellKnownTypes;
using Hotline.AcdEngine.Events;
using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Recording;
using Hotline.Contracts.V1;
using Hotline.Cti.Media.Recording;
using Hotline.TestSupport;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Hotline.AcdEngine.Tests.Events;

/// <summary>
/// The engine's data disk full (issue 21) on a real, small tmpfs filled to the last byte: the outbox takes every event
/// without failing the caller, holds what the disk refuses in memory, says so once, and writes it all, in order,
/// when space returns; a recording stops where the disk refused it without throwing into the media clock.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DataDiskFullTests
{
    private SmallDisk _disk = null!;

    [SetUp]
    public void SetUp()
    {
        _disk = SmallDisk.TryMount(16, out var whyNot) ?? throw new IgnoreException("The data-disk-full fault needs a small file system to fill: " + whyNot);
    }

    [TearDown]
    public void TearDown() => _disk.Dispose();

    private static IngestEnvelope CallEvent(int i) => new()
    {
        Call = new CallEvent
        {
            EventId = $"e-{i}", CallId = $"c-{i}", Sequence = 1, NodeId = "acd-test",
            OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch), Offered = new CallOffered { CallerNumber = "13800138000" },
        },
    };

    [Test]
    public async Task The_outbox_holds_what_a_full_disk_refuses_says_so_once_and_writes_it_all_in_order_when_space_returns()
    {
        var time = new FakeTimeProvider();
        var log = new RecordingLogger<SqliteOutbox>();
        using var outbox = new SqliteOutbox(Path.Combine(_disk.Path, "outbox.db"), time, log);
        using var recordings = new TemporaryRecordings(_disk.Path);
        var health = new DataDiskHealthCheck(outbox, recordings.Value);
        for (var i = 0; i < 5; i++) outbox.Append(CallEvent(i));
        _disk.Fill();

        const int Events = 3000; // a WAL page or more each: far more than the few bytes left
        for (var i = 5; i < Events; i++) outbox.Append(CallEvent(i)); // never throws into the call flow
        outbox.Delete("e-0"); // TicketApi's ack during the fault: its delete may have to wait too
        var duringFault = await health.CheckHealthAsync(new HealthCheckContext());
        Assert.Multiple(() =>
        {
            Assert.That(outbox.HeldCount, Is.GreaterThan(0), "the disk refused some events: held in memory");
            Assert.That(outbox.DiskFull, Is.True);
            Assert.That(outbox.DroppedCount, Is.Zero);
            Assert.That(duringFault.Status, Is.EqualTo(HealthStatus.Degraded), duringFault.Description);
            Assert.That(log.Entries.Count(e => e.Level == LogLevel.Critical), Is.EqualTo(1), "loud, once: " + string.Join("\n", log.Entries));
        });

        time.Advance(TimeSpan.FromSeconds(1)); // still full: the retry changes nothing
        Assert.That(outbox.DiskFull, Is.True);
        _disk.Free();
        time.Advance(TimeSpan.FromSeconds(1)); // the retry timer writes the held events

        var pending = outbox.ReadPending(0, Events + 10);
        var afterFault = await health.CheckHealthAsync(new HealthCheckContext());
        Assert.Multiple(() =>
        {
            Assert.That(outbox.HeldCount, Is.Zero, string.Join("\n", log.Entries));
            Assert.That(outbox.DiskFull, Is.False);
            Assert.That(pending.Select(p => p.EventId), Is.EqualTo(Enumerable.Range(1, Events - 1).Select(i => $"e-{i}")),
                "every event, once, in order; the acked one deleted");
            Assert.That(afterFault.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(log.Entries.Count(e => e.Level == LogLevel.Critical), Is.EqualTo(1));
            Assert.That(log.Entries.Count(e => e.Message.Contains("writable again", StringComparison.Ordinal)), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_recording_on_a_full_disk_stops_quietly_once_and_the_next_one_after_space_returns_is_whole()
    {
        using var recordings = new TemporaryRecordings(_disk.Path);
        using var outbox = new SqliteOutbox(Path.Combine(_disk.Path, "outbox.db"));
        var health = new DataDiskHealthCheck(outbox, recordings.Value);
        var failures = new List<WavRecorder>();
        void Count(WavRecorder r, IOException _) { lock (failures) failures.Add(r); }
        WavRecorder.WriteFailed += Count;
        try
        {
            Directory.CreateDirectory(recordings.Value.Root);
            var cut = new WavRecorder(Path.Combine(recordings.Value.Root, "cut.wav"));
            _disk.Fill();
            var frame = new short[160];
            for (var i = 0; i < 1000; i++) cut.Write(frame); // 20 s of audio, 320 kB: the media clock must not see an exception
            cut.Dispose();
            var degraded = await health.CheckHealthAsync(new HealthCheckContext());
            Assert.Multiple(() =>
            {
                Assert.That(cut.Failed, Is.True);
                Assert.That(failures.Count(r => r == cut), Is.EqualTo(1), "raised once for the recording, not per frame");
                Assert.That(recordings.Value.Failing, Is.True);
                Assert.That(degraded.Status, Is.EqualTo(HealthStatus.Degraded));
            });

            _disk.Free();
            var whole = new WavRecorder(Path.Combine(recordings.Value.Root, "whole.wav"));
            for (var i = 0; i < 100; i++) whole.Write(frame);
            whole.Dispose();
            Assert.Multiple(() =>
            {
                Assert.That(whole.Failed, Is.False);
                Assert.That(new FileInfo(whole.Path).Length, Is.EqualTo(44 + 100 * 320));
            });
        }
        finally
        {
            WavRecorder.WriteFailed -= Count;
        }
    }

    /// <summary>A <see cref="CallRecordings"/> rooted on the small disk.</summary>
    private sealed class TemporaryRecordings(string disk) : IDisposable
    {
        public CallRecordings Value { get; } = new(Path.Combine(disk, "recordings"), new RecordingOptions { Enabled = true }, TimeProvider.System,
            NullLogger<CallRecordings>.Instance);

        public void Dispose() { }
    }

    private sealed class RecordingLogger<T> : ILogger<T>
    {
        private readonly List<(LogLevel Level, string Message)> _entries = [];

        public IReadOnlyList<(LogLevel Level, string Message)> Entries
        {
            get { lock (_entries) return [.. _entries]; }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_entries) _entries.Add((logLevel, formatter(state, exception)));
        }
    }
}
