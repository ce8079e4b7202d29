using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Events;
using Hotline.AcdEngine.Hosting;
using Hotline.Contracts.V1;
using Hotline.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Hotline.AcdEngine.Node;
using Hotline.AcdEngine.Routing;

namespace Hotline.AcdEngine.Tests.Events;

/// <summary>The durable outbox and its publisher against a real Kestrel gRPC ingest server.</summary>
[TestFixture]
public sealed class OutboxTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "acd-outbox-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    private string DbPath => Path.Combine(_dir, "outbox.db");

    private static IngestEnvelope CallEvent(string callId, ulong seq) => new()
    {
        Call = new CallEvent
        {
            EventId = Guid.NewGuid().ToString(), CallId = callId, Sequence = seq, NodeId = "acd-test",
            OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch), Offered = new CallOffered { CallerNumber = "13800138000" },
        },
    };

    private static OutboxPublisher Publisher(SqliteOutbox outbox, int port, TimeProvider? time = null, PublisherSettings? settings = null) =>
        new(outbox, new CallEventIngest.CallEventIngestClient(IngestChannel.Create($"http://127.0.0.1:{port}")), time ?? TimeProvider.System,
            settings ?? new PublisherSettings(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(400), 64, TimeSpan.FromSeconds(30)),
            NullLogger<OutboxPublisher>.Instance);

    [Test]
    public void Appended_events_survive_a_restart_in_order_and_leave_only_on_delete()
    {
        var events = Enumerable.Range(1, 3).Select(i => CallEvent("c-1", (ulong)i)).ToList();
        using (var outbox = new SqliteOutbox(DbPath))
            foreach (var e in events) outbox.Append(e);
        using var reopened = new SqliteOutbox(DbPath);
        var pending = reopened.ReadPending(0, 10);
        // c-1 was never ended: the reopened outbox closes it after the three (engine-failure contract).
        Assert.That(pending.Take(3).Select(p => p.Envelope), Is.EqualTo(events));
        Assert.That(pending.Skip(3).Select(p => p.EventId), Is.EqualTo(new[] { "c-1:engine-failure-abandoned", "c-1:engine-failure" }));
        reopened.Delete(events[1].Call.EventId);
        Assert.That(reopened.ReadPending(0, 10).Select(p => p.EventId).Take(2), Is.EqualTo(new[] { events[0].Call.EventId, events[2].Call.EventId }));
        reopened.Append(events[0]);
        Assert.That(reopened.PendingCount(), Is.EqualTo(4), "appending the same event id twice stores it once");
    }

    [Test]
    public void Agent_event_sequences_continue_after_an_engine_restart()
    {
        var time = new FakeTimeProvider();
        var agents = Options.Create(new AgentsOptions { List = [new AgentOptions { Id = "a1", User = "1001", Queues = ["general"] }] });
        var acd = Options.Create(new AcdOptions());
        var node = Options.Create(new NodeOptions { Id = "acd-test" });
        using (var outbox = new SqliteOutbox(DbPath))
        {
            var roster = new AgentRoster(agents, acd, time);
            _ = new AgentEventRecorder(roster, node, outbox, outbox);
            roster.SignIn("a1", ready: true);
            roster.SetNotReady("a1", "break");
        }
        using var again = new SqliteOutbox(DbPath);
        var roster2 = new AgentRoster(agents, acd, time);
        _ = new AgentEventRecorder(roster2, node, again, again);
        roster2.SignIn("a1", ready: true);
        var sequences = again.ReadPending(0, 10).Select(p => p.Envelope.Agent.Sequence);
        Assert.That(sequences, Is.EqualTo(new ulong[] { 1, 2, 3 }));
    }

    [Test]
    public async Task Events_written_while_TicketApi_is_down_are_delivered_once_it_is_up_and_deleted_on_ack()
    {
        var port = FreePort.Next();
        using var outbox = new SqliteOutbox(DbPath);
        for (var i = 1; i <= 20; i++) outbox.Append(CallEvent("c-" + (i % 3), (ulong)i));
        var publisher = Publisher(outbox, port);
        using var stop = new CancellationTokenSource();
        var running = publisher.RunAsync(stop.Token);
        var failed = await WaitUntilAsync(() => publisher.Failures >= 2);
        Assert.That(failed, Is.True, "no TicketApi: the publisher keeps failing and backing off");
        Assert.That(outbox.PendingCount(), Is.EqualTo(20), "nothing is lost while TicketApi is away");

        var ledger = new IngestLedger { Expected = 25 };
        await using var server = await FakeIngestServer.StartAsync(port, ledger);
        for (var i = 21; i <= 25; i++) outbox.Append(CallEvent("c-late", (ulong)i));
        await ledger.AllApplied.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(await WaitUntilAsync(() => outbox.PendingCount() == 0), Is.True, "acked events leave the outbox");
        await stop.CancelAsync();
        await running;
        Assert.That(ledger.Applied, Has.Count.EqualTo(25));
        Assert.That(publisher.Failures, Is.Zero);
    }

    [Test]
    public async Task While_TicketApi_is_away_retries_back_off_exponentially_to_the_cap_in_virtual_time()
    {
        var port = FreePort.Next();
        var time = new FakeTimeProvider();
        using var outbox = new SqliteOutbox(DbPath);
        outbox.Append(CallEvent("c-1", 1));
        var publisher = Publisher(outbox, port, time); // Backoff 100 ms doubling to 400 ms.
        var scheduled = System.Threading.Channels.Channel.CreateUnbounded<TimeSpan>();
        publisher.RetryScheduled += b => scheduled.Writer.TryWrite(b);
        using var stop = new CancellationTokenSource();
        var running = publisher.RunAsync(stop.Token);
        var backoffs = new List<TimeSpan>();
        for (var i = 0; i < 5; i++)
        {
            var backoff = await scheduled.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            backoffs.Add(backoff);
            time.Advance(backoff - TimeSpan.FromMilliseconds(1));
            Assert.That(scheduled.Reader.TryPeek(out _), Is.False, "no retry before the backoff has passed");
            Assert.That(publisher.Failures, Is.EqualTo(i + 1));
            time.Advance(TimeSpan.FromMilliseconds(1));
        }
        Assert.That(backoffs.Select(b => b.TotalMilliseconds), Is.EqualTo(new double[] { 100, 200, 400, 400, 400 }));
        Assert.That(outbox.PendingCount(), Is.EqualTo(1));
        await stop.CancelAsync();
        await running;
    }

    [Test]
    public async Task A_quiet_line_does_not_trip_the_ack_timeout_it_counts_from_the_send_of_an_unacked_event()
    {
        var port = FreePort.Next();
        var time = new FakeTimeProvider();
        using var outbox = new SqliteOutbox(DbPath);
        await using var server = await FakeIngestServer.StartAsync(port);
        var publisher = Publisher(outbox, port, time);
        var retries = 0;
        publisher.RetryScheduled += _ => Interlocked.Increment(ref retries);
        using var stop = new CancellationTokenSource();
        var running = publisher.RunAsync(stop.Token);
        outbox.Append(CallEvent("c-1", 1));
        Assert.That(await WaitUntilAsync(() => outbox.PendingCount() == 0), Is.True, "first event acked");

        time.Advance(TimeSpan.FromSeconds(90)); // A quiet line: no event, so no ack, for longer than the ack timeout.
        outbox.Append(CallEvent("c-2", 1));
        Assert.That(await WaitUntilAsync(() => outbox.PendingCount() == 0), Is.True, "the next event is delivered on the same stream");
        Assert.That(retries, Is.Zero, "the stream was not torn down");
        Assert.That(server.Ledger.Received, Is.EqualTo(2), "each event was sent once");
        await stop.CancelAsync();
        await running;
    }

    [Test]
    public async Task An_unacked_event_times_out_and_the_backoff_starts_afresh_after_a_connection_that_worked()
    {
        var port = FreePort.Next();
        var time = new FakeTimeProvider();
        using var outbox = new SqliteOutbox(DbPath);
        outbox.Append(CallEvent("c-1", 1));
        var publisher = Publisher(outbox, port, time); // Backoff 100 ms doubling to 400 ms, ack timeout 30 s.
        var scheduled = System.Threading.Channels.Channel.CreateUnbounded<TimeSpan>();
        publisher.RetryScheduled += b => scheduled.Writer.TryWrite(b);
        using var stop = new CancellationTokenSource();
        var running = publisher.RunAsync(stop.Token);
        for (var i = 0; i < 3; i++) time.Advance(await scheduled.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        var grown = await scheduled.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(grown.TotalMilliseconds, Is.EqualTo(400), "TicketApi away: the backoff grew to its cap");

        await using var server = await FakeIngestServer.StartAsync(port);
        time.Advance(grown);
        Assert.That(await PumpUntilAsync(time, scheduled.Reader, () => outbox.PendingCount() == 0), Is.True, "connected: the event is acked");

        server.Ledger.Silent = true; // TicketApi hangs: it takes events and acks none.
        outbox.Append(CallEvent("c-2", 1));
        Assert.That(await WaitUntilAsync(() => server.Ledger.Received == 2), Is.True);
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.That(scheduled.Reader.TryPeek(out _), Is.False, "no timeout before 30 s from the send");
        time.Advance(TimeSpan.FromSeconds(1));
        var afterTimeout = await scheduled.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(afterTimeout.TotalMilliseconds, Is.EqualTo(100), "the connection had worked: the backoff starts again from 100 ms");
        await stop.CancelAsync();
        await running;
    }

    [Test]
    public async Task An_engine_started_before_TicketApi_retries_a_refused_connection_at_the_connect_interval_not_a_grown_backoff()
    {
        var port = FreePort.Next();
        var time = new FakeTimeProvider();
        using var outbox = new SqliteOutbox(DbPath);
        outbox.Append(CallEvent("c-1", 1));
        var settings = new PublisherSettings(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), 64, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        var publisher = Publisher(outbox, port, time, settings);
        var scheduled = System.Threading.Channels.Channel.CreateUnbounded<TimeSpan>();
        publisher.RetryScheduled += b => scheduled.Writer.TryWrite(b);
        using var stop = new CancellationTokenSource();
        var running = publisher.RunAsync(stop.Token);
        var waits = new List<double>();
        for (var i = 0; i < 6; i++)
        {
            var wait = await scheduled.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            waits.Add(wait.TotalMilliseconds);
            time.Advance(wait);
        }
        Assert.That(waits, Is.EqualTo(new double[] { 100, 200, 200, 200, 200, 200 }), "refused connections are retried every 200 ms, not after 30 s");

        var ledger = new IngestLedger { Expected = 1 };
        await using var server = await FakeIngestServer.StartAsync(port, ledger);
        Assert.That(await PumpUntilAsync(time, scheduled.Reader, () => ledger.AllApplied.IsCompleted), Is.True, "delivered once TicketApi is up");
        await stop.CancelAsync();
        await running;
    }

    [Test]
    public async Task An_event_TicketApi_rejects_is_dead_lettered_not_resent()
    {
        var port = FreePort.Next();
        using var outbox = new SqliteOutbox(DbPath);
        var bad = CallEvent("c-1", 1);
        var good = CallEvent("c-1", 2);
        var ledger = new IngestLedger { Expected = 1 };
        ledger.Reject.Add(bad.Call.EventId);
        await using var server = await FakeIngestServer.StartAsync(port, ledger);
        outbox.Append(bad);
        outbox.Append(good);
        using var stop = new CancellationTokenSource();
        var running = Publisher(outbox, port).RunAsync(stop.Token);
        await ledger.AllApplied.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(await WaitUntilAsync(() => outbox.PendingCount() == 0 && outbox.DeadLetterCount() == 1), Is.True);
        await stop.CancelAsync();
        await running;
        Assert.That(ledger.Received, Is.EqualTo(2), "the rejected event was sent once");
    }

    /// <summary>
    /// Lets each scheduled retry pass in virtual time until a condition holds (grpc's own reconnect backoff runs in
    /// real time, so the first retries after a server starts may still be refused).
    /// </summary>
    private static async Task<bool> PumpUntilAsync(FakeTimeProvider time, System.Threading.Channels.ChannelReader<TimeSpan> scheduled, Func<bool> condition)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            while (scheduled.TryRead(out var wait)) time.Advance(wait);
            await timer.WaitForNextTickAsync();
        }
        return condition();
    }

    /// <summary>Polls a condition that has no event of its own (a counter in another component), up to 20 s.</summary>
    private static async Task<bool> WaitUntilAsync(Func<bool> condition)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        for (var i = 0; i < 1000; i++)
        {
            if (condition()) return true;
            await timer.WaitForNextTickAsync();
        }
        return condition();
    }
}
