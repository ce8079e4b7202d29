using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Hosting;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Kind = Hotline.Contracts.V1.CallEvent.PayloadOneofCase;
using Hotline.AcdEngine.Routing;

namespace Hotline.AcdEngine.Tests.Agents;

/// <summary>
/// Two engines sharing agents through a real redis-server (docs/scaling.md): an agent's lease is taken atomically
/// when one engine reserves them and held through ringing, talk, wrap-up and a RONA's not-ready, so the other engine
/// never offers them a second call meanwhile; given back when ready again, the other engine offers its waiting call.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class AgentLeaseTests : TwoEnginesOnRedis
{

    private static RedisAgentLeases Leases(IConnectionMultiplexer redis, string node) =>
        new(redis, node, TimeSpan.FromSeconds(30), new FakeTimeProvider(), NullLogger.Instance);

    private static AcdOptions NoGreeting()
    {
        var o = AcdHarness.DefaultOptions();
        o.Greeting = "";
        return o;
    }

    [Test]
    public async Task Only_one_of_two_engines_racing_for_each_agent_gets_the_lease()
    {
        using var e1 = Leases(A, "e1");
        using var e2 = Leases(B, "e2");
        for (var i = 0; i < 50; i++)
        {
            var agent = "a" + i;
            var results = await Task.WhenAll(Task.Run(async () => await e1.TryAcquireAsync(agent, "c-1")), Task.Run(async () => await e2.TryAcquireAsync(agent, "c-2")));
            Assert.That(results.Count(r => r), Is.EqualTo(1), agent);
            var holder = (string?)await B.GetDatabase().StringGetAsync(RedisAgentLeases.Key(agent));
            Assert.That(holder, Is.EqualTo(results[0] ? "e1|c-1" : "e2|c-2"));
        }
    }

    /// <summary>Completes when the agent goes Ringing → Ready on that engine (a reservation undone, not a ring).</summary>
    private static Task UndoneReservationAsync(AcdHarness engine, string agentId)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        engine.Roster.Changed += t =>
        {
            if (t.AgentId == agentId && t.From == AgentState.Ringing && t.To == AgentState.Ready) done.TrySetResult();
        };
        return done.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task An_agent_talking_and_in_wrap_up_on_one_engine_is_not_offered_by_the_other_until_ready()
    {
        using var leases1 = Leases(A, "e1");
        using var leases2 = Leases(B, "e2");
        using var one = new AcdHarness(leases1, NoGreeting(), AcdHarness.Agent("a1", "1001"));
        using var two = new AcdHarness(leases2, NoGreeting(), AcdHarness.Agent("a1", "1001"));
        one.Ready("a1");
        two.Ready("a1");

        var finished = one.WaitForCallFinishedAsync();
        var first = one.Telephony.Call("13800000001", "12345");
        (await one.Telephony.NextDialAsync()).Answer();
        await one.Telephony.NextBridgeAsync();
        var refused = UndoneReservationAsync(two, "a1");
        var second = two.Telephony.Call("13800000002", "12345");
        await refused; // Engine two reserved a1 for its caller, was refused the lease, and undid the reservation.
        Assert.That(two.Telephony.HasPendingDial, Is.False, "a1 talks on engine one");
        Assert.That(two.Roster.Get("a1").State, Is.EqualTo(AgentState.Ready), "engine two's own view is unchanged");

        var wrapUp = one.WaitForAgentAsync("a1", AgentState.WrapUp);
        first.RemoteHangup();
        await wrapUp;
        two.Queues.Dispatch();
        Assert.That(two.Telephony.HasPendingDial, Is.False, "a1 is in wrap-up on engine one");
        Assert.That(two.Roster.Get("a1").State, Is.EqualTo(AgentState.Ready), "not even reserved: held elsewhere");

        await one.Time.TimerArmedAsync(TimeSpan.FromSeconds(10));
        one.Time.Advance(TimeSpan.FromSeconds(10)); // Wrap-up over: the lease is given back and engine two is told.
        await finished;
        var dial = await two.Telephony.NextDialAsync();
        Assert.That(dial.Target, Is.EqualTo("1001"));
        var holder = (string?)await A.GetDatabase().StringGetAsync(RedisAgentLeases.Key("a1"));
        Assert.That(holder, Does.StartWith("e2|c-"));
        dial.Answer();
        var answered = (await two.Sink.WaitForCallAsync(Kind.Answered)).Answered;
        Assert.That(answered.AgentId, Is.EqualTo("a1"));
    }

    [Test]
    public async Task A_RONA_on_one_engine_keeps_the_agent_from_the_other_until_made_ready()
    {
        using var leases1 = Leases(A, "e1");
        using var leases2 = Leases(B, "e2");
        using var one = new AcdHarness(leases1, NoGreeting(), AcdHarness.Agent("a1", "1001"));
        using var two = new AcdHarness(leases2, NoGreeting(), AcdHarness.Agent("a1", "1001"));
        one.Ready("a1");
        two.Ready("a1");

        var finished = one.WaitForCallFinishedAsync();
        var first = one.Telephony.Call("13800000001", "12345");
        await one.Telephony.NextDialAsync();
        var rona = one.WaitForAgentAsync("a1", AgentState.NotReady);
        one.Time.Advance(TimeSpan.FromSeconds(15)); // Ring timeout: RONA, a1 not ready on engine one.
        await rona;
        first.RemoteHangup();
        await finished;

        var refused = UndoneReservationAsync(two, "a1");
        var second = two.Telephony.Call("13800000002", "12345");
        await refused;
        two.Queues.Dispatch();
        Assert.That(two.Telephony.HasPendingDial, Is.False, "a1 was made not ready by RONA on engine one");

        one.Roster.SetReady("a1");
        Assert.That((await two.Telephony.NextDialAsync()).Target, Is.EqualTo("1001"));
    }

    [Test]
    public async Task An_agent_whose_lease_expired_with_a_dead_engine_is_offered_again()
    {
        using var dead = Leases(A, "e1");
        Assert.That(await dead.TryAcquireAsync("a1", "c-lost"), Is.True); // Engine e1 rings a1, then dies.
        using var leases2 = Leases(B, "e2");
        using var two = new AcdHarness(leases2, NoGreeting(), AcdHarness.Agent("a1", "1001"));
        two.Ready("a1");
        two.Time.ForgetTimers();
        var refused = UndoneReservationAsync(two, "a1");
        var caller = two.Telephony.Call("13800000002", "12345");
        await refused;
        await two.Time.TimerArmedAsync(TimeSpan.FromSeconds(5)); // Engine two looks again every 5 s.
        await B.GetDatabase().KeyDeleteAsync(RedisAgentLeases.Key("a1")); // e1's lease expires: nobody publishes.
        two.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.That((await two.Telephony.NextDialAsync()).Target, Is.EqualTo("1001"));
        Assert.That(caller.State, Is.EqualTo(Cti.Calls.CallLegState.Connected));
    }

    [Test]
    public async Task A_restarted_engine_drops_only_its_own_earlier_leases()
    {
        using (var before = Leases(A, "e1"))
            Assert.That(await before.TryAcquireAsync("a1", "c-old"), Is.True);
        using var other = Leases(B, "e2");
        Assert.That(await other.TryAcquireAsync("a2", "c-9"), Is.True);

        using var restarted = Leases(A, "e1");
        await restarted.ForgetEarlierRunAsync(["a1", "a2"]);
        var db = B.GetDatabase();
        Assert.That((await db.KeyExistsAsync(RedisAgentLeases.Key("a1")), (string?)await db.StringGetAsync(RedisAgentLeases.Key("a2"))),
            Is.EqualTo((false, "e2|c-9")));
    }

    [Test]
    public async Task Leases_expire_unless_refreshed_by_their_holder()
    {
        var time = new FakeTimeProvider();
        using var e1 = new RedisAgentLeases(A, "e1", TimeSpan.FromSeconds(30), time, NullLogger.Instance);
        Assert.That(await e1.TryAcquireAsync("a1", "c-1"), Is.True);
        var db = B.GetDatabase();
        await db.KeyExpireAsync(RedisAgentLeases.Key("a1"), TimeSpan.FromSeconds(2)); // As if 28 s had passed.
        time.Advance(TimeSpan.FromSeconds(10)); // The holder's refresh (every 10 s).
        await A.GetDatabase().PingAsync(); // The fire-and-forget refresh went first on that connection.
        var ttl = await db.KeyTimeToLiveAsync(RedisAgentLeases.Key("a1"));
        Assert.That(ttl, Is.GreaterThan(TimeSpan.FromSeconds(20)));
    }

    /// <summary>
    /// A lease granted while no master was reachable, or lost when the master failed over before its replica had it,
    /// is missing from Redis while its engine still rings or talks with the agent: the next refresh writes it again, so
    /// the other engines do not offer that agent a second call; another engine's lease taken meanwhile is left alone.
    /// </summary>
    [Test]
    public async Task A_held_lease_missing_from_Redis_is_written_again_by_the_next_refresh_and_another_engines_is_left_alone()
    {
        var time = new FakeTimeProvider();
        using var e1 = new RedisAgentLeases(A, "e1", TimeSpan.FromSeconds(30), time, NullLogger.Instance);
        Assert.That(await e1.TryAcquireAsync("a1", "c-1"), Is.True);
        Assert.That(await e1.TryAcquireAsync("a2", "c-2"), Is.True);
        var db = B.GetDatabase();
        await db.KeyDeleteAsync([RedisAgentLeases.Key("a1"), RedisAgentLeases.Key("a2")]); // The failover lost both.
        await db.StringSetAsync(RedisAgentLeases.Key("a2"), "e2|c-9", TimeSpan.FromSeconds(30)); // Engine two took a2 meanwhile.
        time.Advance(TimeSpan.FromSeconds(10)); // The holder's refresh.
        await A.GetDatabase().PingAsync(); // The fire-and-forget refresh went first on that connection.
        Assert.That(((string?)await db.StringGetAsync(RedisAgentLeases.Key("a1")), (string?)await db.StringGetAsync(RedisAgentLeases.Key("a2"))),
            Is.EqualTo(("e1|c-1", "e2|c-9")));
        Assert.That(await db.KeyTimeToLiveAsync(RedisAgentLeases.Key("a1")), Is.GreaterThan(TimeSpan.FromSeconds(20)));

        e1.Release("a1");
        time.Advance(TimeSpan.FromSeconds(10));
        await A.GetDatabase().PingAsync();
        Assert.That(await db.KeyExistsAsync(RedisAgentLeases.Key("a1")), Is.False, "a lease given back is not written again");
    }

    /// <summary>
    /// Run of 5 Dec (the Sentinel failover test): a lease given back while the master failed over stayed in Redis (the
    /// fire-and-forget delete went down with the old master's connection), so the engine refused its own agent for the
    /// lease's 30 s and two callers gave up waiting. The engine reserved the agent for the new call before asking, so a
    /// lease of its own for another call is stale: taken over at once. Another engine's lease is still refused.
    /// </summary>
    [Test]
    public async Task A_lease_of_this_engine_whose_release_was_lost_is_taken_over_by_its_next_call_and_another_engines_is_not()
    {
        using var e1 = Leases(A, "e1");
        var db = B.GetDatabase();
        await db.StringSetAsync(RedisAgentLeases.Key("a1"), "e1|c-old", TimeSpan.FromSeconds(30)); // Released, the delete lost.
        await db.StringSetAsync(RedisAgentLeases.Key("a2"), "e2|c-9", TimeSpan.FromSeconds(30)); // Engine two talks with a2.

        Assert.That((await e1.TryAcquireAsync("a1", "c-new"), await e1.TryAcquireAsync("a2", "c-new2")), Is.EqualTo((true, false)));
        Assert.That(((string?)await db.StringGetAsync(RedisAgentLeases.Key("a1")), (string?)await db.StringGetAsync(RedisAgentLeases.Key("a2"))),
            Is.EqualTo(("e1|c-new", "e2|c-9")));
        Assert.That(await db.KeyTimeToLiveAsync(RedisAgentLeases.Key("a1")), Is.GreaterThan(TimeSpan.FromSeconds(20)), "a full lease for the new call");

        e1.Release("a1");
        await A.GetDatabase().PingAsync(); // The fire-and-forget release went first on that connection.
        Assert.That(await db.KeyExistsAsync(RedisAgentLeases.Key("a1")), Is.False, "the new call's lease is given back as usual");
    }

    /// <summary>
    /// A release that could not be sent (Redis away, or the connection dropped under it in a failover) would keep the
    /// other engines from the agent until the lease expired: the next refresh after Redis is back sends it again, and
    /// the other engines hear the agent is free.
    /// </summary>
    [Test]
    public async Task A_release_made_while_Redis_was_away_is_sent_once_it_is_back()
    {
        var time = new FakeTimeProvider();
        var redis = await RedisServer.StartAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        using var e1 = new RedisAgentLeases(connection, "e1", TimeSpan.FromSeconds(30), time, NullLogger.Instance);
        Assert.That(await e1.TryAcquireAsync("a1", "c-1"), Is.True);

        var lost = Signal(h => connection.ConnectionFailed += h);
        await redis.DisposeAsync();
        await lost;
        e1.Release("a1"); // The agent is ready again, but Redis is away: nothing can be sent now.

        var back = Signal(h => connection.ConnectionRestored += h);
        redis = await RedisServer.StartAsync(redis.Port, redis.Password);
        await using var _ = redis;
        await back;
        await using var other = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = other.GetDatabase();
        await db.StringSetAsync(RedisAgentLeases.Key("a1"), "e1|c-1", TimeSpan.FromSeconds(30)); // The lease outlived the outage.
        var freed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await other.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RedisAgentLeases.FreedChannel), (_, m) => freed.TrySetResult(m.ToString()));

        time.Advance(TimeSpan.FromSeconds(10)); // The next refresh.
        Assert.That(await freed.Task.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo("a1"), "the other engines are told a1 is free");
        Assert.That(await db.KeyExistsAsync(RedisAgentLeases.Key("a1")), Is.False);
    }

    /// <summary>
    /// The gap left by the fixes of 5 Dec: Redis replicates asynchronously, so a release the old master ran just before
    /// it died can be missing on the replica that takes over — the lease would keep every other engine from the agent
    /// for the rest of its 30 s. Here the replica is given the released lease back by hand (as if the delete never
    /// reached it), the master is killed, and the new master must lose the lease long before it expires.
    /// </summary>
    [Test]
    public async Task A_release_the_old_master_died_before_replicating_is_sent_again_to_the_new_master()
    {
        await using var set = await RedisSentinelSet.StartAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(set.ConnectionString);
        var time = new FakeTimeProvider();
        using var e1 = new RedisAgentLeases(connection, "e1", TimeSpan.FromSeconds(30), time, NullLogger.Instance);
        Assert.That(await e1.TryAcquireAsync("a1", "c-1"), Is.True);
        e1.Release("a1");
        await using var replica = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{set.ReplicaPort},password={set.Password},allowAdmin=true");
        var replicaDb = replica.GetDatabase();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (await replicaDb.KeyExistsAsync(RedisAgentLeases.Key("a1")) && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.That(await replicaDb.KeyExistsAsync(RedisAgentLeases.Key("a1")), Is.False, "the release reached the replica");
        // The release lost on its way to the replica: the lease is back there, with most of its 30 s to run.
        // The client library will not write to a replica; redis-cli will, once the replica accepts writes.
        foreach (string[] command in (string[][])[["CONFIG", "SET", "replica-read-only", "no"], ["SET", (string)RedisAgentLeases.Key("a1")!, "e1|c-1", "PX", "30000"]])
        {
            await using var cli = PeerProcess.Start("redis-cli", ["-p", set.ReplicaPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-a", set.Password, "--no-auth-warning", .. command]);
            Assert.That(await cli.Exited.WaitAsync(TimeSpan.FromSeconds(10)), Is.Zero, cli.Output);
        }
        Assert.That((string?)await replicaDb.StringGetAsync(RedisAgentLeases.Key("a1")), Is.EqualTo("e1|c-1"));

        await set.KillMasterAndAwaitFailoverAsync(TimeSpan.FromSeconds(60));
        var switched = DateTime.UtcNow;
        // No fake time passes (no refresh): the multiplexer's news of the new master is what sends the release again.
        while (await replicaDb.KeyExistsAsync(RedisAgentLeases.Key("a1")) && DateTime.UtcNow - switched < TimeSpan.FromSeconds(20)) await Task.Delay(50);
        Assert.That(await replicaDb.KeyExistsAsync(RedisAgentLeases.Key("a1")), Is.False,
            "the new master lost the lease within 20 s of the failover (it would have held it for 30 s)");
        TestContext.Out.WriteLine($"the lease left the new master {(DateTime.UtcNow - switched).TotalSeconds:0.0} s after +switch-master");
    }

    /// <summary>The interactive connection failed or came back.</summary>
    private static Task Signal(Action<EventHandler<ConnectionFailedEventArgs>> subscribe)
    {
        var raised = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscribe((_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive) raised.TrySetResult(); // The one commands go on.
        });
        return raised.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
