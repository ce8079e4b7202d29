using Hotline.AcdEngine.Agents;
using Hotline.AcdEngine.Routing;
using Hotline.AcdEngine.Tests.Fakes;
using Hotline.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Hotline.AcdEngine.Tests.Agents;

/// <summary>
/// Agents' presence shared by two engines through a real redis-server (issue 19, docs/scaling.md): a sign-in, ready,
/// not ready (with reason) or wrap-up made on one engine is applied by the other, so the desk or a feature code may
/// reach either; a change made elsewhere while this engine's call holds the agent waits for the call.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SharedAgentStatesTests : TwoEnginesOnRedis
{

    private static AcdOptions NoGreeting()
    {
        var o = AcdHarness.DefaultOptions();
        o.Greeting = "";
        return o;
    }

    private static RedisAgentLeases Leases(IConnectionMultiplexer redis, string node) =>
        new(redis, node, TimeSpan.FromSeconds(30), new FakeTimeProvider(), NullLogger.Instance);

    /// <summary>Completes when <paramref name="shared"/> has applied a change of <paramref name="agentId"/> to <paramref name="state"/>.</summary>
    private static Task AppliedAsync(SharedAgentStates shared, string agentId, AgentState state)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        shared.Applied += (id, s) =>
        {
            if (id == agentId && s == state) done.TrySetResult();
        };
        return done.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task An_agent_made_not_ready_on_one_engine_is_not_offered_by_the_other()
    {
        using var leases1 = Leases(A, "e1");
        using var leases2 = Leases(B, "e2");
        using var one = new AcdHarness(leases1, NoGreeting(), AcdHarness.Agent("a1", "1001"));
        using var two = new AcdHarness(leases2, NoGreeting(), AcdHarness.Agent("a1", "1001"));
        using var shared1 = new SharedAgentStates(A, "e1", one.Roster);
        using var shared2 = new SharedAgentStates(B, "e2", two.Roster);
        await Task.WhenAll(shared1.ListeningAsync(), shared2.ListeningAsync()); // Run 34: a change told before engine two subscribed was never applied.

        var signedIn = AppliedAsync(shared2, "a1", AgentState.Ready);
        one.Roster.SignIn("a1", ready: true); // The desk signs in through engine one.
        await signedIn;
        Assert.That(two.Roster.Get("a1").State, Is.EqualTo(AgentState.Ready));

        var notReady = AppliedAsync(shared2, "a1", AgentState.NotReady);
        var shownOnTwo = new TaskCompletionSource<Contracts.V1.AgentEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        two.AgentEvents.Recorded += e =>
        {
            if (e.Reason == "lunch") shownOnTwo.TrySetResult(e);
        };
        one.Roster.SetNotReady("a1", "lunch");
        await notReady;
        var shown = await shownOnTwo.Task.WaitAsync(TimeSpan.FromSeconds(10)); // A desk watching a1 through engine two sees it.
        Assert.That(shown.Status, Is.EqualTo(Contracts.V1.AgentStatus.NotReady));
        Assert.That((two.Roster.Get("a1").State, two.Roster.Get("a1").Reason), Is.EqualTo((AgentState.NotReady, "lunch")));
        Assert.That(two.Sink.AgentEvents("a1"), Is.Empty, "engine one records the change; engine two does not record it again");
        Assert.That(one.Sink.AgentEvents("a1").Select(e => e.Reason), Does.Contain("lunch"));

        _ = two.Telephony.Call("13800000002", "12345");
        two.Queues.Dispatch();
        Assert.That(two.Telephony.HasPendingDial, Is.False, "a1 is not ready: engine two does not ring them");

        var ready = AppliedAsync(shared1, "a1", AgentState.Ready);
        two.Roster.SetReady("a1"); // A feature code on engine two: both see it, and engine two's caller is offered.
        await ready;
        Assert.That(one.Roster.Get("a1").State, Is.EqualTo(AgentState.Ready));
        Assert.That((await two.Telephony.NextDialAsync()).Target, Is.EqualTo("1001"));
    }

    [Test]
    public async Task A_change_made_elsewhere_during_a_call_waits_for_the_call()
    {
        using var leases1 = Leases(A, "e1");
        using var leases2 = Leases(B, "e2");
        using var one = new AcdHarness(leases1, NoGreeting(), AcdHarness.Agent("a1", "1001"));
        using var two = new AcdHarness(leases2, NoGreeting(), AcdHarness.Agent("a1", "1001"));
        using var shared1 = new SharedAgentStates(A, "e1", one.Roster);
        using var shared2 = new SharedAgentStates(B, "e2", two.Roster);
        await Task.WhenAll(shared1.ListeningAsync(), shared2.ListeningAsync()); // Run 34: a change told before engine two subscribed was never applied.
        var signedIn = AppliedAsync(shared2, "a1", AgentState.Ready);
        one.Roster.SignIn("a1", ready: true);
        await signedIn;

        var caller = one.Telephony.Call("13800000001", "12345");
        (await one.Telephony.NextDialAsync()).Answer();
        await one.Telephony.NextBridgeAsync();
        var onTwo = AppliedAsync(shared1, "a1", AgentState.NotReady);
        two.Roster.SetNotReady("a1", "meeting"); // The desk, through engine two, while a1 talks on engine one.
        await onTwo;
        Assert.That(one.Roster.Get("a1").State, Is.EqualTo(AgentState.Talking), "the call is not touched");

        var wrapUp = AppliedAsync(shared2, "a1", AgentState.WrapUp);
        caller.RemoteHangup();
        await wrapUp;
        Assert.That(two.Roster.Get("a1").State, Is.EqualTo(AgentState.WrapUp), "engine two shows the wrap-up made on engine one");
        var after = one.WaitForAgentAsync("a1", AgentState.NotReady);
        one.Time.Advance(TimeSpan.FromSeconds(10)); // Wrap-up over: not ready, as asked on engine two, not ready for calls.
        await after;
        Assert.That(one.Roster.Get("a1").Reason, Is.EqualTo("meeting"));
    }

    [Test]
    public async Task A_change_waiting_for_a_ring_is_dropped_when_the_ring_ends_in_a_RONA_and_the_agent_asks_to_be_ready()
    {
        using var one = new AcdHarness(NoGreeting(), AcdHarness.Agent("a1", "1001"));
        one.Ready("a1");
        one.Telephony.Call("13800000001", "12345");
        await one.Telephony.NextDialAsync();
        one.Roster.ApplyShared("a1", AgentState.NotReady, "meeting"); // Made elsewhere while a1 rings here: waits.
        Assert.That(one.Roster.Get("a1").State, Is.EqualTo(AgentState.Ringing));
        var rona = one.WaitForAgentAsync("a1", AgentState.NotReady);
        one.Time.Advance(TimeSpan.FromSeconds(15));
        await rona;
        one.Roster.SetReady("a1");
        // The agent's own later ready wins over the change that waited: ready, and offered the waiting caller again.
        Assert.That((await one.Telephony.NextDialAsync()).Target, Is.EqualTo("1001"));
        Assert.That(one.Roster.Get("a1").State, Is.EqualTo(AgentState.Ringing));
    }

    /// <summary>
    /// Run 39: without a Redis master two engines may lease the same agent (granted locally, said loudly); the other
    /// engine's wrap-up then arrives while the agent talks here. It is that engine's call, not a desk's wish: it must
    /// not replace this call's end of wrap-up. It did (the wrap-up became the other engine's, with no timer and no end):
    /// the call never ended and the agent stayed in wrap-up here while its lease was given back.
    /// </summary>
    [Test]
    public async Task Another_engines_wrap_up_told_during_a_call_here_does_not_stop_this_calls_wrap_up_from_ending()
    {
        using var one = new AcdHarness(NoGreeting(), AcdHarness.Agent("a1", "1001"));
        one.Roster.SignIn("a1", ready: true);
        var caller = one.Telephony.Call("13800000001", "12345");
        (await one.Telephony.NextDialAsync()).Answer();
        await one.Telephony.NextBridgeAsync();
        one.Roster.ApplyShared("a1", AgentState.WrapUp, ""); // The other engine's call with a1 ended meanwhile.
        Assert.That(one.Roster.Get("a1").State, Is.EqualTo(AgentState.Talking), "the call here is not touched");

        var finished = one.WaitForCallFinishedAsync();
        var inWrapUp = one.WaitForAgentAsync("a1", AgentState.WrapUp);
        caller.RemoteHangup();
        await inWrapUp;
        var ready = one.WaitForAgentAsync("a1", AgentState.Ready);
        one.Time.Advance(TimeSpan.FromSeconds(one.Options.WrapUpSeconds));
        await ready;
        await finished;
        Assert.That(one.Sink.CallEvents().Count(e => e.PayloadCase == Contracts.V1.CallEvent.PayloadOneofCase.Ended), Is.EqualTo(1), "the call ended");
    }

    /// <summary>
    /// Run 41: the same wrap-up from elsewhere told while the agent rings here, then the caller hangs up during the ring:
    /// the agent became "in wrap-up" here with no end (no timer, the other engine's ready already told) and was never
    /// offered a call by this engine again.
    /// </summary>
    [Test]
    public async Task Another_engines_wrap_up_told_during_a_ring_here_does_not_leave_the_agent_in_wrap_up_when_the_ring_ends()
    {
        using var one = new AcdHarness(NoGreeting(), AcdHarness.Agent("a1", "1001"));
        one.Roster.SignIn("a1", ready: true);
        var caller = one.Telephony.Call("13800000001", "12345");
        await one.Telephony.NextDialAsync();
        one.Roster.ApplyShared("a1", AgentState.WrapUp, "");
        Assert.That(one.Roster.Get("a1").State, Is.EqualTo(AgentState.Ringing));
        var finished = one.WaitForCallFinishedAsync();
        caller.RemoteHangup(); // Abandoned while ringing: the ring is cancelled, the agent is ready again.
        await finished;
        Assert.That(one.Roster.Get("a1").State, Is.EqualTo(AgentState.Ready));
    }

    /// <summary>
    /// Run 48: an agent's phone full of calls (a ring crossing its cancel; two engines holding one agent without a Redis
    /// master) said 486 to a ring; the agent was made not ready "declined" on every engine and never offered a call
    /// again. A busy phone is this engine's view, like "no phone": not told to the others, and it ends by itself.
    /// </summary>
    [Test]
    public async Task A_busy_phone_keeps_the_agent_from_offers_here_for_the_busy_retry_only_and_is_not_told_to_the_other_engine()
    {
        using var leases1 = Leases(A, "e1");
        using var leases2 = Leases(B, "e2");
        using var one = new AcdHarness(leases1, NoGreeting(), AcdHarness.Agent("a1", "1001"), AcdHarness.Agent("a2", "1002"));
        using var two = new AcdHarness(leases2, NoGreeting(), AcdHarness.Agent("a1", "1001"), AcdHarness.Agent("a2", "1002"));
        using var shared1 = new SharedAgentStates(A, "e1", one.Roster);
        using var shared2 = new SharedAgentStates(B, "e2", two.Roster);
        await Task.WhenAll(shared1.ListeningAsync(), shared2.ListeningAsync());
        var signedIn = AppliedAsync(shared2, "a1", AgentState.Ready);
        one.Roster.SignIn("a1", ready: true);
        await signedIn;

        one.Telephony.Call("13800000001", "12345");
        var busy = one.WaitForAgentAsync("a1", AgentState.NotReady);
        (await one.Telephony.NextDialAsync()).Reject(486);
        await busy;
        Assert.That(one.Roster.Get("a1").Reason, Is.EqualTo(AgentRoster.Busy));

        // Changes are applied in publication order: once a later one is applied on engine two, the busy would have been.
        var marker = AppliedAsync(shared2, "a2", AgentState.NotReady);
        one.Roster.SignIn("a2", ready: false);
        await marker;
        Assert.That(two.Roster.Get("a1").State, Is.EqualTo(AgentState.Ready), "engine two was not told the busy");

        one.Time.Advance(TimeSpan.FromSeconds(one.Options.BusyRetrySeconds) - TimeSpan.FromMilliseconds(1));
        Assert.That(one.Telephony.HasPendingDial, Is.False, "not offered during the busy retry");
        one.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That((await one.Telephony.NextDialAsync()).Target, Is.EqualTo("1001"), "ready again, and the waiting caller is offered");
    }
}
