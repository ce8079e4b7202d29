using Google.Protobuf.WellKnownTypes;
using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Events;
using Hotline.AcdEngine.Liveness;
using Hotline.AcdEngine.Node;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.Contracts.V1;
using Hotline.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Hotline.AcdEngine.Tests.Liveness;

/// <summary>
/// Engines watching each other through a real redis-server (issue 19, docs/scaling.md): an engine's open calls are
/// mirrored as its events are appended; once its heartbeat lapses a surviving engine closes them with the contract's
/// engine-failure events (the same ids the dead engine's own journal gives when it restarts), takes its callers out of
/// the shared queue lines and frees its agents; of two survivors only one acts.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class NodeDeathTests : TwoEnginesOnRedis
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private string _dir = "";

    [SetUp]
    public void MakeFolder()
    {
        _dir = Directory.CreateTempSubdirectory("acd-death-").FullName;
    }

    [TearDown]
    public void RemoveFolder()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    private static IngestEnvelope E(string callId, ulong seq, int atSeconds, Action<CallEvent> payload)
    {
        var e = new CallEvent { EventId = Guid.NewGuid().ToString(), CallId = callId, Sequence = seq, NodeId = "e1", OccurredAt = Timestamp.FromDateTimeOffset(T0.AddSeconds(atSeconds)) };
        payload(e);
        return new IngestEnvelope { Call = e };
    }

    private sealed class Engine(NodeWatch watch, OpenCallMirror mirror, IEventSink sink, RedisAgentLeases leases, FakeTimeProvider clock) : IDisposable
    {
        public NodeWatch Watch { get; } = watch;
        public FakeTimeProvider Clock { get; } = clock;

        /// <summary>Beats, then beats again a whole dead-after later: from then on this engine judges the others.</summary>
        public async Task BeatSteadilyAsync()
        {
            await Watch.TickAsync();
            Clock.Advance(TimeSpan.FromMilliseconds(5000));
            await Watch.TickAsync();
        }
        public OpenCallMirror Mirror { get; } = mirror;
        public IEventSink Sink { get; } = sink;
        public RedisAgentLeases Leases { get; } = leases;

        public void Dispose()
        {
            Mirror.Dispose();
            Leases.Dispose();
            (Sink as IDisposable)?.Dispose();
        }
    }

    private static Engine Start(IConnectionMultiplexer redis, string node, IEventSink sink)
    {
        var options = new NodeOptions { Id = node, HeartbeatMilliseconds = 1000, DeadAfterMilliseconds = 5000 };
        var outbox = sink as SqliteOutbox;
        var mirror = new OpenCallMirror(redis, node, outbox);
        var leases = new RedisAgentLeases(redis, node, TimeSpan.FromSeconds(30), new FakeTimeProvider(), NullLogger.Instance);
        string[] queues = ["general"];
        var takeover = new DeadNodeTakeover(redis, node, sink, () => queues, () => ["a1", "a2"], leases, TimeSpan.FromSeconds(30));
        var clock = new FakeTimeProvider(T0);
        var watch = new NodeWatch(options, redis, mirror, takeover, outbox?.CallsClosedAtStart ?? [], () => queues, TimeSpan.FromSeconds(30),
            clock, NullLogger<NodeWatch>.Instance);
        return new Engine(watch, mirror, sink, leases, clock);
    }

    /// <summary>Engine e1: a caller in the queue (also in the shared line), one talking to a1, one that ended.</summary>
    private async Task<Engine> E1WithCallsAsync()
    {
        var e1 = Start(A, "e1", new SqliteOutbox(Path.Combine(_dir, "e1.db")));
        e1.Sink.Append(E("queued", 1, 0, e => e.Offered = new CallOffered { Direction = CallDirection.Inbound }));
        e1.Sink.Append(E("queued", 2, 4, e => e.Queued = new CallQueued { Queue = "general" }));
        e1.Sink.Append(E("talking", 1, 0, e => e.Offered = new CallOffered { Direction = CallDirection.Inbound }));
        e1.Sink.Append(E("talking", 2, 1, e => e.Queued = new CallQueued { Queue = "general" }));
        e1.Sink.Append(E("talking", 3, 2, e => e.AgentRinging = new AgentRinging { AgentId = "a1" }));
        e1.Sink.Append(E("talking", 4, 3, e => e.Answered = new CallAnswered { AgentId = "a1" }));
        e1.Sink.Append(E("gone", 1, 0, e => e.Offered = new CallOffered { Direction = CallDirection.Inbound }));
        e1.Sink.Append(E("gone", 2, 1, e => e.Ended = new CallEnded { HangupBy = HangupBy.Caller }));
        await e1.Watch.TickAsync(); // Heartbeat + the mirror written in full (the first sync after start).
        await new SharedQueueLine(A, "e1", TimeSpan.FromSeconds(30)).JoinAsync("general", "queued", T0.AddSeconds(4));
        Assert.That(await e1.Leases.TryAcquireAsync("a1", "talking"), Is.True);
        return e1;
    }

    [Test]
    public async Task A_survivor_closes_a_dead_engines_calls_as_its_own_restart_would_and_clears_its_traces()
    {
        using var e1 = await E1WithCallsAsync();
        var db = B.GetDatabase();
        Assert.That((await db.HashKeysAsync(OpenCallMirror.Key("e1"))).Select(k => k.ToString()), Is.EquivalentTo(new[] { "queued", "talking" }));

        var survivorSink = new RecordingSink();
        using var e2 = Start(B, "e2", survivorSink);
        await e2.BeatSteadilyAsync();
        Assert.That(survivorSink.CallEvents(), Is.Empty, "e1 beats: nothing to do");

        // e1 dies: nothing renews its heartbeat, which Redis drops after DeadAfter (done here at once).
        await db.KeyDeleteAsync(DeadNodeTakeover.HeartbeatKey("e1"));
        var tookOver = new TaskCompletionSource<Takeover>();
        e2.Watch.TookOver += t => tookOver.TrySetResult(t);
        await e2.Watch.TickAsync();
        var done = await tookOver.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var closing = survivorSink.CallEvents().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(done.ClosedCalls, Is.EquivalentTo(new[] { "queued", "talking" }));
            Assert.That(done.RemovedFromLines, Is.EqualTo(new[] { "queued" }));
            Assert.That(closing.Select(e => e.EventId), Is.EquivalentTo(new[] { "queued:engine-failure-abandoned", "queued:engine-failure", "talking:engine-failure" }));
            Assert.That(closing.Select(e => e.NodeId).Distinct(), Is.EqualTo(new[] { "e2" }), "sent under the survivor's own credential");
            var abandoned = closing.Single(e => e.PayloadCase == CallEvent.PayloadOneofCase.Abandoned);
            Assert.That((abandoned.Abandoned.Where, abandoned.Abandoned.Queue, abandoned.Sequence), Is.EqualTo((AbandonPoint.Queue, "general", 3UL)));
            var ended = closing.Where(e => e.PayloadCase == CallEvent.PayloadOneofCase.Ended).ToList();
            Assert.That(ended.All(e => e.Ended.HangupBy == HangupBy.System && e.Ended.Reason == "engine-failure"));
            Assert.That(ended.Single(e => e.CallId == "talking").Sequence, Is.EqualTo(5UL), "after the call's last event");
        });
        Assert.Multiple(async () =>
        {
            Assert.That(await db.KeyExistsAsync(OpenCallMirror.Key("e1")), Is.False, "mirror deleted");
            Assert.That(await db.SortedSetLengthAsync(SharedQueueLine.LineKey("general")), Is.Zero, "caller out of the shared line");
            Assert.That(await db.KeyExistsAsync(RedisAgentLeases.Key("a1")), Is.False, "a1 freed at once, not after the lease time");
            Assert.That(await db.SetContainsAsync(DeadNodeTakeover.NodesKey, "e1"), Is.False);
        });

        // e1 restarts: its own journal closes the same calls with the same event ids (TicketApi keeps one of each).
        e1.Dispose();
        using var restarted = new SqliteOutbox(Path.Combine(_dir, "e1.db"));
        var own = restarted.ReadPending(0, 100).Select(p => p.Envelope.Call).Where(c => c.EventId.Contains(":engine-failure", StringComparison.Ordinal));
        Assert.That(own.Select(e => (e.EventId, e.Sequence)), Is.EquivalentTo(closing.Select(e => (e.EventId, e.Sequence))));
    }

    [Test]
    public async Task Of_two_survivors_only_one_closes_the_dead_engines_calls()
    {
        using var e1 = await E1WithCallsAsync();
        await B.GetDatabase().KeyDeleteAsync(DeadNodeTakeover.HeartbeatKey("e1"));
        var sink2 = new RecordingSink();
        var sink3 = new RecordingSink();
        using var e2 = Start(B, "e2", sink2);
        using var e3 = Start(A, "e3", sink3);
        await Task.WhenAll(Task.Run(e2.Watch.TickAsync), Task.Run(e3.Watch.TickAsync));
        e2.Clock.Advance(TimeSpan.FromMilliseconds(5000));
        e3.Clock.Advance(TimeSpan.FromMilliseconds(5000));
        await Task.WhenAll(Task.Run(e2.Watch.TickAsync), Task.Run(e3.Watch.TickAsync));
        await Task.WhenAll(Task.Run(e2.Watch.TickAsync), Task.Run(e3.Watch.TickAsync));
        Assert.That(sink2.CallEvents().Count + sink3.CallEvents().Count, Is.EqualTo(3), "one CallAbandoned and two CallEnded, once");
    }

    [Test]
    public async Task An_engine_that_beats_again_is_left_alone_and_rewrites_its_mirror()
    {
        using var e1 = await E1WithCallsAsync();
        var db = B.GetDatabase();
        // A survivor that found e1 lapsed deleted e1's mirror; e1 was only stalled and beats again.
        await db.KeyDeleteAsync(DeadNodeTakeover.HeartbeatKey("e1"));
        await db.KeyDeleteAsync(OpenCallMirror.Key("e1"));
        await e1.Watch.TickAsync();
        await A.GetDatabase().PingAsync(); // The mirror is rewritten fire-and-forget on e1's connection: a round trip there orders it first.
        Assert.That((await db.HashKeysAsync(OpenCallMirror.Key("e1"))).Select(k => k.ToString()), Is.EquivalentTo(new[] { "queued", "talking" }));
        var sink2 = new RecordingSink();
        using var e2 = Start(B, "e2", sink2);
        await e2.BeatSteadilyAsync();
        Assert.That(sink2.CallEvents(), Is.Empty);
    }

    [Test]
    public async Task After_a_failover_that_lost_the_heartbeats_a_survivor_waits_a_whole_dead_after_before_judging()
    {
        using var e1 = await E1WithCallsAsync();
        var sink2 = new RecordingSink();
        using var e2 = Start(B, "e2", sink2);
        await e2.BeatSteadilyAsync();
        // A Sentinel failover: the new master has neither heartbeat (expired while no master answered, or not replicated).
        var db = B.GetDatabase();
        await db.KeyDeleteAsync(DeadNodeTakeover.HeartbeatKey("e1"));
        await db.KeyDeleteAsync(DeadNodeTakeover.HeartbeatKey("e2"));
        await e2.Watch.TickAsync(); // e2 finds its own heartbeat gone: Redis lost it, so e1's absence proves nothing yet.
        Assert.That(sink2.CallEvents(), Is.Empty, "a live engine's calls are not closed right after the failover");
        e2.Clock.Advance(TimeSpan.FromMilliseconds(2000));
        await e1.Watch.TickAsync(); // e1 is alive and beats again within the dead-after.
        e2.Clock.Advance(TimeSpan.FromMilliseconds(3000));
        await e2.Watch.TickAsync();
        Assert.That(sink2.CallEvents(), Is.Empty, "e1 beat again in time: left alone");
    }

    [Test]
    public void A_dead_after_shorter_than_three_heartbeats_is_refused_naming_the_keys()
    {
        var result = new NodeOptionsValidator().Validate(null, new NodeOptions { Id = "e1", HeartbeatMilliseconds = 1000, DeadAfterMilliseconds = 2000 });
        Assert.That(result.FailureMessage, Does.Contain("Node:DeadAfterMilliseconds").And.Contain("Node:HeartbeatMilliseconds"));
        Assert.That(new NodeOptionsValidator().Validate(null, new NodeOptions { Id = "e1" }).Succeeded, Is.True);
    }
}
