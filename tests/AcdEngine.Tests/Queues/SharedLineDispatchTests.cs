using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Queues;
using Hotline.AcdEngine.Redis;
using Hotline.AcdEngine.Routing;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;

namespace Hotline.AcdEngine.Tests.Queues;

/// <summary>
/// <c>Acd:SharedQueues</c> wired into the dispatcher (<see cref="CallQueues"/>, docs/scaling.md): two engines' flows in
/// one process on a real redis-server. An agent freed on one engine is offered to the oldest caller of the line even
/// when that caller's media is on the other engine; a caller who hangs up leaves the line; Redis away → each engine
/// serves its own callers.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SharedLineDispatchTests : TwoEnginesOnRedis
{

    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private static RedisAgentLeases Leases(IConnectionMultiplexer redis, string node) =>
        new(redis, node, Lease, new FakeTimeProvider(), NullLogger.Instance);

    private static AcdOptions NoGreeting()
    {
        var o = AcdHarness.DefaultOptions();
        o.Greeting = "";
        return o;
    }

    private static void ShareLine(AcdHarness engine, IConnectionMultiplexer redis, string node, Func<bool>? reachable = null) =>
        engine.Queues.UseSharedLine(new SharedQueueLine(redis, node, Lease), reachable ?? (() => RedisConnection.MasterReachable(redis)), NullLogger.Instance);

    private async Task<RedisValue[]> LineAsync(int count)
    {
        // The line is written off the flow's path (a Redis round trip after the Queued event): wait for it to settle.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (true)
        {
            var members = await A.GetDatabase().SortedSetRangeByRankAsync(SharedQueueLine.LineKey("general"));
            if (members.Length == count) return members;
            await tick.WaitForNextTickAsync(cts.Token);
        }
    }

    [Test]
    public async Task An_agent_freed_on_one_engine_is_offered_to_the_older_caller_waiting_on_the_other()
    {
        // Node names ordered against arrival: a tie broken by name would favour "alpha"; the older caller is on "zeta".
        using var leasesZeta = Leases(A, "zeta");
        using var leasesAlpha = Leases(B, "alpha");
        using var zeta = new AcdHarness(leasesZeta, NoGreeting(), AcdHarness.Agent("a1", "1001"));
        using var alpha = new AcdHarness(leasesAlpha, NoGreeting(), AcdHarness.Agent("a1", "1001"));
        ShareLine(zeta, A, "zeta");
        ShareLine(alpha, B, "alpha");
        zeta.Ready("a1");
        alpha.Ready("a1");

        // a1 talks with a caller of engine alpha (offered through the line too).
        var first = alpha.Telephony.Call("13800000001", "12345");
        (await alpha.Telephony.NextDialAsync()).Answer();
        await alpha.Telephony.NextBridgeAsync();

        // An older caller on zeta, then a later one on alpha (alpha's clock 5 s on): both wait in the one line.
        zeta.Telephony.Call("13800000002", "12345");
        var older = (await zeta.Sink.WaitForCallAsync(Kind.Queued)).CallId;
        alpha.Time.Advance(TimeSpan.FromSeconds(5));
        alpha.Telephony.Call("13800000003", "12345");
        var line = await LineAsync(2);
        Assert.That(line.Select(m => m.ToString()), Is.EqualTo(new[] { "zeta|" + older, line[1].ToString() }));
        Assert.That(line[1].ToString(), Does.StartWith("alpha|"));
        Assert.That(zeta.Telephony.HasPendingDial || alpha.Telephony.HasPendingDial, Is.False, "a1 talks: nobody rings");

        // a1's call and wrap-up end on alpha: alpha's own later caller waits, zeta's older caller gets a1.
        var wrapUp = alpha.WaitForAgentAsync("a1", AgentState.WrapUp);
        first.RemoteHangup();
        await wrapUp;
        await alpha.Time.TimerArmedAsync(TimeSpan.FromSeconds(10));
        alpha.Time.Advance(TimeSpan.FromSeconds(10));

        var dial = await zeta.Telephony.NextDialAsync();
        Assert.That(dial.Target, Is.EqualTo("1001"));
        Assert.That((string?)await A.GetDatabase().StringGetAsync(RedisAgentLeases.Key("a1")), Is.EqualTo("zeta|" + older),
            "the lease the line's claim took is the one the ring holds");
        dial.Answer();
        var answered = (await zeta.Sink.WaitForCallAsync(Kind.Answered)).Answered;
        Assert.That(answered.AgentId, Is.EqualTo("a1"));
        Assert.That(alpha.Telephony.HasPendingDial, Is.False, "alpha's later caller waits on");
        Assert.That((await LineAsync(1))[0].ToString(), Does.StartWith("alpha|"));
    }

    [Test]
    public async Task You_are_number_N_counts_the_callers_of_every_engine()
    {
        var announcing = NoGreeting();
        announcing.AnnounceEverySeconds = 30;
        using var leases1 = Leases(A, "e1");
        using var leases2 = Leases(B, "e2");
        using var one = new AcdHarness(leases1, NoGreeting(), AcdHarness.Agent("a1", "1001"));
        using var two = new AcdHarness(leases2, announcing, AcdHarness.Agent("a1", "1001"));
        ShareLine(one, A, "e1");
        ShareLine(two, B, "e2");

        // Nobody is ready: an older caller on engine one, then one on engine two, who is first in its own engine's queue.
        one.Telephony.Call("13800000001", "12345");
        await LineAsync(1);
        two.Time.Advance(TimeSpan.FromSeconds(1));
        var later = two.Telephony.Call("13800000002", "12345");
        await later.PlayedAsync("moh");
        await LineAsync(2);
        await two.Time.TimerArmedAsync(TimeSpan.FromSeconds(30));
        two.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.That((await later.NextPlayAsync()).Name, Is.EqualTo("position-2"), "second across the engines, not first here");
    }

    [Test]
    public async Task A_caller_who_hangs_up_while_queued_leaves_the_line()
    {
        using var leases = Leases(A, "e1");
        using var engine = new AcdHarness(leases, NoGreeting(), AcdHarness.Agent("a1", "1001"));
        ShareLine(engine, A, "e1");

        var caller = engine.Telephony.Call("13800000001", "12345");
        await engine.Sink.WaitForCallAsync(Kind.Queued);
        await LineAsync(1);
        caller.RemoteHangup();
        await engine.Sink.WaitForCallAsync(Kind.Abandoned);
        Assert.That(await LineAsync(0), Is.Empty);
    }

    [Test]
    public async Task When_the_redis_server_dies_each_engine_serves_its_own_callers_said_once()
    {
        var own = await RedisServer.StartAsync();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(own.ConnectionString + ",connectTimeout=500,asyncTimeout=1000");
        using var leases = Leases(redis, "e1");
        using var engine = new AcdHarness(leases, NoGreeting(), AcdHarness.Agent("a1", "1001"), AcdHarness.Agent("a2", "1002"));
        var log = new ListLogger();
        engine.Queues.UseSharedLine(new SharedQueueLine(redis, "e1", Lease), () => RedisConnection.MasterReachable(redis), log);
        engine.Ready("a1", "a2");
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        redis.ConnectionFailed += (_, e) => { if (e.ConnectionType == ConnectionType.Interactive) failed.TrySetResult(); };
        await own.DisposeAsync(); // The real server is killed, not a flag turned off.
        await failed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(RedisConnection.MasterReachable(redis), Is.False);

        for (var i = 1; i <= 2; i++)
        {
            engine.Telephony.Call("1380000000" + i, "12345");
            var dial = await engine.Telephony.NextDialAsync();
            dial.Answer();
        }
        Assert.That(await engine.Sink.WaitForCallAsync(Kind.Answered), Is.Not.Null);
        Assert.That(log.Lines.Count(l => l.StartsWith("Shared queue line unavailable", StringComparison.Ordinal)), Is.EqualTo(1), string.Join('\n', log.Lines));
    }

    [Test]
    public async Task A_failover_that_flaps_is_said_once_and_a_later_outage_again()
    {
        using var engine = new AcdHarness(null, NoGreeting(), AcdHarness.Agent("a1", "1001"));
        var log = new ListLogger();
        var up = false;
        engine.Queues.UseSharedLine(new SharedQueueLine(A, "e1", Lease), () => Volatile.Read(ref up), log);
        const string down = "Shared queue line unavailable", back = "Shared queue line back:";

        engine.Queues.Dispatch(); // Redis away: said.
        Volatile.Write(ref up, true);
        engine.Queues.Dispatch(); // back: said.
        await log.WaitForAsync(back, 1);
        engine.Time.Advance(TimeSpan.FromSeconds(5));
        Volatile.Write(ref up, false);
        engine.Queues.Dispatch(); // away again 5 s later: the same failover, not said again...
        Volatile.Write(ref up, true);
        engine.Queues.Dispatch(); // ...nor its coming back.
        await log.WaitForAsync("Shared queue line back again", 1);
        Assert.That(log.Count(down), Is.EqualTo(1), log.Text);
        Assert.That(log.Count(back), Is.EqualTo(1), log.Text);

        engine.Time.Advance(CallQueues.OutageSettle + TimeSpan.FromSeconds(1));
        Volatile.Write(ref up, false);
        engine.Queues.Dispatch(); // a later outage is a new one: said.
        Assert.That(log.Count(down), Is.EqualTo(2), log.Text);
    }

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
    {
        private readonly List<(string Start, int Count, TaskCompletionSource Done)> _waits = [];
        public List<string> Lines { get; } = [];
        public string Text { get { lock (Lines) return string.Join('\n', Lines); } }
        public int Count(string start) { lock (Lines) return Lines.Count(l => l.StartsWith(start, StringComparison.Ordinal)); }
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;
        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add(formatter(state, exception));
                foreach (var w in _waits) if (Count(w.Start) >= w.Count) w.Done.TrySetResult();
            }
        }

        /// <summary>Completes when <paramref name="count"/> lines start with <paramref name="start"/> (lines written off the test's thread).</summary>
        public Task WaitForAsync(string start, int count)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (Lines)
            {
                _waits.Add((start, count, done));
                if (Count(start) >= count) done.TrySetResult();
            }
            return done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    [Test]
    public async Task With_Redis_away_an_engine_offers_its_agents_to_its_own_callers()
    {
        using var engine = new AcdHarness(null, NoGreeting(), AcdHarness.Agent("a1", "1001"));
        ShareLine(engine, A, "e1", reachable: () => false);
        engine.Ready("a1");

        engine.Telephony.Call("13800000001", "12345");
        var dial = await engine.Telephony.NextDialAsync();
        Assert.That(dial.Target, Is.EqualTo("1001"));
        dial.Answer();
        Assert.That((await engine.Sink.WaitForCallAsync(Kind.Answered)).Answered.AgentId, Is.EqualTo("a1"));
        Assert.That(await A.GetDatabase().SortedSetLengthAsync(SharedQueueLine.LineKey("general")), Is.Zero, "nothing written to the line");
    }
}
